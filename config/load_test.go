package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestErrorLines checks that every kind of error names the file, the line
// of the offending setting and the key.
func TestErrorLines(t *testing.T) {
	cat := func(name, kv string) string {
		return "\n[[catalog]]\nname = \"" + name + "\"\nkind = \"scs\"\n" + kv + "\n"
	}
	tests := []struct {
		name, text string
		line       int
		key, msg   string
	}{
		{"range", "[samp]\nname = \"x\"\n\n[search]\ntimeout = \"5s\"\nconcurrency = 0\n", 6, "search.concurrency", "search.concurrency must be at least 1, not 0"},
		{"second catalogue url", cat("2MASS", "url = \"http://h/cone\"") + cat("AllWISE", "url = \"x\""), 10, "catalog[2].url", `catalog 2 ("AllWISE"): url "x" is not an http(s) URL`},
		{"catalogue both", cat("A", "url = \"http://h/\"\nivoid = \"ivo://x/y\""), 6, "catalog[1].ivoid", "not both"},
		{"catalogue neither", "# comment\n" + cat("A", ""), 3, "catalog[1]", "give url or ivoid"},
		{"ivoid scheme", cat("A", "ivoid = \"http://x/y\""), 5, "catalog[1].ivoid", `ivoid "http://x/y" does not start with ivo://`},
		{"ivoid on tap", "[[catalog]]\nname = \"T\"\nkind = \"tap\"\ntable = \"t\"\nivoid = \"ivo://x/tap\"\n", 5, "catalog[1].ivoid", "kind \"scs\" only"},
		{"unknown key", "[samp]\nname = \"x\"\nnmae = \"y\"\n", 3, "samp.nmae", `unknown setting "samp.nmae"`},
		{"unknown key in list", cat("A", "url = \"http://h/\"") + cat("B", "url = \"http://h/\"\ncolour = 1"), 11, "catalog.colour", `unknown setting "catalog.colour"`},
		{"registry url", "[spectra]\nmax_rows = 3\n[registry]\nurl = \"reg\"\n", 4, "registry.url", "registry.url \"reg\" is not an http(s) URL"},
		{"bad duration", "[samp]\n\ncall_timeout = \"soon\"\n", 3, "", "bad duration"},
		{"syntax", "[samp]\nname = \n", 2, "", ""},
		{"dotted key", "samp.call_timeout = \"0s\"\n", 1, "samp.call_timeout", "must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.text)
			_, err := Load(p)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want a *FileError", err, err)
			}
			if fe.Line != tc.line || fe.Key != tc.key || fe.Path != p {
				t.Errorf("got %s line %d key %q, want line %d key %q", fe.Path, fe.Line, fe.Key, tc.line, tc.key)
			}
			if want := fmt.Sprintf("%s:%d: ", p, tc.line); !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q, want %q...%q", err, want, tc.msg)
			}
		})
	}
}

