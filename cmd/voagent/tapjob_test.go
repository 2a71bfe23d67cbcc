package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
)

func TestReadQueryArg(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "q.adql")
	os.WriteFile(f, []byte("\nSELECT TOP 1 * FROM t\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.adql"), nil, 0o644)
	for _, c := range []struct {
		arg, stdin, want string
		err              bool
	}{
		{"SELECT 1", "", "SELECT 1", false},
		{"@" + f, "", "SELECT TOP 1 * FROM t", false},
		{"-", "SELECT 2\n", "SELECT 2", false},
		{"@" + filepath.Join(dir, "missing.adql"), "", "", true},
		{"@" + filepath.Join(dir, "empty.adql"), "", "", true},
		{"-", "  \n", "", true},
	} {
		got, err := readQueryArg(strings.NewReader(c.stdin), c.arg)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("readQueryArg(%q) = %q, %v; want %q (error %v)", c.arg, got, err, c.want, c.err)
		}
	}
}

func TestParseDestruction(t *testing.T) {
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"48h", now.Add(48 * time.Hour), false},
		{"2026-12-24T12:00:00Z", time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC), false},
		{"2020-01-01T00:00:00Z", time.Time{}, true},
		{"-1h", time.Time{}, true},
		{"tomorrow", time.Time{}, true},
	} {
		got, err := parseDestruction(c.in, now)
		if (err != nil) != c.err || !got.Equal(c.want) {
			t.Errorf("parseDestruction(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

// TestTapJobResume: a job kept with --keep (query from a file, with
// --duration and --destruction) is shown, waited for, fetched and deleted
// by "tap job", and the result equals the sync query's.
func TestTapJobResume(t *testing.T) {
	in := testbed.Require(t)
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	qf := filepath.Join(dir, "q.adql")
	os.WriteFile(qf, []byte("SELECT TOP 5 * FROM "+in.EPNTable+" ORDER BY granule_uid"), 0o644)
	_, stderr, err := runCLI(t, "tap", in.TAP, "@"+qf, "--async", "--keep", "--duration", "30m", "--destruction", "24h",
		"-o", filepath.Join(dir, "first.csv"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`job: (\S+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no job URL printed:\n%s", stderr)
	}
	jobURL := m[1]
	list, _, err := runCLI(t, "tap", "job", "list")
	if err != nil || !strings.Contains(list, jobURL) || !strings.Contains(list, "kept") {
		t.Errorf("tap job list: %v\n%s", err, list)
	}
	show, _, err := runCLI(t, "tap", "job", "show", jobURL)
	if err != nil || !strings.Contains(show, "COMPLETED") || !strings.Contains(show, "execution duration") {
		t.Errorf("tap job show: %v\n%s", err, show)
	}
	if out, _, err := runCLI(t, "tap", "job", "wait", jobURL); err != nil || !strings.Contains(out, "COMPLETED") {
		t.Errorf("tap job wait: %v %s", err, out)
	}
	second := filepath.Join(dir, "second.csv")
	if _, _, err := runCLI(t, "tap", "job", "fetch", jobURL, "-o", second, "--delete"); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "first.csv"))
	b, _ := os.ReadFile(second)
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("fetched result differs from the first:\n%s\n---\n%s", a, b)
	}
	if _, _, err := runCLI(t, "tap", "job", "show", jobURL); err == nil {
		t.Errorf("job still there after fetch --delete")
	}
	if list, _, _ := runCLI(t, "tap", "job", "list"); strings.Contains(list, jobURL) {
		t.Errorf("journal still lists the deleted job:\n%s", list)
	}
}
