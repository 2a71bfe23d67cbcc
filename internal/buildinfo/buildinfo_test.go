package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name, version string
		bi            *debug.BuildInfo
		want, short   string
	}{
		{"no build info", DefaultVersion, nil, "voagent " + DefaultVersion, DefaultVersion},
		{"ldflags version and commit", "1.4.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}},
			"voagent 1.4.0 (commit 0123456789ab, go1.26.8)", "1.4.0+0123456789ab"},
		{"modified tree", "dev", &debug.BuildInfo{GoVersion: "go1.26.8",
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			"voagent dev (commit abc, modified, go1.26.8)", "dev+abc"},
		{"module version when not set", DefaultVersion, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.1"}},
			"voagent v0.3.1 (go1.26.8)", "v0.3.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fromBuildInfo(tt.version, func() (*debug.BuildInfo, bool) { return tt.bi, tt.bi != nil })
			if got := in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := in.Short(); got != tt.short {
				t.Errorf("Short() = %q, want %q", got, tt.short)
			}
		})
	}
}
