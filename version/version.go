// Package version is voagent's version and the commit it was built from:
// set with -ldflags "-X github.com/voagent/voagent/version.Version=...
// -X github.com/voagent/voagent/version.Commit=..." (the Makefile does),
// else the commit is read from the build's VCS stamp
// (debug.ReadBuildInfo, vcs.revision).
package version

import (
	"runtime/debug"
)

// Version is voagent's version.
var Version = "0.3.0-dev"

// Commit is the commit built ("" to read it from the build information).
var Commit = ""

// String is "VERSION (commit COMMIT[, modified])", or "VERSION" when the
// commit is unknown.
func String() string {
	commit, modified := Commit, false
	if commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					commit = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
		}
	}
	if commit == "" {
		return Version
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if modified {
		return Version + " (commit " + commit + ", modified)"
	}
	return Version + " (commit " + commit + ")"
}
