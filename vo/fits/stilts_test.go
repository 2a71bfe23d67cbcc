package fits_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/vo/votable"
)

// The VOTable of every datatype (with nulls, NaN, extremes and arrays)
// that vo/votable's oracle tests use.
const stiltsSource = "../votable/testdata/oracle_types.xml"

// TestOracleSTILTS has STILTS write a VOTable as FITS (fits-plus, and
// fits-basic without the VOTable metadata), reads it back through
// votable.ReadTableFile (plain and gzipped) and compares every cell with
// the VOTable's. What FITS cannot hold is left out: text beyond Latin-1
// (STILTS writes one byte per character) and variable-length arrays
// (STILTS pads them to the longest).
func TestOracleSTILTS(t *testing.T) {
	stilts := peertest.Command(t, "stilts")
	ctx := context.Background()
	src, err := votable.ReadTableFile(ctx, stiltsSource)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, ofmt := range []string{"fits", "fits-basic"} {
		out := filepath.Join(dir, ofmt+".fits")
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		b, err := exec.CommandContext(cctx, stilts, "tcopy", "in="+stiltsSource, "ifmt=votable", "out="+out, "ofmt="+ofmt).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("stilts tcopy ofmt=%s: %v\n%s", ofmt, err, b)
		}
		gz := gzipFile(t, out)
		for _, path := range []string{out, gz} {
			got, err := votable.ReadTableFile(ctx, path)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if got.Rows() != src.Rows() {
				t.Fatalf("%s: %d rows, the VOTable %d", path, got.Rows(), src.Rows())
			}
			compared := 0
			for j, f := range src.Fields {
				if f.Shape != nil && f.Shape.Variable && !f.Datatype.IsString() {
					continue
				}
				k := got.FieldByName(f.Name)
				if k < 0 {
					t.Errorf("%s: no column %s", path, f.Name)
					continue
				}
				if ofmt == "fits" && (got.Fields[k].UCD != f.UCD || got.Fields[k].Unit != f.Unit) {
					t.Errorf("%s: column %s: UCD %q unit %q, VOTable %q %q", path, f.Name, got.Fields[k].UCD, got.Fields[k].Unit, f.UCD, f.Unit)
				}
				for row := 0; row < src.Rows(); row++ {
					want := src.Columns[j].Value(row)
					if s, ok := want.(string); ok && !isLatin1(s) {
						continue
					}
					compared++
					if w, g := norm(want), norm(got.Columns[k].Value(row)); w != g && !(w == "null" && emptyInFITS(g)) {
						t.Errorf("%s: column %s (%s %s) row %d: %s, VOTable %s", path, f.Name, got.Fields[k].Datatype, got.Fields[k].Arraysize, row, g, w)
					}
				}
			}
			if compared < 80 {
				t.Errorf("%s: only %d cells compared", path, compared)
			}
		}
	}
}

func gzipFile(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	out := path + ".gz"
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func isLatin1(s string) bool {
	for _, r := range s {
		if r > 0xff || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// norm prints a cell so that the same values print the same whatever their
// Go types: numbers as float64 (complex as re, im), booleans, strings.
func norm(v any) string {
	if v == nil {
		return "null"
	}
	var parts []string
	add := func(f float64) {
		if math.IsNaN(f) {
			parts = append(parts, "NaN")
		} else {
			parts = append(parts, fmt.Sprint(f))
		}
	}
	for _, e := range flattenVOT(v) {
		switch x := toComparable(e).(type) {
		case int64:
			parts = append(parts, fmt.Sprint(x))
		case float64:
			add(x)
		case complex128:
			add(real(x))
			add(imag(x))
		default:
			parts = append(parts, fmt.Sprint(x))
		}
	}
	return strings.Join(parts, " ")
}

// emptyInFITS reports whether a normalised cell is what FITS holds for a
// VOTable null without a null value: NaNs, an empty string, all false.
func emptyInFITS(s string) bool {
	for _, p := range strings.Fields(s) {
		if p != "NaN" && p != "false" {
			return false
		}
	}
	return true
}
