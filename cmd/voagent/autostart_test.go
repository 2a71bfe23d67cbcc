package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallAutostart installs and removes both kinds in a temporary HOME.
func TestInstallAutostart(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	tests := []struct {
		name  string
		flags []string
		files []string
	}{
		{"xdg", nil, []string{".config/autostart/voagent.desktop"}},
		{"systemd", []string{"--systemd"}, []string{".config/systemd/user/voagent.service", ".config/systemd/user/default.target.wants/voagent.service"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"install-autostart", "--config", "my.toml"}, tt.flags...)
			out, _, err := runCLI(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.files {
				p := filepath.Join(home, f)
				if !strings.Contains(out, "wrote "+p) {
					t.Errorf("output %q does not name %s", out, p)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				cwd, _ := os.Getwd()
				if !strings.Contains(string(b), " --config "+filepath.Join(cwd, "my.toml")) {
					t.Errorf("%s does not run voagent with the absolute configuration path:\n%s", p, b)
				}
			}
			if tt.name == "systemd" {
				if sa, err := exec.LookPath("systemd-analyze"); err == nil {
					// The unit's syntax as systemd reads it (the executable is the test binary).
					cmd := exec.Command(sa, "verify", "--user", filepath.Join(home, tt.files[0]))
					if b, err := cmd.CombinedOutput(); err != nil && strings.Contains(string(b), "voagent.service:") {
						t.Errorf("systemd-analyze verify: %v\n%s", err, b)
					}
				}
			}
			out, _, err = runCLI(t, append([]string{"install-autostart", "--remove"}, tt.flags...)...)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.files {
				p := filepath.Join(home, f)
				if _, err := os.Lstat(p); !os.IsNotExist(err) {
					t.Errorf("%s still there after --remove", p)
				}
				if !strings.Contains(out, "removed "+p) {
					t.Errorf("--remove output %q does not name %s", out, p)
				}
			}
			out, _, err = runCLI(t, append([]string{"install-autostart", "--remove"}, tt.flags...)...)
			if err != nil || !strings.Contains(out, "nothing to remove") {
				t.Errorf("second --remove: %q, %v", out, err)
			}
		})
	}
}

// TestVersion: `voagent version` and `voagent --version` print the same line.
func TestVersion(t *testing.T) {
	a, _, err := runCLI(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := runCLI(t, "--version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a, "voagent ") || a != b {
		t.Errorf("version printed %q, --version %q; want the same \"voagent ...\" line", a, b)
	}
}
