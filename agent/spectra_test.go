package agent

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/vo/dataset"
)

// TestSpectraTestbed is recipe 12 of the course on the testbed: the ObsCore
// services found in the registry, one upload join each, every spectrum near
// the positions and no other.
func TestSpectraTestbed(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: time.Minute}
	a := New(cfg, nil)
	pos := []Position{{RA: in.Anchors[0].RA, Dec: in.Anchors[0].Dec}, {RA: in.Anchors[3].RA, Dec: in.Anchors[3].Dec}, {RA: 10, Dec: -60}}
	const radius = 0.02
	var want []string
	for _, s := range in.Spectra {
		for i, p := range pos {
			if synth.Sep(p.RA, p.Dec, s.RA, s.Dec) < radius {
				want = append(want, s.AccessURL+" "+string(rune('0'+i)))
			}
		}
	}
	if len(want) < 2 {
		t.Fatalf("test data: %d spectra near the positions", len(want))
	}
	var got []string
	sum, err := a.FindSpectra(context.Background(), in.RegTAP, pos, radius, func(_ context.Context, s Spectrum) {
		got = append(got, s.Access.URL+" "+string(rune('0'+s.Pos)))
		if !strings.HasPrefix(s.ID, "ivo://") || s.Access.Format == "" || s.Target == "" || s.Access.Name == "" {
			t.Errorf("spectrum lacks metadata: %+v", s)
		}
	})
	if err != nil || sum.OK == 0 {
		t.Fatalf("%v: %s", err, sum)
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("spectra:\n got %q\nwant %q", got, want)
	}
	t.Logf("%d spectra; %s", len(got), sum)
	if sum.Total != 2 || sum.OK != 2 {
		t.Errorf("want the ObsCore and the SSA service to answer: %s", sum)
	}
	// The SSA service alone finds the same spectra (filtered to the radius:
	// DaCHS takes SSA's SIZE for a radius, the standard for a diameter).
	ss, err := a.ssaSpectra(context.Background(), "ssa", in.SSA, pos, radius)
	if err != nil {
		t.Fatal(err)
	}
	var fromSSA []string
	for _, s := range ss {
		fromSSA = append(fromSSA, s.Access.URL+" "+string(rune('0'+s.Pos)))
		if !strings.HasPrefix(s.ID, "ivo://") || s.Target == "" {
			t.Errorf("SSA spectrum lacks metadata: %+v", s)
		}
	}
	sort.Strings(fromSSA)
	if strings.Join(fromSSA, "\n") != strings.Join(want, "\n") {
		t.Errorf("SSA spectra:\n got %q\nwant %q", fromSSA, want)
	}

	if _, err := a.FindSpectra(context.Background(), in.RegTAP, []Position{{RA: 1, Dec: 91}}, radius, nil); err == nil {
		t.Error("dec 91 accepted")
	}
	if _, err := a.FindSpectra(context.Background(), in.RegTAP, pos, 0, nil); err == nil {
		t.Error("radius 0 accepted")
	}
}

