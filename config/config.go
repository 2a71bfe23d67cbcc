// Package config holds voagent's configuration: its TOML schema, the
// embedded defaults, and validation that names the file and line of a bad
// value.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the whole configuration.
type Config struct {
	SAMP   SAMP   `toml:"samp"`
	Search Search `toml:"search"`
}

// SAMP configures the hub connection.
type SAMP struct {
	// StartHub makes the agent run its own hub when none is running.
	StartHub bool `toml:"start_hub"`
	// Name is the samp.name the agent registers with.
	Name string `toml:"name"`
	// CallTimeout bounds every call the agent makes through the hub.
	CallTimeout Duration `toml:"call_timeout"`
}

// Search configures VO searches.
type Search struct {
	// Timeout is the per-service deadline of a search.
	Timeout Duration `toml:"timeout"`
	// Concurrency bounds the services queried at once.
	Concurrency int `toml:"concurrency"`
	// RadiusArcsec is the default vicinity search radius.
	RadiusArcsec float64 `toml:"radius_arcsec"`
}

// Duration is a time.Duration written as "30s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q (want e.g. \"30s\")", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default is the embedded configuration used when no file is given.
func Default() Config {
	return Config{
		SAMP:   SAMP{StartHub: true, Name: "voagent", CallTimeout: Duration{30 * time.Second}},
		Search: Search{Timeout: Duration{60 * time.Second}, Concurrency: 4, RadiusArcsec: 60},
	}
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

// Load reads path over the defaults. A missing file at the default path is
// not an error; a missing file given explicitly is.
func Load(path string) (Config, error) {
	cfg := Default()
	explicit := path != ""
	if !explicit {
		path = DefaultPath()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return cfg, nil
		}
		return cfg, fmt.Errorf("reading configuration: %w", err)
	}
	md, err := toml.Decode(string(b), &cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return cfg, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		return cfg, fmt.Errorf("%s: unknown setting %q", path, un[0].String())
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks the values' ranges.
func (c Config) Validate() error {
	switch {
	case c.SAMP.Name == "":
		return errors.New("samp.name must not be empty")
	case c.SAMP.CallTimeout.Duration <= 0:
		return errors.New("samp.call_timeout must be positive")
	case c.Search.Timeout.Duration <= 0:
		return errors.New("search.timeout must be positive")
	case c.Search.Concurrency < 1:
		return fmt.Errorf("search.concurrency must be at least 1, not %d", c.Search.Concurrency)
	case c.Search.RadiusArcsec <= 0 || c.Search.RadiusArcsec > 180*3600:
		return fmt.Errorf("search.radius_arcsec %g is out of range (0, 648000]", c.Search.RadiusArcsec)
	}
	return nil
}
