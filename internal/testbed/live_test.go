package testbed

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed/synth"
)

// These tests run against the live testbed (testbed/setup.sh) with plain
// net/http, and compare what each service answers with what package synth
// generated.

// votable is the part of a TABLEDATA VOTable the tests look at.
type votable struct {
	Infos     []vinfo `xml:"INFO"`
	Resources []struct {
		Infos  []vinfo `xml:"INFO"`
		Tables []struct {
			Fields []struct {
				Name string `xml:"name,attr"`
				UCD  string `xml:"ucd,attr"`
			} `xml:"FIELD"`
			Rows []struct {
				TDs []string `xml:"TD"`
			} `xml:"DATA>TABLEDATA>TR"`
		} `xml:"TABLE"`
	} `xml:"RESOURCE"`
}

type vinfo struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// status returns the QUERY_STATUS info value, wherever it is.
func (v *votable) status() string {
	for _, i := range v.Infos {
		if i.Name == "QUERY_STATUS" {
			return i.Value
		}
	}
	for _, r := range v.Resources {
		for _, i := range r.Infos {
			if i.Name == "QUERY_STATUS" {
				return i.Value
			}
		}
	}
	return ""
}

// column returns the values of the named column of the first table.
func (v *votable) column(t *testing.T, name string) []string {
	t.Helper()
	for _, r := range v.Resources {
		for _, tab := range r.Tables {
			for i, f := range tab.Fields {
				if f.Name != name {
					continue
				}
				var out []string
				for _, row := range tab.Rows {
					out = append(out, row.TDs[i])
				}
				return out
			}
		}
	}
	t.Fatalf("no column %q in the VOTable", name)
	return nil
}

func (v *votable) nrows() int {
	for _, r := range v.Resources {
		for _, tab := range r.Tables {
			return len(tab.Rows)
		}
	}
	return -1
}

// get fetches a URL and returns the response and the body (at most 64 MB).
func get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Client(2 * time.Minute).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		t.Fatalf("reading %s: %v", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %.300s", u, resp.Status, body)
	}
	return resp, body
}

// decodeVOTable fetches a VOTable in TABLEDATA.
func decodeVOTable(t *testing.T, u string) (*votable, []byte) {
	t.Helper()
	_, body := get(t, u)
	var v votable
	if err := xml.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: not a VOTable: %v: %.300s", u, err, body)
	}
	return &v, body
}

// getVOTable fetches a VOTable in TABLEDATA and checks its QUERY_STATUS is OK.
func getVOTable(t *testing.T, u string) *votable {
	t.Helper()
	v, body := decodeVOTable(t, u)
	if s := v.status(); s != "OK" {
		t.Fatalf("%s: QUERY_STATUS %q: %.500s", u, s, body)
	}
	return v
}