func TestLists(t *testing.T) {
	def := Default()
	if len(def.Catalogs) != 3 || def.Catalogs[0].IVOID != "ivo://CDS.VizieR/II/246" || def.Catalogs[2].IVOID != "ivo://CDS.VizieR/I/355" || def.Vicinity.PointAt != "aladin" {
		t.Fatalf("default catalogues %+v", def.Catalogs)
	}
	// A [[catalog]] list replaces the default one, entry fields do not leak.
	cfg, err := Load(writeFile(t, "[[catalog]]\nname = \"Mine\"\nkind = \"scs\"\nurl = \"http://h/cone\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Catalogs) != 1 || cfg.Catalogs[0].IVOID != "" || cfg.Catalogs[0].URL != "http://h/cone" {
		t.Errorf("catalogues %+v", cfg.Catalogs)
	}
	if cfg, err = Load(writeFile(t, "catalog = []\n[search]\nconcurrency = 2\n")); err != nil || len(cfg.Catalogs) != 0 {
		t.Errorf("catalog = []: %+v, %v", cfg.Catalogs, err)
	}
	// Other settings keep the default list.
	if cfg, err = Load(writeFile(t, "[search]\nconcurrency = 2\n")); err != nil || !reflect.DeepEqual(cfg.Catalogs, def.Catalogs) {
		t.Errorf("catalogues %+v, %v", cfg.Catalogs, err)
	}
	// Load must not have changed what Default returns.
	if !reflect.DeepEqual(Default(), def) {
		t.Error("Default changed")
	}
}

func TestRegistryEnv(t *testing.T) {
	t.Setenv("IVOA_REGISTRY", "")
	cfg, err := Load(writeFile(t, ""))
	if err != nil || cfg.Registry.URL != "http://reg.g-vo.org/tap" || cfg.SpectraRegistry() != cfg.Registry.URL {
		t.Fatalf("%q %q %v", cfg.Registry.URL, cfg.SpectraRegistry(), err)
	}
	t.Setenv("IVOA_REGISTRY", "http://127.0.0.1:1/tap")
	if cfg, err = Load(writeFile(t, "")); err != nil || cfg.Registry.URL != "http://127.0.0.1:1/tap" {
		t.Fatalf("env: %q %v", cfg.Registry.URL, err)
	}
	if cfg, err = Load(writeFile(t, "[registry]\nurl = \"https://r/tap\"\n[spectra]\nregistry = \"http://s/tap\"\n")); err != nil ||
		cfg.Registry.URL != "https://r/tap" || cfg.SpectraRegistry() != "http://s/tap" {
		t.Fatalf("file: %+v %v", cfg.Registry, err)
	}
}

// TestDefaultsDocumented checks that every setting of Config appears in the
// documented defaults, in its table's part of the text, commented or not.
func TestDefaultsDocumented(t *testing.T) {
	text := DefaultsText()
	var walk func(prefix string, typ reflect.Type)
	n := 0
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := strings.Split(f.Tag.Get("toml"), ",")[0]
			if tag == "" || tag == "-" {
				t.Errorf("%s%s has no toml tag", prefix, f.Name)
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Duration{}) {
				walk(tag+".", ft)
				continue
			}
			n++
			table, key := strings.TrimSuffix(prefix, "."), tag
			if !documented(text, table, key) {
				t.Errorf("%s%s is not documented in defaults.toml", prefix, key)
			}
		}
	}
	walk("", reflect.TypeOf(Config{}))
	if n < 30 {
		t.Errorf("only %d settings found", n)
	}
}

// documented reports whether key is set or shown (as "# key = ...") in the
// part of text about table: from the first line naming [table] or
// [[table]] to the next real header of another table.
func documented(text, table, key string) bool {
	lines := strings.Split(text, "\n")
	header := regexp.MustCompile(`^\[\[?([^\]]+)\]\]?`)
	keyRE := regexp.MustCompile(`^#?\s*` + regexp.QuoteMeta(key) + `\s*=`)
	in := false
	for _, l := range lines {
		if m := header.FindStringSubmatch(l); m != nil {
			in = m[1] == table
			continue
		}
		if !in && (strings.Contains(l, "["+table+"]") || strings.Contains(l, "[["+table+"]]")) {
			in = true
		}
		if in && keyRE.MatchString(l) {
			return true
		}
	}
	return false
}

func TestDefaultsValid(t *testing.T) {
	var b bytes.Buffer
	if err := Encode(&b, Default()); err != nil {
		t.Fatal(err)
	}
	// The encoded effective configuration reads back to the same values.
	cfg, err := Load(writeFile(t, b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("round trip: got %+v, want %+v", cfg, Default())
	}
}

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub", "voagent")
	p := filepath.Join(dir, "config.toml")
	got, err := Init(p, false)
	if err != nil || got != p {
		t.Fatal(got, err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != DefaultsText() {
		t.Fatalf("written %d bytes, %v", len(b), err)
	}
	for path, mode := range map[string]os.FileMode{p: 0o600, dir: 0o700 | os.ModeDir} {
		if st, err := os.Stat(path); err != nil || st.Mode() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", path, st.Mode(), mode, err)
		}
	}
	if err := os.WriteFile(p, []byte("[samp]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(p, false); !errors.Is(err, ErrExists) {
		t.Errorf("second init: %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "[samp]\n" {
		t.Error("file overwritten without force")
	}
	if _, err := Init(p, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != DefaultsText() {
		t.Error("force did not overwrite")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left files behind: %v", entries)
	}
}

// FuzzParse: any text gives a configuration or a *FileError, never a
// panic, and a line only within the text.
func FuzzParse(f *testing.F) {
	f.Add(DefaultsText())
	f.Add("[[catalog]]\nname = \"x\"\nkind = \"scs\"\nurl = \"x\"\n")
	f.Add("a.b.c = 1\n[x]\ny = '''\nz\n'''\n")
	f.Fuzz(func(t *testing.T, text string) {
		_, err := Parse("f.toml", []byte(text), Default())
		if err == nil {
			return
		}
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("error %v is not a *FileError", err)
		}
		if fe.Line < 0 || fe.Line > strings.Count(text, "\n")+1 {
			t.Fatalf("line %d outside the text: %v", fe.Line, err)
		}
	})
}
