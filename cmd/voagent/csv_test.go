package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/votable"
)

// targetsCSV is targetsVOTable as a user's CSV file: RAJ2000/DEJ2000 in
// sexagesimal, no units, no UCDs; the middle row has no position.
func targetsCSV(t *testing.T, in *testbed.Info) string {
	a, b := in.Anchors[0], in.Anchors[3]
	sexa := func(ra, dec float64) string {
		h := ra / 15
		sign := "+"
		if dec < 0 {
			sign, dec = "-", -dec
		}
		return fmt.Sprintf("%02d:%02d:%07.4f,%s%02d:%02d:%06.3f", int(h), int(h*60)%60, h*3600-float64(int(h*60))*60,
			sign, int(dec), int(dec*60)%60, dec*3600-float64(int(dec*60))*60)
	}
	text := "name,RAJ2000,DEJ2000\na," + sexa(a.RA, a.Dec) + "\nnowhere,,\nb," + sexa(b.RA, b.Dec) + "\n"
	p := filepath.Join(t.TempDir(), "targets.csv")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A CSV table is taken wherever a table of positions is: converted by
// 'votable convert', uploaded by 'tap --upload' (converted to a VOTable
// first: DaCHS refuses a CSV upload), read by 'spectra --table' with its
// sexagesimal RAJ2000/DEJ2000 columns.
func TestCSVTablesEverywhere(t *testing.T) {
	in := testbed.Require(t)
	csv := targetsCSV(t, in)

	vot := filepath.Join(t.TempDir(), "targets.vot")
	if _, _, err := runCLI(t, "votable", "convert", csv, vot); err != nil {
		t.Fatal(err)
	}
	doc, err := votable.ReadFile(vot)
	if err != nil {
		t.Fatal(err)
	}
	tab := doc.Tables()[0]
	cols, err := skypos.Find(tab, skypos.Options{})
	if err != nil || tab.Rows() != 3 || tab.Fields[1].Name != "RAJ2000" {
		t.Fatalf("converted CSV: %d rows, fields %v, positions %v", tab.Rows(), tab.Fields, err)
	}
	if ra, dec, ok := cols.At(tab, 2); !ok || abs(ra-in.Anchors[3].RA) > 1e-6 || abs(dec-in.Anchors[3].Dec) > 1e-6 {
		t.Errorf("row 2 at %v %v (%v), want anchor 3 %+v", ra, dec, ok, in.Anchors[3])
	}

	out, stderr, err := runCLI(t, "tap", in.TAP, "SELECT name, RAJ2000 FROM TAP_UPLOAD.targets",
		"--upload", "targets="+csv, "--format", "csv")
	if err != nil || strings.Count(out, "\n") != 4 || !strings.Contains(out, "\nb,") {
		t.Errorf("tap --upload of a CSV: %v\n%s%s", err, out, stderr)
	}

	want := wantSpectra(in, 60.0/3600)
	out, stderr, err = runCLI(t, "spectra", "--table", csv, "--registry", in.RegTAP, "--radius", "60")
	if err != nil {
		t.Fatalf("spectra --table CSV: %v\n%s%s", err, out, stderr)
	}
	for u := range want {
		if !strings.Contains(out, u) {
			t.Errorf("spectrum %s not listed:\n%s", u, out)
		}
	}
	if !strings.Contains(stderr, "skipped: 1") {
		t.Errorf("the row without a position was not reported:\n%s", stderr)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
