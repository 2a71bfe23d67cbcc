package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// resultsPrefix starts the name of every per-run result directory; the
// owner's pid follows, so that a later agent can tell a dead run's
// directory (removeDeadResults).
const resultsPrefix = "voagent-results-"

// results is the directory holding the tables the agent makes, which other
// tools load through file URLs (TOPCAT, Aladin and astropy read file: URLs
// of the same user). It is created on first use with mode 0700, its files
// with 0600, and removed when the agent stops.
type results struct {
	base string // where the per-run directory goes ("" = os.TempDir()); set before Run

	mu   sync.Mutex // guards dir and keep (the status reads them while searches run)
	dir  string
	keep bool // the directory was given (KeepResultsIn): never removed
	seq  atomic.Int64
}

// KeepResultsIn makes the agent write its result files to dir (created if
// needed) and keep them when it stops. Call it before any search.
func (a *Agent) KeepResultsIn(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("result directory: %w", err)
	}
	r := &a.results
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dir == "" {
		r.dir, r.keep = dir, true
	}
	if r.dir != dir {
		return fmt.Errorf("result directory: already %s", r.dir)
	}
	return nil
}

// ResultsDir is the directory of the result files ("" before the first).
func (a *Agent) ResultsDir() string {
	a.results.mu.Lock()
	defer a.results.mu.Unlock()
	return a.results.dir
}

// path returns the directory, creating it on first use (a failure is
// tried again at the next use).
func (r *results) path() (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dir != "" {
		return r.dir, nil
	}
	base := r.base
	if base == "" {
		base = os.TempDir()
	} else if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("result directory: %w", err)
	}
	dir, err := os.MkdirTemp(base, resultsPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", fmt.Errorf("result directory: %w", err)
	}
	r.dir = dir
	return dir, nil
}

// name returns a new file name (no directory) carrying label and ext.
func (r *results) name(label, ext string) string {
	return fmt.Sprintf("%04d-%s%s", r.seq.Add(1), safeName(label), ext)
}

// create opens a new result file whose name carries label.
func (r *results) create(label string) (*os.File, error) {
	dir, err := r.path()
	if err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(dir, r.name(label, ".vot")), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// remove deletes the directory and the results in it.
func (r *results) remove() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dir == "" || r.keep {
		return nil
	}
	return os.RemoveAll(r.dir)
}

// removeDeadResults deletes the result directories under base (os.TempDir()
// when "") left by voagent processes that are gone: an agent killed
// without a chance to clean up. Directories of live processes, and of
// other users, are left alone.
func removeDeadResults(base string, log *slog.Logger) {
	if base == "" {
		base = os.TempDir()
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, ok := resultsOwner(e.Name())
		if !ok || !e.IsDir() || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		p := filepath.Join(base, e.Name())
		if info, err := os.Stat(p); err != nil || !ownedByUs(info) {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			log.Warn("removing the results of a dead voagent", "dir", p, "err", err)
			continue
		}
		log.Info("removed the results of a voagent that is gone", "dir", p, "pid", pid)
	}
}

// resultsOwner parses the pid out of a result directory's name.
func resultsOwner(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, resultsPrefix)
	if !ok {
		return 0, false
	}
	p, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(p)
	return pid, err == nil && pid > 0
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ownedByUs reports whether the file belongs to this process's user.
func ownedByUs(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// safeName keeps letters, digits, '-', '_' and '.' of s (others become '_'),
// at most 40 of them.
func safeName(s string) string {
	s = strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			return c
		}
		return '_'
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}