func query(t *testing.T, in *Info, adql string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := in.QueryCSV(ctx, adql)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestTAPTablesMatchGenerator(t *testing.T) {
	in := Require(t)
	ctx := context.Background()
	counts := map[string]int64{in.ObsCoreTable: int64(len(in.Spectra) + len(in.Images)),
		in.EPNTable: int64(len(in.Granules)), in.SpectraTable: int64(len(in.Spectra)), in.ImagesTable: int64(len(in.Images))}
	for _, c := range in.Catalogs {
		counts[c.Table] = int64(c.Rows)
	}
	for table, want := range counts {
		n, err := in.Count(ctx, table)
		if err != nil {
			t.Error(err)
		} else if n != want {
			t.Errorf("%s has %d rows, the generator made %d", table, n, want)
		}
	}
	for _, c := range in.Catalogs {
		rows := query(t, in, fmt.Sprintf("SELECT column_name, ucd, unit FROM tap_schema.columns WHERE table_name='%s'", c.Table))
		got := map[string][2]string{}
		for _, r := range rows[1:] {
			got[r[0]] = [2]string{r[1], r[2]}
		}
		for _, col := range c.Data.Columns {
			if g, ok := got[col.Name]; !ok {
				t.Errorf("%s: column %s missing from TAP_SCHEMA", c.Table, col.Name)
			} else if g != [2]string{col.UCD, col.Unit} {
				t.Errorf("%s.%s: TAP_SCHEMA has ucd,unit %q, generator %q", c.Table, col.Name, g, [2]string{col.UCD, col.Unit})
			}
		}
		if len(got) != len(c.Data.Columns) {
			t.Errorf("%s: %d columns in TAP_SCHEMA, %d generated", c.Table, len(got), len(c.Data.Columns))
		}
	}
}

func TestTAPAnchors(t *testing.T) {
	in := Require(t)
	for _, c := range in.Catalogs {
		rows := query(t, in, fmt.Sprintf("SELECT %s, ra, dec, truth_id FROM %s WHERE truth_id <= %d ORDER BY truth_id",
			c.IDColumn, c.Table, len(in.Anchors)))
		if len(rows) != len(in.Anchors)+1 {
			t.Errorf("%s: %d anchors, want %d", c.Table, len(rows)-1, len(in.Anchors))
			continue
		}
		for i, a := range in.Anchors {
			id := map[string]string{"twomass": a.TwoMASS, "allwise": a.AllWISE, "sdss": strconv.FormatInt(a.SDSSObjID, 10)}[c.Name]
			want := []string{strconv.FormatFloat(a.RA, 'f', -1, 64), strconv.FormatFloat(a.Dec, 'f', -1, 64), strconv.Itoa(a.TruthID)}
			if r := rows[i+1]; r[0] != id || !sameFloats(r[1:], want) {
				t.Errorf("%s anchor %d: got %q, want %s %q", c.Table, a.TruthID, r, id, want)
			}
		}
	}
	// A spatial ADQL query (pgsphere/q3c behind CONTAINS) returns what the
	// generator puts there.
	a := in.Anchors[0]
	for _, c := range in.Catalogs {
		rows := query(t, in, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', %v, %v, 0.05))",
			c.Table, a.RA, a.Dec))
		if want := strconv.Itoa(len(c.Data.Cone(a.RA, a.Dec, 0.05))); len(rows) != 2 || rows[1][0] != want {
			t.Errorf("%s: cone of 0.05 deg around anchor 1: got %q, want %s rows", c.Table, rows, want)
		}
	}
}

// sameFloats compares two records of numbers.
func sameFloats(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, err1 := strconv.ParseFloat(got[i], 64)
		w, err2 := strconv.ParseFloat(want[i], 64)
		if err1 != nil || err2 != nil || g != w {
			return false
		}
	}
	return true
}

func TestSCS(t *testing.T) {
	in := Require(t)
	a := in.Anchors[1]
	const sr = 0.02
	for _, c := range in.Catalogs {
		v := getVOTable(t, fmt.Sprintf("%s?RA=%v&DEC=%v&SR=%v&RESPONSEFORMAT=votabletd", c.SCS, a.RA, a.Dec, sr))
		want := c.Data.Cone(a.RA, a.Dec, sr)
		if v.nrows() != len(want) {
			t.Errorf("%s: %d rows, generator has %d within %v deg", c.Name, v.nrows(), len(want), sr)
			continue
		}
		// SCS 1.03 renames the meta.id;meta.main column's UCD to ID_MAIN;
		// rows are in no particular order.
		ids := v.column(t, c.IDColumn)
		var wantIDs []string
		for _, k := range want {
			wantIDs = append(wantIDs, fmt.Sprint(c.Data.Rows[k][0]))
		}
		sort.Strings(ids)
		sort.Strings(wantIDs)
		if strings.Join(ids, ",") != strings.Join(wantIDs, ",") {
			t.Errorf("%s: ids differ from the generator's", c.Name)
		}
	}
}

func TestSSA(t *testing.T) {
	in := Require(t)
	a := in.Anchors[0]
	const size = 0.1 // diameter
	v := getVOTable(t, fmt.Sprintf("%s?REQUEST=queryData&POS=%v,%v&SIZE=%v", in.SSA, a.RA, a.Dec, size))
	var want []string
	for _, s := range in.Spectra {
		if synth.Sep(a.RA, a.Dec, s.RA, s.Dec) < size/2 {
			want = append(want, s.PubDID)
		}
	}
	got := v.column(t, "ssa_pubDID")
	sort.Strings(got)
	sort.Strings(want)
	if len(want) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("SSA around anchor 1: got %q, want %q", got, want)
	}
}

