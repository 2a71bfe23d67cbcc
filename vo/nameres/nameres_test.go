package nameres

import (
	"context"
	"errors"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/sesamefake"
)

func TestParseSesameRecorded(t *testing.T) {
	for _, c := range []struct {
		file           string
		ra, dec        float64
		object, source string
		err            string
	}{
		{file: "m31.xml", ra: 10.68470833, dec: 41.26875, object: "M  31", source: "Sca=Simbad (CDS, via client/server)"},
		{file: "ic434.xml", ra: 85.25, dec: -2.5, object: "IC 434", source: "S=Simbad (CDS, via client/server)"},
		{file: "notfound.xml", err: "*** nothing found ***"},
	} {
		f, err := os.Open(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		res, err := ParseSesame(f)
		f.Close()
		if c.err != "" {
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %+v, %v; want ErrNotFound saying %q", c.file, res, err, c.err)
			}
			continue
		}
		if err != nil || res.RA != c.ra || res.Dec != c.dec || res.Object != c.object || res.Source != c.source {
			t.Errorf("%s: %+v, %v; want %g %g %q %q", c.file, res, err, c.ra, c.dec, c.object, c.source)
		}
	}
}

func TestParseSesameBad(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{"", "not a Sesame XML answer"},
		{"<html><body>Service unavailable</body></html>", "not a Sesame XML answer"},
		{`<Sesame><Target><Resolver name="S"><jradeg>400</jradeg><jdedeg>1</jdedeg></Resolver></Target></Sesame>`, "bad position"},
		{`<Sesame><Target><Resolver name="S"><jradeg>x</jradeg><jdedeg>1</jdedeg></Resolver></Target></Sesame>`, "bad position"},
		{`<!DOCTYPE x [<!ENTITY a "b">]><Sesame/>`, "DOCTYPE"},
		{"<Sesame>" + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</Sesame>", "nested deeper"},
		{`<Sesame><Target><ERROR>bad request</ERROR></Target></Sesame>`, "bad request"},
	} {
		_, err := ParseSesame(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ParseSesame(%.40q) = %v; want an error containing %q", c.in, err, c.err)
		}
	}
}

func FuzzParseSesame(f *testing.F) {
	for _, n := range []string{"m31.xml", "ic434.xml", "notfound.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("<Sesame><Target><Resolver><jradeg>1</jradeg></Resolver></Target></Sesame>")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ParseSesame(strings.NewReader(s))
		if err != nil {
			return
		}
		if math.IsNaN(res.RA) || res.RA < 0 || res.RA >= 360 || res.Dec < -90 || res.Dec > 90 {
			t.Fatalf("ParseSesame gave %+v", res)
		}
	})
}

func TestResolveFake(t *testing.T) {
	srv := sesamefake.Start()
	defer srv.Close()
	cache := filepath.Join(t.TempDir(), "cache", "names.json")
	r := New(Options{URL: srv.ResolverURL(), CachePath: cache})
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		ra, dec float64
	}{
		{"M31", 10.68470833, 41.26875},
		{"NGC 253", 11.88799971, -25.28821944},
		{"  ngc   253 ", 11.88799971, -25.28821944},
	} {
		res, err := r.Resolve(ctx, c.name)
		if err != nil || math.Abs(res.RA-c.ra) > 1e-8 || math.Abs(res.Dec-c.dec) > 1e-8 {
			t.Errorf("Resolve(%q) = %+v, %v; want %g %g", c.name, res, err, c.ra, c.dec)
		}
	}
	if got := srv.Hits(); got != 2 {
		t.Errorf("the resolver was asked %d times; want 2 (the third name was cached)", got)
	}
	// A new resolver reads the cache file: no request.
	r2 := New(Options{URL: srv.ResolverURL(), CachePath: cache})
	if res, err := r2.Resolve(ctx, "m31"); err != nil || res.RA != 10.68470833 {
		t.Errorf("cached Resolve(m31) = %+v, %v", res, err)
	}
	if got := srv.Hits(); got != 2 {
		t.Errorf("the resolver was asked %d times after a cached name; want 2", got)
	}
	_, err := r.Resolve(ctx, "Bogus Name Xyz")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), srv.ResolverURL()) || !strings.Contains(err.Error(), "Bogus Name Xyz") {
		t.Errorf("unknown name: %v; want ErrNotFound naming the resolver URL and the name", err)
	}
	// Coordinates do not go to the resolver; names do.
	hits := srv.Hits()
	if ra, dec, err := r.Position(ctx, "10:00:28.6 +02:12:21"); err != nil || math.Abs(ra-150.11916667) > 1e-6 || math.Abs(dec-2.20583333) > 1e-6 {
		t.Errorf("Position(sexagesimal) = %g %g %v", ra, dec, err)
	}
	if ra, _, err := r.Position(ctx, "COSMOS"); err != nil || math.Abs(ra-150.11916667) > 1e-6 {
		t.Errorf("Position(COSMOS) = %g %v", ra, err)
	}
	if srv.Hits() != hits+1 {
		t.Errorf("Position asked the resolver %d times; want 1 (for the name only)", srv.Hits()-hits)
	}
	if _, _, err := r.Position(ctx, "150 95"); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("Position(150 95) = %v; want out of range", err)
	}
}

func TestResolveOffline(t *testing.T) {
	// A loopback port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String() + "/cgi-bin/nph-sesame/-oxp/SNV"
	l.Close()
	r := New(Options{URL: u})
	_, err = r.Resolve(context.Background(), "M31")
	if err == nil || !strings.Contains(err.Error(), u) || !strings.Contains(err.Error(), "cannot be reached") {
		t.Errorf("offline: %v; want an error naming %s", err, u)
	}
}

func TestDefaultURLEnv(t *testing.T) {
	t.Setenv(EnvURL, "")
	if DefaultURL() != DefaultSesameURL {
		t.Errorf("DefaultURL() = %s", DefaultURL())
	}
	t.Setenv(EnvURL, "http://127.0.0.1:9/x")
	if DefaultURL() != "http://127.0.0.1:9/x" {
		t.Errorf("DefaultURL() with %s = %s", EnvURL, DefaultURL())
	}
	if New(Options{}).URL() != "http://127.0.0.1:9/x" {
		t.Errorf("New without URL does not use %s", EnvURL)
	}
}
