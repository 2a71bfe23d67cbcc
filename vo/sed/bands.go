// Package sed turns the photometry of a table (typically the cluster table
// of vo/xmatch) into approximate spectral energy distributions: each
// magnitude column is mapped by its UCD (and, to tell bands with one UCD
// apart, its name) to a band with an effective wavelength, and each row
// becomes a list of (wavelength, magnitude, catalogue) points (course
// workflows 9 and 11). The SED table (one row per source and band) plots
// directly in TOPCAT; Plot draws the SEDs as PNG.
package sed

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Band is a photometric band and the rule that recognises its columns.
type Band struct {
	// Name is the band's label, e.g. "2MASS J" or "Gaia BP".
	Name string `toml:"name" json:"name"`
	// UCD is the band's em.* word (e.g. "em.IR.J", "em.opt.B"), compared
	// case-insensitively with the em word of a phot.mag column's UCD.
	// Empty matches any column, by name alone.
	UCD string `toml:"ucd" json:"ucd"`
	// Columns, when not empty, are lower-case glob patterns (path.Match) of
	// which one must match the column name (lower-cased).
	Columns []string `toml:"columns" json:"columns"`
	// Wavelength is the effective wavelength in micrometres.
	Wavelength float64 `toml:"wavelength_um" json:"wavelength_um"`
}

// Bands is an ordered list of band rules: the first rule that matches a
// column wins, so specific rules (a UCD and column names) come before
// generic ones (a UCD alone).
type Bands []Band

// Effective wavelengths in micrometres: the WavelengthEff (Vega
// calibration, the default of fps.php?ID=...) that the SVO Filter Profile
// Service (http://svo2.cab.inta-csic.es/theory/fps/) publishes for the
// filter named after each constant, in angstrom, divided by 10^4.
const (
	wlGaiaG    = 0.58224 // SVO FPS GAIA/GAIA3.G: WavelengthEff 5822.39 AA
	wlGaiaBP   = 0.50358 // SVO FPS GAIA/GAIA3.Gbp: WavelengthEff 5035.75 AA
	wlGaiaRP   = 0.76200 // SVO FPS GAIA/GAIA3.Grp: WavelengthEff 7619.96 AA
	wlSDSSu    = 0.36080 // SVO FPS SLOAN/SDSS.u: WavelengthEff 3608.04 AA
	wlSDSSg    = 0.46718 // SVO FPS SLOAN/SDSS.g: WavelengthEff 4671.78 AA
	wlSDSSr    = 0.61411 // SVO FPS SLOAN/SDSS.r: WavelengthEff 6141.12 AA
	wlSDSSi    = 0.74579 // SVO FPS SLOAN/SDSS.i: WavelengthEff 7457.89 AA
	wlSDSSz    = 0.89228 // SVO FPS SLOAN/SDSS.z: WavelengthEff 8922.78 AA
	wlJohnsonU = 0.35511 // SVO FPS Generic/Johnson.U: WavelengthEff 3551.05 AA
	wlJohnsonB = 0.43695 // SVO FPS Generic/Johnson.B: WavelengthEff 4369.53 AA
	wlJohnsonV = 0.54676 // SVO FPS Generic/Johnson.V: WavelengthEff 5467.57 AA
	wlJohnsonR = 0.66958 // SVO FPS Generic/Johnson.R: WavelengthEff 6695.83 AA
	wlJohnsonI = 0.85689 // SVO FPS Generic/Johnson.I: WavelengthEff 8568.89 AA
	wl2MASSJ   = 1.2350  // SVO FPS 2MASS/2MASS.J: WavelengthEff 12350.00 AA
	wl2MASSH   = 1.6620  // SVO FPS 2MASS/2MASS.H: WavelengthEff 16620.00 AA
	wl2MASSK   = 2.1590  // SVO FPS 2MASS/2MASS.Ks: WavelengthEff 21590.00 AA
	wlWISEW1   = 3.3526  // SVO FPS WISE/WISE.W1: WavelengthEff 33526.00 AA
	wlWISEW2   = 4.6028  // SVO FPS WISE/WISE.W2: WavelengthEff 46028.00 AA
	wlWISEW3   = 11.5608 // SVO FPS WISE/WISE.W3: WavelengthEff 115608.00 AA
	wlWISEW4   = 22.0883 // SVO FPS WISE/WISE.W4: WavelengthEff 220883.00 AA
	wlGALEXFUV = 0.15488 // SVO FPS GALEX/GALEX.FUV: WavelengthEff 1548.85 AA
	wlGALEXNUV = 0.23034 // SVO FPS GALEX/GALEX.NUV: WavelengthEff 2303.37 AA
)

