package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/vo/nameres"
	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/xmatch"
)

// posFlags are the position and radius flags of every command that takes
// a sky position, declared and read by this one piece of code:
//
//	--ra, --dec   degrees ("150.119", "+2.206") or sexagesimal, RA in
//	              hours ("10h00m28.6s", "10:00:28.6", "+02:12:21")
//	--pos         a position string ("150.119 +2.206",
//	              "10:00:28.6 +02:12:21") or an object name ("M31"),
//	              resolved by the name resolver ([resolver] url)
//	--radius      an angle with a unit ("36arcsec", "0.5arcmin",
//	              "0.01deg", "3mas"); a bare number is in the command's
//	              documented unit
type posFlags struct {
	ra, dec, pos string
	radius       string
	spec         posSpec
	// cfgPath, when set, is the command's --config (for the resolver URL).
	cfgPath *string
}

// posSpec says how a command declares its position flags.
type posSpec struct {
	// What the position is ("the centre", "the target").
	What string
	// Radius declares --radius (and Aliases, e.g. "sr"), a bare number in
	// RadiusUnit ("deg", "arcmin", "arcsec"); RadiusHelp describes it
	// ("cone radius"), RadiusDefault is its default text ("" for none).
	Radius        bool
	RadiusUnit    string
	RadiusHelp    string
	RadiusDefault string
	Aliases       []string
	// NoPos leaves --pos out (a command whose --pos means something else,
	// e.g. soda's SODA POS).
	NoPos bool
}

// addPosFlags declares the position (and radius) flags on cmd.
func addPosFlags(cmd *cobra.Command, spec posSpec) *posFlags {
	p := &posFlags{spec: spec}
	what := spec.What
	if what == "" {
		what = "the centre"
	}
	f := cmd.Flags()
	f.StringVar(&p.ra, "ra", "", "right ascension of "+what+": ICRS degrees (150.119) or sexagesimal hours (10h00m28.6s, 10:00:28.6)")
	f.StringVar(&p.dec, "dec", "", "declination of "+what+": ICRS degrees (+2.206) or sexagesimal (+2d12m21s, +02:12:21)")
	cmd.MarkFlagsRequiredTogether("ra", "dec")
	if !spec.NoPos {
		f.StringVar(&p.pos, "pos", "", `position of `+what+` instead of --ra/--dec: "150.119 +2.206", "10:00:28.6 +02:12:21", or an object name ("M31") resolved by [resolver] url (CDS Sesame)`)
		cmd.MarkFlagsMutuallyExclusive("pos", "ra")
		cmd.MarkFlagsMutuallyExclusive("pos", "dec")
	}
	if spec.Radius {
		help := spec.RadiusHelp + " with a unit: 36arcsec, 0.5arcmin, 0.01deg, 3mas (a bare number is " + unitName(spec.RadiusUnit) + ")"
		f.StringVar(&p.radius, "radius", spec.RadiusDefault, help)
		for _, a := range spec.Aliases {
			f.StringVar(&p.radius, a, spec.RadiusDefault, "the same as --radius")
			cmd.MarkFlagsMutuallyExclusive("radius", a)
		}
	}
	return p
}

func unitName(u string) string {
	switch u {
	case "", "deg":
		return "degrees"
	case "arcmin":
		return "arcminutes"
	case "arcsec":
		return "arcseconds"
	}
	return u
}

// given reports whether a position was given (--pos, or --ra and --dec).
func (p *posFlags) given() bool { return p.pos != "" || p.ra != "" || p.dec != "" }

// position returns the position given, in ICRS degrees: --ra/--dec
// parsed, or --pos parsed or resolved as a name. No position is an error.
func (p *posFlags) position(ctx context.Context) (ra, dec float64, err error) {
	switch {
	case p.pos != "":
		ra, dec, ok, err := skypos.ParsePosition(p.pos)
		if err != nil {
			return 0, 0, fmt.Errorf("--pos: %w", err)
		}
		if ok {
			return ra, dec, nil
		}
		r, err := p.resolver()
		if err != nil {
			return 0, 0, err
		}
		res, err := r.Resolve(ctx, p.pos)
		if err != nil {
			return 0, 0, fmt.Errorf("--pos: %w", err)
		}
		return res.RA, res.Dec, nil
	case p.ra != "" && p.dec != "":
		if ra, err = skypos.ParseRA(p.ra); err != nil {
			return 0, 0, fmt.Errorf("--ra: %w", err)
		}
		if dec, err = skypos.ParseDec(p.dec); err != nil {
			return 0, 0, fmt.Errorf("--dec: %w", err)
		}
		return ra, dec, nil
	case p.ra != "" || p.dec != "":
		return 0, 0, errors.New("give both --ra and --dec")
	}
	return 0, 0, errors.New("no position: give --ra and --dec, or --pos (coordinates or an object name)")
}

// resolver is the name resolver of the configuration (the command's
// --config, else the default file when present).
func (p *posFlags) resolver() (*nameres.Resolver, error) {
	path := ""
	if p.cfgPath != nil {
		path = *p.cfgPath
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("reading the name resolver's configuration: %w", err)
	}
	cache, _ := nameres.DefaultCachePath()
	return nameres.New(nameres.Options{URL: cfg.Resolver.URL, CachePath: cache}), nil
}

// radiusDeg returns --radius in degrees, and whether it was given (or has
// a default). A negative or unparsable radius is an error.
func (p *posFlags) radiusDeg() (float64, bool, error) {
	if p.radius == "" {
		return 0, false, nil
	}
	r, err := parseRadius(p.radius, p.spec.RadiusUnit)
	if err != nil {
		return 0, false, fmt.Errorf("--radius: %w", err)
	}
	return r, true, nil
}

// parseRadius parses an angle with a unit (a bare number in unit) and
// returns it in degrees, refusing negative and over 180 degrees.
func parseRadius(s, unit string) (float64, error) {
	r, err := xmatch.ParseAngle(s, unit)
	if err != nil {
		return 0, err
	}
	if r < 0 || r > 180 {
		return 0, fmt.Errorf("radius %q is out of range [0, 180] degrees", s)
	}
	return r, nil
}

// siaPosition sets an SIA 1 query's centre from the flags (required) and,
// when --radius is given, its size (twice the radius; not with --size).
func (p *posFlags) siaPosition(ctx context.Context, ra, dec *float64, size *[]float64) error {
	var err error
	if *ra, *dec, err = p.position(ctx); err != nil {
		return err
	}
	r, ok, err := p.radiusDeg()
	switch {
	case err != nil:
		return err
	case ok && len(*size) > 0:
		return errors.New("give --size or --radius, not both")
	case ok:
		*size = []float64{2 * r}
	}
	return nil
}

// circle is the region given by the flags (--pos or --ra/--dec with
// --radius), or nil when no position was given; a position without a
// radius is an error.
func (p *posFlags) circle(ctx context.Context) (*svcparam.Circle, error) {
	if !p.given() {
		if p.radius != "" && p.radius != p.spec.RadiusDefault {
			return nil, errors.New("--radius needs a position (--pos, or --ra and --dec)")
		}
		return nil, nil
	}
	ra, dec, err := p.position(ctx)
	if err != nil {
		return nil, err
	}
	r, ok, err := p.radiusDeg()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("a position for a region needs --radius")
	}
	return &svcparam.Circle{RA: ra, Dec: dec, Radius: r}, nil
}
