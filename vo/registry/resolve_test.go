package registry

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
)

// deadURL returns a TAP URL on a loopback port nobody listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/tap"
}

// sameBase compares cone search base URLs: registries give them with the
// "?" the parameters are appended to (SCS 1.03), the testbed without.
func sameBase(got, want string) bool {
	return strings.TrimSuffix(got, "?") == strings.TrimSuffix(want, "?")
}

func TestResolveConeTestbed(t *testing.T) {
	in := testbed.Require(t)
	ctx := context.Background()
	client := dal.New(dal.Options{Timeout: time.Minute, IdleTimeout: time.Minute})
	reg := New(in.RegTAP, TAPSync(client))
	for _, cat := range in.Catalogs {
		for _, id := range []string{cat.SCSIVOID, strings.ToUpper(cat.SCSIVOID[:10]) + cat.SCSIVOID[10:]} {
			got, err := reg.ResolveCone(ctx, id)
			if err != nil || !sameBase(got, cat.SCS) {
				t.Errorf("%s: got %q, %v; want %s", id, got, err, cat.SCS)
			}
		}
	}
	// The identifiers of the default configuration, which the testbed also
	// publishes for its own catalogues.
	for _, m := range in.Mirrors {
		got, err := reg.ResolveCone(ctx, m.IVOID)
		if want := in.Catalog(m.Catalog).SCS; err != nil || !sameBase(got, want) {
			t.Errorf("%s: got %q, %v; want %s", m.IVOID, got, err, want)
		}
	}
	for _, id := range []string{"ivo://" + testbed.Authority + "/no/such/thing", in.SSAIVOID} {
		_, err := reg.ResolveCone(ctx, id)
		var re *ResolveError
		if !errors.As(err, &re) || !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), in.RegTAP) {
			t.Errorf("%s: error %v, want a not-found ResolveError naming the ivoid and the registry", id, err)
		}
	}
	if _, err := reg.ResolveCone(ctx, "2MASS"); err == nil || !strings.Contains(err.Error(), "not an IVOA identifier") {
		t.Errorf("plain name: %v", err)
	}

	// The cache: first resolution through the registry, the second with
	// the registry unreachable.
	path := filepath.Join(t.TempDir(), "cache", "registry-cache.json")
	cache := NewCache(path, time.Hour, nil)
	cat := in.Catalogs[1]
	r := NewResolver(reg, cache, nil)
	if got, err := r.ResolveCone(ctx, cat.SCSIVOID); err != nil || !sameBase(got, cat.SCS) {
		t.Fatalf("resolve: %q %v", got, err)
	}
	for p, mode := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700 | os.ModeDir} {
		if st, err := os.Stat(p); err != nil || st.Mode() != mode {
			t.Errorf("%s: %v, want %v (%v)", p, st.Mode(), mode, err)
		}
	}
	dead := deadURL(t)
	offline := New(in.RegTAP, func(ctx context.Context, _, adql string, maxrec int) (*dataset.Result, error) {
		return TAPSync(client)(ctx, dead, adql, maxrec)
	})
	r2 := NewResolver(offline, NewCache(path, time.Hour, nil), nil)
	if got, err := r2.ResolveCone(ctx, strings.ToUpper(cat.SCSIVOID)); err != nil || !sameBase(got, cat.SCS) {
		t.Errorf("cached: %q %v", got, err)
	}
	if _, err := r2.ResolveCone(ctx, in.Catalogs[0].SCSIVOID); err == nil || !strings.Contains(err.Error(), in.Catalogs[0].SCSIVOID) {
		t.Errorf("uncached with the registry down: %v", err)
	}

	// Expired: asked again (and refreshed) when the registry answers ...
	e0, _, _ := cache.Get(in.RegTAP, cat.SCSIVOID, coneStandardID)
	later := func() time.Time { return e0.ResolvedAt.Add(2 * time.Hour) }
	cache.now = later
	if got, err := r.ResolveCone(ctx, cat.SCSIVOID); err != nil || !sameBase(got, cat.SCS) {
		t.Fatalf("expired: %q %v", got, err)
	}
	if e, fresh, _ := cache.Get(in.RegTAP, cat.SCSIVOID, coneStandardID); !fresh || !e.ResolvedAt.Equal(later().UTC()) {
		t.Errorf("entry not refreshed: %+v fresh %v", e, fresh)
	}
	// ... and used with a warning when it does not.
	var logs bytes.Buffer
	c2 := NewCache(path, time.Hour, nil)
	c2.now = func() time.Time { return later().Add(2 * time.Hour) }
	r3 := NewResolver(offline, c2, slog.New(slog.NewTextHandler(&logs, nil)))
	if got, err := r3.ResolveCone(ctx, cat.SCSIVOID); err != nil || !sameBase(got, cat.SCS) || !strings.Contains(logs.String(), "expired") {
		t.Errorf("stale: %q %v, log %q", got, err, logs.String())
	}
}

func TestCacheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	var logs bytes.Buffer
	c := NewCache(path, time.Hour, slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c.now = func() time.Time { return now }
	if _, _, ok := c.Get("http://r/tap", "ivo://a/b", coneStandardID); ok {
		t.Fatal("entry in a missing file")
	}
	if err := c.Put("http://r/tap", "ivo://A/b", coneStandardID, "http://a/cone"); err != nil {
		t.Fatal(err)
	}
	if err := c.Put("http://other/tap", "ivo://a/b", coneStandardID, "http://b/cone"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, registry, ivoid string
		age                   time.Duration
		want                  string
		fresh, ok             bool
	}{
		{"hit, case-insensitive", "http://r/tap", "ivo://a/B", 0, "http://a/cone", true, true},
		{"per registry", "http://other/tap", "ivo://a/b", 0, "http://b/cone", true, true},
		{"expired", "http://r/tap", "ivo://a/b", 2 * time.Hour, "http://a/cone", false, true},
		{"miss", "http://r/tap", "ivo://a/c", 0, "", false, false},
	}
	for _, tc := range tests {
		c.now = func() time.Time { return now.Add(tc.age) }
		e, fresh, ok := c.Get(tc.registry, tc.ivoid, coneStandardID)
		if e.AccessURL != tc.want || fresh != tc.fresh || ok != tc.ok {
			t.Errorf("%s: %+v fresh %v ok %v", tc.name, e, fresh, ok)
		}
	}
	if strings.Contains(logs.String(), "WARN") {
		t.Errorf("warnings: %s", logs.String())
	}
	// A corrupt file is ignored with a warning, then replaced.
	for _, bad := range []string{"{not json", `{"version": 9, "entries": []}`} {
		logs.Reset()
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := c.Get("http://r/tap", "ivo://a/b", coneStandardID); ok || !strings.Contains(logs.String(), "corrupt") {
			t.Errorf("%q: ok %v, log %q", bad, ok, logs.String())
		}
		if err := c.Put("http://r/tap", "ivo://a/b", coneStandardID, "http://a/cone"); err != nil {
			t.Fatal(err)
		}
		if e, _, ok := c.Get("http://r/tap", "ivo://a/b", coneStandardID); !ok || e.AccessURL != "http://a/cone" {
			t.Errorf("after rewrite: %+v %v", e, ok)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
