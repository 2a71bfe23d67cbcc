package adql

import (
	"math"
	"strings"
	"testing"
)

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{
		"ra":          "ra",
		"raJ2000":     "raJ2000",
		"_ra":         `"_ra"`,
		"select":      `"select"`,
		"POINT":       `"POINT"`,
		"2mass":       `"2mass"`,
		"my col":      `"my col"`,
		`a"b`:         `"a""b"`,
		"ra; DROP x":  `"ra; DROP x"`,
		"size":        `"size"`,
		"dist_arcsec": "dist_arcsec",
	} {
		got, err := Ident(in)
		if err != nil || string(got) != want {
			t.Errorf("Ident(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a\x00b"} {
		if _, err := Ident(bad); err == nil {
			t.Errorf("Ident(%q) accepted", bad)
		}
	}
}

func TestTableName(t *testing.T) {
	for in, want := range map[string]string{
		"ivoa.obscore":         "ivoa.obscore",
		"TAP_UPLOAD.pois":      "TAP_UPLOAD.pois",
		`"My Schema".t`:        `"My Schema".t`,
		`lbcat."main"`:         `lbcat."main"`,
		`"a.b".c`:              `"a.b".c`,
		`"x""y".z`:             `"x""y".z`,
		"gaia.dr3.gaia_source": "gaia.dr3.gaia_source",
	} {
		got, err := TableName(in)
		if err != nil || string(got) != want {
			t.Errorf("TableName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a..b", `"unclosed`, "a."} {
		if got, err := TableName(bad); err == nil {
			t.Errorf("TableName(%q) = %q, want error", bad, got)
		}
	}
}

func TestLiterals(t *testing.T) {
	s, _ := Str("O'Brien's star")
	if s != `'O''Brien''s star'` {
		t.Errorf("Str: %s", s)
	}
	if _, err := Str("a\x00"); err == nil {
		t.Error("Str accepted NUL")
	}
	for f, want := range map[float64]string{10.5: "10.5", -3.25: "(-3.25)", 1e-300: "1e-300", 0: "0"} {
		if got, err := Num(f); err != nil || string(got) != want {
			t.Errorf("Num(%v) = %q, %v", f, got, err)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := Num(bad); err == nil {
			t.Errorf("Num(%v) accepted", bad)
		}
	}
	if Int(-5) != "(-5)" || Int(42) != "42" {
		t.Error("Int")
	}
}

func TestCone(t *testing.T) {
	ra, _ := Col("m", "ra")
	dec, _ := Col("m", "dec")
	got, err := Cone(ra, dec, 370, -30.5, 0.01)
	want := "1=CONTAINS(POINT('ICRS', m.ra, m.dec), CIRCLE('ICRS', 10, (-30.5), 0.01))"
	if err != nil || string(got) != want {
		t.Errorf("Cone = %q, %v; want %q", got, err, want)
	}
	for _, c := range []struct{ ra, dec, r float64 }{
		{math.NaN(), 0, 1}, {0, 91, 1}, {0, 0, 0}, {0, 0, -1}, {0, 0, 200}, {math.Inf(-1), 0, 1},
	} {
		if _, err := Cone(ra, dec, c.ra, c.dec, c.r); err == nil {
			t.Errorf("Cone(%v) accepted", c)
		}
	}
	if _, err := Point("J2000'); DROP", ra, dec); err == nil {
		t.Error("Point accepted a bad frame")
	}
	r := And(Range(Expr("id"), Int(1), Int(10), false), "", Expr("x = 1"))
	if r != "(id >= 1 AND id < 10) AND (x = 1)" {
		t.Errorf("And/Range: %s", r)
	}
}

// FuzzIdent: any string quoted by Ident comes back intact from SplitName.
func FuzzIdent(f *testing.F) {
	for _, s := range []string{"ra", `a"b`, "a.b", "select", `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Ident(s)
		if err != nil {
			return
		}
		parts, err := SplitName(string(e))
		if err != nil || len(parts) != 1 || parts[0] != s {
			t.Fatalf("Ident(%q) = %s splits into %q, %v", s, e, parts, err)
		}
		if q, err := Str(s); err == nil && strings.Count(string(q), "'")%2 != 0 {
			t.Fatalf("Str(%q) = %s has unbalanced quotes", s, q)
		}
	})
}
