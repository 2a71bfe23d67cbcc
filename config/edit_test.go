package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetValue(t *testing.T) {
	tests := []struct {
		name, in, section, key, value, want string
	}{
		{"replace keeps comments", "# mine\n[spectra]\n# auto\non_select = false # c\nsend_to = \"splat\"\n",
			"spectra", "on_select", "true", "# mine\n[spectra]\n# auto\non_select = true\nsend_to = \"splat\"\n"},
		{"other section untouched", "[vicinity]\nenabled = true\n[notify]\nenabled = true\n",
			"notify", "enabled", "false", "[vicinity]\nenabled = true\n[notify]\nenabled = false\n"},
		{"added under header", "[vicinity]\n# x\nenabled = true\n",
			"vicinity", "point_at", `""`, "[vicinity]\npoint_at = \"\"\n# x\nenabled = true\n"},
		{"section appended", "# only a comment",
			"notify", "enabled", "false", "# only a comment\n\n[notify]\nenabled = false\n"},
		{"empty file", "", "notify", "enabled", "true", "[notify]\nenabled = true\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := setValue(tt.in, tt.section, tt.key, tt.value); got != tt.want {
				t.Errorf("setValue =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestSetValueFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "voagent.toml")
	if err := os.WriteFile(path, []byte("# my settings\n[spectra]\non_select = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetValue(path, "spectra", "on_select", "true"); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil || !cfg.Spectra.OnSelect {
		t.Fatalf("after SetValue: on_select %v, %v", cfg.Spectra.OnSelect, err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "# my settings\n") {
		t.Errorf("comment lost:\n%s", b)
	}
	err = SetValue(path, "spectra", "on_select", `"yes"`)
	if err == nil || !strings.Contains(err.Error(), "spectra.on_select") {
		t.Errorf("a bad value: error %v, want one naming spectra.on_select", err)
	}
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Errorf("a refused value changed the file")
	}
}
