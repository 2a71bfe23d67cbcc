package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
)

// runBinary runs the real voagent binary and returns its exit code, its
// stderr and its peak RSS in bytes.
func runBinary(t *testing.T, bin string, args ...string) (code int, stderr string, rss int64) {
	t.Helper()
	// The peak RSS comes from GNU time, whose child the binary is: a
	// process forked from this (large) test process would report the
	// test's own RSS as its peak (Linux keeps the high-water mark of the
	// address space it replaced at exec).
	timeBin := peertest.Command(t, "time")
	report := filepath.Join(t.TempDir(), "rss")
	cmd := exec.Command(timeBin, append([]string{"-f", "%M", "-o", report, bin}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	var eb bytes.Buffer
	cmd.Stderr = &eb
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running %v: %v", args, err)
		}
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("GNU time's report: %v", err)
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		t.Fatalf("GNU time's report is empty")
	}
	kb, err := strconv.ParseInt(f[len(f)-1], 10, 64)
	if err != nil {
		t.Fatalf("GNU time's report %q: %v", b, err)
	}
	return cmd.ProcessState.ExitCode(), eb.String(), kb * 1024
}

// TestVotableInfoDeepGroups: 2M nested GROUPs (a few tens of KB gzipped)
// killed `votable info` with a stack overflow after 4 s and 1 GB RSS; the
// real binary must now stop at the nesting limit with a clear error.
func TestVotableInfoDeepGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildVoagent(t)
	const n = 2_000_000
	var raw bytes.Buffer
	raw.WriteString(`<VOTABLE version="1.4"><RESOURCE>`)
	raw.WriteString(strings.Repeat("<GROUP>", n))
	raw.WriteString(strings.Repeat("</GROUP>", n))
	raw.WriteString(`</RESOURCE></VOTABLE>`)
	path := filepath.Join(t.TempDir(), "deep.vot.gz")
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw.Bytes())
	zw.Close()
	if err := os.WriteFile(path, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d nested GROUPs: %d bytes gzipped", n, gz.Len())
	code, stderr, rss := runBinary(t, bin, "votable", "info", path)
	if code != 1 {
		t.Errorf("exit status %d, want 1; stderr:\n%.2000s", code, stderr)
	}
	for _, want := range []string{"nested 257 deep", "<GROUP>", "limit is 256"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%.2000s", want, stderr)
		}
	}
	if strings.Contains(stderr, "goroutine") {
		t.Errorf("a crash, not an error:\n%.2000s", stderr)
	}
	if rss > 200<<20 {
		t.Errorf("peak RSS %d MB, want it bounded (under 200 MB)", rss>>20)
	}
	t.Logf("exit %d, peak RSS %d MB, stderr %q", code, rss>>20, strings.TrimSpace(stderr))
}

// TestVotableInfoGzipBomb: the real binary given a gzipped VOTable whose
// one cell decompresses to 1 GiB (1 MB on disk) stops at the row limit,
// counted on the decompressed side, with an error saying so and a bounded
// peak RSS (issue 14 item 4: it read on at 850 MB and more, ignoring
// SIGTERM).
func TestVotableInfoGzipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildVoagent(t)
	path := filepath.Join(t.TempDir(), "bomb.vot.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	zw.Write([]byte(`<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="s" datatype="char" arraysize="*"/><DATA><TABLEDATA><TR><TD>`))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range 1024 {
		zw.Write(chunk)
	}
	zw.Write([]byte(`</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`))
	zw.Close()
	f.Close()
	code, stderr, rss := runBinary(t, bin, "votable", "info", path)
	if code != 1 || !strings.Contains(stderr, "limit") || strings.Contains(stderr, "goroutine") {
		t.Errorf("exit status %d, want 1 with an error naming the limit; stderr:\n%.2000s", code, stderr)
	}
	if rss > 400<<20 {
		t.Errorf("peak RSS %d MB for a 1 GiB cell, want it bounded by the row limit (under 400 MB)", rss>>20)
	}
	t.Logf("exit %d, peak RSS %d MB, stderr %q", code, rss>>20, strings.TrimSpace(stderr))
}
