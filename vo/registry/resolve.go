package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is wrapped by a ResolveError when the registry has no
// matching service (as opposed to a failed query).
var ErrNotFound = errors.New("not found")

// ResolveError is a failed resolution of an identifier: it names the
// ivoid and the registry asked.
type ResolveError struct {
	IVOID    string
	Registry string
	Err      error
}

func (e *ResolveError) Error() string {
	return fmt.Sprintf("resolving %s through the registry %s: %v", e.IVOID, e.Registry, e.Err)
}

// Unwrap returns the underlying error.
func (e *ResolveError) Unwrap() error { return e.Err }

// standard ID of Simple Cone Search, as RegTAP stores it.
const coneStandardID = "ivo://ivoa.net/std/conesearch"

// ResolveCone returns the access URL of the cone search capability of the
// resource ivoid (compared case-insensitively: RegTAP stores ivoids lower
// case), or failing that of the resource having ivoid as an alternate
// identifier (rr.alt_identifier). Errors are *ResolveError, wrapping ErrNotFound when the registry
// does not know the resource or it has no cone search.
func (cl *Client) ResolveCone(ctx context.Context, ivoid string) (string, error) {
	fail := func(err error) (string, error) {
		return "", &ResolveError{IVOID: ivoid, Registry: cl.URL, Err: err}
	}
	id := strings.ToLower(strings.TrimSpace(ivoid))
	if !strings.HasPrefix(id, "ivo://") {
		return fail(fmt.Errorf("not an IVOA identifier (ivo://...)"))
	}
	u, err := cl.coneURL(ctx, "rr.capability.ivoid = "+lit(id))
	if err != nil {
		return fail(err)
	}
	if u != "" {
		return u, nil
	}
	// An alternate identifier (RegTAP 1.1 rr.alt_identifier) of a resource
	// may name it too: asked only now, so that a registry without the
	// table still resolves primary identifiers.
	alt := "rr.capability.ivoid IN (SELECT a.ivoid FROM rr.alt_identifier AS a WHERE a.alt_identifier IN (" +
		lit(strings.TrimSpace(ivoid)) + ", " + lit(id) + "))"
	if u, err := cl.coneURL(ctx, alt); err == nil && u != "" {
		return u, nil
	}
	// Tell an unknown resource from one without a cone search.
	res, err := cl.Query(ctx, cl.URL, "SELECT ivoid FROM rr.resource WHERE ivoid = "+lit(id), 1)
	if err != nil {
		return fail(err)
	}
	if len(res.Records()) > 0 {
		return fail(fmt.Errorf("the resource has no cone search capability: %w", ErrNotFound))
	}
	return fail(fmt.Errorf("no such resource: %w", ErrNotFound))
}

// coneURL returns the access URL of the first standard cone search
// interface matching the ADQL condition on rr.capability ("" for none),
// preferring an https one.
func (cl *Client) coneURL(ctx context.Context, cond string) (string, error) {
	q := "SELECT rr.interface.access_url\n" +
		"FROM rr.capability NATURAL JOIN rr.interface\n" +
		"WHERE " + cond +
		"\n  AND rr.capability.standard_id = " + lit(coneStandardID) +
		"\n  AND rr.interface.intf_role = 'std'"
	res, err := cl.Query(ctx, cl.URL, q, 100)
	if err != nil {
		return "", err
	}
	iu := res.Table.FieldByName("access_url")
	if iu < 0 {
		return "", errors.New("the registry's answer lacks the access_url column")
	}
	var best string
	for _, r := range res.Records() {
		u := strings.TrimSpace(r.String(iu))
		if u != "" && (best == "" || (!strings.HasPrefix(best, "https:") && strings.HasPrefix(u, "https:"))) {
			best = u
		}
	}
	return best, nil
}

// DefaultCacheMaxAge is how long a resolved access URL is trusted.
const DefaultCacheMaxAge = 7 * 24 * time.Hour

// DefaultCachePath is the resolution cache file,
// os.UserCacheDir()/voagent/registry-cache.json.
func DefaultCachePath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the registry cache: %w", err)
	}
	return filepath.Join(dir, "voagent", "registry-cache.json"), nil
}

// CacheEntry is one resolution remembered on disk.
type CacheEntry struct {
	Registry   string    `json:"registry"`
	IVOID      string    `json:"ivoid"`
	Standard   string    `json:"standard_id"`
	AccessURL  string    `json:"access_url"`
	ResolvedAt time.Time `json:"resolved_at"`
}

type cacheFile struct {
	Version int          `json:"version"`
	Entries []CacheEntry `json:"entries"`
}

// Cache remembers resolved access URLs in a JSON file (mode 0600 in a
// directory created 0700, replaced atomically), keyed by registry, ivoid
// (lower case) and standard. It is safe for concurrent use in one process;
// between processes the last writer wins. A corrupt file is ignored with a
// warning and rewritten on the next Put.
type Cache struct {
	path   string
	maxAge time.Duration
	log    *slog.Logger
	// now is the clock (tests replace it).
	now func() time.Time
	mu  sync.Mutex
}

