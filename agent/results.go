package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// results is the directory holding the tables the agent makes, which other
// tools load through file URLs (TOPCAT, Aladin and astropy read file: URLs
// of the same user). It is created on first use with mode 0700, its files
// with 0600, and removed when the agent stops.
type results struct {
	once sync.Once
	dir  string
	keep bool // the directory was given (KeepResultsIn): never removed
	err  error
	seq  atomic.Int64
}

// KeepResultsIn makes the agent write its result files to dir (created if
// needed) and keep them when it stops. Call it before any search.
func (a *Agent) KeepResultsIn(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("result directory: %w", err)
	}
	a.results.once.Do(func() { a.results.dir, a.results.keep = dir, true })
	if a.results.dir != dir {
		return fmt.Errorf("result directory: already %s", a.results.dir)
	}
	return nil
}

// path returns the directory, creating it on first use.
func (r *results) path() (string, error) {
	r.once.Do(func() {
		r.dir, r.err = os.MkdirTemp("", "voagent-results-")
	})
	if r.err != nil {
		return "", fmt.Errorf("result directory: %w", r.err)
	}
	return r.dir, nil
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
	if r.dir == "" || r.keep {
		return nil
	}
	return os.RemoveAll(r.dir)
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
