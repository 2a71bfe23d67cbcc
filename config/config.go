// Package config holds voagent's configuration: its TOML schema, the
// embedded defaults, and validation that names the file and line of a bad
// value.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the whole configuration.
type Config struct {
	SAMP     SAMP     `toml:"samp"`
	Search   Search   `toml:"search"`
	Vicinity Vicinity `toml:"vicinity"`
	Spectra  Spectra  `toml:"spectra"`
	// Catalogs are the services a vicinity search queries ([[catalog]]).
	Catalogs []Catalog `toml:"catalog"`
	// Images are the image services a vicinity search queries ([[images]],
	// kind "sia" or "sia2"); the first FITS image of each goes to
	// vicinity.images_to.
	Images []Catalog `toml:"images"`
}

// Vicinity configures the search run when a row is highlighted in TOPCAT.
type Vicinity struct {
	// Enabled turns the search on table.highlight.row on or off.
	Enabled bool `toml:"enabled"`
	// SendTo is the samp.name of the client that receives the result
	// tables ("" sends to every client subscribed to table.load.votable).
	SendTo string `toml:"send_to"`
	// PointAt is the samp.name of the client told to look at the position
	// (coord.pointAt.sky); "" tells nobody.
	PointAt string `toml:"point_at"`
	// ImagesTo is the samp.name of the client that receives the images
	// (image.load.fits); "" sends to every subscriber.
	ImagesTo string `toml:"images_to"`
	// MaxRec caps the rows asked of each catalogue.
	MaxRec int `toml:"maxrec"`
}

// Spectra configures the spectra search (ObsCore services of the Registry).
type Spectra struct {
	// OnSelect looks up spectra for the rows selected in TOPCAT
	// (table.select.rowList) and sends them to SendTo.
	OnSelect bool `toml:"on_select"`
	// Registry is the RegTAP service listing the ObsCore services ("" for
	// $IVOA_REGISTRY, else GAVO's).
	Registry string `toml:"registry"`
	// RadiusArcsec is the search radius around each position.
	RadiusArcsec float64 `toml:"radius_arcsec"`
	// SendTo is the samp.name of the client that receives the spectra.
	SendTo string `toml:"send_to"`
	// MaxRows bounds the selected rows searched at once.
	MaxRows int `toml:"max_rows"`
}

// Catalog is one service of the vicinity search.
type Catalog struct {
	// Name labels the results ("2MASS").
	Name string `toml:"name"`
	// Kind is "scs" (Simple Cone Search) or "tap" for a catalogue, "sia"
	// (SIA 1.0) or "sia2" for an image service.
	Kind string `toml:"kind"`
	// URL is the cone search or SIA access URL, or the TAP base URL.
	URL string `toml:"url"`
	// Table, RA and Dec name the TAP table and its position columns (RA
	// and Dec default to "ra" and "dec"); unused for "scs".
	Table string `toml:"table"`
	RA    string `toml:"ra"`
	Dec   string `toml:"dec"`
	// RadiusArcsec overrides search.radius_arcsec for this catalogue.
	RadiusArcsec float64 `toml:"radius_arcsec"`
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
		SAMP:     SAMP{StartHub: true, Name: "voagent", CallTimeout: Duration{30 * time.Second}},
		Search:   Search{Timeout: Duration{60 * time.Second}, Concurrency: 4, RadiusArcsec: 60},
		Vicinity: Vicinity{Enabled: true, SendTo: "topcat", PointAt: "aladin", ImagesTo: "aladin", MaxRec: 2000},
		Spectra:  Spectra{OnSelect: false, RadiusArcsec: 10, SendTo: "splat", MaxRows: 500},
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
	case c.Vicinity.MaxRec < 1:
		return fmt.Errorf("vicinity.maxrec must be at least 1, not %d", c.Vicinity.MaxRec)
	case c.Spectra.RadiusArcsec <= 0 || c.Spectra.RadiusArcsec > 180*3600:
		return fmt.Errorf("spectra.radius_arcsec %g is out of range (0, 648000]", c.Spectra.RadiusArcsec)
	case c.Spectra.MaxRows < 1:
		return fmt.Errorf("spectra.max_rows must be at least 1, not %d", c.Spectra.MaxRows)
	}
	if c.Spectra.Registry != "" {
		if u, err := url.Parse(c.Spectra.Registry); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("spectra.registry %q is not an http(s) URL", c.Spectra.Registry)
		}
	}
	seen := map[string]bool{}
	if err := checkServices("catalog", c.Catalogs, seen, "scs", "tap"); err != nil {
		return err
	}
	return checkServices("images", c.Images, seen, "sia", "sia2")
}

// checkServices validates the [[list]] entries, whose kinds must be one of
// kinds and whose names must be unique (across lists, through seen).
func checkServices(list string, svcs []Catalog, seen map[string]bool, kinds ...string) error {
	for i, cat := range svcs {
		where := fmt.Sprintf("%s %d (%q)", list, i+1, cat.Name)
		u, err := url.Parse(cat.URL)
		switch {
		case cat.Name == "":
			return fmt.Errorf("%s %d: name must not be empty", list, i+1)
		case seen[cat.Name]:
			return fmt.Errorf("%s: the name is used twice", where)
		case !slices.Contains(kinds, cat.Kind):
			return fmt.Errorf("%s: kind %q must be one of %q", where, cat.Kind, kinds)
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			return fmt.Errorf("%s: url %q is not an http(s) URL", where, cat.URL)
		case cat.Kind == "tap" && cat.Table == "":
			return fmt.Errorf("%s: a tap catalogue needs table", where)
		case cat.RadiusArcsec < 0 || cat.RadiusArcsec > 180*3600:
			return fmt.Errorf("%s: radius_arcsec %g is out of range [0, 648000]", where, cat.RadiusArcsec)
		}
		seen[cat.Name] = true
	}
	return nil
}
