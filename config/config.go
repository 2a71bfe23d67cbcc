// Package config holds voagent's configuration: its TOML schema, the
// embedded defaults, and validation that names the file and line of a bad
// value.
package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Config is the whole configuration.
type Config struct {
	SAMP     SAMP     `toml:"samp"`
	Search   Search   `toml:"search"`
	Vicinity Vicinity `toml:"vicinity"`
	Spectra  Spectra  `toml:"spectra"`
	Registry Registry `toml:"registry"`
	Results  Results  `toml:"results"`
	Control  Control  `toml:"control"`
	// Crossmatch configures cross-matches of held tables with a
	// configured catalogue ([crossmatch]).
	Crossmatch Crossmatch `toml:"crossmatch"`
	// SED configures the SEDs built after vicinity searches ([sed]).
	SED SED `toml:"sed"`
	// Catalogs are the services a vicinity search queries ([[catalog]]).
	Catalogs []Catalog `toml:"catalog"`
	// Images are the image services a vicinity search queries ([[images]],
	// kind "sia" or "sia2"); the first FITS image of each goes to
	// vicinity.images_to.
	Images []Catalog `toml:"images"`
	// Resolver is the name resolver ([resolver]).
	Resolver Resolver `toml:"resolver"`
}

// Resolver configures the name resolver that turns object names
// ("M31") into positions.
type Resolver struct {
	// URL is the CDS Sesame (or compatible) URL, the name appended as its
	// query; "" uses $VOAGENT_SESAME_URL, else CDS Sesame (XML output over
	// SIMBAD, NED and VizieR).
	URL string `toml:"url"`
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
	// Settle is how long a highlighted row must stay the latest before
	// its results are sent (0: at once).
	Settle Duration `toml:"settle"`
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
	// Config.Registry.URL; see Config.SpectraRegistry).
	Registry string `toml:"registry"`
	// RadiusArcsec is the search radius around each position.
	RadiusArcsec float64 `toml:"radius_arcsec"`
	// SendTo is the samp.name of the client that receives the spectra.
	SendTo string `toml:"send_to"`
	// MaxRows bounds the selected rows searched at once.
	MaxRows int `toml:"max_rows"`
	// OnLoad looks up spectra for every row of a table another tool sends
	// (table.load.votable), at most MaxRows rows, and sends them to SendTo.
	OnLoad bool `toml:"on_load"`
}

// Crossmatch configures the agent's cross-matches of a held table with a
// configured catalogue ([[catalog]] entry, by name).
type Crossmatch struct {
	// OnLoad names catalogues every table another tool sends
	// (table.load.votable) is cross-matched with; the results go where
	// vicinity results go (vicinity.send_to).
	OnLoad []string `toml:"on_load"`
	// RadiusArcsec is the match radius when a request gives none.
	RadiusArcsec float64 `toml:"radius_arcsec"`
	// Join is "all1" (every row of the table, with its match if any) or
	// "1and2" (matched rows only).
	Join string `toml:"join"`
	// ChunkRows is the number of rows uploaded to a TAP service at once.
	ChunkRows int `toml:"chunk_rows"`
	// MaxRows bounds the rows of a table matched through one cone search
	// per row (a catalogue of kind "scs").
	MaxRows int `toml:"max_rows"`
	// RowTimeout is the deadline of one row's cone search.
	RowTimeout Duration `toml:"row_timeout"`
	// MaxRec caps the candidate rows asked of a TAP service per chunk.
	MaxRec int `toml:"maxrec"`
}

// SED configures the SED of the highlighted source built after a vicinity
// search over photometric catalogues.
type SED struct {
	// OnVicinity builds it after each highlight-triggered vicinity search
	// that found rows in at least one catalogue.
	OnVicinity bool `toml:"on_vicinity"`
	// RadiusArcsec links the catalogues' rows into clusters (pairwise best
	// matches) and bounds the distance of the highlighted source's cluster
	// from the highlighted position.
	RadiusArcsec float64 `toml:"radius_arcsec"`
	// SendTo is the samp.name of the client receiving the SED table (""
	// for vicinity.send_to).
	SendTo string `toml:"send_to"`
}

