package config_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/registry"
)

// TestDefaultCatalogsResolve loads the configuration with no file at all
// and the registry overridden by IVOA_REGISTRY, as `voagent run` does on a
// fresh account, and resolves every default catalogue through the
// testbed's RegTAP to the testbed catalogue standing in for it.
func TestDefaultCatalogsResolve(t *testing.T) {
	in := testbed.Require(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("IVOA_REGISTRY", in.RegTAP)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Registry.URL != in.RegTAP || len(cfg.Catalogs) != len(in.Mirrors) {
		t.Fatalf("registry %s, %d catalogues", cfg.Registry.URL, len(cfg.Catalogs))
	}
	cachePath, err := registry.DefaultCachePath()
	if err != nil || !strings.HasPrefix(cachePath, home) {
		t.Fatalf("cache path %q (%v) outside the test's home", cachePath, err)
	}
	client := registry.New(cfg.Registry.URL, registry.TAPSync(dal.New(dal.Options{Timeout: time.Minute})))
	r := registry.NewResolver(client, registry.NewCache(cachePath, 0, nil), nil)
	for _, cat := range cfg.Catalogs {
		var want string
		for _, m := range in.Mirrors {
			if strings.EqualFold(m.IVOID, cat.IVOID) {
				want = in.Catalog(m.Catalog).SCS
			}
		}
		if want == "" || cat.Kind != "scs" || cat.URL != "" {
			t.Errorf("%s: default catalogue %+v has no testbed stand-in", cat.Name, cat)
			continue
		}
		got, err := r.ResolveCone(context.Background(), cat.IVOID)
		if err != nil || strings.TrimSuffix(got, "?") != want {
			t.Errorf("%s (%s): got %q, %v; want %s", cat.Name, cat.IVOID, got, err, want)
		}
	}
}
