package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
)

// The configuration file is watched: a valid change applies to the next
// search, an invalid one is refused with its file:line (the running
// configuration stays, the reason is in the status and the events), a file
// renamed over the old one (as editors save) is taken; the agent keeps
// serving searches throughout.
func TestLiveReload(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:file://"+filepath.Join(dir, "no-hub.lock"))
	t.Setenv("TMPDIR", dir)
	fs := faultsvc.New(t)
	path := filepath.Join(dir, "config.toml")
	write := func(body string) {
		t.Helper()
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil { // as editors save
			t.Fatal(err)
		}
	}
	catalog := func(names ...string) string {
		var b strings.Builder
		b.WriteString("[samp]\nstart_hub = false\n")
		for _, n := range names {
			b.WriteString("[[catalog]]\nname = \"" + n + "\"\nkind = \"scs\"\nurl = \"" + fs.URLOf("/ok?rows=2") + "\"\n")
		}
		return b.String()
	}
	write(catalog("one"))
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a := New(cfg, nil, WithConfigPath(path))
	sub := a.Events().Subscribe(100, events.ConfigReloaded, events.ConfigRejected)
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	time.Sleep(200 * time.Millisecond) // the watcher starts

	next := func() events.Event {
		t.Helper()
		select {
		case e := <-sub.C():
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no configuration event")
		}
		return events.Event{}
	}
	services := func() int {
		reps, err := a.Vicinity(ctx, vicinityAt(10, 20), "test")
		if err != nil {
			t.Fatalf("the agent stopped serving searches: %v", err)
		}
		return reps[0].Search.Answered
	}

	write(catalog("one", "two"))
	if e := next(); e.Type != events.ConfigReloaded {
		t.Fatalf("valid change: %+v", e)
	}
	if n := services(); n != 2 {
		t.Errorf("after the valid change %d services answered, want 2", n)
	}
	write(catalog("one", "two") + "[search]\nconcurrency = 0\n")
	e := next()
	if e.Type != events.ConfigRejected || !strings.Contains(e.Error, "config.toml:") || !strings.Contains(e.Error, "concurrency") {
		t.Fatalf("invalid change: %+v", e)
	}
	if st := a.Status(); !strings.Contains(st.ReloadError, "concurrency") || len(st.Catalogues) != 2 {
		t.Errorf("status after the invalid change: reload error %q, %d catalogues", st.ReloadError, len(st.Catalogues))
	}
	if n := services(); n != 2 {
		t.Errorf("after the invalid change %d services answered, want the 2 of the running configuration", n)
	}
	write(catalog("three"))
	if e := next(); e.Type != events.ConfigReloaded {
		t.Fatalf("renamed-over change: %+v", e)
	}
	if st := a.Status(); st.ReloadError != "" || len(st.Catalogues) != 1 || st.Catalogues[0].Name != "three" {
		t.Errorf("status after the last change: %+v", st.Catalogues)
	}
}
