package uws

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestJournal(t *testing.T) {
	j := &Journal{Path: filepath.Join(t.TempDir(), "state", "voagent", "jobs.json"), Max: 5}
	if es, err := j.List(); err != nil || len(es) != 0 {
		t.Fatalf("missing journal: %v %v", es, err)
	}
	t0 := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 8 { // concurrent writers: none lost but the oldest beyond Max
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Add(JournalEntry{URL: fmt.Sprintf("http://x/async/%d", i), Created: t0.Add(time.Duration(i) * time.Second), PID: os.Getpid()}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	es, err := j.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 5 || es[0].URL != "http://x/async/3" || es[4].URL != "http://x/async/7" {
		t.Fatalf("entries %+v, want the 5 newest in order", es)
	}
	if err := j.Remove("http://x/async/5"); err != nil {
		t.Fatal(err)
	}
	if es, _ := j.List(); len(es) != 4 {
		t.Errorf("%d entries after Remove", len(es))
	}
	fi, err := os.Stat(j.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, %v; want 0600", fi.Mode(), err)
	}
	if es[0].Orphaned() {
		t.Errorf("an entry of this live process is orphaned")
	}
	if !(JournalEntry{PID: 0}).Orphaned() || (JournalEntry{PID: 0, Kept: true}).Orphaned() {
		t.Errorf("Orphaned wrong for a dead process / a kept job")
	}
	os.WriteFile(j.Path, []byte("{not json"), 0o600)
	if _, err := j.List(); err == nil {
		t.Errorf("a corrupt journal read without error")
	}
}
