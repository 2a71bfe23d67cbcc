// Package profile implements hub discovery for the SAMP Standard Profile
// (SAMP 1.3 §4.3–4.4): where the lockfile is (SAMP_HUB=std-lockurl:URL, else
// ~/.samp), how to read it (file: URLs, and http: URLs on the loopback
// interface) and how to write it atomically with owner-only permissions.
//
// A lockfile only says where a hub was: it may be stale (the hub was killed and
// left it behind), so callers ping the hub before trusting it.
package profile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EnvHub is the environment variable that overrides hub discovery.
const EnvHub = "SAMP_HUB"

// StdLockURLPrefix marks a Standard Profile lockfile URL in SAMP_HUB.
const StdLockURLPrefix = "std-lockurl:"

// DefaultLockfileName is the lockfile's name in the home directory.
const DefaultLockfileName = ".samp"

// MaxLockfileBytes bounds how much of a lockfile is read.
const MaxLockfileBytes = 64 << 10

// ErrNoLockfile is wrapped by ReadLockfile when there is no lockfile, the
// normal state when no hub is running.
var ErrNoLockfile = errors.New("no SAMP lockfile")

// Location says where the Standard Profile lockfile is.
type Location struct {
	// URL is the lockfile URL: file:///path or http://127.0.0.1:port/path.
	URL string
	// Path is the local file path for file: URLs, empty for http: URLs.
	Path string
	// FromEnv is true when the location came from SAMP_HUB.
	FromEnv bool
	// Ignored holds a SAMP_HUB value that was not for the Standard Profile
	// (another profile's prefix) and so was ignored, for the caller to log.
	Ignored string
}

// String returns the lockfile URL.
func (l Location) String() string { return l.URL }

// Locate finds the lockfile from the SAMP_HUB environment variable and the
// home directory, as the Standard Profile prescribes.
func Locate() (Location, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		home = ""
	}
	return LocateFrom(os.Getenv(EnvHub), home)
}

// LocateFrom is Locate with the SAMP_HUB value and home directory given.
// A SAMP_HUB value without the std-lockurl: prefix belongs to another profile
// and is ignored (recorded in Location.Ignored), as JSAMP does.
func LocateFrom(sampHub, home string) (Location, error) {
	sampHub = strings.TrimSpace(sampHub)
	if rest, ok := strings.CutPrefix(sampHub, StdLockURLPrefix); ok {
		loc, err := ParseLockURL(rest)
		if err != nil {
			return Location{}, fmt.Errorf("%s=%q: %w", EnvHub, sampHub, err)
		}
		loc.FromEnv = true
		return loc, nil
	}
	if home == "" {
		return Location{}, errors.New("locating the SAMP lockfile: no home directory and no " + EnvHub)
	}
	p := filepath.Join(home, DefaultLockfileName)
	loc := Location{URL: FileURL(p), Path: p}
	if sampHub != "" {
		loc.Ignored = sampHub
	}
	return loc, nil
}

// FileURL returns the file: URL of a local path.
func FileURL(path string) string {
	abs, err := filepath.Abs(path)
	if err == nil {
		path = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// ParseLockURL checks a lockfile URL: a file: URL on this host (file:///p,
// file:/p, file://localhost/p) or an http: URL whose host is a loopback
// address or "localhost".
func ParseLockURL(raw string) (Location, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Location{}, fmt.Errorf("parsing lockfile URL: %w", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "file":
		if u.Host != "" && !strings.EqualFold(u.Host, "localhost") {
			return Location{}, fmt.Errorf("lockfile URL %q: file URL on another host %q", raw, u.Host)
		}
		p := u.Path
		if p == "" {
			p = u.Opaque
		}
		if p == "" || !filepath.IsAbs(filepath.FromSlash(p)) {
			return Location{}, fmt.Errorf("lockfile URL %q: not an absolute file path", raw)
		}
		return Location{URL: raw, Path: filepath.Clean(filepath.FromSlash(p))}, nil
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return Location{}, fmt.Errorf("lockfile URL %q: http lockfiles are only read from the loopback interface", raw)
		}
		return Location{URL: raw}, nil
	default:
		return Location{}, fmt.Errorf("lockfile URL %q: unsupported scheme %q (want file or http)", raw, u.Scheme)
	}
}

// IsLoopbackHost reports whether host is "localhost" or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ReadLockfile reads and parses the lockfile at loc. A missing file (or an
// http 404) gives an error wrapping ErrNoLockfile. http lockfiles are fetched
// with ctx and a 10 s timeout.
func ReadLockfile(ctx context.Context, loc Location) (*LockInfo, error) {
	var data []byte
	var err error
	if loc.Path != "" {
		data, err = readFileLimited(loc.Path)
	} else {
		data, err = fetchLockfile(ctx, loc.URL)
	}
	if err != nil {
		return nil, err
	}
	info, err := ParseLockfile(strings.NewReader(string(data)))
	if err != nil {
		return nil, fmt.Errorf("lockfile %s: %w", loc.URL, err)
	}
	return info, nil
}

func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoLockfile, path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening lockfile: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxLockfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading lockfile %s: %w", path, err)
	}
	if len(data) > MaxLockfileBytes {
		return nil, fmt.Errorf("lockfile %s is larger than %d bytes", path, MaxLockfileBytes)
	}
	return data, nil
}

func fetchLockfile(ctx context.Context, rawURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching lockfile %s: %w", rawURL, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: fetching %s: %w", ErrNoLockfile, rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("%w at %s (HTTP 404)", ErrNoLockfile, rawURL)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching lockfile %s: HTTP %s", rawURL, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxLockfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching lockfile %s: %w", rawURL, err)
	}
	if len(data) > MaxLockfileBytes {
		return nil, fmt.Errorf("lockfile %s is larger than %d bytes", rawURL, MaxLockfileBytes)
	}
	return data, nil
}
