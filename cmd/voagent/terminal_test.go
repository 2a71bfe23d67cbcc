package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/testbed"
)

// A table written to a terminal comes out as CSV (a binary VOTable is no
// use on a screen); redirected, it is the service's VOTable as before.
func TestTableToTerminalIsCSV(t *testing.T) {
	in := testbed.Require(t)
	script := peertest.Command(t, "script") // a pseudo-terminal (bsdutils)
	bin := buildVoagent(t)
	query := "SELECT TOP 3 ra, dec FROM " + in.Catalogs[0].Table
	// script(1) runs the command on a pseudo-terminal.
	out, err := exec.Command(script, "-qec", bin+" tap "+in.TAP+" '"+query+"' 2>/dev/null", "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(out), "\r", "")), "\n")
	if len(lines) != 4 || lines[0] != "ra,dec" || strings.Contains(string(out), "VOTABLE") {
		t.Errorf("to a terminal:\n%s", out)
	}
	out, err = exec.Command(bin, "tap", in.TAP, query).Output()
	if err != nil || !strings.Contains(string(out), "<VOTABLE") {
		t.Errorf("redirected: %v\n%.300s", err, out)
	}
}