// NewCache returns a cache in the file path (DefaultCachePath for the
// user's), trusting entries for maxAge (<= 0: DefaultCacheMaxAge); log
// receives the warnings (nil: none).
func NewCache(path string, maxAge time.Duration, log *slog.Logger) *Cache {
	if maxAge <= 0 {
		maxAge = DefaultCacheMaxAge
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{path: path, maxAge: maxAge, log: log, now: time.Now}
}

// Path is the cache file.
func (c *Cache) Path() string { return c.path }

func sameKey(e CacheEntry, registry, ivoid, standard string) bool {
	return e.Registry == registry && e.IVOID == strings.ToLower(ivoid) && e.Standard == standard
}

// read returns the file's entries; a missing file is empty, a corrupt one
// is reported and treated as empty.
func (c *Cache) read() []CacheEntry {
	b, err := os.ReadFile(c.path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.log.Warn("registry cache unreadable, ignored", "file", c.path, "err", err)
		}
		return nil
	}
	var f cacheFile
	if len(b) > 16<<20 {
		err = errors.New("larger than 16 MiB")
	} else if err = json.Unmarshal(b, &f); err == nil && f.Version != 1 {
		err = fmt.Errorf("unknown version %d", f.Version)
	}
	if err != nil {
		c.log.Warn("registry cache corrupt, ignored", "file", c.path, "err", err)
		return nil
	}
	return f.Entries
}

// Get returns the cached entry for the standard (e.g.
// "ivo://ivoa.net/std/conesearch") of ivoid resolved through registry, and
// whether it is still fresh. ok is false when there is no entry.
func (c *Cache) Get(registry, ivoid, standard string) (e CacheEntry, fresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.read() {
		if sameKey(e, registry, ivoid, standard) {
			return e, c.now().Sub(e.ResolvedAt) < c.maxAge, true
		}
	}
	return CacheEntry{}, false, false
}

// Put remembers accessURL as resolved now, replacing an older entry, and
// drops entries older than ten times the maximum age.
func (c *Cache) Put(registry, ivoid, standard, accessURL string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	f := cacheFile{Version: 1}
	for _, e := range c.read() {
		if !sameKey(e, registry, ivoid, standard) && now.Sub(e.ResolvedAt) < 10*c.maxAge {
			f.Entries = append(f.Entries, e)
		}
	}
	f.Entries = append(f.Entries, CacheEntry{Registry: registry, IVOID: strings.ToLower(ivoid), Standard: standard,
		AccessURL: accessURL, ResolvedAt: now.UTC()})
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the registry cache: %w", err)
	}
	return writeAtomic(c.path, b)
}

// writeAtomic writes b to path through a temporary file renamed over it,
// mode 0600, creating the directory 0700.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("writing the registry cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".registry-cache-*")
	if err != nil {
		return fmt.Errorf("writing the registry cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the registry cache %s: %w", path, err)
	}
	return nil
}

// Resolver resolves identifiers through a registry, remembering the
// answers in a Cache.
type Resolver struct {
	Client *Client
	// Cache may be nil (no caching).
	Cache *Cache
	Log   *slog.Logger
}

// NewResolver returns a resolver on client with cache (nil: none); log
// (nil: none) receives the cache's and stale answers' warnings.
func NewResolver(client *Client, cache *Cache, log *slog.Logger) *Resolver {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Resolver{Client: client, Cache: cache, Log: log}
}

// ResolveCone returns the cone search access URL of ivoid: from the cache
// when fresh, else from the registry (and then cached). When the registry
// cannot be asked (not when it answers that the ivoid is unknown), an
// expired cache entry is used with a warning. Errors are *ResolveError.
func (r *Resolver) ResolveCone(ctx context.Context, ivoid string) (string, error) {
	var stale CacheEntry
	var haveStale bool
	if r.Cache != nil {
		e, fresh, ok := r.Cache.Get(r.Client.URL, ivoid, coneStandardID)
		if ok && fresh {
			return e.AccessURL, nil
		}
		stale, haveStale = e, ok
	}
	u, err := r.Client.ResolveCone(ctx, ivoid)
	if err != nil {
		if haveStale && !errors.Is(err, ErrNotFound) && ctx.Err() == nil {
			r.Log.Warn("registry unavailable, using an expired cached access URL",
				"ivoid", ivoid, "url", stale.AccessURL, "resolved_at", stale.ResolvedAt, "err", err)
			return stale.AccessURL, nil
		}
		return "", err
	}
	if r.Cache != nil {
		if err := r.Cache.Put(r.Client.URL, ivoid, coneStandardID, u); err != nil {
			r.Log.Warn("registry cache not updated", "err", err)
		}
	}
	return u, nil
}
