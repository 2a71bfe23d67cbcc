package votable

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// conformanceFiles lists the real-world documents in ../shared/conformance.
func conformanceFiles(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..", "..", "shared", "conformance")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no conformance documents at %s (they come with ../shared): %v", root, err)
	}
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".xml.gz") || strings.HasSuffix(p, ".vot")) {
			files = append(files, p)
		}
		return nil
	})
	return files
}

// sameCell compares two boxed cells, NaN equal to NaN.
func sameCell(a, b any) bool {
	if a == nil || b == nil {
		// A null float and a NaN are the same to every VOTable reader
		// (BINARY has no other null for floats).
		other := a
		if a == nil {
			other = b
		}
		switch v := other.(type) {
		case float64:
			return math.IsNaN(v)
		case float32:
			return v != v
		}
		return a == nil && b == nil
	}
	switch av := a.(type) {
	case float64:
		bv, ok := b.(float64)
		return ok && (av == bv || math.IsNaN(av) && math.IsNaN(bv))
	case float32:
		bv, ok := b.(float32)
		return ok && (av == bv || av != av && bv != bv)
	case []float64:
		bv, ok := b.([]float64)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !sameCell(av[i], bv[i]) {
				return false
			}
		}
		return true
	case []float32:
		bv, ok := b.([]float32)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !sameCell(av[i], bv[i]) {
				return false
			}
		}
		return true
	case complex64, complex128, []complex64, []complex128:
		return reflect.DeepEqual(a, b) || strings.Contains(strings.ToLower(reflectString(a)), "nan")
	}
	return reflect.DeepEqual(a, b)
}

func reflectString(v any) string { return strings.TrimSpace(strings.ReplaceAll(fmtAny(v), " ", "")) }

// compareTables fails the test at the first cell that differs.
func compareTables(t *testing.T, what string, a, b *Table) {
	t.Helper()
	if a.Rows() != b.Rows() || len(a.Fields) != len(b.Fields) {
		t.Fatalf("%s: %d rows x %d fields, then %d x %d", what, a.Rows(), len(a.Fields), b.Rows(), len(b.Fields))
	}
	for j := range a.Columns {
		for i := 0; i < a.Rows(); i++ {
			va, vb := a.Columns[j].Value(i), b.Columns[j].Value(i)
			if f := a.Fields[j]; va == nil && b.Serialization == Binary && (f.Datatype == Bit || !f.Shape.IsScalar() && f.Shape.Fixed()) {
				continue // BINARY has no null for a bit or a fixed-size array
			}
			if !sameCell(va, vb) {
				t.Fatalf("%s: row %d column %q: %#v, then %#v", what, i, a.Fields[j].Name, va, vb)
			}
		}
	}
}

func TestConformanceRoundTrip(t *testing.T) {
	for _, p := range conformanceFiles(t) {
		name := strings.TrimPrefix(p, filepath.Join("..", "..", "..", "shared", "conformance")+"/")
		t.Run(name, func(t *testing.T) {
			doc, err := ReadFile(p)
			if err != nil {
				// Documents that are not VOTables or that astropy rejects too
				// must fail with a clear message, never a panic.
				if !strings.Contains(err.Error(), "votable:") {
					t.Fatalf("unclear error: %v", err)
				}
				t.Logf("rejected: %v", err)
				return
			}
			for _, ser := range []Serialization{TableData, Binary, Binary2} {
				var buf bytes.Buffer
				if err := Write(&buf, doc, ser); err != nil {
					t.Fatalf("writing %v: %v", ser, err)
				}
				back, err := Read(&buf)
				if err != nil {
					t.Fatalf("reading back %v: %v\n%s", ser, err, buf.String())
				}
				ta, tb := doc.Tables(), back.Tables()
				if len(ta) != len(tb) {
					t.Fatalf("%v: %d tables, then %d", ser, len(ta), len(tb))
				}
				for k := range ta {
					compareTables(t, ser.String()+" "+ta[k].Label(), ta[k], tb[k])
				}
				if (doc.QueryStatus() == nil) != (back.QueryStatus() == nil) {
					t.Fatalf("%v: QUERY_STATUS lost", ser)
				}
			}
		})
	}
}
