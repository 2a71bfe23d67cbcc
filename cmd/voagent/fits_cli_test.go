package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/testbed"
)

// A FITS table (STILTS's fits-plus and fits-basic of the targets CSV) is
// taken wherever a table of positions is: uploaded by 'tap --upload'
// (converted to a VOTable first) and read by 'spectra --table', with the
// same answers as the CSV.
func TestFITSTablesEverywhere(t *testing.T) {
	in := testbed.Require(t)
	stilts := peertest.Command(t, "stilts")
	csv := targetsCSV(t, in)
	want := wantSpectra(in, 60.0/3600)
	for _, ofmt := range []string{"fits", "fits-basic"} {
		fits := filepath.Join(t.TempDir(), "targets.fits")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		b, err := exec.CommandContext(ctx, stilts, "tcopy", "in="+csv, "ifmt=csv", "out="+fits, "ofmt="+ofmt).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("stilts tcopy ofmt=%s: %v\n%s", ofmt, err, b)
		}
		out, stderr, err := runCLI(t, "tap", in.TAP, "SELECT name, RAJ2000 FROM TAP_UPLOAD.targets",
			"--upload", "targets="+fits, "--format", "csv")
		if err != nil || strings.Count(out, "\n") != 4 || !strings.Contains(out, "\nb,") {
			t.Errorf("%s: tap --upload of a FITS table: %v\n%s%s", ofmt, err, out, stderr)
		}
		out, stderr, err = runCLI(t, "spectra", "--table", fits, "--registry", in.RegTAP, "--radius", "60")
		if err != nil {
			t.Fatalf("%s: spectra --table FITS: %v\n%s%s", ofmt, err, out, stderr)
		}
		for u := range want {
			if !strings.Contains(out, u) {
				t.Errorf("%s: spectrum %s not listed:\n%s", ofmt, u, out)
			}
		}
	}
}
