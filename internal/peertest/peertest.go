// Package peertest decides what a test does when a real peer (a Debian package,
// a running service) that it needs is missing: it skips locally and fails when
// VOAGENT_REQUIRE_PEERS=1, as CI sets it.
package peertest

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether missing peers must fail tests instead of skipping them.
func Required() bool { return os.Getenv("VOAGENT_REQUIRE_PEERS") == "1" }

// Missing skips the test (or fails it when peers are required) with a message
// naming the peer and why it is not usable.
func Missing(t testing.TB, peer, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("peer %s is required (VOAGENT_REQUIRE_PEERS=1) but unusable: %s", peer, why)
	}
	t.Skipf("peer %s absent, skipping: %s (set VOAGENT_REQUIRE_PEERS=1 to fail instead)", peer, why)
}

// Command returns the absolute path of an executable peer, or skips/fails the
// test when it is not installed.
func Command(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, "not on PATH: "+err.Error())
	}
	return p
}

// File returns path when it exists, or skips/fails the test naming the peer
// that should have provided it.
func File(t testing.TB, peer, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, peer, err.Error())
	}
	return path
}

// SystemPython is Debian's interpreter, the one with python3-astropy and
// python3-pyvo (the pyenv python3 on PATH has neither).
const SystemPython = "/usr/bin/python3"

// PythonModule returns SystemPython after checking that it can import module,
// or skips/fails the test.
func PythonModule(t testing.TB, module string) string {
	t.Helper()
	py := File(t, "python3 ("+module+")", SystemPython)
	if out, err := exec.Command(py, "-c", "import "+module).CombinedOutput(); err != nil {
		Missing(t, "python3 module "+module, string(out))
	}
	return py
}
