package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallRemove(t *testing.T) {
	tests := []struct {
		name    string
		systemd bool
		args    []string
		files   func(home string) []string
		want    []string // lines the main file must hold
	}{
		{"xdg", false, nil, func(h string) []string { return []string{DesktopPath(h)} },
			[]string{"[Desktop Entry]", "Type=Application", `Exec="/opt/vo agent/voagent" run --log-file state`}},
		{"xdg with config", false, []string{"--config", "/home/u/my vo.toml"}, func(h string) []string { return []string{DesktopPath(h)} },
			[]string{`Exec="/opt/vo agent/voagent" run --log-file state --config "/home/u/my vo.toml"`}},
		{"systemd", true, nil, func(h string) []string { return []string{UnitPath(h), WantsPath(h)} },
			[]string{"[Service]", `ExecStart="/opt/vo agent/voagent" run`, "WantedBy=default.target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			o := Options{Exe: "/opt/vo agent/voagent", Args: tt.args, Systemd: tt.systemd, ConfigHome: home}
			got, err := Install(o)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.files(home)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("Install wrote %v, want %v", got, want)
			}
			b, err := os.ReadFile(want[0]) // through the link too for systemd
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(b), "\n")
			for _, w := range tt.want {
				if !contains(lines, w) {
					t.Errorf("%s lacks the line %q:\n%s", want[0], w, b)
				}
			}
			if tt.systemd {
				if dst, err := os.Readlink(want[1]); err != nil || dst != want[0] {
					t.Errorf("enable link %s -> %q (%v), want %s", want[1], dst, err, want[0])
				}
			}
			// Installing twice replaces.
			if _, err := Install(o); err != nil {
				t.Fatalf("second install: %v", err)
			}
			removed, err := Remove(o)
			if err != nil {
				t.Fatal(err)
			}
			if len(removed) != len(want) {
				t.Errorf("Remove removed %v, want %v", removed, want)
			}
			for _, p := range want {
				if _, err := os.Lstat(p); !os.IsNotExist(err) {
					t.Errorf("%s still there after Remove (%v)", p, err)
				}
			}
			if removed, err := Remove(o); err != nil || len(removed) != 0 {
				t.Errorf("Remove with nothing installed = %v, %v; want nothing, nil", removed, err)
			}
		})
	}
}

func TestInstallRefusesRelativeExe(t *testing.T) {
	_, err := Install(Options{Exe: "voagent", ConfigHome: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), `"voagent"`) {
		t.Fatalf("Install with a relative executable: %v, want an error naming it", err)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/usr/bin/voagent", "/usr/bin/voagent"},
		{"a b", `"a b"`},
		{`x"$y`, `"x\"\$y"`},
		{"50%", `"50%%"`},
		{"", `""`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestConfigHome(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/conf")
	if h, _ := ConfigHome(); h != "/x/conf" {
		t.Errorf("ConfigHome with XDG_CONFIG_HOME = %s", h)
	}
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", home)
	if h, _ := ConfigHome(); h != filepath.Join(home, ".config") {
		t.Errorf("ConfigHome without XDG_CONFIG_HOME = %s", h)
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
