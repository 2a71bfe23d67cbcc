package skypos

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// TestCSVBorn reads CSV files (as astropy and TOPCAT write them: no UCDs,
// no units) with votable.ReadTableFile and finds their positions.
func TestCSVBorn(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, csv string
		describe  string
		want      [][2]float64
	}{
		{
			name: "decimal.csv", csv: "id,RAJ2000,DEJ2000,Vmag\n1,150.1191667,2.2058333,12.5\n2,,3,1\n3,359.5,-89.25,\n",
			describe: "RAJ2000/DEJ2000 (deg)",
			want:     [][2]float64{{150.1191667, 2.2058333}, none, {359.5, -89.25}},
		},
		{
			name: "sexagesimal.csv", csv: "name,ra,dec\nA,10:00:28.6,-02:12:21\nB,10 00 28.6,+02 12 21\n",
			describe: "ra/dec (sexagesimal hours/sexagesimal degrees)",
			want:     [][2]float64{{hms(10, 0, 28.6), dms(-1, 2, 12, 21)}, {hms(10, 0, 28.6), dms(1, 2, 12, 21)}},
		},
		{
			name: "galactic.csv", csv: "GLON,GLAT\n0,0\n",
			describe: "GLON/GLAT (galactic deg, converted to ICRS)",
			want:     [][2]float64{func() [2]float64 { r, d := GalacticToICRS(0, 0); return [2]float64{r, d} }()},
		},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, []byte(c.csv), 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := votable.ReadTableFile(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(c.name, ".csv"); tab.Name != want {
			t.Errorf("%s: table named %q, want %q", c.name, tab.Name, want)
		}
		cols, err := Find(tab, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := cols.Describe(tab); got != c.describe {
			t.Errorf("%s: Describe %q, want %q", c.name, got, c.describe)
		}
		ra, dec, err := cols.All(tab)
		if err != nil || len(ra) != len(c.want) {
			t.Fatalf("%s: All: %d rows, %v", c.name, len(ra), err)
		}
		for i, w := range c.want {
			if math.IsNaN(w[0]) {
				if !math.IsNaN(ra[i]) && !math.IsNaN(dec[i]) {
					t.Errorf("%s row %d: %g, %g, want none", c.name, i, ra[i], dec[i])
				}
				continue
			}
			if math.Abs(ra[i]-w[0]) > 1e-9 || math.Abs(dec[i]-w[1]) > 1e-9 {
				t.Errorf("%s row %d: %.10g, %.10g; want %.10g, %.10g", c.name, i, ra[i], dec[i], w[0], w[1])
			}
		}
	}
}

// FuzzFindCSV: any CSV that reads gives positions or a clear error, and
// positions are in range.
func FuzzFindCSV(f *testing.F) {
	for _, s := range []string{"ra,dec\n1,2\n", "RAJ2000,DEJ2000\n10:00:28.6,-02:12:21\n", "GLON,GLAT\n10,-5\n", "ra,dec\n1,95\n", "l,b\n,\n", "x\n1\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<14 {
			return
		}
		tab, err := votable.ReadCSV(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		cols, err := Find(tab, Options{})
		if err != nil {
			return
		}
		ras, decs, allErr := cols.All(tab)
		for row := range tab.Rows() {
			ra, dec, ok := cols.At(tab, row)
			if ok && (!(ra >= 0 && ra < 360) || !(dec >= -90 && dec <= 90)) {
				t.Fatalf("row %d: %g, %g out of range", row, ra, dec)
			}
			if allErr == nil && ok && (ras[row] != ra || decs[row] != dec) {
				t.Fatalf("row %d: At %g, %g; All %g, %g", row, ra, dec, ras[row], decs[row])
			}
		}
	})
}
