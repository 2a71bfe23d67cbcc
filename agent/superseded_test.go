package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/fanout"
)

// resultFiles lists the files of the results directory and how many are
// empty.
func resultFiles(t *testing.T, a *Agent) (all, empty []string) {
	t.Helper()
	dir := a.ResultsDir()
	if dir == "" {
		return nil, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		all = append(all, e.Name())
		if info.Size() == 0 {
			empty = append(empty, e.Name())
		}
	}
	return all, empty
}

// TestSupersededSearchesLeaveNoEmptyFiles: highlights in quick succession
// supersede each other's searches; a catalogue that has not answered yet
// must have no result file (nothing is written before there is something
// to write), and no superseded search leaves a file behind.
func TestSupersededSearchesLeaveNoEmptyFiles(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	fs := faultsvc.New(t)
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: 30 * time.Second}
	cfg.Catalogs = []config.Catalog{
		{Name: "hangs", Kind: "scs", URL: fs.URLOf("/hang")},
		{Name: "halfway", Kind: "scs", URL: fs.URLOf("/hang-body?rows=50")},
		{Name: "slow", Kind: "scs", URL: fs.URLOf("/slow?rows=20&delay=2ms")},
	}
	a := New(cfg, nil)
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	var latest fanout.Latest
	const searches = 60
	done := make(chan error, searches)
	for i := 0; i < searches; i++ {
		ctx, end := latest.Begin(context.Background())
		go func() {
			defer end()
			_, err := a.FindVicinity(ctx, Position{RA: float64(i), Dec: 1}, VicinityOptions{}, func(context.Context, Found) {})
			done <- err
		}()
		// Wait until the hanging services are asked, then look: whatever
		// is on disk must have content.
		deadline := time.Now().Add(10 * time.Second)
		for fs.Count("/hang") < i+1 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(i%5) * time.Millisecond)
		if _, empty := resultFiles(t, a); len(empty) > 0 {
			t.Fatalf("search %d: empty result files while the services have not answered: %v", i, empty)
		}
	}
	latest.Stop()
	for i := 0; i < searches; i++ {
		if err := <-done; err == nil {
			t.Errorf("a search that never completed ended without error")
		} else if !errors.Is(err, fanout.ErrSuperseded) && !errors.Is(err, context.Canceled) {
			t.Errorf("search ended with %v, want superseded or cancelled", err)
		}
	}
	all, empty := resultFiles(t, a)
	if len(empty) > 0 {
		t.Errorf("%d empty result files left: %v", len(empty), empty)
	}
	// Only finished answers (of "slow") may stay.
	for _, name := range all {
		if m, _ := filepath.Match("*-slow.vot", name); !m {
			t.Errorf("result file %s of a search that never finished", name)
		}
	}
}