// Catalog is one service of the vicinity search.
type Catalog struct {
	// Name labels the results ("2MASS").
	Name string `toml:"name"`
	// Kind is "scs" (Simple Cone Search) or "tap" for a catalogue, "sia"
	// (SIA 1.0) or "sia2" for an image service.
	Kind string `toml:"kind"`
	// URL is the cone search or SIA access URL, or the TAP base URL.
	// Exactly one of URL and IVOID is set.
	URL string `toml:"url"`
	// IVOID is the IVOA identifier (ivo://...) of a cone search service
	// (kind "scs" only), resolved to its access URL through the Registry
	// (registry.Resolver).
	IVOID string `toml:"ivoid"`
	// Table, RA and Dec name the TAP table and its position columns (RA
	// and Dec default to "ra" and "dec"); unused for "scs".
	Table string `toml:"table"`
	RA    string `toml:"ra"`
	Dec   string `toml:"dec"`
	// RadiusArcsec overrides search.radius_arcsec for this catalogue.
	RadiusArcsec float64 `toml:"radius_arcsec"`
}

// Registry configures the RegTAP service used to resolve identifiers.
type Registry struct {
	// URL is the registry's TAP endpoint. Its default is
	// $IVOA_REGISTRY when set, else GAVO's http://reg.g-vo.org/tap.
	URL string `toml:"url"`
}

// Results configures where result files go.
type Results struct {
	// Dir is the directory of the result files; "" means a private
	// temporary directory per run.
	Dir string `toml:"dir"`
	// MaxTables and MaxMB bound the tables the agent holds (count and
	// megabytes of their documents), oldest out first.
	MaxTables int `toml:"max_tables"`
	MaxMB     int `toml:"max_mb"`
}

// Control configures the agent's control API.
type Control struct {
	// Socket overrides the path of the user-only control socket ("" for
	// the default location).
	Socket string `toml:"socket"`
}

