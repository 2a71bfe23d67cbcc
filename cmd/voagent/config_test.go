package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/config"
)

func runConfigCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newConfigCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	t.Setenv("IVOA_REGISTRY", "")
	def := filepath.Join(dir, "voagent", "config.toml")
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[search]\n\nconcurrency = 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"path"}, def + " (does not exist", ""},
		{[]string{"validate"}, "OK: no file at " + def, ""},
		{[]string{"show", "--defaults"}, config.DefaultsText(), ""},
		{[]string{"show"}, `ivoid = "ivo://CDS.VizieR/II/246"`, ""},
		{[]string{"init"}, "wrote " + def, ""},
		{[]string{"path"}, def + " (exists)", ""},
		{[]string{"init"}, "", "exists"},
		{[]string{"init", "--force"}, "wrote " + def, ""},
		{[]string{"validate"}, "OK: " + def, ""},
		{[]string{"validate", bad}, "", bad + ":3: search.concurrency must be at least 1"},
		{[]string{"--config", bad, "show"}, "", bad + ":3:"},
		{[]string{"validate", filepath.Join(dir, "missing.toml")}, "", "missing.toml"},
	}
	for _, tc := range tests {
		out, err := runConfigCmd(t, tc.args...)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out, tc.want) {
			t.Errorf("%q: %v, output %q, want %q", tc.args, err, out, tc.want)
		}
	}
}
