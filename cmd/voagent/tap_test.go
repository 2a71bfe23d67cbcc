package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/vo/votable"
)

func TestTapCommand(t *testing.T) {
	srv := faultsvc.New(t)
	ft := srv.TAP(30)
	base := srv.URLOf("/tap")
	dir := t.TempDir()

	out, stderr, err := runCLI(t, "tap", base, "SELECT * FROM fake.main", "--format", "csv", "--maxrec", "5")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 6 || lines[0] != "id,ra,dec,name" {
		t.Errorf("CSV output:\n%s", out)
	}
	if !strings.Contains(stderr, "MAXREC=5") {
		t.Errorf("no truncation warning in %q", stderr)
	}

	file := filepath.Join(dir, "out.vot")
	if _, _, err := runCLI(t, "tap", base, "SELECT * FROM fake.main", "--async", "-o", file); err != nil {
		t.Fatal(err)
	}
	doc, err := votable.ReadFile(file)
	if err != nil || doc.Tables()[0].Rows() != 30 {
		t.Fatalf("async result file: %v", err)
	}
	if len(ft.Live()) != 0 {
		t.Errorf("async job left on the service: %v", ft.Live())
	}

	up := filepath.Join(dir, "up.vot")
	if err := os.WriteFile(up, []byte(`<VOTABLE><RESOURCE><TABLE><FIELD name="x" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR><TR><TD>2</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "tap", base, "SELECT * FROM TAP_UPLOAD.mine", "--upload", "mine="+up, "--format", "csv")
	if err != nil || strings.Count(out, "\n") != 3 {
		t.Errorf("upload: %v\n%s", err, out)
	}

	// Errors: the service's message, no output file left behind.
	bad := filepath.Join(dir, "bad.vot")
	_, _, err = runCLI(t, "tap", base, "SELECT FAIL", "-o", bad)
	if err == nil || !strings.Contains(err.Error(), "FAIL requested") || !strings.Contains(err.Error(), base) {
		t.Errorf("error %v", err)
	}
	if _, serr := os.Stat(bad); serr == nil {
		t.Error("output file left after an error")
	}
	for _, args := range [][]string{
		{base},
		{base, "SELECT 1", "--send", "topcat", "--format", "csv"},
		{base, "SELECT 1", "--upload", "noequals"},
		{base, "SELECT 1", "--format", "fits"},
	} {
		if _, _, err := runCLI(t, append([]string{"tap"}, args...)...); err == nil {
			t.Errorf("tap %v accepted", args)
		}
	}

	for flag, want := range map[string]string{"--capabilities": "upload-inline", "--tables": "fake.main", "--examples": "CONTAINS"} {
		out, _, err := runCLI(t, "tap", base, flag)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("%s: %v\n%s", flag, err, out)
		}
	}

	file = filepath.Join(dir, "parts.csv")
	_, stderr, err = runCLI(t, "tap", base, "--partition", "fake.main", "--parts", "3", "-o", file)
	if err != nil || strings.Count(stderr, "rows") != 3 {
		t.Fatalf("partition: %v\n%s", err, stderr)
	}
	data, _ := os.ReadFile(file)
	if strings.Count(string(data), "\n") != 31 {
		t.Errorf("partition CSV has %d lines", strings.Count(string(data), "\n"))
	}
}

// TestTapSend sends a TAP result to a SAMP client (an astropy peer named
// topcat) through a JSAMP hub.
func TestTapSend(t *testing.T) {
	srv := faultsvc.New(t)
	srv.TAP(12)
	e := conntest.NewEnv(t)
	e.JSAMPHub(t)
	t.Setenv("SAMP_HUB", e.Hub)
	peer := e.AstropyPeer(t, "topcat")
	out, _, err := runCLI(t, "tap", srv.URLOf("/tap"), "SELECT * FROM fake.main", "--send", "topcat")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("--send: %v\n%s", err, out)
	}
	m := peer.Next(t)
	params, _ := m["params"].(map[string]any)
	if m["mtype"] != "table.load.votable" || params["name"] != "TAP fake.main" || !strings.HasPrefix(params["url"].(string), "file:///") {
		t.Errorf("peer got %v", m)
	}
	out, _, err = runCLI(t, "tap", srv.URLOf("/tap"), "SELECT TOP 3 * FROM fake.main", "--send", "topcat", "--name", "three rows", "--format", "tabledata")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("--send --name: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	if params["name"] != "three rows" {
		t.Errorf("peer got %v", m)
	}
}

func TestTapTableName(t *testing.T) {
	tests := []struct {
		args      []string
		partition string
		want      string
	}{
		{[]string{"http://h:8080/tap", "SELECT TOP 10 * FROM twomass.psc WHERE j < 10"}, "", "TAP twomass.psc"},
		{[]string{"http://h:8080/tap", "select a.x from\n  gaia.source AS a JOIN b.c"}, "", "TAP gaia.source"},
		{[]string{"http://h:8080/tap", `SELECT * FROM "my table"`}, "", `TAP "my table"`},
		{[]string{"http://h:8080/tap", "SELECT 1"}, "", "TAP h:8080"},
		{[]string{"http://h:8080/tap", "mag < 12"}, "bigcat.main", "TAP bigcat.main"},
		{[]string{"not a url"}, "", "TAP result"},
	}
	for _, tt := range tests {
		if got := tapTableName(tt.args, tt.partition); got != tt.want {
			t.Errorf("tapTableName(%q, %q) = %q, want %q", tt.args, tt.partition, got, tt.want)
		}
	}
}
