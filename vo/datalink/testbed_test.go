package datalink

import (
	"context"
	"github.com/voagent/voagent/internal/peertest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/sia"
	"github.com/voagent/voagent/vo/ssa"
	"github.com/voagent/voagent/vo/svcparam"
)

func testbedClient() *dal.Client {
	return dal.New(dal.Options{Timeout: 3 * time.Minute, IdleTimeout: time.Minute})
}

func TestTestbed(t *testing.T) {
	in := testbed.Require(t)
	ctx := context.Background()
	hc := testbedClient()

	t.Run("batched links", func(t *testing.T) {
		c := &Client{HTTP: hc, Batch: 2}
		var ids []string
		for _, p := range in.Spectra {
			ids = append(ids, p.PubDID)
		}
		l, err := c.Links(ctx, in.SpectraDatalink, ids, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range in.Spectra {
			var this []Link
			for _, r := range l.ForID(p.PubDID) {
				if r.Semantics == "#this" {
					this = append(this, r)
				}
			}
			if len(this) != 1 || this[0].AccessURL != p.AccessURL {
				t.Errorf("%s: #this links %+v, want one to %s", p.PubDID, this, p.AccessURL)
			}
		}
		for _, r := range l.BySemantics("#proc", true) {
			if sd := l.Service(r.ServiceDef); sd == nil || !sd.IsSODA() {
				t.Errorf("%s: #proc service %q missing or not SODA", r.ID, r.ServiceDef)
			}
		}
	})

	t.Run("every ID of a batch answered", func(t *testing.T) {
		// DaCHS's dlmeta answers only the first ID of a request that
		// repeats ID: the client must notice and ask for the others.
		c := NewClient(hc)
		var ids []string
		for _, im := range in.Images {
			ids = append(ids, im.PubDID)
		}
		if len(ids) < 2 {
			t.Skip("the testbed has fewer than 2 images")
		}
		for round := range 2 { // the second round knows the endpoint answers one ID
			l, err := c.Links(ctx, in.ImagesDatalink, ids, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range in.Images {
				if len(l.ForID(im.PubDID)) == 0 {
					t.Errorf("round %d: no links for %s among %d asked", round, im.PubDID, len(ids))
				}
			}
			if got, want := len(l.BySemantics("#preview", true)), len(ids); got < want {
				t.Errorf("round %d: %d previews for %d images", round, got, want)
			}
		}
	})

	t.Run("SIA 2 results: a preview for every dataset", func(t *testing.T) {
		// the course's workflow 16 on the testbed: pyvo finds one preview
		// per dataset of the SIA 2 answer.
		a := in.Images[0]
		res, err := sia.New2(in.SIA2, hc).Search(ctx, sia.Query2{Circles: []svcparam.Circle{{RA: a.RA, Dec: a.Dec, Radius: 0.5}}})
		if err != nil {
			t.Fatal(err)
		}
		rows := make([]int, res.Table.Rows())
		dids := map[string]bool{}
		col := res.Table.FieldByName("obs_publisher_did")
		for i := range rows {
			rows[i] = i
			dids[dataset.Records(res.Table)[i].String(col)] = true
		}
		if len(dids) < 2 {
			t.Skipf("only %d datasets near the first image", len(dids))
		}
		l, err := NewClient(hc).LinksFor(ctx, res, rows)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range l.BySemantics("#preview", true) {
			got[r.ID] = true
		}
		for did := range dids {
			if !got[did] {
				t.Errorf("no #preview link for %s (%d datasets, %d with previews)", did, len(dids), len(got))
			}
		}
	})

	t.Run("links of SSA results through their descriptor", func(t *testing.T) {
		a := in.Anchors[0]
		res, err := ssa.New(in.SSA, hc).Search(ctx, ssa.Query{Pos: &ssa.Pos{RA: a.RA, Dec: a.Dec}, Size: 2})
		if err != nil {
			t.Fatal(err)
		}
		rows := make([]int, res.Table.Rows())
		for i := range rows {
			rows[i] = i
		}
		l, err := NewClient(hc).LinksFor(ctx, res, rows)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(l.BySemantics("#this", false)); got != res.Table.Rows() {
			t.Errorf("%d #this links for %d spectra", got, res.Table.Rows())
		}
	})

	t.Run("SODA spectrum cutout", func(t *testing.T) {
		sp := in.Spectra[0]
		l, err := NewClient(hc).Links(ctx, in.SpectraDatalink, []string{sp.PubDID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var sd *ServiceDescriptor
		for _, s := range l.Services {
			if s.IsSODA() {
				sd = s
			}
		}
		if sd == nil || sd.Input("BAND") == nil {
			t.Fatalf("no SODA descriptor with BAND in %+v", l.Services)
		}
		p, err := Cutout{Band: []svcparam.Interval{{Lo: 5e-7, Hi: 6e-7}}}.Params()
		if err != nil {
			t.Fatal(err)
		}
		p.Set("FORMAT", "application/x-votable+xml;serialization=tabledata")
		u, err := sd.URL(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, err := hc.Fetch(ctx, &dal.Request{Op: "SODA", URL: u})
		if err != nil {
			t.Fatal(err)
		}
		tab, err := dataset.ResultsTable(doc)
		if err != nil {
			t.Fatal(err)
		}
		col := tab.FieldByName("spectral")
		if col < 0 || tab.Rows() == 0 {
			t.Fatalf("cutout: %d rows, spectral column %d", tab.Rows(), col)
		}
		full, err := Cutout{Band: []svcparam.Interval{{Lo: 1e-7, Hi: 1e-5}}}.Params()
		if err != nil {
			t.Fatal(err)
		}
		full.Set("FORMAT", "application/x-votable+xml;serialization=tabledata")
		fu, _ := sd.URL(nil, full)
		fdoc, _, err := hc.Fetch(ctx, &dal.Request{Op: "SODA", URL: fu})
		if err != nil {
			t.Fatal(err)
		}
		ftab, _ := dataset.ResultsTable(fdoc)
		if tab.Rows() >= ftab.Rows() {
			t.Errorf("BAND 500-600 nm cutout has %d points, the whole spectrum %d", tab.Rows(), ftab.Rows())
		}
		for _, r := range dataset.Records(tab) {
			v, ok := r.Float(col)
			if !ok || v < 4990 || v > 6010 { // Angstrom
				t.Errorf("cutout point at %v outside 5000-6000 Angstrom", v)
				break
			}
		}
	})

	t.Run("SODA image cutout download", func(t *testing.T) {
		im := in.Images[0]
		l, err := NewClient(hc).Links(ctx, in.ImagesDatalink, []string{im.PubDID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var sd *ServiceDescriptor
		for _, s := range l.Services {
			if s.IsSODA() && s.Input("CIRCLE") != nil {
				sd = s
			}
		}
		if sd == nil {
			t.Fatal("no SODA descriptor with CIRCLE")
		}
		p, err := Cutout{Circle: &svcparam.Circle{RA: im.RA, Dec: im.Dec, Radius: 0.003}}.Params()
		if err != nil {
			t.Fatal(err)
		}
		u, err := sd.URL(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		cut, err := dataset.Download(ctx, hc, u, dir, "cut", nil)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := dataset.Download(ctx, hc, im.AccessURL, dir, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(cut.Path)
		if !strings.HasPrefix(string(b), "SIMPLE  =") || cut.Bytes >= whole.Bytes || !strings.HasSuffix(cut.Path, ".fits") {
			t.Errorf("cutout %s: %d bytes (whole image %d)", cut.Path, cut.Bytes, whole.Bytes)
		}
		// The same region as a polygon (a square around the centre).
		const h = 0.002
		poly := svcparam.Polygon{im.RA - h, im.Dec - h, im.RA + h, im.Dec - h, im.RA + h, im.Dec + h, im.RA - h, im.Dec + h}
		pp, err := Cutout{Polygon: poly}.Params()
		if err != nil {
			t.Fatal(err)
		}
		pu, err := sd.URL(nil, pp)
		if err != nil {
			t.Fatal(err)
		}
		pc, err := dataset.Download(ctx, hc, pu, dir, "poly", nil)
		if err != nil {
			t.Fatal(err)
		}
		if pc.Bytes >= whole.Bytes || pc.Bytes == 0 {
			t.Errorf("polygon cutout: %d bytes (whole image %d)", pc.Bytes, whole.Bytes)
		}
	})

	t.Run("ObsCore DataLink access resolved", func(t *testing.T) {
		// SIA 2 answers with ObsCore rows; follow a DataLink access URL
		// through the ObsCore datalink service (which redirects).
		sp := in.Spectra[0]
		a := dataset.Access{URL: in.ObsCoreDatalink + "?ID=" + url.QueryEscape(sp.PubDID), Format: ContentDataLink, Name: "spec"}
		got, err := NewClient(hc).Resolve(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != sp.AccessURL || got.Name != "spec.fits" {
			t.Errorf("resolved %+v, want %s", got, sp.AccessURL)
		}
		res, err := sia.New2(in.SIA2, hc).Search(ctx, sia.Query2{Circles: []svcparam.Circle{{RA: in.Images[0].RA, Dec: in.Images[0].Dec, Radius: 0.001}}})
		if err != nil {
			t.Fatal(err)
		}
		if LinksService(res.Doc) == nil {
			peertest.Missing(t, "dachs testbed SIA 2", "the SIA 2 result carries no datalink descriptor")
		}
		l, err := NewClient(hc).LinksFor(ctx, res, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		if this := l.BySemantics("#this", false); len(this) != 1 || this[0].AccessURL != sia.ObsCoreAccess(dataset.Record{Table: res.Table}).URL {
			t.Errorf("#this of the SIA 2 row: %+v", this)
		}
	})
}
