package sed

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

func TestLookup(t *testing.T) {
	for _, c := range []struct {
		name, ucd string
		want      string // "" for no band
	}{
		{"jmag", "phot.mag;em.IR.J", "2MASS J"},
		{"Kmag", "PHOT.MAG;EM.IR.K", "2MASS K"},
		{"w1mag", "phot.mag;em.IR.3-4um", "WISE W1"},
		{"w4", "phot.mag;em.IR.15-30um", "WISE W4"},
		{"bmag", "phot.mag;em.opt.B", "Johnson B"},
		{"Vmag", "phot.mag;em.opt.V;meta.main", "Johnson V"},
		{"phot_bp_mean_mag", "phot.mag;em.opt.B", "Gaia BP"},
		{"phot_rp_mean_mag", "phot.mag;em.opt.R", "Gaia RP"},
		{"phot_g_mean_mag", "phot.mag;em.opt", "Gaia G"},
		{"gmag", "phot.mag;em.opt.B", "SDSS g"},
		{"umag", "phot.mag;em.opt.U", "SDSS u"},
		{"zmag", "phot.mag;em.opt.I", "SDSS z"},
		{"Imag", "phot.mag;em.opt.I", "Johnson I"},
		{"FUVmag", "phot.mag;em.UV.100-200nm", "GALEX FUV"},
		{"NUVmag", "phot.mag;em.UV.200-300nm", "GALEX NUV"},
		{"e_jmag", "stat.error;phot.mag;em.IR.J", ""},
		{"flux", "phot.flux;em.IR.J", ""},
		{"jmag", "", "2MASS J"},         // CSV: by name
		{"w2mpro", "", "WISE W2"},       // CSV: by name
		{"jmag", "phot.mag", "2MASS J"}, // no em word: by name
		{"ra", "", ""},
		{"xmag", "phot.mag;em.X-ray", ""},
	} {
		b, ok := DefaultBands.Lookup(c.name, c.ucd)
		got := ""
		if ok {
			got = b.Name
		}
		if got != c.want {
			t.Errorf("Lookup(%q, %q) = %q, want %q", c.name, c.ucd, got, c.want)
		}
	}
}