// TestSpectrumMetaTestbed: what SPLAT is sent for the testbed's spectra,
// from the SSA service and from ObsCore, carries the record's metadata
// under the SSA utypes and a name with the title and the service.
func TestSpectrumMetaTestbed(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: time.Minute}
	a := New(cfg, nil)
	pos := []Position{{RA: in.Anchors[0].RA, Dec: in.Anchors[0].Dec}}
	const radius = 0.02
	check := func(from string, sp Spectrum) {
		t.Helper()
		p := spectrumParams(sp)
		meta, _ := p["meta"].(map[string]any)
		for _, k := range []string{"DataID.Title", "Target.Name", "Char.SpatialAxis.Coverage.Location.Value",
			"Char.SpectralAxis.Coverage.Bounds.Start", "Char.SpectralAxis.Coverage.Bounds.Stop", "Char.SpectralAxis.Unit",
			"Access.Reference", "Access.Format", "Access.Size"} {
			if v, _ := meta[k].(string); v == "" {
				t.Errorf("%s: meta lacks %s: %v", from, k, meta)
			}
		}
		if from == "SSA" {
			for _, k := range []string{"Char.FluxAxis.Unit", "Char.FluxAxis.Ucd", "Char.SpectralAxis.Ucd"} {
				if v, _ := meta[k].(string); v == "" {
					t.Errorf("%s: meta lacks %s: %v", from, k, meta)
				}
			}
		}
		name, _ := p["name"].(string)
		if !strings.Contains(name, sp.Service) || !strings.HasPrefix(name, meta["DataID.Title"].(string)) {
			t.Errorf("%s: name %q lacks the title %q or the service %q", from, name, meta["DataID.Title"], sp.Service)
		}
		t.Logf("%s: %q %v", from, name, meta)
	}
	ss, err := a.ssaSpectra(context.Background(), "testbed SSA", in.SSA, pos, radius)
	if err != nil || len(ss) == 0 {
		t.Fatalf("SSA: %d spectra, %v", len(ss), err)
	}
	check("SSA", ss[0])
	q, err := spectraADQL(radius)
	if err != nil {
		t.Fatal(err)
	}
	oc, err := a.obscoreSpectra(context.Background(), "testbed ObsCore", in.TAP, q, positionsTable(pos))
	if err != nil || len(oc) == 0 {
		t.Fatalf("ObsCore: %d spectra, %v", len(oc), err)
	}
	check("ObsCore", oc[0])
}

// TestResolveDataLink: a spectrum whose access URL is a DataLink document
// (a recording of the testbed's dlmeta answer, served locally) is sent as
// its #this link, the FITS file itself; other accesses stay as they are.
func TestResolveDataLink(t *testing.T) {
	doc, err := os.ReadFile("testdata/datalink-spec01.vot")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dlmeta" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-votable+xml;content=datalink")
		w.Write(doc)
	}))
	defer srv.Close()
	a := New(config.Default(), nil)
	const dlFormat = "application/x-votable+xml;content=datalink"
	sp := Spectrum{ID: "ivo://voagent.test/~?spectra/data/spec01.fits", Access: dataset.Access{URL: srv.URL + "/dlmeta?ID=spec01", Format: dlFormat, Size: -1},
		Meta: map[string]string{"Access.Format": dlFormat, "Target.Name": "VOA-1"}}
	got := a.resolveDataLink(context.Background(), sp)
	const this = "http://127.0.0.1:8080/getproduct/spectra/data/spec01.fits"
	if got.Access.URL != this || got.Access.Format != "application/fits" || got.Meta["Access.Format"] != "application/fits" ||
		got.Meta["Access.Size"] != "5760" || got.Meta["Target.Name"] != "VOA-1" {
		t.Errorf("resolved: %+v", got)
	}
	if sp.Meta["Access.Format"] != dlFormat {
		t.Error("the original's metadata was changed")
	}
	if p := spectrumParams(got); p["url"] != this {
		t.Errorf("params %v", p)
	}
	// Not DataLink: unchanged. A links document that fails: unchanged.
	plain := Spectrum{Access: dataset.Access{URL: this, Format: "application/fits"}}
	if got := a.resolveDataLink(context.Background(), plain); got.Access != plain.Access {
		t.Errorf("plain access changed: %+v", got.Access)
	}
	broken := Spectrum{Access: dataset.Access{URL: srv.URL + "/missing", Format: dlFormat}}
	if got := a.resolveDataLink(context.Background(), broken); got.Access != broken.Access {
		t.Errorf("broken links access changed: %+v", got.Access)
	}
	// On the testbed, the resolved URL is the spectrum.
	if testbed.Check(context.Background()) == nil {
		resp, err := http.Get(got.Access.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		head := make([]byte, 30)
		io.ReadFull(resp.Body, head)
		if !strings.HasPrefix(string(head), "SIMPLE  =") {
			t.Errorf("%s is not a FITS file: %q", got.Access.URL, head)
		}
	}
}
