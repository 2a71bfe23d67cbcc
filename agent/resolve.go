package agent

import (
	"context"
	"sync"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/vo/registry"
)

// resolutions remembers, per catalogue identifier and registry, the access
// URL found or the reason none was, for the status.
type resolutions struct {
	mu       sync.Mutex
	resolver map[string]*registry.Resolver // by registry URL
	answer   map[string]resolution         // by registry URL + ivoid
}

type resolution struct{ url, problem string }

// resolveCone finds the cone search access URL of a catalogue named by its
// IVOA identifier, through the configured Registry and the on-disk cache
// (looked up once, then cached with its time). A failure is the
// catalogue's failure in the search, never the agent's.
func (a *Agent) resolveCone(ctx context.Context, cfg config.Config, cat config.Catalog) (string, error) {
	reg := cfg.Registry.URL
	if reg == "" {
		reg = registry.DefaultURL()
	}
	r := &a.resolutions
	r.mu.Lock()
	if r.resolver == nil {
		r.resolver, r.answer = map[string]*registry.Resolver{}, map[string]resolution{}
	}
	res, ok := r.resolver[reg]
	if !ok {
		var cache *registry.Cache
		if path, err := registry.DefaultCachePath(); err == nil {
			cache = registry.NewCache(path, 0, a.log)
		}
		res = registry.NewResolver(registry.New(reg, registry.TAPSync(a.dal)), cache, a.log)
		r.resolver[reg] = res
	}
	r.mu.Unlock()
	u, err := res.ResolveCone(ctx, cat.IVOID)
	ans := resolution{url: u}
	if err != nil {
		ans.problem = err.Error()
		a.log.Warn("catalogue skipped: its identifier was not resolved", "catalogue", cat.Name, "ivoid", cat.IVOID, "registry", reg, "err", err)
	}
	r.mu.Lock()
	r.answer[reg+"\x00"+cat.IVOID] = ans
	r.mu.Unlock()
	return u, err
}

// resolved is what the last resolution of cat's identifier gave.
func (a *Agent) resolved(cfg config.Config, cat config.Catalog) (url, problem string) {
	reg := cfg.Registry.URL
	if reg == "" {
		reg = registry.DefaultURL()
	}
	r := &a.resolutions
	r.mu.Lock()
	defer r.mu.Unlock()
	ans, ok := r.answer[reg+"\x00"+cat.IVOID]
	if !ok {
		return "", ""
	}
	return ans.url, ans.problem
}
