// Package autostart makes voagent start with the desktop session: an XDG
// autostart entry ($XDG_CONFIG_HOME/autostart/voagent.desktop, read by every
// XDG-compliant desktop) or a systemd user unit
// ($XDG_CONFIG_HOME/systemd/user/voagent.service, enabled by a link in
// default.target.wants as `systemctl --user enable` makes it), and undoes
// either.
package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Options says what to install and where.
type Options struct {
	// Exe is the voagent executable to start (an absolute path).
	Exe string
	// Args are given to it after "run" (e.g. "--config", path).
	Args []string
	// Systemd installs a systemd user unit instead of an XDG autostart entry.
	Systemd bool
	// ConfigHome is $XDG_CONFIG_HOME ("" for its value or ~/.config).
	ConfigHome string
}

// ConfigHome returns $XDG_CONFIG_HOME, else ~/.config.
func ConfigHome() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration directory: %w", err)
	}
	return filepath.Join(home, ".config"), nil
}

func (o Options) configHome() (string, error) {
	if o.ConfigHome != "" {
		return o.ConfigHome, nil
	}
	return ConfigHome()
}

// DesktopPath is the XDG autostart entry's path under configHome.
func DesktopPath(configHome string) string {
	return filepath.Join(configHome, "autostart", "voagent.desktop")
}

// UnitPath is the systemd user unit's path under configHome.
func UnitPath(configHome string) string {
	return filepath.Join(configHome, "systemd", "user", "voagent.service")
}

// WantsPath is the link that enables the unit for the graphical session.
func WantsPath(configHome string) string {
	return filepath.Join(configHome, "systemd", "user", "default.target.wants", "voagent.service")
}

// Install writes the autostart entry (or the systemd unit, enabled) and
// returns the files written.
func Install(o Options) ([]string, error) {
	if !filepath.IsAbs(o.Exe) {
		return nil, fmt.Errorf("installing autostart: executable %q is not an absolute path", o.Exe)
	}
	home, err := o.configHome()
	if err != nil {
		return nil, err
	}
	if o.Systemd {
		unit := UnitPath(home)
		if err := writeFile(unit, Unit(o.Exe, o.Args)); err != nil {
			return nil, err
		}
		wants := WantsPath(home)
		if err := os.MkdirAll(filepath.Dir(wants), 0o755); err != nil {
			return nil, fmt.Errorf("enabling the systemd unit: %w", err)
		}
		if err := os.Remove(wants); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("enabling the systemd unit: %w", err)
		}
		if err := os.Symlink(unit, wants); err != nil {
			return nil, fmt.Errorf("enabling the systemd unit: %w", err)
		}
		return []string{unit, wants}, nil
	}
	p := DesktopPath(home)
	if err := writeFile(p, Desktop(o.Exe, o.Args)); err != nil {
		return nil, err
	}
	return []string{p}, nil
}

// Remove deletes the autostart entry (or the systemd unit and its link) and
// returns the files it removed; none there is not an error.
func Remove(o Options) ([]string, error) {
	home, err := o.configHome()
	if err != nil {
		return nil, err
	}
	paths := []string{DesktopPath(home)}
	if o.Systemd {
		paths = []string{WantsPath(home), UnitPath(home)}
	}
	var removed []string
	for _, p := range paths {
		err := os.Remove(p)
		switch {
		case err == nil:
			removed = append(removed, p)
		case errors.Is(err, fs.ErrNotExist):
		default:
			return removed, fmt.Errorf("removing autostart: %w", err)
		}
	}
	return removed, nil
}

// Desktop is the XDG autostart entry starting `exe run --log-file state
// args...` (the session's stderr may be read by nobody: the log goes to the
// XDG state directory, rotated). The systemd unit leaves the log to the
// journal.
func Desktop(exe string, args []string) string {
	return `[Desktop Entry]
Type=Application
Name=voagent
GenericName=Virtual Observatory agent
Comment=Runs VO searches for TOPCAT, Aladin and SPLAT on the SAMP hub
Exec=` + execLine(exe, append([]string{"--log-file", "state"}, args...)) + `
Icon=voagent
Terminal=false
Categories=Science;Astronomy;
X-GNOME-Autostart-enabled=true
`
}

// Unit is the systemd user unit running `exe run args...` in the graphical
// session.
func Unit(exe string, args []string) string {
	return `[Unit]
Description=voagent, a Virtual Observatory agent on the SAMP hub
PartOf=graphical-session.target
After=graphical-session.target

[Service]
ExecStart=` + execLine(exe, args) + `
Restart=on-failure
RestartSec=5

[Install]
WantedBy=default.target
`
}

// execLine quotes exe run args as both the Desktop Entry Specification and
// systemd accept: arguments with spaces or specials in double quotes, with
// '"', '`', '$' and '\' escaped by a backslash.
func execLine(exe string, args []string) string {
	parts := []string{quote(exe), "run"}
	for _, a := range args {
		parts = append(parts, quote(a))
	}
	return strings.Join(parts, " ")
}

func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`%=") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		case '%':
			b.WriteByte('%') // field codes: a literal % is %%
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// writeFile writes s to path atomically (a temporary file renamed).
func writeFile(path, s string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".voagent-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(s); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
