package skypos

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// tcol is a test column: its field and values (float64, float32, int64,
// string, or nil for null).
type tcol struct {
	f    votable.Field
	vals []any
}

func mkTable(t testing.TB, cols ...tcol) *votable.Table {
	t.Helper()
	tab := &votable.Table{Name: "t"}
	for _, c := range cols {
		f := c.f
		if f.Datatype.IsString() && f.Arraysize == "" {
			f.Arraysize = "*"
		}
		if f.Arraysize != "" {
			f.Shape, _ = votable.ParseShape(f.Arraysize)
		}
		col, err := votable.NewColumn(&f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range c.vals {
			switch col := col.(type) {
			case *votable.Scalar[float64]:
				x, _ := v.(float64)
				col.Append(x, v == nil)
			case *votable.Scalar[float32]:
				x, _ := v.(float32)
				col.Append(x, v == nil)
			case *votable.Scalar[int64]:
				x, _ := v.(int64)
				col.Append(x, v == nil)
			case *votable.Strings:
				x, _ := v.(string)
				if err := col.AppendString(x, v == nil); err != nil {
					t.Fatal(err)
				}
			case *votable.Array[float64]:
				x, _ := v.(float64)
				if err := col.Append([]float64{x, x}, v == nil); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("test column type %T", col)
			}
		}
		tab.Fields = append(tab.Fields, &f)
		tab.Columns = append(tab.Columns, col)
	}
	tab.NRows = int64(tab.Rows())
	return tab
}

// dbl and str make test columns.
func dbl(name, ucd, unit string, vals ...any) tcol {
	return tcol{votable.Field{Name: name, UCD: ucd, Unit: unit, Datatype: votable.Double}, vals}
}

func str(name, ucd, unit string, vals ...any) tcol {
	return tcol{votable.Field{Name: name, UCD: ucd, Unit: unit, Datatype: votable.Char}, vals}
}

// hms and dms are sexagesimal values in degrees, for expectations.
func hms(h, m, s float64) float64 { return 15 * (h + m/60 + s/3600) }
func dms(sign, d, m, s float64) float64 {
	return sign * (d + m/60 + s/3600)
}

// none marks a row without a position in the expectations.
var none = [2]float64{math.NaN(), math.NaN()}

func TestFind(t *testing.T) {
	gal := func(l, b float64) [2]float64 {
		ra, dec := GalacticToICRS(l, b)
		return [2]float64{ra, dec}
	}
	for _, c := range []struct {
		name     string
		cols     []tcol
		opt      Options
		ra, dec  string // the columns expected
		frame    Frame
		want     [][2]float64
		describe string
		fail     string // Find's error
		allFail  string // All's error
	}{
		{
			name: "UCD1+ meta.main preferred to pos.eq.ra",
			cols: []tcol{
				dbl("x", "pos.eq.ra", "deg", 1.0), dbl("y", "pos.eq.dec", "deg", 2.0),
				dbl("alpha", "pos.eq.ra;meta.main", "deg", 10.0), dbl("delta", "POS.EQ.DEC;META.MAIN", "deg", -5.0),
			},
			ra: "alpha", dec: "delta", frame: ICRS, want: [][2]float64{{10, -5}},
		},
		{
			name: "UCD1+ pos.eq.ra without meta.main",
			cols: []tcol{dbl("ra", "", "deg", 3.0), dbl("p", "pos.eq.ra", "deg", 1.0), dbl("q", "pos.eq.dec", "deg", 2.0)},
			ra:   "p", dec: "q", frame: ICRS, want: [][2]float64{{1, 2}},
		},
		{
			name: "UCD1 POS_EQ_RA_MAIN preferred to POS_EQ_RA",
			cols: []tcol{
				dbl("a1", "POS_EQ_RA", "deg", 1.0), dbl("d1", "POS_EQ_DEC", "deg", 2.0),
				dbl("a2", "POS_EQ_RA_MAIN", "deg", 3.0), dbl("d2", "POS_EQ_DEC_MAIN", "deg", 4.0),
			},
			ra: "a2", dec: "d2", frame: ICRS, want: [][2]float64{{3, 4}},
		},
		{
			name: "UCD1 alone",
			cols: []tcol{dbl("a", "POS_EQ_RA", "", 1.0), dbl("d", "POS_EQ_DEC", "", 2.0)},
			ra:   "a", dec: "d", frame: ICRS, want: [][2]float64{{1, 2}},
		},
		{
			name: "UCD1+ preferred to UCD1",
			cols: []tcol{dbl("a1", "POS_EQ_RA_MAIN", "", 1.0), dbl("d1", "POS_EQ_DEC_MAIN", "", 2.0), dbl("a2", "pos.eq.ra", "", 3.0), dbl("d2", "pos.eq.dec", "", 4.0)},
			ra:   "a2", dec: "d2", frame: ICRS, want: [][2]float64{{3, 4}},
		},
		{
			name: "astropy-written RAJ2000/DEJ2000 in deg without UCDs",
			cols: []tcol{dbl("Name", "", "", 0.0), dbl("RAJ2000", "", "deg", 150.1, 370.0), dbl("DEJ2000", "", "deg", 2.2, -3.0)},
			ra:   "RAJ2000", dec: "DEJ2000", frame: ICRS, want: [][2]float64{{150.1, 2.2}, {10, -3}},
			describe: "RAJ2000/DEJ2000 (deg)",
		},
		{
			name: "mixed-case names, Dec with the RA's suffix preferred",
			cols: []tcol{dbl("Ra_Icrs", "", "", 1.0), dbl("DEJ2000", "", "", 5.0), dbl("De_ICRS", "", "", 2.0)},
			ra:   "Ra_Icrs", dec: "De_ICRS", frame: ICRS, want: [][2]float64{{1, 2}},
		},
		{
			name: "numeric RA in hours, Dec in arcsec",
			cols: []tcol{dbl("ra", "", "h", 10.0, 1.5), dbl("dec", "", "arcsec", 3600.0, -7200.0)},
			ra:   "ra", dec: "dec", frame: ICRS, want: [][2]float64{{150, 1}, {22.5, -2}},
			describe: "ra/dec (h/arcsec)",
		},
		{
			name: "hourangle and mas",
			cols: []tcol{dbl("RA", "", "hourangle", 2.0), dbl("DEC", "", "mas", 3.6e6)},
			ra:   "RA", dec: "DEC", frame: ICRS, want: [][2]float64{{30, 1}},
		},
		{
			name: "radians",
			cols: []tcol{dbl("RAJ2000", "", "rad", math.Pi), dbl("DEJ2000", "", "rad", -math.Pi/4)},
			ra:   "RAJ2000", dec: "DEJ2000", frame: ICRS, want: [][2]float64{{180, -45}},
		},
		{
			name: "float and integer columns",
			cols: []tcol{
				{votable.Field{Name: "ra", Datatype: votable.Float}, []any{float32(12.5)}},
				{votable.Field{Name: "dec", Datatype: votable.Long}, []any{int64(-30)}},
			},
			ra: "ra", dec: "dec", frame: ICRS, want: [][2]float64{{12.5, -30}},
		},
		{
			name: "sexagesimal strings: RA in hours, Dec in degrees",
			cols: []tcol{
				str("RA", "", "", "10:00:28.6", "10h00m28.6s", "10 00 28.6", nil, "  ", "150.5"),
				str("DEC", "", "", "-02:12:21", "+02d12m21s", "-02 12 21", "1", "2", "-2.5"),
			},
			ra: "RA", dec: "DEC", frame: ICRS,
			want: [][2]float64{
				{hms(10, 0, 28.6), dms(-1, 2, 12, 21)}, {hms(10, 0, 28.6), dms(1, 2, 12, 21)},
				{hms(10, 0, 28.6), dms(-1, 2, 12, 21)}, none, none, {150.5, -2.5},
			},
			describe: "RA/DEC (sexagesimal hours/sexagesimal degrees)",
		},
		{
			name: "VizieR units h:m:s and d:m:s",
			cols: []tcol{str("RAJ2000", "pos.eq.ra;meta.main", `"h:m:s"`, "12 30 00", "1.5"), str("DEJ2000", "pos.eq.dec;meta.main", `"d:m:s"`, "-00 30 00", "2")},
			ra:   "RAJ2000", dec: "DEJ2000", frame: ICRS, want: [][2]float64{{187.5, -0.5}, {22.5, 2}},
		},
		{
			name: "string RA in degrees",
			cols: []tcol{str("ra", "", "deg", "150:07:09"), str("dec", "", "deg", "-2:12:21")},
			ra:   "ra", dec: "dec", frame: ICRS, want: [][2]float64{{dms(1, 150, 7, 9), dms(-1, 2, 12, 21)}},
		},
		{
			name: "galactic GLON/GLAT converted to ICRS",
			cols: []tcol{dbl("GLON", "", "deg", 0.0, 120.5), dbl("GLAT", "", "deg", 0.0, -60.25)},
			ra:   "GLON", dec: "GLAT", frame: Galactic, want: [][2]float64{gal(0, 0), gal(120.5, -60.25)},
			describe: "GLON/GLAT (galactic deg, converted to ICRS)",
		},
		{
			name: "galactic by UCD1+",
			cols: []tcol{dbl("lon", "pos.galactic.lon", "", 10.0), dbl("lat", "pos.galactic.lat", "", 20.0)},
			ra:   "lon", dec: "lat", frame: Galactic, want: [][2]float64{gal(10, 20)},
		},
		{
			name: "galactic by UCD1, radians",
			cols: []tcol{dbl("x", "POS_GAL_LON", "rad", math.Pi), dbl("y", "POS_GAL_LAT", "rad", 0.0)},
			ra:   "x", dec: "y", frame: Galactic, want: [][2]float64{gal(180, 0)},
		},
		{
			name: "galactic l/b names, sexagesimal strings in degrees",
			cols: []tcol{str("l", "", "", "120:30:00"), str("b", "", "", "-10:15:00")},
			ra:   "l", dec: "b", frame: Galactic, want: [][2]float64{gal(120.5, -10.25)},
		},
		{
			name: "equatorial preferred to galactic",
			cols: []tcol{dbl("GLON", "pos.galactic.lon", "", 1.0), dbl("GLAT", "pos.galactic.lat", "", 2.0), dbl("RAJ2000", "", "", 3.0), dbl("DEJ2000", "", "", 4.0)},
			ra:   "RAJ2000", dec: "DEJ2000", frame: ICRS, want: [][2]float64{{3, 4}},
		},
		{
			name: "an RA without Dec falls back to galactic",
			cols: []tcol{dbl("ra", "", "", 3.0), dbl("glon", "", "", 1.0), dbl("glat", "", "", 2.0)},
			ra:   "glon", dec: "glat", frame: Galactic, want: [][2]float64{gal(1, 2)},
		},
		{
			name: "nulls and NaN",
			cols: []tcol{dbl("ra", "", "", 1.0, nil, math.NaN(), 4.0), dbl("dec", "", "", nil, 2.0, 3.0, 4.0)},
			ra:   "ra", dec: "dec", frame: ICRS, want: [][2]float64{none, none, none, {4, 4}},
		},
		{
			name: "explicit names",
			cols: []tcol{dbl("ra", "pos.eq.ra;meta.main", "", 1.0), dbl("dec", "pos.eq.dec;meta.main", "", 2.0), dbl("x", "", "", 3.0), dbl("y", "", "", 4.0)},
			opt:  Options{RA: "X", Dec: "y"},
			ra:   "x", dec: "y", frame: ICRS, want: [][2]float64{{3, 4}},
		},
		{
			name: "one explicit name, the other found",
			cols: []tcol{dbl("ra", "", "", 1.0), dbl("dec", "", "", 2.0), dbl("x", "", "", 3.0)},
			opt:  Options{RA: "x"},
			ra:   "x", dec: "dec", frame: ICRS, want: [][2]float64{{3, 2}},
		},
		{
			name: "explicit galactic by UCD",
			cols: []tcol{dbl("u", "pos.galactic.lon", "", 30.0), dbl("v", "pos.galactic.lat", "", 40.0)},
			opt:  Options{RA: "u", Dec: "v"},
			ra:   "u", dec: "v", frame: Galactic, want: [][2]float64{gal(30, 40)},
		},
		{
			name: "explicit frame",
			cols: []tcol{dbl("u", "", "", 30.0), dbl("v", "", "", 40.0)},
			opt:  Options{RA: "u", Dec: "v", Frame: Galactic},
			ra:   "u", dec: "v", frame: Galactic, want: [][2]float64{gal(30, 40)},
		},
		{
			name: "declination out of range",
			cols: []tcol{dbl("ra", "", "", 1.0, 2.0), dbl("dec", "", "", 95.0, 2.0)},
			ra:   "ra", dec: "dec", frame: ICRS, want: [][2]float64{none, {2, 2}},
			allFail: "row 1: declination 95 is outside [-90, 90]",
		},
		{
			name: "unparsable sexagesimal",
			cols: []tcol{str("ra", "", "", "12:xx:00", "12:00:00"), dbl("dec", "", "", 1.0, 1.0)},
			ra:   "ra", dec: "dec", frame: ICRS, want: [][2]float64{none, {180, 1}},
			allFail: `column "ra" row 1: sexagesimal angle "12:xx:00": bad field "xx"`,
		},
		{
			name: "no position",
			cols: []tcol{dbl("x", "", "", 1.0), dbl("radius", "", "", 1.0), dbl("decl_err", "", "", 1.0)},
			fail: "has no sky position",
		},
		{
			name: "RA by UCD and no Dec",
			cols: []tcol{dbl("x", "pos.eq.ra;meta.main", "", 1.0)},
			fail: "has no sky position",
		},
		{
			name: "explicit column missing",
			cols: []tcol{dbl("ra", "", "", 1.0), dbl("dec", "", "", 1.0)},
			opt:  Options{Dec: "nope"},
			fail: `no column "nope" for the declination`,
		},
		{
			name: "same column twice",
			cols: []tcol{dbl("a", "", "", 1.0)},
			opt:  Options{RA: "a", Dec: "a"},
			fail: "both the longitude and the latitude",
		},
		{
			name: "unknown unit",
			cols: []tcol{dbl("ra", "", "furlong", 1.0), dbl("dec", "", "", 1.0)},
			fail: `unknown angle unit "furlong"`,
		},
		{
			name: "declination in hours",
			cols: []tcol{dbl("ra", "", "", 1.0), dbl("dec", "", "h", 1.0)},
			fail: "a latitude in hours",
		},
		{
			name: "array column",
			cols: []tcol{{votable.Field{Name: "ra", Datatype: votable.Double, Arraysize: "2"}, []any{1.0}}, dbl("dec", "", "", 1.0)},
			fail: "is not a number or a string",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab := mkTable(t, c.cols...)
			cols, err := Find(tab, c.opt)
			if c.fail != "" {
				if err == nil || !strings.Contains(err.Error(), c.fail) {
					t.Fatalf("Find error %v, want one containing %q", err, c.fail)
				}
				if _, _, ok := cols.At(tab, 0); ok {
					t.Errorf("At on a failed Find: ok")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := [2]string{tab.Fields[cols.RA].Name, tab.Fields[cols.Dec].Name}; got != [2]string{c.ra, c.dec} || cols.Frame != c.frame {
				t.Fatalf("found %v in %v, want %s/%s in %v", got, cols.Frame, c.ra, c.dec, c.frame)
			}
			if c.describe != "" {
				if got := cols.Describe(tab); got != c.describe {
					t.Errorf("Describe = %q, want %q", got, c.describe)
				}
			}
			for row, w := range c.want {
				ra, dec, ok := cols.At(tab, row)
				if math.IsNaN(w[0]) {
					if ok {
						t.Errorf("row %d: At = %g, %g, want no position", row, ra, dec)
					}
					continue
				}
				if !ok || math.Abs(ra-w[0]) > 1e-9 || math.Abs(dec-w[1]) > 1e-9 {
					t.Errorf("row %d: At = %.12g, %.12g, %v; want %.12g, %.12g", row, ra, dec, ok, w[0], w[1])
				}
			}
			if _, _, ok := cols.At(tab, len(c.want)); ok {
				t.Errorf("At past the last row: ok")
			}
			ras, decs, err := cols.All(tab)
			if c.allFail != "" {
				if err == nil || !strings.Contains(err.Error(), c.allFail) {
					t.Fatalf("All error %v, want one containing %q", err, c.allFail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ras) != len(c.want) || len(decs) != len(c.want) {
				t.Fatalf("All: %d, %d rows, want %d", len(ras), len(decs), len(c.want))
			}
			for row := range c.want {
				// All and At agree, except that All gives NaN where At says
				// no position.
				ra, dec, ok := cols.At(tab, row)
				if !ok {
					if !math.IsNaN(ras[row]) && !math.IsNaN(decs[row]) {
						t.Errorf("row %d: All = %g, %g, At has no position", row, ras[row], decs[row])
					}
					continue
				}
				if math.Abs(ras[row]-ra) > 1e-12 || math.Abs(decs[row]-dec) > 1e-12 {
					t.Errorf("row %d: All = %g, %g; At = %g, %g", row, ras[row], decs[row], ra, dec)
				}
			}
		})
	}
}

// TestNames checks every RA and Dec name of the rule, in several cases.
func TestNames(t *testing.T) {
	raNames := []string{"ra", "ra_icrs", "raj2000", "ra2000", "_raj2000", "radeg", "ra_deg", "alpha_j2000", "alpha", "s_ra", "RA", "RAJ2000", "_RAJ2000", "RA_ICRS"}
	decNames := []string{"dec", "de", "dec_icrs", "de_icrs", "dej2000", "decj2000", "_dej2000", "dedeg", "dec_deg", "delta_j2000", "delta", "s_dec", "DEC", "DEJ2000", "_DEJ2000", "DE_ICRS"}
	for _, rn := range raNames {
		for _, dn := range decNames {
			tab := mkTable(t, dbl("id", "", "", 1.0), dbl(dn, "", "", -4.0), dbl(rn, "", "", 3.0))
			c, err := Find(tab, Options{})
			if err != nil || c.RA != 2 || c.Dec != 1 || c.Frame != ICRS {
				t.Errorf("%s/%s: %+v, %v", rn, dn, c, err)
			}
		}
	}
	for _, pair := range [][2]string{{"GLON", "GLAT"}, {"l", "b"}, {"L", "B"}, {"lii", "bii"}, {"gal_l", "gal_b"}, {"Gal_Lon", "Gal_Lat"}} {
		tab := mkTable(t, dbl(pair[0], "", "", 1.0), dbl(pair[1], "", "", 2.0))
		if c, err := Find(tab, Options{}); err != nil || c.RA != 0 || c.Dec != 1 || c.Frame != Galactic {
			t.Errorf("%v: %+v, %v", pair, c, err)
		}
	}
	for _, n := range []string{"radius", "rank", "ra_err", "e_RAJ2000", "decl", "dered", "dec_error", "bra", "label"} {
		tab := mkTable(t, dbl(n, "", "", 1.0), dbl("dec", "", "", 1.0), dbl("ra_x", "", "", 1.0))
		if c, err := Find(tab, Options{}); err == nil {
			t.Errorf("%s taken for a position: %+v", n, c)
		}
	}
}

func TestNotFoundSaysWhatWasLookedFor(t *testing.T) {
	tab := mkTable(t, dbl("flux", "phot.flux", "Jy", 1.0))
	_, err := Find(tab, Options{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"pos.eq.ra;meta.main", "POS_EQ_RA_MAIN", "POS_EQ_DEC", "raj2000", "dej2000", "pos.galactic.lon", "glon", "glat", "flux"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// TestChunks checks the no-copy path: taken for null-free double degree
// columns only, and the same values as All.
func TestChunks(t *testing.T) {
	n := 70000 // more than one column chunk
	ra, dec := make([]any, n), make([]any, n)
	for i := range n {
		ra[i], dec[i] = float64(i%360), float64(i%180)-89.5
	}
	tab := mkTable(t, dbl("RAJ2000", "", "deg", ra...), dbl("DEJ2000", "", "deg", dec...))
	c, err := Find(tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rs, ds, ok := c.Chunks(tab)
	if !ok || len(rs) < 2 {
		t.Fatalf("Chunks: %d chunks, %v", len(rs), ok)
	}
	ar, ad, err := c.All(tab)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for k := range rs {
		for j := range rs[k] {
			if rs[k][j] != ar[i] || ds[k][j] != ad[i] {
				t.Fatalf("row %d: chunks %g, %g; All %g, %g", i, rs[k][j], ds[k][j], ar[i], ad[i])
			}
			i++
		}
	}
	if i != n {
		t.Fatalf("chunks hold %d rows, want %d", i, n)
	}
	for name, cols := range map[string][]tcol{
		"nulls":    {dbl("ra", "", "", 1.0, nil), dbl("dec", "", "", 1.0, 2.0)},
		"arcsec":   {dbl("ra", "", "", 1.0), dbl("dec", "", "arcsec", 1.0)},
		"galactic": {dbl("glon", "", "", 1.0), dbl("glat", "", "", 1.0)},
		"strings":  {str("ra", "", "", "1"), str("dec", "", "", "1")},
		"float":    {{votable.Field{Name: "ra", Datatype: votable.Float}, []any{float32(1)}}, dbl("dec", "", "", 1.0)},
	} {
		tab := mkTable(t, cols...)
		c, err := Find(tab, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := c.Chunks(tab); ok {
			t.Errorf("%s: Chunks taken", name)
		}
	}
}

func TestZeroColumns(t *testing.T) {
	tab := mkTable(t, dbl("ra", "", "", 1.0), dbl("dec", "", "", 1.0))
	var c Columns
	if _, _, ok := c.At(tab, 0); ok {
		t.Error("zero Columns: At ok")
	}
	if _, _, err := c.All(tab); err == nil {
		t.Error("zero Columns: All without error")
	}
	if got := c.Describe(tab); got != "no position columns" {
		t.Errorf("zero Columns: Describe %q", got)
	}
}

func ExampleFind() {
	tab := &votable.Table{Name: "example"}
	for _, name := range []string{"RAJ2000", "DEJ2000"} {
		f := &votable.Field{Name: name, Datatype: votable.Double, Unit: "deg"}
		col := votable.NewScalar[float64](f)
		col.Append(map[string]float64{"RAJ2000": 150.125, "DEJ2000": 2.25}[name], false)
		tab.Fields, tab.Columns = append(tab.Fields, f), append(tab.Columns, col)
	}
	c, err := Find(tab, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ra, dec, ok := c.At(tab, 0)
	fmt.Println(c.Describe(tab), ra, dec, ok)
	// Output: RAJ2000/DEJ2000 (deg) 150.125 2.25 true
}
