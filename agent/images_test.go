package agent

import (
	"context"
	"math"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
)

// TestImageContainsPosition: on the testbed, each image service (SIA 1 by
// centre, scale and size; SIA 2 by s_region) gives the image that contains
// the position with the nearest centre, written 0600; where the images
// found only overlap the cone, none is downloaded and the service says why.
func TestImageContainsPosition(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	cfg.Catalogs = nil
	cfg.Search.Timeout = config.Duration{Duration: time.Minute}
	cfg.Images = []config.Catalog{
		{Name: "SIA1", Kind: "sia", URL: in.SIA1, RadiusArcsec: 60},
		{Name: "SIA2", Kind: "sia2", URL: in.SIA2, RadiusArcsec: 60},
	}
	half := float64(synth.ImageNPix) * synth.ImageScale / 3600 / 2
	contains := func(im testbed.Product, p Position) bool {
		return math.Abs((p.RA-im.RA)*math.Cos(im.Dec*math.Pi/180)) < half && math.Abs(p.Dec-im.Dec) < half
	}
	// Between the images of anchors 1 and 2, nearer those of anchor 2: the
	// images of anchors 1 and 3 overlap the cone but only anchor 2's
	// contain the position (not the first the services list).
	inside := Position{RA: 150.007, Dec: 2.007}
	// North of anchors 1 and 2: their images overlap the cone, none
	// contains the position.
	outside := Position{RA: 150.0, Dec: 2.03}
	for _, tc := range []struct {
		pos  Position
		want bool
	}{{inside, true}, {outside, false}} {
		nearest, overlap := -1, 0
		for i, im := range in.Images {
			if synth.Sep(im.RA, im.Dec, tc.pos.RA, tc.pos.Dec) < 60.0/3600+half*math.Sqrt2 {
				overlap++
			}
			if contains(im, tc.pos) && (nearest < 0 || synth.Sep(im.RA, im.Dec, tc.pos.RA, tc.pos.Dec) <
				synth.Sep(in.Images[nearest].RA, in.Images[nearest].Dec, tc.pos.RA, tc.pos.Dec)) {
				nearest = i
			}
		}
		if (nearest >= 0) != tc.want || overlap < 4 {
			t.Fatalf("test data at %s: nearest containing image %d, %d images near", tc.pos, nearest, overlap)
		}
		a := New(cfg, nil)
		if err := a.KeepResultsIn(t.TempDir()); err != nil {
			t.Fatal(err)
		}
		answered := 0
		_, err := a.FindVicinity(context.Background(), tc.pos, VicinityOptions{}, func(_ context.Context, f Found) {
			answered++
			if f.Err != nil {
				t.Errorf("%s at %s: %v", f.Catalog, tc.pos, f.Err)
				return
			}
			if !tc.want {
				if len(f.Images) != 0 || f.ImageURL != "" || f.Note == "" {
					t.Errorf("%s at %s: no image contains it, yet images %v url %q note %q", f.Catalog, tc.pos, f.Images, f.ImageURL, f.Note)
				}
				t.Logf("%s: %s", f.Catalog, f.Note)
				return
			}
			if len(f.Images) == 0 || f.ImageURL == "" {
				t.Errorf("%s at %s: no image (note %q)", f.Catalog, tc.pos, f.Note)
				return
			}
			var got *testbed.Product
			for i := range in.Images {
				if in.Images[i].AccessURL == f.Images[0].URL {
					got = &in.Images[i]
				}
			}
			if got == nil || !contains(*got, tc.pos) || synth.Sep(got.RA, got.Dec, tc.pos.RA, tc.pos.Dec) >
				synth.Sep(in.Images[nearest].RA, in.Images[nearest].Dec, tc.pos.RA, tc.pos.Dec)+1e-9 {
				t.Errorf("%s at %s sent %s (%+v), want one containing it centred at %g,%g", f.Catalog, tc.pos, f.Images[0].URL, got,
					in.Images[nearest].RA, in.Images[nearest].Dec)
			}
			u, err := url.Parse(f.ImageURL)
			if err != nil {
				t.Fatal(err)
			}
			if st, err := os.Stat(u.Path); err != nil {
				t.Error(err)
			} else if st.Mode().Perm() != 0o600 {
				t.Errorf("%s: image file %s has mode %v, want 0600", f.Catalog, u.Path, st.Mode().Perm())
			}
		})
		if err != nil || answered != 2 {
			t.Fatalf("at %s: %d answers, %v", tc.pos, answered, err)
		}
		if !tc.want {
			if files, _ := os.ReadDir(a.ResultsDir()); len(files) != 0 {
				t.Errorf("at %s: files downloaded though no image contains it: %v", tc.pos, files)
			}
		}
	}
}

// TestImagesOff: with vicinity.images off (the tray's "Images to Aladin"
// unticked) the image services are not asked; the catalogues still are.
func TestImagesOff(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: time.Minute}
	cfg.Catalogs = []config.Catalog{{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS}}
	cfg.Images = []config.Catalog{{Name: "SIA2", Kind: "sia2", URL: in.SIA2, RadiusArcsec: 60}}
	for _, on := range []bool{true, false} {
		cfg.Vicinity.Images = on
		a := New(cfg, nil)
		if err := a.KeepResultsIn(t.TempDir()); err != nil {
			t.Fatal(err)
		}
		asked := map[string]bool{}
		_, err := a.FindVicinity(context.Background(), Position{RA: 150.007, Dec: 2.007}, VicinityOptions{}, func(_ context.Context, f Found) {
			asked[f.Catalog] = true
		})
		if err != nil {
			t.Fatal(err)
		}
		if !asked["2MASS"] || asked["SIA2"] != on {
			t.Errorf("vicinity.images = %v: services asked %v", on, asked)
		}
	}
}
