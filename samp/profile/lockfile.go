package profile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/voagent/voagent/internal/lazyre"
)

// Keys every Standard Profile lockfile has.
const (
	KeySecret         = "samp.secret"
	KeyHubXMLRPCURL   = "samp.hub.xmlrpc.url"
	KeyProfileVersion = "samp.profile.version"
)

// ProfileVersion is the SAMP version this package writes into lockfiles.
const ProfileVersion = "1.3"

// LockInfo is the content of a lockfile.
type LockInfo struct {
	// Secret is samp.secret, the registration password.
	Secret string
	// XMLRPCURL is samp.hub.xmlrpc.url, the hub's XML-RPC endpoint.
	XMLRPCURL string
	// ProfileVersion is samp.profile.version.
	ProfileVersion string
	// Extra holds every other key (hub.impl, hub.id...).
	Extra map[string]string
}

// The token syntax of lockfile keys (SAMP 1.3 §4.3; JSAMP LockInfo).
var keyRe = lazyre.New(`^[a-zA-Z0-9\-_.]+$`)

// ParseLockfile parses a lockfile: "key=value" lines, "#" comment lines and
// blank lines. It fails on a line that is none of these, and when a required
// key is missing or the hub URL is not an http(s) URL. Backslashes in the hub
// URL are removed, as pyvo and astropy do (some writers escape ':').
func ParseLockfile(r io.Reader) (*LockInfo, error) {
	info := &LockInfo{Extra: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLockfileBytes)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || !keyRe().MatchString(key) {
			return nil, fmt.Errorf("line %d: not a key=value line: %q", n, truncate(line, 80))
		}
		value = strings.TrimSpace(value)
		switch key {
		case KeySecret:
			info.Secret = value
		case KeyHubXMLRPCURL:
			info.XMLRPCURL = strings.ReplaceAll(value, `\`, "")
		case KeyProfileVersion:
			info.ProfileVersion = value
		default:
			info.Extra[key] = value
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading lockfile: %w", err)
	}
	if err := info.Validate(); err != nil {
		return nil, err
	}
	return info, nil
}

// Validate checks that the required keys are present and the hub URL is an
// http(s) URL.
func (l *LockInfo) Validate() error {
	var missing []string
	if l.Secret == "" {
		missing = append(missing, KeySecret)
	}
	if l.XMLRPCURL == "" {
		missing = append(missing, KeyHubXMLRPCURL)
	}
	if len(missing) > 0 {
		return fmt.Errorf("lockfile lacks required key(s) %s", strings.Join(missing, ", "))
	}
	if !strings.HasPrefix(l.XMLRPCURL, "http://") && !strings.HasPrefix(l.XMLRPCURL, "https://") {
		return fmt.Errorf("lockfile %s %q is not an http URL", KeyHubXMLRPCURL, l.XMLRPCURL)
	}
	for _, s := range []string{l.Secret, l.XMLRPCURL, l.ProfileVersion} {
		if strings.ContainsAny(s, "\r\n") {
			return errors.New("lockfile value contains a line break")
		}
	}
	return nil
}

// Marshal writes the lockfile text: a comment line, the required keys, then
// the extra keys sorted.
func (l *LockInfo) Marshal() ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# SAMP Standard Profile lockfile written by voagent %s\n", time.Now().UTC().Format(time.RFC3339))
	version := l.ProfileVersion
	if version == "" {
		version = ProfileVersion
	}
	fmt.Fprintf(&b, "%s=%s\n%s=%s\n%s=%s\n", KeySecret, l.Secret, KeyHubXMLRPCURL, l.XMLRPCURL, KeyProfileVersion, version)
	keys := make([]string, 0, len(l.Extra))
	for k := range l.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := l.Extra[k]
		if !keyRe().MatchString(k) || strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("lockfile key %q: invalid key or value with a line break", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	return b.Bytes(), nil
}

// ErrLockfileExists is wrapped by CreateLockfile's error when a file is
// already at the lockfile's path.
var ErrLockfileExists = errors.New("lockfile already exists")

// WriteLockfile writes info to path atomically (a temporary file in the same
// directory, synced, then renamed over path) with mode 0600, so that readers
// never see half a lockfile and other users never see the secret. It
// replaces any file at path: use CreateLockfile when another writer may race.
func WriteLockfile(path string, info *LockInfo) error {
	return writeLockfile(path, info, os.Rename)
}

// CreateLockfile writes info to path as WriteLockfile does, but only if no
// file is there: the complete temporary file is linked (link(2)) to path,
// which fails when path exists, so of writers racing for one path exactly
// one succeeds and nobody reads half a file. The others get an error
// wrapping ErrLockfileExists.
func CreateLockfile(path string, info *LockInfo) error {
	return writeLockfile(path, info, func(tmp, path string) error {
		err := os.Link(tmp, path)
		os.Remove(tmp)
		if errors.Is(err, os.ErrExist) {
			return ErrLockfileExists
		}
		return err
	})
}

// LockDir takes an exclusive advisory lock (flock(2)) on the directory of the
// lockfile at path, waiting for it, so that the check of an existing
// lockfile and its replacement happen as one step among voagent processes.
// The lock goes with the process: it never outlives a crash. Call unlock
// once the lockfile is written.
func LockDir(path string) (unlock func(), err error) {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("locking the lockfile's directory: %w", err)
	}
	for {
		err = syscall.Flock(int(d.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("locking the lockfile's directory %s: %w", d.Name(), err)
	}
	return func() {
		syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
		d.Close()
	}, nil
}

func writeLockfile(path string, info *LockInfo, place func(tmp, path string) error) error {
	data, err := info.Marshal()
	if err != nil {
		return fmt.Errorf("writing lockfile %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".samp-lock-*")
	if err != nil {
		return fmt.Errorf("writing lockfile %s: %w", path, err)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("writing lockfile %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := place(tmpName, path); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("writing lockfile %s: %w", path, err)
	}
	return nil
}

// RemoveLockfile removes the lockfile at path if it still holds the given
// secret, so that a hub never deletes a lockfile that another hub has since
// written. A missing file is not an error.
func RemoveLockfile(path, secret string) error {
	data, err := readFileLimited(path)
	if errors.Is(err, ErrNoLockfile) {
		return nil
	}
	if err != nil {
		return err
	}
	info, err := ParseLockfile(bytes.NewReader(data))
	if err == nil && info.Secret != secret {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing lockfile: %w", err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
