package main

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/internal/sesamefake"
	"github.com/voagent/voagent/vo/nameres"
)

// TestPosFlags parses the shared position and radius flags as a command
// declares them, names resolved by a fake Sesame.
func TestPosFlags(t *testing.T) {
	ses := sesamefake.Start()
	defer ses.Close()
	t.Setenv(nameres.EnvURL, ses.ResolverURL())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ra0, dec0 := 15*(10+28.6/3600), 2+12.0/60+21.0/3600
	for _, c := range []struct {
		unit    string // the command's bare-number radius unit
		args    []string
		ra, dec float64
		radius  float64 // degrees; -1: not given
		err     string
	}{
		{unit: "deg", args: []string{"--ra", "150.119", "--dec", "2.206", "--radius", "0.01"}, ra: 150.119, dec: 2.206, radius: 0.01},
		{unit: "arcsec", args: []string{"--ra", "150.119", "--dec", "2.206", "--radius", "36"}, ra: 150.119, dec: 2.206, radius: 0.01},
		{unit: "deg", args: []string{"--ra", "10h00m28.6s", "--dec", "+2d12m21s", "--radius", "36arcsec"}, ra: ra0, dec: dec0, radius: 0.01},
		{unit: "deg", args: []string{"--ra", "10:00:28.6", "--dec", "+02:12:21", "--sr", "0.5arcmin"}, ra: ra0, dec: dec0, radius: 0.5 / 60},
		{unit: "arcsec", args: []string{"--pos", "150.119 +2.206", "--radius", "0.01deg"}, ra: 150.119, dec: 2.206, radius: 0.01},
		{unit: "arcsec", args: []string{"--pos", "150.119,+2.206"}, ra: 150.119, dec: 2.206, radius: -1},
		{unit: "arcsec", args: []string{"--pos", "10:00:28.6 +02:12:21", "--radius", "1.5'"}, ra: ra0, dec: dec0, radius: 1.5 / 60},
		{unit: "deg", args: []string{"--pos", "M31", "--radius", "3mas"}, ra: 10.68470833, dec: 41.26875, radius: 3.0 / 3600 / 1000},
		{unit: "deg", args: []string{"--pos", "ngc  253"}, ra: 11.88799971, dec: -25.28821944, radius: -1},
		{unit: "deg", args: []string{"--pos", "Bogus Name Xyz"}, err: "name not found"},
		{unit: "deg", args: []string{"--pos", "150 95"}, err: "--pos: position \"150 95\""},
		{unit: "deg", args: []string{"--ra", "24h", "--dec", "0"}, err: "--ra: right ascension"},
		{unit: "deg", args: []string{"--ra", "10", "--dec", "-91"}, err: "--dec: declination"},
		{unit: "deg", args: []string{"--ra", "10"}, err: "missing [dec]"},
		{unit: "deg", args: []string{"--pos", "M31", "--ra", "10", "--dec", "2"}, err: "none of the others can be"},
		{unit: "deg", args: []string{}, err: "no position"},
		{unit: "deg", args: []string{"--pos", "M31", "--radius", "-1"}, err: "out of range"},
		{unit: "deg", args: []string{"--pos", "M31", "--radius", "5parsec"}, err: "not a number with a unit"},
		{unit: "deg", args: []string{"--pos", "M31", "--radius", "1", "--sr", "2"}, err: "none of the others can be"},
	} {
		var pf *posFlags
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }, SilenceUsage: true, SilenceErrors: true}
		pf = addPosFlags(cmd, posSpec{Radius: true, RadiusUnit: c.unit, RadiusHelp: "radius", Aliases: []string{"sr"}})
		cmd.SetArgs(c.args)
		err := cmd.Execute()
		var ra, dec, r float64
		var ok bool
		if err == nil {
			ra, dec, err = pf.position(context.Background())
		}
		if err == nil {
			r, ok, err = pf.radiusDeg()
		}
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v; want an error containing %q", c.args, err, c.err)
			}
			continue
		}
		if !ok {
			r = -1
		}
		if err != nil || math.Abs(ra-c.ra) > 1e-8 || math.Abs(dec-c.dec) > 1e-8 || math.Abs(r-c.radius) > 1e-12 {
			t.Errorf("%q: %.9g %.9g radius %g, %v; want %.9g %.9g radius %g", c.args, ra, dec, r, err, c.ra, c.dec, c.radius)
		}
	}
}

// TestPosFlagsOffline: a name with the resolver unreachable is an error
// naming the resolver.
func TestPosFlagsOffline(t *testing.T) {
	ses := sesamefake.Start()
	u := ses.ResolverURL()
	ses.Close()
	t.Setenv(nameres.EnvURL, u)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", filepath.Join(t.TempDir(), "c"))
	_, _, err := runCLI(t, "cone", "--url", "http://127.0.0.1:1/x", "--pos", "M31", "--radius", "1arcmin")
	if err == nil || !strings.Contains(err.Error(), u) || !strings.Contains(err.Error(), "cannot be reached") {
		t.Errorf("offline resolver: %v; want an error naming %s", err, u)
	}
}

// TestPosFlagsConfig: the resolver is the configuration's [resolver] url
// (the command's --config), which wins over the environment.
func TestPosFlagsConfig(t *testing.T) {
	ses := sesamefake.Start()
	defer ses.Close()
	t.Setenv(nameres.EnvURL, "http://127.0.0.1:1/not-this-one")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := writeFile(t, t.TempDir(), "voagent.toml", "[resolver]\nurl = \""+ses.ResolverURL()+"\"\n")
	pf := &posFlags{pos: "NGC 253", cfgPath: &cfg}
	ra, dec, err := pf.position(context.Background())
	if err != nil || math.Abs(ra-11.88799971) > 1e-8 || math.Abs(dec+25.28821944) > 1e-8 || ses.Hits() != 1 {
		t.Errorf("position = %g %g, %v (%d requests); want NGC 253 from the configured resolver", ra, dec, err, ses.Hits())
	}
}