func TestParseBands(t *testing.T) {
	in := "# my rules\nSDSS r | 0.6166 | em.opt.R | rmag,r_*\n\nMy X | 10 | - | xmag\n"
	bs, err := ParseBands(strings.NewReader(in), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2+len(DefaultBands) {
		t.Fatalf("%d rules", len(bs))
	}
	if b, _ := bs.Lookup("rmag", "phot.mag;em.opt.R"); b.Name != "SDSS r" {
		t.Errorf("override not first: %q", b.Name)
	}
	if b, _ := bs.Lookup("Xmag", ""); b.Name != "My X" || b.Wavelength != 10 {
		t.Errorf("name rule: %+v", b)
	}
	only, err := ParseBands(strings.NewReader(in), false)
	if err != nil || len(only) != 2 {
		t.Fatalf("replace: %d rules, %v", len(only), err)
	}
	if _, ok := only.Lookup("jmag", "phot.mag;em.IR.J"); ok {
		t.Errorf("replaced rules still know J")
	}
	for _, bad := range []string{"J | x | em.IR.J", "J | 1.2", "J | -1 | em.IR.J", "J | 1 | - ", "J | 1 | em.IR.J | [", "a|1|b|c|d"} {
		if _, err := ParseBands(strings.NewReader(bad), false); err == nil {
			t.Errorf("ParseBands(%q): no error", bad)
		}
	}
}

// clusterTable is a small table shaped like vo/xmatch's cluster output.
func clusterTable(t *testing.T) *votable.Table {
	t.Helper()
	fields := []*votable.Field{
		{Name: "cluster_id", Datatype: votable.Int, UCD: "meta.id;meta.main"},
		{Name: "ra", Datatype: votable.Double, UCD: "pos.eq.ra;meta.main"},
		{Name: "dec", Datatype: votable.Double, UCD: "pos.eq.dec;meta.main"},
		{Name: "jmag", Datatype: votable.Float, UCD: "phot.mag;em.IR.J", ID: "c1_1"},
		{Name: "e_jmag", Datatype: votable.Float, UCD: "stat.error;phot.mag;em.IR.J", ID: "c1_2"},
		{Name: "w1mag", Datatype: votable.Float, UCD: "phot.mag;em.IR.3-4um", ID: "c2_1"},
		{Name: "bmag", Datatype: votable.Double, UCD: "phot.mag;em.opt.B", ID: "c3_1"},
	}
	tab := &votable.Table{Name: "clusters", Fields: fields, Groups: []*votable.Group{
		{Name: "twomass", FieldRefs: []*votable.FieldRef{{Ref: "c1_1"}, {Ref: "c1_2"}}},
		{Name: "wise", FieldRefs: []*votable.FieldRef{{Ref: "c2_1"}}},
		{Name: "optical", FieldRefs: []*votable.FieldRef{{Ref: "c3_1"}}},
	}}
	id := votable.NewScalar[int32](fields[0])
	ra, dec := votable.NewScalar[float64](fields[1]), votable.NewScalar[float64](fields[2])
	j, ej, w1 := votable.NewScalar[float32](fields[3]), votable.NewScalar[float32](fields[4]), votable.NewScalar[float32](fields[5])
	b := votable.NewScalar[float64](fields[6])
	nan := float32(math.NaN())
	for _, r := range []struct {
		j, w1 float32
		b     float64
		nb    bool
	}{{12, 11, 14, false}, {13, nan, 0, true}, {nan, nan, 0, true}} {
		id.Append(int32(id.Len()+1), false)
		ra.Append(10, false)
		dec.Append(-5, false)
		j.Append(r.j, false)
		ej.Append(0.1, false)
		w1.Append(r.w1, r.w1 != r.w1)
		b.Append(r.b, r.nb)
	}
	tab.Columns = []votable.Column{id, ra, dec, j, ej, w1, b}
	return tab
}

func TestExtractAndTable(t *testing.T) {
	srcs, err := Extract(clusterTable(t), DefaultBands)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 {
		t.Fatalf("%d sources, want 2 (the third has no magnitude)", len(srcs))
	}
	s := srcs[0]
	if s.ID != "1" || s.RA != 10 || s.Dec != -5 || len(s.Points) != 3 {
		t.Fatalf("source 1: %+v", s)
	}
	want := []Point{
		{Wavelength: wlJohnsonB, Mag: 14, Band: "Johnson B", Catalogue: "optical", Column: "bmag"},
		{Wavelength: wl2MASSJ, Mag: 12, MagErr: float64(float32(0.1)), Band: "2MASS J", Catalogue: "twomass", Column: "jmag"},
		{Wavelength: wlWISEW1, Mag: 11, Band: "WISE W1", Catalogue: "wise", Column: "w1mag"},
	}
	for i, p := range s.Points {
		if p != want[i] {
			t.Errorf("point %d: %+v, want %+v", i, p, want[i])
		}
	}
	if len(srcs[1].Points) != 1 || srcs[1].Points[0].Band != "2MASS J" {
		t.Errorf("source 2: %+v", srcs[1])
	}
	tab, err := Table(srcs)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != 4 {
		t.Fatalf("SED table has %d rows, want 4", tab.Rows())
	}
	if v := tab.Columns[tab.FieldByName("wavelength")].Value(2); v != wlWISEW1 {
		t.Errorf("row 3 wavelength %v", v)
	}
	if v := tab.Columns[tab.FieldByName("mag_err")]; v.Value(1) != float64(float32(0.1)) || !v.IsNull(0) {
		t.Errorf("mag_err: %v %v, want 0.1 for J and null for B", v.Value(1), v.Value(0))
	}
	if v := tab.Columns[tab.FieldByName("source")].Value(3); v != "2" {
		t.Errorf("row 4 source %v", v)
	}
	var buf bytes.Buffer
	if err := votable.WriteTable(&buf, tab, votable.Binary2); err != nil {
		t.Fatal(err)
	}
	if doc, err := votable.Read(&buf); err != nil || doc.Tables()[0].Rows() != 4 {
		t.Errorf("SED table round trip: %v", err)
	}
	if _, err := Extract(&votable.Table{Name: "x", Fields: []*votable.Field{{Name: "a", Datatype: votable.Double}},
		Columns: []votable.Column{votable.NewScalar[float64](&votable.Field{Name: "a"})}}, DefaultBands); err == nil {
		t.Errorf("table without magnitudes: no error")
	}
}

func TestPlot(t *testing.T) {
	srcs, err := Extract(clusterTable(t), DefaultBands)
	if err != nil {
		t.Fatal(err)
	}
	for _, panels := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Plot(&buf, srcs, PlotOptions{Panels: panels, Width: 300, Height: 200}); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("panels=%v: not a PNG: %v", panels, err)
		}
		if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 200 {
			t.Errorf("panels=%v: image %v, want 300 x 200", panels, b)
		}
		// Each source is drawn in its own colour.
		for k := range srcs {
			if n := countColour(img, palette[k%len(palette)]); n < 20 {
				t.Errorf("panels=%v: %d pixels of source %d's colour", panels, n, k)
			}
		}
		if n := countColour(img, palette[len(srcs)]); n != 0 {
			t.Errorf("panels=%v: %d pixels of a colour no source has", panels, n)
		}
	}
	if err := Plot(&bytes.Buffer{}, nil, PlotOptions{}); err == nil {
		t.Errorf("no source: no error")
	}
}

