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

// DefaultBands covers Johnson U B V R I, 2MASS J H K, WISE W1-W4, SDSS u g r
// i z, Gaia G BP RP and GALEX FUV NUV. Several surveys share a UCD (Johnson
// B, SDSS g and Gaia BP are all em.opt.B in VizieR), so the column name
// decides between them, Johnson being the default for an em.opt word.
// Rules with no UCD recognise common column names in tables without UCDs
// (CSV files).
var DefaultBands = Bands{
	// Gaia BP and RP, by name (UCDs em.opt.B, em.opt.R; G is em.opt below).
	{Name: "Gaia BP", UCD: "em.opt.B", Columns: []string{"*bp*"}, Wavelength: 0.511},
	{Name: "Gaia RP", UCD: "em.opt.R", Columns: []string{"*rp*"}, Wavelength: 0.777},
	// SDSS, by name (VizieR writes umag..zmag with em.opt.U/B/R/I).
	{Name: "SDSS u", UCD: "em.opt.U", Columns: []string{"*sdss*", "*psfmag_u*", "*modelmag_u*", "u", "umag", "u_mag", "mag_u"}, Wavelength: 0.3551},
	{Name: "SDSS g", UCD: "em.opt.B", Columns: []string{"*sdss*", "*psfmag_g*", "*modelmag_g*", "g", "gmag", "g_mag", "mag_g"}, Wavelength: 0.4686},
	{Name: "SDSS r", UCD: "em.opt.R", Columns: []string{"*sdss*", "*psfmag_r*", "*modelmag_r*", "r_sdss", "sdss_r"}, Wavelength: 0.6166},
	{Name: "SDSS i", UCD: "em.opt.I", Columns: []string{"*sdss*", "*psfmag_i*", "*modelmag_i*", "i_sdss", "sdss_i"}, Wavelength: 0.7480},
	{Name: "SDSS z", UCD: "em.opt.I", Columns: []string{"z", "zmag", "z_mag", "mag_z", "*_z", "*psfmag_z*", "*modelmag_z*"}, Wavelength: 0.8932},
	// Johnson-Cousins.
	{Name: "Johnson U", UCD: "em.opt.U", Wavelength: 0.365},
	{Name: "Johnson B", UCD: "em.opt.B", Wavelength: 0.445},
	{Name: "Johnson V", UCD: "em.opt.V", Wavelength: 0.551},
	{Name: "Johnson R", UCD: "em.opt.R", Wavelength: 0.658},
	{Name: "Johnson I", UCD: "em.opt.I", Wavelength: 0.806},
	{Name: "Gaia G", UCD: "em.opt", Wavelength: 0.622},
	// 2MASS.
	{Name: "2MASS J", UCD: "em.IR.J", Wavelength: 1.235},
	{Name: "2MASS H", UCD: "em.IR.H", Wavelength: 1.662},
	{Name: "2MASS K", UCD: "em.IR.K", Wavelength: 2.159},
	// WISE.
	{Name: "WISE W1", UCD: "em.IR.3-4um", Wavelength: 3.353},
	{Name: "WISE W2", UCD: "em.IR.4-8um", Wavelength: 4.603},
	{Name: "WISE W3", UCD: "em.IR.8-15um", Wavelength: 11.561},
	{Name: "WISE W4", UCD: "em.IR.15-30um", Wavelength: 22.088},
	// GALEX.
	{Name: "GALEX FUV", UCD: "em.UV.100-200nm", Wavelength: 0.1528},
	{Name: "GALEX NUV", UCD: "em.UV.200-300nm", Wavelength: 0.2271},
	// By name alone, for tables without UCDs.
	{Name: "2MASS J", Columns: []string{"jmag", "j_m", "j"}, Wavelength: 1.235},
	{Name: "2MASS H", Columns: []string{"hmag", "h_m", "h"}, Wavelength: 1.662},
	{Name: "2MASS K", Columns: []string{"kmag", "ksmag", "k_m", "ks", "k"}, Wavelength: 2.159},
	{Name: "WISE W1", Columns: []string{"w1mag", "w1mpro", "w1"}, Wavelength: 3.353},
	{Name: "WISE W2", Columns: []string{"w2mag", "w2mpro", "w2"}, Wavelength: 4.603},
	{Name: "WISE W3", Columns: []string{"w3mag", "w3mpro", "w3"}, Wavelength: 11.561},
	{Name: "WISE W4", Columns: []string{"w4mag", "w4mpro", "w4"}, Wavelength: 22.088},
	{Name: "Johnson U", Columns: []string{"umag_johnson", "u_johnson"}, Wavelength: 0.365},
	{Name: "Johnson B", Columns: []string{"bmag", "b"}, Wavelength: 0.445},
	{Name: "Johnson V", Columns: []string{"vmag", "v"}, Wavelength: 0.551},
	{Name: "Johnson R", Columns: []string{"rmag", "r"}, Wavelength: 0.658},
	{Name: "Johnson I", Columns: []string{"imag", "i"}, Wavelength: 0.806},
	{Name: "SDSS u", Columns: []string{"umag", "u"}, Wavelength: 0.3551},
	{Name: "SDSS g", Columns: []string{"gmag", "g"}, Wavelength: 0.4686},
	{Name: "SDSS z", Columns: []string{"zmag", "z"}, Wavelength: 0.8932},
	{Name: "Gaia G", Columns: []string{"phot_g_mean_mag", "gaia_g"}, Wavelength: 0.622},
	{Name: "Gaia BP", Columns: []string{"phot_bp_mean_mag", "bp"}, Wavelength: 0.511},
	{Name: "Gaia RP", Columns: []string{"phot_rp_mean_mag", "rp"}, Wavelength: 0.777},
	{Name: "GALEX FUV", Columns: []string{"fuv_mag", "fuvmag", "fuv"}, Wavelength: 0.1528},
	{Name: "GALEX NUV", Columns: []string{"nuv_mag", "nuvmag", "nuv"}, Wavelength: 0.2271},
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
