// Package buildinfo says which voagent this is: its version (set by the
// Makefile with -ldflags "-X github.com/voagent/voagent/internal/buildinfo.Version=...")
// and the commit it was built from (vcs.revision, as the Go toolchain records
// it in the binary).
package buildinfo

import (
	"fmt"
	"runtime/debug"
)

// DefaultVersion is the version of a build the Makefile did not stamp.
const DefaultVersion = "0.3.0-dev"

// Version is voagent's version; the Makefile overrides it with -ldflags -X.
// Left at DefaultVersion, the module version from the build information is
// used when there is one (go install ...@vX.Y.Z).
var Version = DefaultVersion

// Commit is the commit the Makefile stamps with -ldflags -X, used when the
// toolchain recorded no vcs.revision (GOFLAGS=-buildvcs=false, a build
// outside the repository).
var Commit = ""

// Info is what a build knows about itself.
type Info struct {
	// Version is the release or "dev".
	Version string
	// Revision is the VCS commit ("" when unknown); Modified says the work
	// tree had uncommitted changes.
	Revision string
	Modified bool
	// GoVersion is the toolchain that built the binary.
	GoVersion string
}

// Read returns the running binary's build information.
func Read() Info {
	in := fromBuildInfo(Version, debug.ReadBuildInfo)
	if in.Revision == "" {
		in.Revision = Commit
	}
	return in
}

// fromBuildInfo builds an Info from version and what read returns.
func fromBuildInfo(version string, read func() (*debug.BuildInfo, bool)) Info {
	in := Info{Version: version}
	bi, ok := read()
	if !ok {
		return in
	}
	in.GoVersion = bi.GoVersion
	if in.Version == DefaultVersion && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		in.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// String is the one line `voagent --version` prints: "voagent 1.2.3 (commit
// 0123abcd4567, modified, go1.26.8)".
func (in Info) String() string {
	s := "voagent " + in.Version
	var extra []string
	if in.Revision != "" {
		rev := in.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		extra = append(extra, "commit "+rev)
		if in.Modified {
			extra = append(extra, "modified")
		}
	}
	if in.GoVersion != "" {
		extra = append(extra, in.GoVersion)
	}
	if len(extra) > 0 {
		s += " ("
		for i, e := range extra {
			if i > 0 {
				s += ", "
			}
			s += e
		}
		s += ")"
	}
	return s
}

// Short is the version and the commit only, e.g. "1.2.3+0123abcd4567".
func (in Info) Short() string {
	if in.Revision == "" {
		return in.Version
	}
	rev := in.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return fmt.Sprintf("%s+%s", in.Version, rev)
}
