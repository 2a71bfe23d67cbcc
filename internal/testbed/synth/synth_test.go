package synth

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
)

func TestDesignations(t *testing.T) {
	tests := []struct {
		ra, dec       float64
		twomass, wise string
	}{
		{150, 2, "10000000+0200000", "J100000.00+020000.0"},
		{150.01, 2.01, "10000239+0200359", "J100002.39+020035.9"},
		{0.5, -0.25, "00020000-0015000", "J000200.00-001500.0"},
		{359.999, -89.5, "23595976-8930000", "J235959.76-893000.0"},
	}
	for _, tt := range tests {
		if got := designation2MASS(tt.ra, tt.dec); got != tt.twomass {
			t.Errorf("designation2MASS(%v, %v) = %s, want %s", tt.ra, tt.dec, got, tt.twomass)
		}
		if got := designationWISE(tt.ra, tt.dec); got != tt.wise {
			t.Errorf("designationWISE(%v, %v) = %s, want %s", tt.ra, tt.dec, got, tt.wise)
		}
	}
}

func csvDigest(t *testing.T, c *Catalog) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b.Bytes()))
}

func TestCatalogsDeterministicAndConsistent(t *testing.T) {
	a, b := Catalogs(), Catalogs()
	anchors := AnchorsIn(a)
	for i, c := range a {
		if csvDigest(t, c) != csvDigest(t, b[i]) {
			t.Errorf("%s differs between two generations", c.Name)
		}
		if c.Len() < 20000 || c.Len() > 50000 {
			t.Errorf("%s has %d rows, want a few tens of thousands", c.Name, c.Len())
		}
		if c.Columns[c.ColumnIndex(c.IDColumn)].UCD != "meta.id;meta.main" {
			t.Errorf("%s: id column %s lacks meta.id;meta.main", c.Name, c.IDColumn)
		}
		ids := map[any]bool{}
		for k, row := range c.Rows {
			if len(row) != len(c.Columns) {
				t.Fatalf("%s row %d has %d values for %d columns", c.Name, k, len(row), len(c.Columns))
			}
			if ids[row[0]] {
				t.Errorf("%s: duplicate id %v", c.Name, row[0])
			}
			ids[row[0]] = true
			if Sep(FieldRA, FieldDec, c.RA[k], c.Dec[k]) > FieldRadius+0.001 {
				t.Errorf("%s row %d at %v %v is outside the field", c.Name, k, c.RA[k], c.Dec[k])
			}
		}
	}
	for _, an := range anchors {
		if an.TwoMASS == "" || an.AllWISE == "" || an.SDSSObjID == 0 {
			t.Errorf("anchor %d missing from a catalogue: %+v", an.TruthID, an)
		}
	}
	if anchors[0].TwoMASS != "10000000+0200000" {
		t.Errorf("anchor 1 2MASS designation %s", anchors[0].TwoMASS)
	}
}

func TestConeSortedAndComplete(t *testing.T) {
	c := CatalogByName("twomass")
	idx := c.Cone(FieldRA, FieldDec, 0.02)
	if len(idx) == 0 || c.TruthID[idx[0]] != 1 {
		t.Fatalf("cone around anchor 1: %v", idx)
	}
	n := 0
	for k := range c.RA {
		if Sep(FieldRA, FieldDec, c.RA[k], c.Dec[k]) <= 0.02 {
			n++
		}
	}
	if n != len(idx) {
		t.Errorf("cone has %d rows, brute force %d", len(idx), n)
	}
	for i := 1; i < len(idx); i++ {
		if Sep(FieldRA, FieldDec, c.RA[idx[i]], c.Dec[idx[i]]) < Sep(FieldRA, FieldDec, c.RA[idx[i-1]], c.Dec[idx[i-1]]) {
			t.Fatalf("cone not sorted by distance at %d", i)
		}
	}
}

func TestBigRows(t *testing.T) {
	var b bytes.Buffer
	if err := WriteBig(&b, 3); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("WriteBig(3) wrote %d lines", len(lines))
	}
	for i, l := range lines {
		ra, dec, mag := BigRow(int64(i + 1))
		if want := fmt.Sprintf("%d,%v,%v,%v", i+1, ra, dec, mag); l != want {
			t.Errorf("line %d = %q, want %q", i+1, l, want)
		}
		if ra < 0 || ra >= 360 || math.Abs(dec) > 90 || mag < 10 || mag > 21 {
			t.Errorf("row %d out of range: %v %v %v", i+1, ra, dec, mag)
		}
	}
}

func TestFormatCard(t *testing.T) {
	tests := []struct {
		c       card
		want    string
		wantErr bool
	}{
		{card{"SIMPLE", true, ""}, "SIMPLE  =                    T", false},
		{card{"NAXIS", 2, ""}, "NAXIS   =                    2", false},
		{card{"CRVAL1", 150.0, ""}, "CRVAL1  =                 150.", false},
		{card{"OBJECT", "O'Neil", "x"}, "OBJECT  = 'O''Neil ' / x", false},
		{card{"TOOLONGKEY", 1, ""}, "", true},
		{card{"BAD", []int{1}, ""}, "", true},
	}
	for _, tt := range tests {
		got, err := formatCard(tt.c)
		if (err != nil) != tt.wantErr {
			t.Errorf("formatCard(%v) error %v, want error %v", tt.c, err, tt.wantErr)
			continue
		}
		if err == nil && (len(got) != 80 || strings.TrimRight(got, " ") != tt.want) {
			t.Errorf("formatCard(%v) = %q, want %q padded to 80", tt.c, got, tt.want)
		}
	}
}

// TestFITSReadByAstropy checks the generated files with a real FITS reader.
func TestFITSReadByAstropy(t *testing.T) {
	py := peertest.PythonModule(t, "astropy")
	dir := t.TempDir()
	if err := WriteAll(dir); err != nil {
		t.Fatal(err)
	}
	im := Images()[0]
	script := `
import sys, glob, warnings
warnings.simplefilter("ignore")
from astropy.io import fits
from astropy.wcs import WCS
d = sys.argv[1]
for f in sorted(glob.glob(d + "/*/data/*.fits")):
    with fits.open(f) as h:
        h.verify("exception")
        assert h[0].data is not None, f
w = WCS(fits.getheader(d + "/images/data/` + im.File + `"))
ra, dec = w.pixel_to_world_values(` + fmt.Sprint(ImageNPix/2-0.5) + `, ` + fmt.Sprint(ImageNPix/2-0.5) + `)
print("%.9f %.9f" % (ra, dec))
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("astropy rejected the FITS files: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), fmt.Sprintf("%.9f %.9f", im.RA, im.Dec); got != want {
		t.Errorf("image centre per astropy WCS = %s, want %s", got, want)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "data", "*"))
	if want := 3 + len(Spectra()) + len(Images()) + len(Granules()); len(files) != want {
		t.Errorf("WriteAll wrote %d files, want %d", len(files), want)
	}
}