// DefaultBands covers Johnson U B V R I, 2MASS J H K, WISE W1-W4, SDSS u g r
// i z, Gaia G BP RP and GALEX FUV NUV. Several surveys share a UCD (Johnson
// B, SDSS g and Gaia BP are all em.opt.B in VizieR), so the column name
// decides between them, Johnson being the default for an em.opt word.
// Rules with no UCD recognise common column names in tables without UCDs
// (CSV files).
var DefaultBands = Bands{
	// Gaia BP and RP, by name (UCDs em.opt.B, em.opt.R; G is em.opt below).
	{Name: "Gaia BP", UCD: "em.opt.B", Columns: []string{"*bp*"}, Wavelength: wlGaiaBP},
	{Name: "Gaia RP", UCD: "em.opt.R", Columns: []string{"*rp*"}, Wavelength: wlGaiaRP},
	// SDSS, by name (VizieR writes umag..zmag with em.opt.U/B/R/I).
	{Name: "SDSS u", UCD: "em.opt.U", Columns: []string{"*sdss*", "*psfmag_u*", "*modelmag_u*", "u", "umag", "u_mag", "mag_u"}, Wavelength: wlSDSSu},
	{Name: "SDSS g", UCD: "em.opt.B", Columns: []string{"*sdss*", "*psfmag_g*", "*modelmag_g*", "g", "gmag", "g_mag", "mag_g"}, Wavelength: wlSDSSg},
	{Name: "SDSS r", UCD: "em.opt.R", Columns: []string{"*sdss*", "*psfmag_r*", "*modelmag_r*", "r_sdss", "sdss_r"}, Wavelength: wlSDSSr},
	{Name: "SDSS i", UCD: "em.opt.I", Columns: []string{"*sdss*", "*psfmag_i*", "*modelmag_i*", "i_sdss", "sdss_i"}, Wavelength: wlSDSSi},
	{Name: "SDSS z", UCD: "em.opt.I", Columns: []string{"z", "zmag", "z_mag", "mag_z", "*_z", "*psfmag_z*", "*modelmag_z*"}, Wavelength: wlSDSSz},
	// Johnson-Cousins.
	{Name: "Johnson U", UCD: "em.opt.U", Wavelength: wlJohnsonU},
	{Name: "Johnson B", UCD: "em.opt.B", Wavelength: wlJohnsonB},
	{Name: "Johnson V", UCD: "em.opt.V", Wavelength: wlJohnsonV},
	{Name: "Johnson R", UCD: "em.opt.R", Wavelength: wlJohnsonR},
	{Name: "Johnson I", UCD: "em.opt.I", Wavelength: wlJohnsonI},
	{Name: "Gaia G", UCD: "em.opt", Wavelength: wlGaiaG},
	// 2MASS.
	{Name: "2MASS J", UCD: "em.IR.J", Wavelength: wl2MASSJ},
	{Name: "2MASS H", UCD: "em.IR.H", Wavelength: wl2MASSH},
	{Name: "2MASS K", UCD: "em.IR.K", Wavelength: wl2MASSK},
	// WISE.
	{Name: "WISE W1", UCD: "em.IR.3-4um", Wavelength: wlWISEW1},
	{Name: "WISE W2", UCD: "em.IR.4-8um", Wavelength: wlWISEW2},
	{Name: "WISE W3", UCD: "em.IR.8-15um", Wavelength: wlWISEW3},
	{Name: "WISE W4", UCD: "em.IR.15-30um", Wavelength: wlWISEW4},
	// GALEX.
	{Name: "GALEX FUV", UCD: "em.UV.100-200nm", Wavelength: wlGALEXFUV},
	{Name: "GALEX NUV", UCD: "em.UV.200-300nm", Wavelength: wlGALEXNUV},
	// By name alone, for tables without UCDs.
	{Name: "2MASS J", Columns: []string{"jmag", "j_m", "j"}, Wavelength: wl2MASSJ},
	{Name: "2MASS H", Columns: []string{"hmag", "h_m", "h"}, Wavelength: wl2MASSH},
	{Name: "2MASS K", Columns: []string{"kmag", "ksmag", "k_m", "ks", "k"}, Wavelength: wl2MASSK},
	{Name: "WISE W1", Columns: []string{"w1mag", "w1mpro", "w1"}, Wavelength: wlWISEW1},
	{Name: "WISE W2", Columns: []string{"w2mag", "w2mpro", "w2"}, Wavelength: wlWISEW2},
	{Name: "WISE W3", Columns: []string{"w3mag", "w3mpro", "w3"}, Wavelength: wlWISEW3},
	{Name: "WISE W4", Columns: []string{"w4mag", "w4mpro", "w4"}, Wavelength: wlWISEW4},
	{Name: "Johnson U", Columns: []string{"umag_johnson", "u_johnson"}, Wavelength: wlJohnsonU},
	{Name: "Johnson B", Columns: []string{"bmag", "b"}, Wavelength: wlJohnsonB},
	{Name: "Johnson V", Columns: []string{"vmag", "v"}, Wavelength: wlJohnsonV},
	{Name: "Johnson R", Columns: []string{"rmag", "r"}, Wavelength: wlJohnsonR},
	{Name: "Johnson I", Columns: []string{"imag", "i"}, Wavelength: wlJohnsonI},
	{Name: "SDSS u", Columns: []string{"umag", "u"}, Wavelength: wlSDSSu},
	{Name: "SDSS g", Columns: []string{"gmag", "g"}, Wavelength: wlSDSSg},
	{Name: "SDSS z", Columns: []string{"zmag", "z"}, Wavelength: wlSDSSz},
	{Name: "Gaia G", Columns: []string{"phot_g_mean_mag", "gaia_g"}, Wavelength: wlGaiaG},
	{Name: "Gaia BP", Columns: []string{"phot_bp_mean_mag", "bp"}, Wavelength: wlGaiaBP},
	{Name: "Gaia RP", Columns: []string{"phot_rp_mean_mag", "rp"}, Wavelength: wlGaiaRP},
	{Name: "GALEX FUV", Columns: []string{"fuv_mag", "fuvmag", "fuv"}, Wavelength: wlGALEXFUV},
	{Name: "GALEX NUV", Columns: []string{"nuv_mag", "nuvmag", "nuv"}, Wavelength: wlGALEXNUV},
}

