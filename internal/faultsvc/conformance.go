package faultsvc

import (
	"os"
	"path/filepath"
	"testing"
)

// Conformance returns the path of a recorded document under
// ../shared/conformance (relative to the repository root), e.g.
// Conformance(t, "pyvo/io/uws/tests/data/job.xml"). The test is skipped when
// ../shared is absent (a fresh clone); it is reference material, not a peer.
func Conformance(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Skipf("recorded documents unavailable: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("recorded documents unavailable: repository root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "conformance", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("recorded document %s absent (../shared not present): %v", rel, err)
	}
	return p
}
