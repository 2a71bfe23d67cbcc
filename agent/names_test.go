package agent

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/internal/sesamefake"
)

// TestVicinityPos runs vicinity searches at position strings and object
// names resolved by a fake Sesame, and checks the offline error.
func TestVicinityPos(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", filepath.Join(t.TempDir(), "cache"))
	ses := sesamefake.Start()
	defer ses.Close()
	fs := faultsvc.New(t)
	cfg := config.Default()
	cfg.Resolver.URL = ses.ResolverURL()
	cfg.Catalogs = []config.Catalog{{Name: "good", Kind: "scs", URL: fs.URLOf("/ok?rows=2")}}
	cfg.Images = nil
	a := New(cfg, nil)
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		pos     string
		ra, dec float64
		err     string
	}{
		{pos: "M31", ra: 10.68470833, dec: 41.26875},
		{pos: "10:00:28.6 +02:12:21", ra: 150.11916667, dec: 2.20583333},
		{pos: "150.119,+2.206", ra: 150.119, dec: 2.206},
		{pos: "Bogus Name Xyz", err: "name not found"},
		{pos: "150 95", err: "out of range"},
	} {
		reps, err := a.Vicinity(ctx, api.VicinityRequest{Pos: c.pos}, "test")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Vicinity(pos %q) = %v; want an error containing %q", c.pos, err, c.err)
			}
			continue
		}
		if err != nil || len(reps) != 1 {
			t.Fatalf("Vicinity(pos %q) = %d reports, %v", c.pos, len(reps), err)
		}
		s := reps[0].Search
		if math.Abs(s.RA-c.ra) > 1e-6 || math.Abs(s.Dec-c.dec) > 1e-6 || s.Answered != 1 {
			t.Errorf("Vicinity(pos %q) searched at %g %g (%d answered); want %g %g", c.pos, s.RA, s.Dec, s.Answered, c.ra, c.dec)
		}
	}
	if _, err := a.Vicinity(ctx, api.VicinityRequest{Pos: "M31", Position: &api.Position{RA: 1, Dec: 2}}, "test"); err == nil {
		t.Error("Vicinity with pos and position: no error")
	}
	ses.Close()
	// Offline: the error names the resolver; a name resolved before
	// comes from the cache.
	if _, err := a.Vicinity(ctx, api.VicinityRequest{Pos: "NGC 253"}, "test"); err == nil || !strings.Contains(err.Error(), ses.ResolverURL()) {
		t.Errorf("offline resolver: %v; want an error naming %s", err, ses.ResolverURL())
	}
	if _, err := a.Vicinity(ctx, api.VicinityRequest{Pos: "m31"}, "test"); err != nil {
		t.Errorf("cached name with the resolver offline: %v", err)
	}
}
