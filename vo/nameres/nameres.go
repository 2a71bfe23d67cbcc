// Package nameres turns astronomical object names ("M31", "NGC 253") into
// ICRS positions through a name resolver, CDS Sesame by default, and
// remembers the answers on disk.
//
// Sesame is asked over HTTP GET (<url>?<name>) for its XML output (the
// -ox and -oxp options: Sesame/Target/Resolver with jradeg and jdedeg);
// the first resolver of the answer that gives a position wins, as Sesame
// orders them by the databases asked (SIMBAD, NED, VizieR).
package nameres

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/voagent/voagent/vo/skypos"
)

// DefaultSesameURL is CDS Sesame's XML output over SIMBAD, NED and VizieR,
// the first to know the name answering.
const DefaultSesameURL = "https://cds.unistra.fr/cgi-bin/nph-sesame/-oxp/SNV"

// EnvURL names the environment variable that, when set, replaces the
// resolver URL (a configured [resolver] url wins over it).
const EnvURL = "VOAGENT_SESAME_URL"

// Limits of one resolution.
const (
	DefaultTimeout  = 15 * time.Second
	DefaultMaxBytes = 1 << 20
)

// DefaultURL is $VOAGENT_SESAME_URL when set, else DefaultSesameURL.
func DefaultURL() string {
	if u := strings.TrimSpace(os.Getenv(EnvURL)); u != "" {
		return u
	}
	return DefaultSesameURL
}

// Result is a resolved name.
type Result struct {
	// Name is the name asked for.
	Name string `json:"name"`
	// RA and Dec are ICRS (J2000) degrees.
	RA  float64 `json:"ra"`
	Dec float64 `json:"dec"`
	// Object is the resolver's main name for it ("M  31"); Type its
	// object type ("AGN"); Source the resolver that answered
	// ("S=Simbad").
	Object string `json:"object,omitempty"`
	Type   string `json:"type,omitempty"`
	Source string `json:"source,omitempty"`
}

// ErrNotFound is wrapped by the error of a name the resolver does not
// know.
var ErrNotFound = errors.New("name not found")

// Options configure a Resolver; the zero value is usable.
type Options struct {
	// URL is the resolver's URL, the name appended as its query ("" for
	// DefaultURL()).
	URL string
	// CachePath is the JSON file of remembered answers ("": none; see
	// DefaultCachePath).
	CachePath string
	// Client makes the requests (http.DefaultClient when nil).
	Client *http.Client
	// Timeout bounds one resolution (DefaultTimeout when 0); MaxBytes an
	// answer (DefaultMaxBytes when 0).
	Timeout  time.Duration
	MaxBytes int64
	// Log receives debug lines (nothing when nil).
	Log *slog.Logger
}

// Resolver resolves names; safe for concurrent use.
type Resolver struct {
	opt Options
	mu  sync.Mutex
	mem map[string]Result // the cache file's entries, loaded once
}

// New makes a Resolver.
func New(opt Options) *Resolver {
	if opt.URL == "" {
		opt.URL = DefaultURL()
	}
	if opt.Client == nil {
		opt.Client = http.DefaultClient
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Resolver{opt: opt}
}

// URL is the resolver's URL.
func (r *Resolver) URL() string { return r.opt.URL }

// DefaultCachePath is voagent's name cache in the user's cache directory
// ($XDG_CACHE_HOME/voagent/names.json, or ~/.cache/...).
func DefaultCachePath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the name resolver cache: %w", err)
	}
	return filepath.Join(dir, "voagent", "names.json"), nil
}

// key normalises a name for the cache: the resolver URL, then the name
// with its white space collapsed, case-folded ("m 31" and "M 31" are one).
func (r *Resolver) key(name string) string {
	return r.opt.URL + "\x00" + strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// Resolve returns the ICRS position of the object called name, from the
// cache when it was resolved before, else from the resolver (and then
// remembered). Its errors name the resolver URL; an unknown name wraps
// ErrNotFound.
func (r *Resolver) Resolve(ctx context.Context, name string) (Result, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Result{}, errors.New("resolving a name: the name is empty")
	}
	k := r.key(name)
	r.mu.Lock()
	r.load()
	res, ok := r.mem[k]
	r.mu.Unlock()
	if ok {
		res.Name = name
		return res, nil
	}
	res, err := r.ask(ctx, name)
	if err != nil {
		return Result{}, err
	}
	r.mu.Lock()
	r.mem[k] = res
	if err := r.save(); err != nil {
		r.opt.Log.Debug("name cache not written", "path", r.opt.CachePath, "err", err)
	}
	r.mu.Unlock()
	return res, nil
}

// Position parses s as coordinates (skypos.ParsePosition: decimal or
// sexagesimal) or, when it is not coordinates, resolves it as a name.
// It returns ICRS degrees.
func (r *Resolver) Position(ctx context.Context, s string) (ra, dec float64, err error) {
	ra, dec, ok, err := skypos.ParsePosition(s)
	if err != nil || ok {
		return ra, dec, err
	}
	res, err := r.Resolve(ctx, s)
	if err != nil {
		return 0, 0, err
	}
	return res.RA, res.Dec, nil
}

