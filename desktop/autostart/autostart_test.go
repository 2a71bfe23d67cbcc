package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallRemove(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	tests := []struct {
		name    string
		systemd bool
		path    string
		want    []string
	}{
		{"xdg", false, ".config/autostart/voagent.desktop", []string{"[Desktop Entry]", "Type=Application", `Exec="/opt/my tools/voagent" run`}},
		{"systemd", true, ".config/systemd/user/voagent.service", []string{"[Service]", `ExecStart="/opt/my tools/voagent" run`, "WantedBy=graphical-session.target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Install("/opt/my tools/voagent", tt.systemd)
			if err != nil {
				t.Fatal(err)
			}
			if p != filepath.Join(home, tt.path) {
				t.Errorf("path %s, want under %s", p, tt.path)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s lacks %q:\n%s", p, w, b)
				}
			}
			removed, err := Remove()
			if err != nil || len(removed) != 1 || removed[0] != p {
				t.Errorf("Remove = %v, %v; want [%s]", removed, err, p)
			}
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("%s still there: %v", p, err)
			}
		})
	}
	if _, err := Install("voagent", false); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("a relative executable: %v", err)
	}
	if removed, err := Remove(); err != nil || len(removed) != 0 {
		t.Errorf("Remove with nothing installed = %v, %v", removed, err)
	}
}
