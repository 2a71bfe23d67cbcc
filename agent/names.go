package agent

import (
	"context"
	"fmt"
	"sync"

	"github.com/voagent/voagent/vo/nameres"
)

// names holds a name resolver per resolver URL (the configuration may
// change it), sharing the on-disk cache.
type names struct {
	mu  sync.Mutex
	res map[string]*nameres.Resolver
}

// nameResolver is the resolver of the current configuration ([resolver]
// url, else $VOAGENT_SESAME_URL, else CDS Sesame).
func (a *Agent) nameResolver() *nameres.Resolver {
	u := a.Config().Resolver.URL
	if u == "" {
		u = nameres.DefaultURL()
	}
	n := &a.names
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.res == nil {
		n.res = map[string]*nameres.Resolver{}
	}
	r, ok := n.res[u]
	if !ok {
		cache, err := nameres.DefaultCachePath()
		if err != nil {
			a.log.Debug("names are not cached", "err", err)
		}
		r = nameres.New(nameres.Options{URL: u, CachePath: cache, Log: a.log})
		n.res[u] = r
	}
	return r
}

// ResolvePosition turns a position string ("150.119 2.206",
// "10:00:28.6 +02:12:21") or an object name ("M31", resolved by the
// configured name resolver) into ICRS degrees.
func (a *Agent) ResolvePosition(ctx context.Context, s string) (Position, error) {
	ra, dec, err := a.nameResolver().Position(ctx, s)
	if err != nil {
		return Position{}, fmt.Errorf("position %q: %w", s, err)
	}
	return Position{RA: ra, Dec: dec}, nil
}