// SpectraRegistry is the RegTAP service of the spectra search:
// spectra.registry, else registry.url.
func (c Config) SpectraRegistry() string {
	if c.Spectra.Registry != "" {
		return c.Spectra.Registry
	}
	return c.Registry.URL
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
	// MaxAnswerMB bounds one service's answer to a vicinity search.
	MaxAnswerMB int `toml:"max_answer_mb"`
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

// Validate checks the values' ranges. Its error is a *KeyError naming
// the offending setting.
func (c Config) Validate() error {
	bad := func(key, format string, a ...any) error {
		return &KeyError{Key: key, Err: fmt.Errorf(format, a...)}
	}
	switch {
	case c.SAMP.Name == "":
		return bad("samp.name", "samp.name must not be empty")
	case c.SAMP.CallTimeout.Duration <= 0:
		return bad("samp.call_timeout", "samp.call_timeout must be positive")
	case c.Search.Timeout.Duration <= 0:
		return bad("search.timeout", "search.timeout must be positive")
	case c.Vicinity.Settle.Duration < 0 || c.Vicinity.Settle.Duration > 10*time.Second:
		return bad("vicinity.settle", "vicinity.settle %s is out of range [0s, 10s]", c.Vicinity.Settle.Duration)
	case c.Results.MaxTables < 1:
		return bad("results.max_tables", "results.max_tables must be at least 1, not %d", c.Results.MaxTables)
	case c.Results.MaxMB < 1:
		return bad("results.max_mb", "results.max_mb must be at least 1, not %d", c.Results.MaxMB)
	case c.Search.MaxAnswerMB < 1:
		return bad("search.max_answer_mb", "search.max_answer_mb must be at least 1, not %d", c.Search.MaxAnswerMB)
	case c.Search.Concurrency < 1:
		return bad("search.concurrency", "search.concurrency must be at least 1, not %d", c.Search.Concurrency)
	case c.Search.RadiusArcsec <= 0 || c.Search.RadiusArcsec > 180*3600:
		return bad("search.radius_arcsec", "search.radius_arcsec %g is out of range (0, 648000]", c.Search.RadiusArcsec)
	case c.Vicinity.MaxRec < 1:
		return bad("vicinity.maxrec", "vicinity.maxrec must be at least 1, not %d", c.Vicinity.MaxRec)
	case c.Spectra.RadiusArcsec <= 0 || c.Spectra.RadiusArcsec > 180*3600:
		return bad("spectra.radius_arcsec", "spectra.radius_arcsec %g is out of range (0, 648000]", c.Spectra.RadiusArcsec)
	case c.Spectra.MaxRows < 1:
		return bad("spectra.max_rows", "spectra.max_rows must be at least 1, not %d", c.Spectra.MaxRows)
	case !isHTTP(c.Registry.URL):
		return bad("registry.url", "registry.url %q is not an http(s) URL", c.Registry.URL)
	case c.Spectra.Registry != "" && !isHTTP(c.Spectra.Registry):
		return bad("spectra.registry", "spectra.registry %q is not an http(s) URL", c.Spectra.Registry)
	case c.Resolver.URL != "" && !isHTTP(c.Resolver.URL):
		return bad("resolver.url", "resolver.url %q is not an http(s) URL", c.Resolver.URL)
	case c.Crossmatch.RadiusArcsec <= 0 || c.Crossmatch.RadiusArcsec > 3600:
		return bad("crossmatch.radius_arcsec", "crossmatch.radius_arcsec %g is out of range (0, 3600]", c.Crossmatch.RadiusArcsec)
	case c.Crossmatch.Join != "all1" && c.Crossmatch.Join != "1and2":
		return bad("crossmatch.join", "crossmatch.join %q must be \"all1\" or \"1and2\"", c.Crossmatch.Join)
	case c.Crossmatch.ChunkRows < 1:
		return bad("crossmatch.chunk_rows", "crossmatch.chunk_rows must be at least 1, not %d", c.Crossmatch.ChunkRows)
	case c.Crossmatch.MaxRows < 1:
		return bad("crossmatch.max_rows", "crossmatch.max_rows must be at least 1, not %d", c.Crossmatch.MaxRows)
	case c.Crossmatch.RowTimeout.Duration <= 0:
		return bad("crossmatch.row_timeout", "crossmatch.row_timeout must be positive")
	case c.Crossmatch.MaxRec < 1:
		return bad("crossmatch.maxrec", "crossmatch.maxrec must be at least 1, not %d", c.Crossmatch.MaxRec)
	case c.SED.RadiusArcsec <= 0 || c.SED.RadiusArcsec > 3600:
		return bad("sed.radius_arcsec", "sed.radius_arcsec %g is out of range (0, 3600]", c.SED.RadiusArcsec)
	}
	seen := map[string]bool{}
	if err := checkServices("catalog", c.Catalogs, seen, "scs", "tap"); err != nil {
		return err
	}
	if err := checkServices("images", c.Images, seen, "sia", "sia2"); err != nil {
		return err
	}
	for _, name := range c.Crossmatch.OnLoad {
		if _, ok := c.CatalogByName(name); !ok {
			return bad("crossmatch.on_load", "crossmatch.on_load names %q, which is no [[catalog]] entry", name)
		}
	}
	return nil
}

// CatalogByName is the [[catalog]] entry called name (compared without
// regard to case).
func (c Config) CatalogByName(name string) (Catalog, bool) {
	for _, cat := range c.Catalogs {
		if strings.EqualFold(cat.Name, name) {
			return cat, true
		}
	}
	return Catalog{}, false
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkServices validates the [[list]] entries, whose kinds must be one of
// kinds and whose names must be unique (across lists, through seen).
func checkServices(list string, svcs []Catalog, seen map[string]bool, kinds ...string) error {
	for i, cat := range svcs {
		where := fmt.Sprintf("%s %d (%q)", list, i+1, cat.Name)
		bad := func(key, format string, a ...any) error {
			return &KeyError{Key: fmt.Sprintf("%s[%d]%s", list, i+1, key), Err: fmt.Errorf(where+": "+format, a...)}
		}
		switch {
		case cat.Name == "":
			return &KeyError{Key: fmt.Sprintf("%s[%d].name", list, i+1), Err: fmt.Errorf("%s %d: name must not be empty", list, i+1)}
		case seen[cat.Name]:
			return bad(".name", "the name is used twice")
		case !slices.Contains(kinds, cat.Kind):
			return bad(".kind", "kind %q must be one of %q", cat.Kind, kinds)
		case cat.URL == "" && cat.IVOID == "":
			return bad("", "give url or ivoid")
		case cat.URL != "" && cat.IVOID != "":
			return bad(".ivoid", "give url or ivoid, not both")
		case cat.URL != "" && !isHTTP(cat.URL):
			return bad(".url", "url %q is not an http(s) URL", cat.URL)
		case cat.IVOID != "" && !strings.HasPrefix(strings.ToLower(cat.IVOID), "ivo://"):
			return bad(".ivoid", "ivoid %q does not start with ivo://", cat.IVOID)
		case cat.IVOID != "" && cat.Kind != "scs":
			return bad(".ivoid", "ivoid is supported for kind \"scs\" only; give url")
		case cat.Kind == "tap" && cat.Table == "":
			return bad("", "a tap catalogue needs table")
		case cat.RadiusArcsec < 0 || cat.RadiusArcsec > 180*3600:
			return bad(".radius_arcsec", "radius_arcsec %g is out of range [0, 648000]", cat.RadiusArcsec)
		}
		seen[cat.Name] = true
	}
	return nil
}
