package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/uws"
)

// TestTapAsyncKilled runs the real binary's "tap --async" on the testbed,
// kills it with SIGKILL while its job runs, and checks what is left: no
// output file under the asked name, the job in the journal as orphaned,
// "tap job list" showing it and "tap job delete --orphaned" deleting it
// on the service (#14 item 10).
func TestTapAsyncKilled(t *testing.T) {
	in := testbed.RequireBig(t)
	bin := buildVoagent(t)
	home := t.TempDir()
	state := filepath.Join(home, "state")
	env := append(os.Environ(), "HOME="+home, "XDG_STATE_HOME="+state, "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
	out := filepath.Join(home, "big.vot")
	jr := &uws.Journal{Path: filepath.Join(state, "voagent", "jobs.json")}

	cmd := exec.Command(bin, "tap", in.TAP, "SELECT * FROM "+in.BigTable, "--async", "--maxrec", "100000000", "-o", out)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var es []uws.JournalEntry
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for len(es) == 0 {
		if ctx.Err() != nil {
			t.Fatal("the job never showed in the journal")
		}
		time.Sleep(50 * time.Millisecond)
		es, _ = jr.List()
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s exists after the kill (the result was not complete)", out)
	}
	es, err := jr.List()
	if err != nil || len(es) != 1 || !es[0].Orphaned() || es[0].Query != "SELECT * FROM "+in.BigTable {
		t.Fatalf("journal %+v, %v; want the killed run's job, orphaned", es, err)
	}
	if fi, err := os.Stat(jr.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v %v", fi.Mode(), err)
	}
	jobURL := es[0].URL
	run := func(args ...string) (string, error) {
		c := exec.CommandContext(ctx, bin, args...)
		c.Env = env
		b, err := c.CombinedOutput()
		return string(b), err
	}
	list, err := run("tap", "job", "list")
	if err != nil || !strings.Contains(list, jobURL) || !strings.Contains(list, "orphaned") {
		t.Errorf("tap job list: %v\n%s", err, list)
	}
	if note, _ := run("tap", in.TAP, "SELECT TOP 1 * FROM "+in.BigTable, "--async", "-o", filepath.Join(home, "one.vot")); !strings.Contains(note, "left by earlier runs") {
		t.Errorf("the next async run says nothing of the orphaned job:\n%s", note)
	}
	if msg, err := run("tap", "job", "delete", "--orphaned"); err != nil || !strings.Contains(msg, jobURL) {
		t.Errorf("tap job delete --orphaned: %v\n%s", err, msg)
	}
	if es, _ := jr.List(); len(es) != 0 {
		t.Errorf("journal after delete: %+v", es)
	}
	if msg, err := run("tap", "job", "show", jobURL); err == nil {
		t.Errorf("the job is still on the service after delete:\n%s", msg)
	}
	// The killed run's temporary goes when the output is next written.
	if msg, err := run("tap", in.TAP, "SELECT TOP 3 * FROM "+in.BigTable, "-o", out); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	left, _ := filepath.Glob(filepath.Join(home, ".big.vot.part-*"))
	if len(left) != 0 {
		t.Errorf("temporaries left: %v", left)
	}
}
