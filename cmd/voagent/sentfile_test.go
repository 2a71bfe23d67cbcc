package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSentFile: files made only to be sent go to the user's cache, in a
// directory only the user can read, and those older than sentKeep go when
// the next one is made.
func TestSentFile(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir := filepath.Join(cache, "voagent", "sent")
	first, err := sentFile("voagent-")
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	if filepath.Dir(first.Name()) != dir {
		t.Fatalf("file %s, want it in %s", first.Name(), dir)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("directory %s: %v, %v", dir, info.Mode(), err)
	}
	old := filepath.Join(dir, "voagent-old.vot")
	if err := os.WriteFile(old, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-sentKeep - time.Minute)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	second, err := sentFile("voagent-tap-")
	if err != nil {
		t.Fatal(err)
	}
	second.Close()
	for path, want := range map[string]bool{old: false, first.Name(): true, second.Name(): true} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", path, err == nil, want)
		}
	}
}