// emWord returns the em.* word of a UCD ("phot.mag;em.IR.J" -> "em.ir.j",
// lower case) and whether the UCD describes a magnitude (its primary word
// is phot.mag, not stat.error or another).
func emWord(ucd string) (em string, isMag bool) {
	words := strings.Split(strings.ToLower(strings.TrimSpace(ucd)), ";")
	if len(words) == 0 {
		return "", false
	}
	isMag = strings.TrimSpace(words[0]) == "phot.mag"
	for _, w := range words[1:] {
		w = strings.TrimSpace(w)
		if strings.HasPrefix(w, "em.") || w == "em" {
			return w, isMag
		}
	}
	return "", isMag
}

// Lookup returns the band of a column, given its name and UCD. A column
// with a UCD is a magnitude only when the UCD's first word is phot.mag;
// a column without a UCD is looked up by name only.
func (bs Bands) Lookup(name, ucd string) (Band, bool) {
	em, isMag := emWord(ucd)
	if strings.TrimSpace(ucd) != "" && !isMag {
		return Band{}, false
	}
	lname := strings.ToLower(strings.TrimSpace(name))
	for _, b := range bs {
		if b.UCD != "" {
			if em == "" || strings.ToLower(b.UCD) != em {
				continue
			}
		} else if ucd != "" && em != "" {
			// Name-only rules are for columns whose UCD says no band.
			continue
		}
		if len(b.Columns) > 0 && !matchAny(b.Columns, lname) {
			continue
		}
		return b, true
	}
	return Band{}, false
}

func matchAny(globs []string, name string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// ParseBands reads band rules, one per line: NAME WAVELENGTH_UM UCD
// [GLOB,GLOB...], fields separated by "|" (names hold spaces), e.g.
// "2MASS J | 1.235 | em.IR.J" or "SDSS g | 0.4686 | em.opt.B | gmag,g_*".
// An empty UCD ("-") matches by name alone. Blank lines and lines starting
// with # are skipped. The rules come before the defaults when extend is
// true, otherwise they replace them.
func ParseBands(r io.Reader, extend bool) (Bands, error) {
	var out Bands
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		parts := strings.Split(t, "|")
		if len(parts) < 3 || len(parts) > 4 {
			return nil, fmt.Errorf("band rules line %d: want NAME | WAVELENGTH_UM | UCD [| GLOBS], got %q", line, t)
		}
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		wl, err := strconv.ParseFloat(parts[1], 64)
		if err != nil || !(wl > 0) {
			return nil, fmt.Errorf("band rules line %d: wavelength %q is not a positive number of micrometres", line, parts[1])
		}
		b := Band{Name: parts[0], Wavelength: wl, UCD: parts[2]}
		if b.UCD == "-" {
			b.UCD = ""
		}
		if len(parts) == 4 && parts[3] != "" {
			for _, g := range strings.Split(parts[3], ",") {
				g = strings.ToLower(strings.TrimSpace(g))
				if _, err := path.Match(g, ""); err != nil {
					return nil, fmt.Errorf("band rules line %d: bad pattern %q: %w", line, g, err)
				}
				b.Columns = append(b.Columns, g)
			}
		}
		if b.UCD == "" && len(b.Columns) == 0 {
			return nil, fmt.Errorf("band rules line %d: a rule needs a UCD or column patterns", line)
		}
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading band rules: %w", err)
	}
	if extend {
		out = append(out, DefaultBands...)
	}
	return out, nil
}
