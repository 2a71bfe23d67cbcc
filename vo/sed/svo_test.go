package sed

import (
	"math"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// TestBandsAgainstSVO checks every default band's wavelength against the
// effective wavelength (WavelengthEff, Vega calibration) the SVO Filter
// Profile Service publishes for the filter, in angstrom
// (http://svo2.cab.inta-csic.es/theory/fps/fps.php?ID=<filter>).
func TestBandsAgainstSVO(t *testing.T) {
	svo := map[string]struct {
		filter string
		effAA  float64
	}{
		"Gaia G":    {"GAIA/GAIA3.G", 5822.39},
		"Gaia BP":   {"GAIA/GAIA3.Gbp", 5035.75},
		"Gaia RP":   {"GAIA/GAIA3.Grp", 7619.96},
		"SDSS u":    {"SLOAN/SDSS.u", 3608.04},
		"SDSS g":    {"SLOAN/SDSS.g", 4671.78},
		"SDSS r":    {"SLOAN/SDSS.r", 6141.12},
		"SDSS i":    {"SLOAN/SDSS.i", 7457.89},
		"SDSS z":    {"SLOAN/SDSS.z", 8922.78},
		"Johnson U": {"Generic/Johnson.U", 3551.05},
		"Johnson B": {"Generic/Johnson.B", 4369.53},
		"Johnson V": {"Generic/Johnson.V", 5467.57},
		"Johnson R": {"Generic/Johnson.R", 6695.83},
		"Johnson I": {"Generic/Johnson.I", 8568.89},
		"2MASS J":   {"2MASS/2MASS.J", 12350.00},
		"2MASS H":   {"2MASS/2MASS.H", 16620.00},
		"2MASS K":   {"2MASS/2MASS.Ks", 21590.00},
		"WISE W1":   {"WISE/WISE.W1", 33526.00},
		"WISE W2":   {"WISE/WISE.W2", 46028.00},
		"WISE W3":   {"WISE/WISE.W3", 115608.00},
		"WISE W4":   {"WISE/WISE.W4", 220883.00},
		"GALEX FUV": {"GALEX/GALEX.FUV", 1548.85},
		"GALEX NUV": {"GALEX/GALEX.NUV", 2303.37},
	}
	for _, b := range DefaultBands {
		ref, ok := svo[b.Name]
		if !ok {
			t.Errorf("band %q (rule %v %v): no SVO reference in this test", b.Name, b.UCD, b.Columns)
			continue
		}
		want := ref.effAA / 1e4
		if math.Abs(b.Wavelength-want) > 5e-5 {
			t.Errorf("band %q (rule %v %v): %g um, SVO %s gives %.5f um", b.Name, b.UCD, b.Columns, b.Wavelength, ref.filter, want)
		}
	}
}

// TestSDSSBandsInContext: a catalogue with SDSS u g r i z written with
// the Johnson UCDs (as the testbed's SDSS table and VizieR do), or named
// u g r i z without UCDs, gives SDSS wavelengths for every band; a
// Johnson catalogue keeps Johnson R and I.
func TestSDSSBandsInContext(t *testing.T) {
	sdssUCD := map[string]string{"u": "em.opt.U", "g": "em.opt.B", "r": "em.opt.R", "i": "em.opt.I", "z": "em.opt.I"}
	withUCD := func(names string, ucds map[string]string) *votable.Table {
		var fields []*votable.Field
		var cols []votable.Column
		for _, n := range strings.Split(names, ",") {
			f := &votable.Field{Name: n, Datatype: votable.Float}
			if u, ok := ucds[n]; ok {
				f.UCD = "phot.mag;" + u
			}
			c := votable.NewScalar[float32](f)
			c.Append(15, false)
			fields = append(fields, f)
			cols = append(cols, c)
		}
		return &votable.Table{Name: "t", Fields: fields, Columns: cols}
	}
	csv := func(s string) *votable.Table {
		tab, err := votable.ReadCSV(strings.NewReader(s), "t.csv")
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	for _, c := range []struct {
		name string
		tab  *votable.Table
		want map[string]string // column -> band
	}{
		{"SDSS with Johnson UCDs", withUCD("u,g,r,i,z", sdssUCD),
			map[string]string{"u": "SDSS u", "g": "SDSS g", "r": "SDSS r", "i": "SDSS i", "z": "SDSS z"}},
		{"SDSS by name (CSV)", csv("u,g,r,i,z\n15,15,15,15,15\n"),
			map[string]string{"u": "SDSS u", "g": "SDSS g", "r": "SDSS r", "i": "SDSS i", "z": "SDSS z"}},
		{"Johnson", withUCD("Bmag,Vmag,Rmag,Imag", map[string]string{"Bmag": "em.opt.B", "Vmag": "em.opt.V", "Rmag": "em.opt.R", "Imag": "em.opt.I"}),
			map[string]string{"Bmag": "Johnson B", "Vmag": "Johnson V", "Rmag": "Johnson R", "Imag": "Johnson I"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srcs, err := Extract(c.tab, DefaultBands)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) != 1 {
				t.Fatalf("%d sources", len(srcs))
			}
			got := map[string]string{}
			for _, p := range srcs[0].Points {
				got[p.Column] = p.Band
				var wl float64
				for _, b := range DefaultBands {
					if b.Name == p.Band {
						wl = b.Wavelength
						break
					}
				}
				if p.Wavelength != wl {
					t.Errorf("%s: %s at %g um, the band's wavelength is %g", p.Column, p.Band, p.Wavelength, wl)
				}
			}
			for col, band := range c.want {
				if got[col] != band {
					t.Errorf("column %s: band %q, want %q", col, got[col], band)
				}
			}
		})
	}
}