// countColour counts the pixels of img that are exactly c.
func countColour(img image.Image, c color.Color) int {
	r0, g0, b0, _ := c.RGBA()
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r == r0 && g == g0 && b == b0 {
				n++
			}
		}
	}
	return n
}

// TestLogTicks: the wavelength ticks are 1-2-5 values covering the data.
func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0.35, 22, "0.2 0.5 1 2 5 10 20 50"},
		{1.25, 1.25, "1 2"},
		{1, 1, "0.5 1 2"},
		{0.5, 3.4, "0.5 1 2 5"},
	} {
		var got []string
		for _, tk := range logTicks(tc.lo, tc.hi) {
			got = append(got, tk.Label)
			if math.Abs(tk.Value-math.Log10(mustFloat(t, tk.Label))) > 1e-12 {
				t.Errorf("tick %s at %g", tk.Label, tk.Value)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("logTicks(%g, %g) = %v, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestExtractPositions checks that SED positions come from the columns
// vo/skypos finds: a CSV without UCDs (sexagesimal RA/Dec), galactic
// columns (converted to ICRS), and none (NaN).
func TestExtractPositions(t *testing.T) {
	for _, c := range []struct {
		name, csv string
		ra, dec   float64
	}{
		{"sexagesimal", "RAJ2000,DEJ2000,Jmag\n10:00:00,-30:00:00,12.5\n", 150, -30},
		{"galactic pole", "GLON,GLAT,Jmag\n0,90,12.5\n", math.NaN(), math.NaN()},
		{"none", "x,Jmag\n1,12.5\n", math.NaN(), math.NaN()},
	} {
		tab, err := votable.ReadCSV(strings.NewReader(c.csv), c.name)
		if err != nil {
			t.Fatal(err)
		}
		srcs, err := Extract(tab, DefaultBands)
		if err != nil || len(srcs) != 1 {
			t.Fatalf("%s: %d sources, %v", c.name, len(srcs), err)
		}
		s := srcs[0]
		switch c.name {
		case "galactic pole":
			// The galactic pole is near FK5 (192.85948, 27.12825).
			if math.Abs(s.RA-192.85948) > 1e-4 || math.Abs(s.Dec-27.12825) > 1e-4 {
				t.Errorf("%s: %g, %g", c.name, s.RA, s.Dec)
			}
		case "none":
			if !math.IsNaN(s.RA) || !math.IsNaN(s.Dec) {
				t.Errorf("%s: %g, %g, want NaN", c.name, s.RA, s.Dec)
			}
		default:
			if math.Abs(s.RA-c.ra) > 1e-12 || math.Abs(s.Dec-c.dec) > 1e-12 {
				t.Errorf("%s: %g, %g, want %g, %g", c.name, s.RA, s.Dec, c.ra, c.dec)
			}
		}
	}
}
