package profile

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestCreateLockfileOneWins: of 20 goroutines creating one lockfile at
// once, exactly one succeeds; the others get ErrLockfileExists, and the
// file is complete and 0600. No temporary file is left.
func TestCreateLockfileOneWins(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "samp.lock")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = CreateLockfile(path, &LockInfo{Secret: "s", XMLRPCURL: "http://127.0.0.1:1/xmlrpc"})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrLockfileExists):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d creators won, want 1", won)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("lockfile %v, %v", st, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("files left in the directory: %v", ents)
	}
}