func TestSIA(t *testing.T) {
	in := Require(t)
	a := in.Anchors[3] // two images (J, Ks) centred here, none near
	var want []string
	for _, im := range in.Images {
		if im.RA == a.RA && im.Dec == a.Dec {
			want = append(want, im.AccessURL)
		}
	}
	sort.Strings(want)
	for name, u := range map[string]string{
		"SIA1": fmt.Sprintf("%s?POS=%v,%v&SIZE=0.001&RESPONSEFORMAT=votabletd", in.SIA1, a.RA, a.Dec),
		"SIA2": fmt.Sprintf("%s?POS=%s&RESPONSEFORMAT=votabletd", in.SIA2, url.QueryEscape(fmt.Sprintf("CIRCLE %v %v 0.001", a.RA, a.Dec))),
	} {
		v := getVOTable(t, u)
		col := map[string]string{"SIA1": "accref", "SIA2": "access_url"}[name]
		got := v.column(t, col)
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

func TestObsCoreAndDatalink(t *testing.T) {
	in := Require(t)
	rows := query(t, in, "SELECT obs_publisher_did, access_url, dataproduct_type FROM "+in.ObsCoreTable+" ORDER BY obs_publisher_did")
	byDID := map[string][]string{}
	for _, r := range rows[1:] {
		byDID[r[0]] = r
	}
	for _, p := range append(append([]Product{}, in.Spectra...), in.Images...) {
		r, ok := byDID[p.PubDID]
		if !ok {
			t.Errorf("%s not in %s", p.PubDID, in.ObsCoreTable)
			continue
		}
		if r[1] != p.AccessURL {
			t.Errorf("%s: access_url %s, want %s", p.PubDID, r[1], p.AccessURL)
		}
		// The collection's datalink document has #this pointing at the file.
		v := getVOTable(t, p.Datalink)
		sem, urls := v.column(t, "semantics"), v.column(t, "access_url")
		found := false
		for i := range sem {
			found = found || (sem[i] == "#this" && urls[i] == p.AccessURL)
		}
		if !found {
			t.Errorf("%s: no #this link to %s in %s", p.PubDID, p.AccessURL, p.Datalink)
		}
	}
	// ObsCore's own datalink service forwards to the collection's.
	p := in.Spectra[0]
	v := getVOTable(t, in.ObsCoreDatalink+"?ID="+url.QueryEscape(p.PubDID))
	if ids := v.column(t, "ID"); len(ids) == 0 || ids[0] != p.PubDID {
		t.Errorf("obscore datalink for %s: IDs %q", p.PubDID, ids)
	}
	// The FITS file itself.
	resp, body := get(t, p.AccessURL)
	if !bytes.HasPrefix(body, []byte("SIMPLE  =")) || resp.Header.Get("Content-Type") != "application/fits" {
		t.Errorf("%s: not a FITS file (%s)", p.AccessURL, resp.Header.Get("Content-Type"))
	}
}

func TestSODA(t *testing.T) {
	in := Require(t)
	im := in.Images[0]
	_, full := get(t, im.AccessURL)
	_, cut := get(t, fmt.Sprintf("%s?ID=%s&CIRCLE=%s", in.ImagesSODA, url.QueryEscape(im.PubDID),
		url.QueryEscape(fmt.Sprintf("%v %v 0.003", im.RA, im.Dec))))
	if !bytes.HasPrefix(cut, []byte("SIMPLE  =")) || len(cut) >= len(full) {
		t.Errorf("image cutout: %d bytes (full image %d), starts %.20q", len(cut), len(full), cut)
	}
	sp := in.Spectra[0]
	// An SDM VOTable (no QUERY_STATUS).
	v, _ := decodeVOTable(t, fmt.Sprintf("%s?ID=%s&BAND=%s&FORMAT=%s", in.SpectraSODA, url.QueryEscape(sp.PubDID),
		url.QueryEscape("5e-7 6e-7"), url.QueryEscape("application/x-votable+xml;serialization=tabledata")))
	wl := v.column(t, "spectral")
	if len(wl) == 0 || len(wl) >= synth.SpecNPix {
		t.Fatalf("spectrum BAND cutout: %d points of %d", len(wl), synth.SpecNPix)
	}
	for _, s := range wl {
		if f, err := strconv.ParseFloat(s, 64); err != nil || f < 4990 || f > 6010 {
			t.Errorf("spectrum BAND cutout 5000-6000 Angstrom has a point at %s", s)
			break
		}
	}
}

func TestEPNTAP(t *testing.T) {
	in := Require(t)
	rows := query(t, in, "SELECT utype FROM tap_schema.tables WHERE table_name='"+in.EPNTable+"'")
	if len(rows) != 2 || !strings.HasPrefix(strings.ToLower(rows[1][0]), "ivo://ivoa.net/std/epntap#table-2") {
		t.Errorf("%s utype: %q", in.EPNTable, rows)
	}
	rows = query(t, in, "SELECT granule_uid, target_name, target_class, dataproduct_type, time_min, time_max, c1min, c1max, c2min, c2max, access_url FROM "+
		in.EPNTable+" WHERE target_name='Mars' ORDER BY granule_uid")
	var want []synth.Granule
	for _, g := range in.Granules {
		if g.Target == "Mars" {
			want = append(want, g)
		}
	}
	if len(rows)-1 != len(want) {
		t.Fatalf("Mars granules: got %d, want %d", len(rows)-1, len(want))
	}
	for i, g := range want {
		r := rows[i+1]
		if r[0] != g.UID || r[2] != g.TargetClass || r[3] != g.ProductType ||
			!sameFloats(r[4:10], []string{fmt.Sprint(g.TimeMin), fmt.Sprint(g.TimeMax), fmt.Sprint(g.C1Min), fmt.Sprint(g.C1Max),
				fmt.Sprint(g.C2Min), fmt.Sprint(g.C2Max)}) {
			t.Errorf("granule %s: got %q", g.UID, r)
		}
		if _, body := get(t, r[10]); !bytes.HasPrefix(body, []byte("SIMPLE  =")) {
			t.Errorf("granule %s: access_url %s is not a FITS file", g.UID, r[10])
		}
	}
}

func TestRegTAP(t *testing.T) {
	in := Require(t)
	want := map[string][]string{
		"ivo://ivoa.net/std/conesearch":    {in.Catalogs[0].SCSIVOID, in.Catalogs[1].SCSIVOID, in.Catalogs[2].SCSIVOID},
		"ivo://ivoa.net/std/ssa":           {in.SSAIVOID},
		"ivo://ivoa.net/std/sia":           {in.SIA1IVOID},
		"ivo://ivoa.net/std/sia#query-2.0": {in.SIA2IVOID},
		"ivo://ivoa.net/std/tap":           {in.TAPIVOID},
	}
	rows := query(t, in, "SELECT ivoid, standard_id, access_url FROM rr.capability NATURAL JOIN rr.interface WHERE intf_type='vs:paramhttp'")
	got := map[string][]string{}
	for _, r := range rows[1:] {
		if _, ok := want[r[1]]; ok {
			got[r[1]] = append(got[r[1]], r[0])
		}
		if !strings.HasPrefix(r[2], in.BaseURL+"/") {
			t.Errorf("%s %s: access_url %s not on %s", r[0], r[1], r[2], in.BaseURL)
		}
	}
	// The publishing registry the rr tables were harvested from.
	if _, body := get(t, in.OAIPMH+"?verb=Identify"); !bytes.Contains(body, []byte("<oai:Identify>")) && !bytes.Contains(body, []byte("<Identify>")) {
		t.Errorf("OAI-PMH Identify: %.300s", body)
	}
	for std, ids := range want {
		g := got[std]
		sort.Strings(g)
		sort.Strings(ids)
		if strings.Join(g, " ") != strings.Join(ids, " ") {
			t.Errorf("RegTAP services for %s: got %q, want %q", std, g, ids)
		}
	}
}

func TestBigTable(t *testing.T) {
	in := RequireBig(t)
	for _, id := range []int64{1, 123457, in.BigRows} {
		rows := query(t, in, fmt.Sprintf("SELECT ra, dec, mag FROM %s WHERE id=%d", in.BigTable, id))
		ra, dec, mag := synth.BigRow(id)
		if len(rows) != 2 || !sameFloats(rows[1][:2], []string{fmt.Sprint(ra), fmt.Sprint(dec)}) {
			t.Errorf("%s id %d: got %q, want %v %v %v", in.BigTable, id, rows, ra, dec, mag)
		} else if m, err := strconv.ParseFloat(rows[1][2], 32); err != nil || float32(m) != float32(mag) {
			t.Errorf("%s id %d: mag %s, want %v", in.BigTable, id, rows[1][2], mag)
		}
	}
}