// ask queries the resolver.
func (r *Resolver) ask(ctx context.Context, name string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opt.Timeout)
	defer cancel()
	u := r.opt.URL + "?" + strings.ReplaceAll(url.QueryEscape(name), "+", "%20")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Result{}, fmt.Errorf("resolving %q: bad resolver URL %s: %w", name, r.opt.URL, err)
	}
	r.opt.Log.Debug("resolving a name", "name", name, "url", u)
	resp, err := r.opt.Client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("resolving %q: the name resolver %s cannot be reached (offline?): %w", name, r.opt.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("resolving %q: the name resolver %s answered HTTP %s", name, r.opt.URL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.opt.MaxBytes+1))
	if err != nil {
		return Result{}, fmt.Errorf("resolving %q: reading the answer of %s: %w", name, r.opt.URL, err)
	}
	if int64(len(body)) > r.opt.MaxBytes {
		return Result{}, fmt.Errorf("resolving %q: the answer of %s is larger than %d bytes", name, r.opt.URL, r.opt.MaxBytes)
	}
	res, err := ParseSesame(strings.NewReader(string(body)))
	if err != nil {
		return Result{}, fmt.Errorf("resolving %q with %s: %w", name, r.opt.URL, err)
	}
	res.Name = name
	return res, nil
}

// sesame is the part of Sesame's XML output read here.
type sesame struct {
	XMLName xml.Name `xml:"Sesame"`
	Targets []struct {
		Name      string   `xml:"name"`
		Info      []string `xml:"INFO"`
		Error     []string `xml:"ERROR"`
		Resolvers []struct {
			Name  string   `xml:"name,attr"`
			Info  []string `xml:"INFO"`
			Error []string `xml:"ERROR"`
			RA    string   `xml:"jradeg"`
			Dec   string   `xml:"jdedeg"`
			OName string   `xml:"oname"`
			OType string   `xml:"otype"`
		} `xml:"Resolver"`
	} `xml:"Target"`
}

// maxDepth bounds the nesting of the elements of an answer.
const maxDepth = 16

// ParseSesame reads Sesame's XML output (-ox, -oxp) and returns the
// position given by its first resolver that has one. An answer with no
// position is an error wrapping ErrNotFound and quoting what Sesame said
// (its INFO and ERROR lines).
func ParseSesame(rd io.Reader) (Result, error) {
	data, err := io.ReadAll(io.LimitReader(rd, DefaultMaxBytes*16))
	if err != nil {
		return Result{}, fmt.Errorf("reading the Sesame answer: %w", err)
	}
	if err := checkDepth(data); err != nil {
		return Result{}, err
	}
	var doc sesame
	if err := xml.Unmarshal(data, &doc); err != nil {
		return Result{}, fmt.Errorf("not a Sesame XML answer: %w", err)
	}
	var said []string
	for _, t := range doc.Targets {
		said = append(said, t.Info...)
		said = append(said, t.Error...)
		for _, rs := range t.Resolvers {
			if strings.TrimSpace(rs.RA) == "" && strings.TrimSpace(rs.Dec) == "" {
				said = append(said, rs.Info...)
				said = append(said, rs.Error...)
				continue
			}
			ra, err1 := strconv.ParseFloat(strings.TrimSpace(rs.RA), 64)
			dec, err2 := strconv.ParseFloat(strings.TrimSpace(rs.Dec), 64)
			if err1 != nil || err2 != nil || math.IsNaN(ra) || math.IsNaN(dec) || ra < 0 || ra >= 360 || dec < -90 || dec > 90 {
				return Result{}, fmt.Errorf("the Sesame resolver %q gave a bad position %q %q", rs.Name, rs.RA, rs.Dec)
			}
			return Result{Name: strings.TrimSpace(t.Name), RA: ra, Dec: dec,
				Object: strings.TrimSpace(rs.OName), Type: strings.TrimSpace(rs.OType), Source: strings.TrimSpace(rs.Name)}, nil
		}
	}
	msg := "no resolver knows it"
	var lines []string
	for _, s := range said {
		if s = strings.TrimSpace(s); s != "" && s != "from cache" {
			lines = append(lines, s)
		}
	}
	if len(lines) > 0 {
		msg = strings.Join(lines, "; ")
	}
	return Result{}, fmt.Errorf("%w (%s)", ErrNotFound, msg)
}

// checkDepth refuses an answer nested deeper than maxDepth before it is
// decoded.
func checkDepth(data []byte) error {
	d := xml.NewDecoder(strings.NewReader(string(data)))
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not a Sesame XML answer: %w", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return fmt.Errorf("not a Sesame XML answer: elements nested deeper than %d", maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return errors.New("not a Sesame XML answer: it has a DOCTYPE or other directive")
		}
	}
}

// cacheFile is the on-disk cache.
type cacheFile struct {
	Version int               `json:"version"`
	Entries map[string]Result `json:"entries"`
}

// load reads the cache file once (r.mu held); a missing or unreadable
// file is an empty cache.
func (r *Resolver) load() {
	if r.mem != nil {
		return
	}
	r.mem = map[string]Result{}
	if r.opt.CachePath == "" {
		return
	}
	b, err := os.ReadFile(r.opt.CachePath)
	if err != nil {
		return
	}
	var f cacheFile
	if err := json.Unmarshal(b, &f); err != nil || f.Version != 1 {
		r.opt.Log.Debug("name cache ignored", "path", r.opt.CachePath, "err", err)
		return
	}
	for k, v := range f.Entries {
		r.mem[k] = v
	}
}

// save writes the cache file atomically (r.mu held).
func (r *Resolver) save() error {
	if r.opt.CachePath == "" {
		return nil
	}
	b, err := json.Marshal(cacheFile{Version: 1, Entries: r.mem})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(r.opt.CachePath), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(r.opt.CachePath), ".names-*.json")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), r.opt.CachePath)
}
