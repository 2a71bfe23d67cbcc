package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name, text, wantErr string
		check               func(Config) bool
	}{
		{name: "overrides", text: "[samp]\nstart_hub = false\ncall_timeout = \"5s\"\n[search]\nconcurrency = 8\n",
			check: func(c Config) bool {
				return !c.SAMP.StartHub && c.SAMP.CallTimeout.Duration == 5*time.Second && c.Search.Concurrency == 8 && c.SAMP.Name == "voagent"
			}},
		{name: "syntax error names the line", text: "[samp]\nname = \n", wantErr: "config.toml:2"},
		{name: "unknown key", text: "[samp]\nnmae = \"x\"\n", wantErr: "unknown setting \"samp.nmae\""},
		{name: "bad duration", text: "[search]\ntimeout = \"soon\"\n", wantErr: "bad duration"},
		{name: "range", text: "[search]\nconcurrency = 0\n", wantErr: "search.concurrency"},
		{name: "catalogues", text: "[vicinity]\nsend_to = \"\"\n[[catalog]]\nname = \"2MASS\"\nkind = \"scs\"\nurl = \"http://127.0.0.1:8080/twomass/q/cone/scs.xml\"\n" +
			"[[catalog]]\nname = \"AllWISE\"\nkind = \"tap\"\nurl = \"http://127.0.0.1:8080/tap\"\ntable = \"allwise.source\"\nradius_arcsec = 10\n",
			check: func(c Config) bool {
				return len(c.Catalogs) == 2 && c.Catalogs[1].Table == "allwise.source" && c.Catalogs[1].RadiusArcsec == 10 &&
					c.Vicinity.SendTo == "" && c.Vicinity.Enabled && c.Vicinity.PointAt == "aladin"
			}},
		{name: "catalogue kind", text: "[[catalog]]\nname = \"x\"\nkind = \"sia\"\nurl = \"http://h/\"\n", wantErr: `catalog 1 ("x"): kind "sia" must be one of ["scs" "tap"]`},
		{name: "images", text: "[[images]]\nname = \"DSS\"\nkind = \"sia\"\nurl = \"http://h/siap\"\n",
			check: func(c Config) bool {
				return len(c.Images) == 1 && c.Images[0].Kind == "sia" && c.Vicinity.ImagesTo == "aladin"
			}},
		{name: "image kind", text: "[[images]]\nname = \"x\"\nkind = \"scs\"\nurl = \"http://h/\"\n", wantErr: `images 1 ("x"): kind "scs"`},
		{name: "catalogue url", text: "[[catalog]]\nname = \"x\"\nkind = \"scs\"\nurl = \"ftp://h/\"\n", wantErr: "not an http(s) URL"},
		{name: "tap without table", text: "[[catalog]]\nname = \"x\"\nkind = \"tap\"\nurl = \"http://h/tap\"\n", wantErr: "needs table"},
		{name: "resolver", text: "[resolver]\nurl = \"http://127.0.0.1:9/sesame\"\n",
			check: func(c Config) bool { return c.Resolver.URL == "http://127.0.0.1:9/sesame" }},
		{name: "resolver url", text: "[resolver]\nurl = \"sesame\"\n", wantErr: "resolver.url \"sesame\" is not an http(s) URL"},
		{name: "duplicate name", text: "[[catalog]]\nname = \"x\"\nkind = \"scs\"\nurl = \"http://h/\"\n[[catalog]]\nname = \"x\"\nkind = \"scs\"\nurl = \"http://h/\"\n", wantErr: "used twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "config.toml")
			if err := os.WriteFile(p, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(cfg) {
				t.Fatalf("unexpected config %+v", cfg)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.toml")); err == nil {
		t.Fatal("an explicit missing file must be an error")
	}
	if err := Default().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}
