package uws

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

// JournalEntry is a job a client created and has not deleted yet.
type JournalEntry struct {
	// URL is the job's URL.
	URL string `json:"url"`
	// Service is the base URL of the service (a TAP service).
	Service string `json:"service,omitempty"`
	// Query is what the job runs (an ADQL query), for the listing.
	Query string `json:"query,omitempty"`
	// Output is where the result was to be written, if anywhere.
	Output string `json:"output,omitempty"`
	// Created is when the job was created.
	Created time.Time `json:"created"`
	// PID is the process that created it.
	PID int `json:"pid"`
	// Kept says the job was kept on purpose (--keep).
	Kept bool `json:"kept,omitempty"`
}

// Orphaned reports whether the process that created the job is gone
// while the job was not kept on purpose: a run killed before it could
// delete its job.
func (e JournalEntry) Orphaned() bool {
	return !e.Kept && !processAlive(e.PID)
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// DefaultJournalMax bounds the number of entries a Journal keeps (the
// oldest go first).
const DefaultJournalMax = 200

// journalMaxBytes bounds the journal file read.
const journalMaxBytes = 4 << 20

// Journal is a small file (JSON, mode 0600) of the jobs this user's
// clients created and have not deleted, so that a run killed before its
// cleanup leaves a trace the next run (or "voagent tap job list") can
// delete or resume. Writers take an exclusive lock (flock) on a lock file
// next to it; the file is replaced atomically.
type Journal struct {
	// Path is the journal file.
	Path string
	// Max is the number of entries kept (DefaultJournalMax when <= 0).
	Max int
}

// DefaultJournalPath is $XDG_STATE_HOME/voagent/jobs.json, or
// ~/.local/state/voagent/jobs.json.
func DefaultJournalPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("job journal: no state directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "voagent", "jobs.json"), nil
}

// List returns the entries, oldest first. A missing journal is empty.
func (j *Journal) List() ([]JournalEntry, error) {
	var out []JournalEntry
	err := j.locked(false, func(es []JournalEntry) ([]JournalEntry, error) {
		out = es
		return nil, nil
	})
	return out, err
}

// Add records e (replacing an entry with the same URL).
func (j *Journal) Add(e JournalEntry) error {
	return j.locked(true, func(es []JournalEntry) ([]JournalEntry, error) {
		es = without(es, e.URL)
		es = append(es, e)
		sort.SliceStable(es, func(a, b int) bool { return es[a].Created.Before(es[b].Created) })
		max := j.Max
		if max <= 0 {
			max = DefaultJournalMax
		}
		if len(es) > max {
			es = es[len(es)-max:]
		}
		return es, nil
	})
}

// Remove forgets the job at url (no error when it is not there).
func (j *Journal) Remove(url string) error {
	return j.locked(true, func(es []JournalEntry) ([]JournalEntry, error) { return without(es, url), nil })
}

func without(es []JournalEntry, url string) []JournalEntry {
	out := es[:0:0]
	for _, e := range es {
		if e.URL != url {
			out = append(out, e)
		}
	}
	return out
}

// locked runs fn on the entries under the lock; with write, what fn
// returns replaces the file.
func (j *Journal) locked(write bool, fn func([]JournalEntry) ([]JournalEntry, error)) error {
	if j.Path == "" {
		return errors.New("job journal: no path")
	}
	dir := filepath.Dir(j.Path)
	if write {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("job journal: %w", err)
		}
	}
	lf, err := os.OpenFile(j.Path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrNotExist) && !write {
		_, err := fn(nil)
		return err
	}
	if err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	defer lf.Close()
	how := syscall.LOCK_SH
	if write {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(lf.Fd()), how); err != nil {
		return fmt.Errorf("job journal: locking %s: %w", lf.Name(), err)
	}
	defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN)
	es, err := j.read()
	if err != nil {
		return err
	}
	out, err := fn(es)
	if err != nil || !write {
		return err
	}
	return j.write(out)
}

func (j *Journal) read() ([]JournalEntry, error) {
	f, err := os.Open(j.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("job journal: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, journalMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("job journal: reading %s: %w", j.Path, err)
	}
	if len(data) > journalMaxBytes {
		return nil, fmt.Errorf("job journal: %s is larger than %d bytes", j.Path, journalMaxBytes)
	}
	if len(data) == 0 {
		return nil, nil
	}
	var es []JournalEntry
	if err := json.Unmarshal(data, &es); err != nil {
		return nil, fmt.Errorf("job journal: %s is not a journal (%w): remove it", j.Path, err)
	}
	return es, nil
}

func (j *Journal) write(es []JournalEntry) error {
	data, err := json.MarshalIndent(es, "", " ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(j.Path), ".jobs-*.json")
	if err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	if err := os.Rename(f.Name(), j.Path); err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	ok = true
	return nil
}
