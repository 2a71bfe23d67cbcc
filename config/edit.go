package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/voagent/voagent/internal/lazyre"
)

// SetValue sets key in [section] of the configuration file at path to the
// TOML value given (a literal: `true`, `"aladin"`), keeping every other
// line, comments included: the key's line is replaced, or the key added
// under the section's header, or the section appended. The result must
// load (Parse) or the file is left as it was; it is written through a
// temporary file renamed over the original.
func SetValue(path, section, key, value string) error {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reading configuration %s to set %s.%s: %w", path, section, key, err)
	}
	out := setValue(string(b), section, key, value)
	if _, err := Parse(path, []byte(out), Default()); err != nil {
		return fmt.Errorf("setting %s.%s = %s in %s: %w", section, key, value, path, err)
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the directory of %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".voagent-config-*")
	if err != nil {
		return fmt.Errorf("writing configuration %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(out); err != nil {
		tmp.Close()
		return fmt.Errorf("writing configuration %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing configuration %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing configuration %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing configuration %s: %w", path, err)
	}
	return nil
}

// Quote is s as a TOML basic string.
func Quote(s string) string { return strconv.Quote(s) }

var headerRE = lazyre.New(`^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$`)

// setValue is SetValue on the text.
func setValue(text, section, key, value string) string {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	keyRE := regexp.MustCompile(`^(\s*)` + regexp.QuoteMeta(key) + `\s*=`)
	in, header := false, -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			m := headerRE().FindStringSubmatch(t)
			in = m != nil && m[1] == section
			if in {
				header = i
			}
			continue
		}
		if in && keyRE.MatchString(l) {
			indent := keyRE.FindStringSubmatch(l)[1]
			nl := ""
			if strings.HasSuffix(l, "\n") {
				nl = "\n"
			}
			lines[i] = indent + key + " = " + value + nl
			return strings.Join(lines, "")
		}
	}
	entry := key + " = " + value + "\n"
	if header >= 0 {
		return strings.Join(lines[:header+1], "") + entry + strings.Join(lines[header+1:], "")
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if text != "" {
		text += "\n"
	}
	return text + "[" + section + "]\n" + entry
}
