package skypos

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
)

// sep is the angular distance in degrees between two directions in
// degrees (Vincenty).
func sep(l1, b1, l2, b2 float64) float64 {
	s1, c1 := math.Sincos(b1 / radToDeg)
	s2, c2 := math.Sincos(b2 / radToDeg)
	sd, cd := math.Sincos((l2 - l1) / radToDeg)
	return math.Atan2(math.Hypot(c2*sd, c1*s2-s1*c2*cd), s1*s2+c1*c2*cd) * radToDeg
}

func randomSky(n int) [][2]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][2]float64, n)
	for i := range out {
		out[i] = [2]float64{rng.Float64() * 360, math.Asin(2*rng.Float64()-1) * radToDeg}
	}
	return out
}

// TestGalacticProperties checks the conversion without an outside oracle:
// it is a rotation (round trip, separations kept, orthonormal), and it
// takes the galactic pole and centre where the frame's definition puts
// them (to within the 0.03 arcsec of the FK5-ICRS frame bias).
func TestGalacticProperties(t *testing.T) {
	const mas = 1.0 / 3.6e6
	for i := range 3 {
		for j := range 3 {
			dot := 0.0
			for k := range 3 {
				dot += icrsToGal[i][k] * icrsToGal[j][k]
			}
			if want := map[bool]float64{true: 1, false: 0}[i == j]; math.Abs(dot-want) > 1e-15 {
				t.Errorf("rows %d and %d: dot %g, want %g", i, j, dot, want)
			}
		}
	}
	pts := randomSky(1000)
	for k, p := range pts {
		ra, dec := GalacticToICRS(p[0], p[1])
		l, b := ICRSToGalactic(ra, dec)
		if s := sep(l, b, p[0], p[1]); s > 1e-3*mas || ra < 0 || ra >= 360 || l < 0 || l >= 360 {
			t.Fatalf("round trip of %v: %g, %g (ra %g) off by %g mas", p, l, b, ra, s/mas)
		}
		q := pts[(k+1)%len(pts)]
		ra2, dec2 := GalacticToICRS(q[0], q[1])
		if d := math.Abs(sep(ra, dec, ra2, dec2) - sep(p[0], p[1], q[0], q[1])); d > 1e-3*mas {
			t.Fatalf("separation of %v and %v changed by %g mas", p, q, d/mas)
		}
	}
	// The north galactic pole is the defining FK5 J2000 direction
	// (192.85948, 27.12825), and b = 90 there.
	ra, dec := GalacticToICRS(0, 90)
	if s := sep(ra, dec, 192.85948, 27.12825); s > 50*mas {
		t.Errorf("galactic pole at ICRS %g, %g: %g mas from (192.85948, 27.12825)", ra, dec, s/mas)
	}
	if _, b := ICRSToGalactic(192.85948, 27.12825); math.Abs(b-90) > 50*mas {
		t.Errorf("b of the galactic pole %g", b)
	}
	// The north celestial pole is at l = 122.93192.
	if l, b := ICRSToGalactic(0, 90); math.Abs(l-122.93192) > 1e-4 || math.Abs(b-27.12825) > 1e-4 {
		t.Errorf("celestial pole at galactic %g, %g", l, b)
	}
}

// TestGalacticAstropy compares the conversion with astropy's (SkyCoord
// Galactic to ICRS) on random points.
func TestGalacticAstropy(t *testing.T) {
	py := peertest.PythonModule(t, "astropy")
	pts := randomSky(200)
	in, err := json.Marshal(pts)
	if err != nil {
		t.Fatal(err)
	}
	const script = `
import json, sys
import astropy.units as u
from astropy.coordinates import SkyCoord
pts = json.load(sys.stdin)
c = SkyCoord(l=[p[0] for p in pts]*u.deg, b=[p[1] for p in pts]*u.deg, frame="galactic").icrs
json.dump([[float(r), float(d)] for r, d in zip(c.ra.deg, c.dec.deg)], sys.stdout)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("astropy: %v", err)
	}
	var want [][2]float64
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(pts) {
		t.Fatalf("astropy output %q: %v", out, err)
	}
	const mas = 1.0 / 3.6e6
	for i, p := range pts {
		ra, dec := GalacticToICRS(p[0], p[1])
		if s := sep(ra, dec, want[i][0], want[i][1]); s > 1e-3*mas {
			t.Errorf("l, b = %v: ICRS %.9f, %.9f; astropy %.9f, %.9f (%.3g mas apart)", p, ra, dec, want[i][0], want[i][1], s/mas)
		}
	}
}
