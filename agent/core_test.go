package agent

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/vo/votable"
)

// positionsTable is a held table whose rows are at (10+i/100, 20).
func heldTable(t *testing.T, a *Agent, id string, n int) *Table {
	t.Helper()
	pos := make([]Position, n)
	for i := range pos {
		pos[i] = Position{RA: 10 + float64(i)/100, Dec: 20}
	}
	tab := &Table{ID: id, URL: "file:///nowhere/" + id, Data: positionsTable(pos), Received: time.Now()}
	a.Tables().Put(tab)
	return tab
}

// Clicking through 100 rows quickly starts services for few of them, never
// leaves more than one search running, and the one that runs to its end is
// the last row's; the same row highlighted again starts nothing.
func TestHighlightPacing(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	fs := faultsvc.New(t)
	cfg := config.Default()
	cfg.Catalogs = []config.Catalog{{Name: "slow", Kind: "scs", URL: fs.URLOf("/slow?rows=3&delay=20ms")}}
	a := New(cfg, nil)
	defer a.shutdown(nil)
	sub := a.Events().Subscribe(1000, events.SearchStarted, events.SearchFinished)
	defer sub.Close()
	heldTable(t, a, "rows", 100)
	ctx := context.Background()
	for row := range 100 {
		if err := a.Highlight(ctx, TableRef{ID: "rows"}, row); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	started, running, maxRunning := 0, 0, 0
	var last events.Event
	timeout := time.After(30 * time.Second)
	for last.Type == "" || last.Superseded {
		select {
		case e := <-sub.C():
			switch e.Type {
			case events.SearchStarted:
				started++
				running++
				maxRunning = max(maxRunning, running)
			case events.SearchFinished:
				running--
				last = e
			}
		case <-timeout:
			t.Fatalf("no search ran to its end: %d started", started)
		}
	}
	if started > 10 {
		t.Errorf("%d searches started for 100 rows clicked through in about 0.3 s", started)
	}
	if maxRunning > 1 {
		t.Errorf("%d searches ran at once", maxRunning)
	}
	st := a.Status()
	if len(st.Recent) == 0 || st.Recent[0].RA != 10.99 || st.Recent[0].Superseded {
		t.Errorf("the search that finished is %+v, want the last row's (RA 10.99)", st.Recent[0])
	}
	if len(st.Running) != 0 {
		t.Errorf("still running: %+v", st.Running)
	}
	// Superseded searches leave no file behind: one per finished search.
	if files, _ := os.ReadDir(a.ResultsDir()); len(files) != 1 {
		t.Errorf("%d result files after one search ran to its end", len(files))
	}
	// The same row again at once: no new search.
	before := fs.Count("/slow")
	if err := a.Highlight(ctx, TableRef{ID: "rows"}, 99); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := fs.Count("/slow"); n != before {
		t.Errorf("a repeated highlight of the same row asked the service again (%d -> %d)", before, n)
	}
	// Errors name what was wrong.
	if err := a.Highlight(ctx, TableRef{ID: "rows"}, 100); err == nil {
		t.Error("row 100 of 100 accepted")
	}
	if err := a.Highlight(ctx, TableRef{ID: "nope"}, 0); err == nil {
		t.Error("an unknown table without url accepted")
	}
}

// A file: URL naming something that is not a regular file (a FIFO that
// never ends, a directory) is refused before it is opened.
func TestLoadTableRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	a := New(config.Default(), nil)
	for _, p := range []string{fifo, dir, "/dev/zero"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := a.LoadTable(ctx, "file://"+p, "x", "", "test")
		cancel()
		if err == nil {
			t.Errorf("%s was read as a table", p)
		}
	}
	good := filepath.Join(dir, "t.vot")
	f, _ := os.Create(good)
	votable.WriteTable(f, positionsTable([]Position{{RA: 1, Dec: 2}}), votable.TableData)
	f.Close()
	tab, err := a.LoadTable(context.Background(), "file://"+good, "", "mine", "test")
	if err != nil || tab.Data.Rows() != 1 || tab.ID != "file://"+good {
		t.Fatalf("a good table: %v, %+v", err, tab)
	}
}

// Result directories of voagent processes that are gone are removed at
// start; those of live processes stay.
func TestRemoveDeadResults(t *testing.T) {
	base := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(base, resultsPrefix+strconv.Itoa(cmd.Process.Pid)+"-123")
	live := filepath.Join(base, resultsPrefix+strconv.Itoa(os.Getppid())+"-456")
	other := filepath.Join(base, "voagent-resultsX")
	for _, d := range []string{dead, live, other} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	removeDeadResults(base, slog.New(slog.DiscardHandler))
	for d, want := range map[string]bool{dead: false, live: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", d, err == nil, want)
		}
	}
}

// The control socket is 0600 in a 0700 directory; a second agent on the
// same socket is refused while the first answers; a stale socket is
// replaced.
func TestControlSocketPlace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	path := filepath.Join(dir, "control.sock")
	ctx := context.Background()
	ln, err := ListenControl(ctx, path, os.Getuid(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600 | os.ModeSocket} {
		if st, err := os.Stat(p); err != nil || st.Mode() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, st.Mode(), want, err)
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if _, err := ListenControl(ctx, path, os.Getuid(), nil); err == nil {
		t.Error("a second agent took a live control socket")
	}
	ln.(*credListener).Listener.(interface{ SetUnlinkOnClose(bool) }).SetUnlinkOnClose(false)
	ln.Close() // leaves a stale socket file
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no stale socket to test with: %v", err)
	}
	ln2, err := ListenControl(ctx, path, os.Getuid(), nil)
	if err != nil {
		t.Fatalf("a stale socket was not replaced: %v", err)
	}
	ln2.Close()
}

// A connection from another user is refused by its peer credentials, even
// when the file permissions would let it through.
func TestControlRefusesOtherUsers(t *testing.T) {
	a := New(config.Default(), nil)
	// Not t.TempDir(): its parent is closed to other users.
	dir, err := os.MkdirTemp("", "voagent-control-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "c.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Allow a uid that is not ours: our own connection must be refused.
	ln, err := ListenControl(ctx, path, os.Getuid()+1, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serveControl(ctx, ln, path) }()
	c := newTestClient(path)
	if _, err := c.Status(ctx); err == nil {
		t.Error("a connection from another uid got an answer")
	}
	cancel()
	<-done

	// With a real second user (needs root and setpriv): the socket and its
	// directory opened to everyone, the peer check alone refuses.
	if os.Getuid() != 0 {
		t.Log("not root: the real second-user check is skipped")
		return
	}
	setpriv := peertest.Command(t, "setpriv")
	curl := peertest.Command(t, "curl")
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	ln, err = ListenControl(ctx, path, os.Getuid(), nil)
	if err != nil {
		t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() { done <- a.serveControl(ctx, ln, path) }()
	os.Chmod(dir, 0o777)
	os.Chmod(path, 0o777)
	status := func(asNobody bool) (string, error) {
		args := []string{"-sS", "--max-time", "5", "--unix-socket", path, "http://voagent" + api.PathStatus}
		cmd := exec.Command(curl, args...)
		if asNobody {
			cmd = exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", curl}, args...)...)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := status(false); err != nil {
		t.Fatalf("our own user was refused: %v %s", err, out)
	}
	if out, err := status(true); err == nil {
		t.Errorf("user nobody got an answer: %s", out)
	} else {
		t.Logf("user nobody: %v: %s", err, out)
	}
	cancel()
	<-done
}
