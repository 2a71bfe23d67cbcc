package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/sesamefake"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/vo/nameres"
	"github.com/voagent/voagent/vo/votable"
)

// sexagesimal writes ra (hours) and dec as "hh:mm:ss.ssssss ±dd:mm:ss.sssss".
func sexagesimal(ra, dec float64) (string, string) {
	h := ra / 15
	hh, mm := math.Floor(h), math.Floor(math.Mod(h*60, 60))
	ss := h*3600 - hh*3600 - mm*60
	sign := "+"
	if dec < 0 {
		sign, dec = "-", -dec
	}
	dd, dm := math.Floor(dec), math.Floor(math.Mod(dec*60, 60))
	ds := dec*3600 - dd*3600 - dm*60
	return fmt.Sprintf("%02.0f:%02.0f:%09.6f", hh, mm, ss), fmt.Sprintf("%s%02.0f:%02.0f:%08.5f", sign, dd, dm, ds)
}

// TestPosRadiusTestbed: --pos (coordinates and names through a fake
// Sesame), sexagesimal --ra/--dec and --radius with units find what
// decimal degrees find, in cone, vicinity and ssa.
func TestPosRadiusTestbed(t *testing.T) {
	in := testbed.Require(t)
	ses := sesamefake.Start()
	defer ses.Close()
	a := in.Anchors[0]
	ses.Objects = map[string]sesamefake.Object{"testbed anchor": {RA: a.RA, Dec: a.Dec, OName: "ANCHOR 0", OType: "*"}}
	t.Setenv(nameres.EnvURL, ses.ResolverURL())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cat := in.Catalogs[0]
	nCone := len(cat.Data.Cone(a.RA, a.Dec, 0.02))
	raS, decS := sexagesimal(a.RA, a.Dec)
	for _, args := range [][]string{
		{"--ra", fmt.Sprint(a.RA), "--dec", fmt.Sprint(a.Dec), "--sr", "0.02"},
		{"--ra", raS, "--dec", decS, "--radius", "72arcsec"},
		{"--pos", raS + " " + decS, "--sr", "1.2arcmin"},
		{"--pos", fmt.Sprintf("%.9f,%+.9f", a.RA, a.Dec), "--radius", "0.02deg"},
		{"--pos", "Testbed Anchor", "--radius", "0.02"},
	} {
		out, _, err := runCLI(t, append([]string{"cone", "--url", cat.SCS, "--format", "csv"}, args...)...)
		if err != nil {
			t.Errorf("cone %q: %v\n%s", args, err, out)
			continue
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != nCone+1 {
			t.Errorf("cone %q: %d rows, want %d", args, len(lines)-1, nCone)
		}
	}
	if ses.Hits() != 1 {
		t.Errorf("the resolver was asked %d times; want 1", ses.Hits())
	}
	if _, _, err := runCLI(t, "cone", "--url", cat.SCS, "--pos", "Nothing Known", "--sr", "1arcsec"); err == nil ||
		!strings.Contains(err.Error(), "name not found") || !strings.Contains(err.Error(), ses.ResolverURL()) {
		t.Errorf("unknown name: %v", err)
	}

	// vicinity: the name, a radius in arcmin.
	dir := filepath.Join(t.TempDir(), "near")
	out, stderr, err := runCLI(t, "vicinity", "--config", vicinityConfig(t, in), "--pos", "testbed anchor", "--radius", "0.5arcmin", "--output-dir", dir)
	if err != nil {
		t.Fatalf("vicinity: %v\n%s%s", err, out, stderr)
	}
	want := len(synth.CatalogByName(cat.Name).Cone(a.RA, a.Dec, 30.0/3600))
	files, _ := filepath.Glob(filepath.Join(dir, "*2MASS.vot"))
	if len(files) != 1 {
		t.Fatalf("vicinity files %v\n%s", files, out)
	}
	if doc, err := votable.ReadFile(files[0]); err != nil || doc.Tables()[0].Rows() != want {
		t.Errorf("vicinity 2MASS: %v, want %d rows", err, want)
	}

	// ssa: --radius is half the SIZE.
	count := func(args ...string) int {
		t.Helper()
		p := filepath.Join(t.TempDir(), "ssa.xml")
		if out, _, err := runCLI(t, append([]string{"ssa", "--url", in.SSA, "-o", p}, args...)...); err != nil {
			t.Fatalf("ssa %q: %v\n%s", args, err, out)
		}
		doc, err := votable.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return doc.Tables()[0].Rows()
	}
	bySize := count("--ra", fmt.Sprint(a.RA), "--dec", fmt.Sprint(a.Dec), "--size", "0.1")
	if byRadius := count("--pos", "testbed anchor", "--radius", "3arcmin"); byRadius != bySize || bySize == 0 {
		t.Errorf("ssa --pos NAME --radius 3arcmin: %d rows; --size 0.1 at the same place: %d", byRadius, bySize)
	}
}

// TestSODAPosition: soda's --ra/--dec --radius (sexagesimal, units) cut
// the same image as --circle in degrees.
func TestSODAPosition(t *testing.T) {
	in := testbed.Require(t)
	img := in.Images[0]
	dir := t.TempDir()
	raS, decS := sexagesimal(img.RA, img.Dec)
	byCircle := filepath.Join(dir, "circle.fits")
	byPos := filepath.Join(dir, "pos.fits")
	if out, _, err := runCLI(t, "soda", "--url", img.Datalink, "--id", img.PubDID, "--circle", fmt.Sprintf("%.10f %.10f 0.005", img.RA, img.Dec), "-o", byCircle); err != nil {
		t.Fatal(err, out)
	}
	if out, _, err := runCLI(t, "soda", "--url", img.Datalink, "--id", img.PubDID, "--ra", raS, "--dec", decS, "--radius", "18arcsec", "-o", byPos); err != nil {
		t.Fatal(err, out)
	}
	a, err1 := os.ReadFile(byCircle)
	b, err2 := os.ReadFile(byPos)
	if err1 != nil || err2 != nil || len(a) == 0 || string(a) != string(b) {
		t.Errorf("cutouts differ: %d and %d bytes (%v %v)", len(a), len(b), err1, err2)
	}
	if _, _, err := runCLI(t, "soda", "--url", img.Datalink, "--id", img.PubDID, "--ra", raS, "--dec", decS, "-o", byPos); err == nil ||
		!strings.Contains(err.Error(), "needs --radius") {
		t.Errorf("--ra/--dec without --radius: %v", err)
	}
}
