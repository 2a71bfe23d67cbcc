// Package autostart starts voagent with the user's session: an XDG
// autostart entry ($XDG_CONFIG_HOME/autostart/voagent.desktop) or a systemd
// user unit ($XDG_CONFIG_HOME/systemd/user/voagent.service).
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Name is the base name of the files written.
const Name = "voagent"

// ConfigHome is $XDG_CONFIG_HOME, else ~/.config.
func ConfigHome() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration directory: %w", err)
	}
	return filepath.Join(home, ".config"), nil
}

// DesktopPath is the XDG autostart entry's path.
func DesktopPath() (string, error) {
	d, err := ConfigHome()
	return filepath.Join(d, "autostart", Name+".desktop"), err
}

// UnitPath is the systemd user unit's path.
func UnitPath() (string, error) {
	d, err := ConfigHome()
	return filepath.Join(d, "systemd", "user", Name+".service"), err
}

// Desktop is the XDG autostart entry running exe.
func Desktop(exe string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=voagent\n" +
		"Comment=Virtual Observatory agent on the SAMP hub (vicinity searches, spectra, cross-matches for TOPCAT, Aladin and SPLAT)\n" +
		"Exec=" + quoteExec(exe) + " run\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n" +
		"Categories=Science;Astronomy;\n"
}

// Unit is the systemd user unit running exe.
func Unit(exe string) string {
	return "[Unit]\n" +
		"Description=voagent, a Virtual Observatory agent on the SAMP hub\n" +
		"PartOf=graphical-session.target\n" +
		"After=graphical-session.target\n\n" +
		"[Service]\n" +
		"ExecStart=" + quoteExec(exe) + " run\n" +
		"Restart=on-failure\n\n" +
		"[Install]\n" +
		"WantedBy=graphical-session.target\n"
}

// quoteExec quotes a path for an Exec= line when it needs it.
func quoteExec(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$`") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// Install writes the autostart entry (the systemd unit when systemd)
// running exe, and returns its path.
func Install(exe string, systemd bool) (string, error) {
	if !filepath.IsAbs(exe) {
		return "", fmt.Errorf("installing autostart: the executable %q is not an absolute path", exe)
	}
	path, text := "", ""
	var err error
	if systemd {
		path, err = UnitPath()
		text = Unit(exe)
	} else {
		path, err = DesktopPath()
		text = Desktop(exe)
	}
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("installing autostart: %w", err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("installing autostart: %w", err)
	}
	return path, nil
}

// Remove removes the autostart entry and the systemd unit, whichever
// exist, and returns the paths removed.
func Remove() ([]string, error) {
	var removed []string
	for _, f := range []func() (string, error){DesktopPath, UnitPath} {
		p, err := f()
		if err != nil {
			return removed, err
		}
		switch err := os.Remove(p); {
		case err == nil:
			removed = append(removed, p)
		case !errors.Is(err, os.ErrNotExist):
			return removed, fmt.Errorf("removing autostart: %w", err)
		}
	}
	return removed, nil
}
