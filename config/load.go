package config

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/voagent/voagent/vo/registry"
)

// defaultsTOML is the documented default configuration; Default parses it,
// so the documentation and the values cannot drift apart.
//
//go:embed defaults.toml
var defaultsTOML string

// DefaultsText returns the documented default configuration as TOML (what
// `voagent config init` writes and `config show --defaults` prints).
func DefaultsText() string { return defaultsTOML }

// Default is the embedded configuration used when no file is given, parsed
// from DefaultsText. It does not look at the environment (Load does).
func Default() Config {
	var cfg Config
	if _, err := toml.Decode(defaultsTOML, &cfg); err != nil {
		panic("config: the embedded defaults.toml is invalid: " + err.Error())
	}
	return cfg
}

// DefaultPath is where Load looks when no path is given:
// $XDG_CONFIG_HOME/voagent/config.toml (or ~/.config/...).
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "voagent", "config.toml")
}

// KeyError is a problem with one setting, as Validate reports it.
type KeyError struct {
	// Key is the setting's dotted path: "search.concurrency",
	// "catalog[2].url" (entries of [[catalog]] and [[images]] counted
	// from 1), "catalog[2]" for the entry as a whole.
	Key string
	Err error
}

func (e *KeyError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *KeyError) Unwrap() error { return e.Err }

// FileError is a problem with a configuration file: reading, TOML syntax,
// a value of the wrong type, an unknown setting or a Validate error.
type FileError struct {
	Path string
	// Line is the line of the offending setting (1-based), 0 when unknown
	// (the file could not be read, or the value is a default).
	Line int
	// Key is the offending setting, as in KeyError ("" for syntax errors).
	Key string
	Err error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// applyEnv puts $IVOA_REGISTRY (when set) in place of the default
// registry URL.
func applyEnv(cfg *Config) {
	if os.Getenv("IVOA_REGISTRY") != "" {
		cfg.Registry.URL = registry.DefaultURL()
	}
}

// Load reads path over the defaults (and $IVOA_REGISTRY). A missing file
// at the default path (path "") is not an error; a missing file given
// explicitly is. A [[catalog]] or [[images]] list in the file replaces the
// default list. Errors about the file are *FileError, naming its line.
func Load(path string) (Config, error) {
	cfg := Default()
	applyEnv(&cfg)
	explicit := path != ""
	if !explicit {
		path = DefaultPath()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return cfg, cfg.Validate()
		}
		return cfg, &FileError{Path: path, Err: fmt.Errorf("reading configuration: %w", err)}
	}
	c, err := Parse(path, b, cfg)
	if err != nil {
		return cfg, err
	}
	return c, nil
}

// Parse decodes the TOML text b (from the file named path, for messages)
// over base and validates the result. Errors are *FileError.
func Parse(path string, b []byte, base Config) (Config, error) {
	text := string(b)
	fail := func(key string, line int, err error) (Config, error) {
		if line == 0 && key != "" {
			line = keyLines(text).line(key)
		}
		return base, &FileError{Path: path, Line: line, Key: key, Err: err}
	}
	// Which lists does the file set? They replace the defaults' lists.
	var probe map[string]any
	if _, err := toml.Decode(text, &probe); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fail("", pe.Position.Line, errors.New(pe.Message))
		}
		return fail("", 0, err)
	}
	cfg := base
	cfg.Catalogs = slices.Clone(base.Catalogs)
	cfg.Images = slices.Clone(base.Images)
	if _, ok := probe["catalog"]; ok {
		cfg.Catalogs = nil
	}
	if _, ok := probe["images"]; ok {
		cfg.Images = nil
	}
	md, err := toml.Decode(text, &cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fail("", pe.Position.Line, errors.New(pe.Message))
		}
		return fail("", 0, err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		k := un[0].String()
		return fail(k, keyLines(text).line(k), &KeyError{Key: k, Err: fmt.Errorf("unknown setting %q", k)})
	}
	if err := cfg.Validate(); err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			return fail(ke.Key, 0, err)
		}
		return fail("", 0, err)
	}
	return cfg, nil
}

// lineIndex maps dotted keys ("samp.name", "catalog[2].url", and for
// unknown keys of lists "catalog.nmae" at its first occurrence) and table
// headers ("samp", "catalog[2]") to their lines in a TOML text.
type lineIndex map[string]int

// line returns the line of key, else of its closest parent, else 0.
func (ix lineIndex) line(key string) int {
	for key != "" {
		if n, ok := ix[key]; ok {
			return n
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// keyLines scans a TOML text for its keys' lines. It understands the
// shapes configuration files use (headers, key = value lines, multi-line
// strings and arrays are skipped over by their first line); a key it
// cannot place gets no line, never a wrong one from a later table.
func keyLines(text string) lineIndex {
	ix := lineIndex{}
	counts := map[string]int{}
	table, plain := "", ""
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	inMulti := ""
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if inMulti != "" {
			if strings.Contains(line, inMulti) {
				inMulti = ""
			}
			continue
		}
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "[["):
			name := normKey(strings.TrimSuffix(strings.SplitN(line[2:], "]]", 2)[0], "]]"))
			counts[name]++
			table = fmt.Sprintf("%s[%d]", name, counts[name])
			plain = name
			setOnce(ix, table, n)
			setOnce(ix, name, n)
			continue
		case strings.HasPrefix(line, "["):
			table = normKey(strings.SplitN(line[1:], "]", 2)[0])
			plain = table
			setOnce(ix, table, n)
			continue
		}
		eq := strings.Index(line, "=")
		if eq <= 0 {
			continue
		}
		k := normKey(line[:eq])
		v := strings.TrimSpace(line[eq+1:])
		for _, q := range []string{`"""`, `'''`} {
			if strings.HasPrefix(v, q) && !strings.Contains(v[3:], q) {
				inMulti = q
			}
		}
		if table == "" {
			setOnce(ix, k, n)
			continue
		}
		setOnce(ix, table+"."+k, n)
		setOnce(ix, plain+"."+k, n)
	}
	return ix
}

func setOnce(ix lineIndex, k string, n int) {
	if _, ok := ix[k]; !ok {
		ix[k] = n
	}
}

// normKey turns a TOML key as written (a . b, "quoted") into dotted form.
func normKey(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// Encode writes cfg as TOML (the effective configuration, without
// comments).
func Encode(w io.Writer, cfg Config) error {
	if err := toml.NewEncoder(w).Encode(cfg); err != nil {
		return fmt.Errorf("encoding the configuration: %w", err)
	}
	return nil
}

// ErrExists is returned by Init when the file exists and force is false.
var ErrExists = errors.New("configuration file exists (use --force to overwrite)")

// Init writes the documented defaults to path (DefaultPath when ""), mode
// 0600 in a directory created 0700. It refuses to overwrite an existing
// file (ErrExists, wrapped) unless force. It returns the path written.
func Init(path string, force bool) (string, error) {
	if path == "" {
		if path = DefaultPath(); path == "" {
			return "", errors.New("writing the configuration: no user configuration directory")
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("writing the configuration: %w", err)
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return "", fmt.Errorf("%s: %w", path, ErrExists)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.toml")
	if err != nil {
		return "", fmt.Errorf("writing the configuration: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(defaultsTOML); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if !force {
		// Link fails if path appeared meanwhile: never overwrite silently.
		if err := os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, os.ErrExist) {
				return "", fmt.Errorf("%s: %w", path, ErrExists)
			}
			return "", fmt.Errorf("writing %s: %w", path, err)
		}
		return path, nil
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}
