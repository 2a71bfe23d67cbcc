package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
)

// targetsVOTable writes a table of three rows: the first and last on
// anchors with spectra, the middle one without a position.
func targetsVOTable(t *testing.T, in *testbed.Info) string {
	a, b := in.Anchors[0], in.Anchors[3]
	text := fmt.Sprintf(`<?xml version="1.0"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE><TABLE>
<FIELD name="name" datatype="char" arraysize="*"/>
<FIELD name="ra" datatype="double" ucd="pos.eq.ra;meta.main" unit="deg"/>
<FIELD name="dec" datatype="double" ucd="pos.eq.dec;meta.main" unit="deg"/>
<DATA><TABLEDATA>
<TR><TD>a</TD><TD>%v</TD><TD>%v</TD></TR>
<TR><TD>nowhere</TD><TD></TD><TD></TD></TR>
<TR><TD>b</TD><TD>%v</TD><TD>%v</TD></TR>
</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`, a.RA, a.Dec, b.RA, b.Dec)
	p := filepath.Join(t.TempDir(), "targets.vot")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantSpectra are the spectra within radius degrees of the anchors of
// targetsVOTable.
func wantSpectra(in *testbed.Info, radius float64) map[string]bool {
	want := map[string]bool{}
	for _, s := range in.Spectra {
		for _, a := range []int{0, 3} {
			if synth.Sep(in.Anchors[a].RA, in.Anchors[a].Dec, s.RA, s.Dec) < radius {
				want[s.AccessURL] = true
			}
		}
	}
	return want
}

func TestSpectraList(t *testing.T) {
	in := testbed.Require(t)
	want := wantSpectra(in, 60.0/3600)
	out, stderr, err := runCLI(t, "spectra", "--table", targetsVOTable(t, in), "--registry", in.RegTAP, "--radius", "60")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out, stderr)
	}
	for u := range want {
		if !strings.Contains(out, u) {
			t.Errorf("spectrum %s not listed:\n%s", u, out)
		}
	}
	if n := strings.Count(out, "/getproduct/spectra/"); n != len(want) {
		t.Errorf("%d spectra listed, want %d:\n%s", n, len(want), out)
	}
	if !strings.Contains(stderr, "rows without a position, skipped: 1") {
		t.Errorf("the row without a position is not reported:\n%s", stderr)
	}
	if !strings.Contains(out, "  2  ") {
		t.Errorf("spectra of the third row are not listed as row 2:\n%s", out)
	}
	if _, _, err := runCLI(t, "spectra", "--registry", in.RegTAP); err == nil {
		t.Error("no positions: no error")
	}
}

// TestSpectraSend: each spectrum reaches the client registered as "splat"
// (SPLAT-VO is not in Debian) through a JSAMP hub, with its metadata.
func TestSpectraSend(t *testing.T) {
	in := testbed.Require(t)
	got := receiverOnJSAMPHub(t, "splat", "spectrum.load.ssa-generic")
	want := wantSpectra(in, 60.0/3600)
	out, _, err := runCLI(t, "spectra", "--table", targetsVOTable(t, in), "--registry", in.RegTAP, "--radius", "60", "--send")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for range want {
		select {
		case p := <-got:
			u, _ := p["url"].(string)
			meta, _ := p["meta"].(map[string]any)
			if !want[u] || meta["Access.Reference"] != u || meta["Access.Format"] == nil || !strings.HasPrefix(fmt.Sprint(p["spectrum-id"]), "ivo://") {
				t.Errorf("unexpected spectrum message %v", p)
			}
			delete(want, u)
		case <-time.After(30 * time.Second):
			t.Fatalf("spectra not received: %v\n%s", want, out)
		}
	}
}
