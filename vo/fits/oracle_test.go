package fits_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/vo/fits"
	"github.com/voagent/voagent/vo/votable"
)

// astropyDump is what testdata/astropy_oracle.py writes: the columns of
// the table it wrote, as astropy.io.fits reads them back.
type astropyDump struct {
	ExtName string `json:"extname"`
	Rows    int    `json:"rows"`
	Columns []struct {
		Name   string        `json:"name"`
		Format string        `json:"format"`
		Unit   string        `json:"unit"`
		Disp   string        `json:"disp"`
		UCD    string        `json:"ucd"`
		Null   *json.Number  `json:"null"`
		Values []interface{} `json:"values"`
	} `json:"columns"`
}

// astropyFile has astropy write a table with every TFORM code (nulls,
// scaled, unsigned and signed-byte conventions, TDIM, variable-length
// arrays) behind a primary HDU and an image extension, and returns the
// file and astropy's reading of it.
func astropyFile(t *testing.T) (string, *astropyDump) {
	t.Helper()
	py := peertest.PythonModule(t, "astropy.io.fits")
	dir := t.TempDir()
	out, err := exec.Command(py, "testdata/astropy_oracle.py", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("astropy_oracle.py: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "every.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dump astropyDump
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&dump); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "every.fits"), &dump
}

func TestOracleAstropy(t *testing.T) {
	path, want := astropyFile(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	tab, err := fits.Read(context.Background(), f, fits.Options{Size: st.Size()})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Name != want.ExtName || tab.Rows != want.Rows || tab.HDU != 2 {
		t.Fatalf("table %q of %d rows in HDU %d, astropy: %q of %d rows in HDU 2", tab.Name, tab.Rows, tab.HDU, want.ExtName, want.Rows)
	}
	if len(tab.Columns) != len(want.Columns) {
		t.Fatalf("%d columns, astropy %d", len(tab.Columns), len(want.Columns))
	}
	for i, wc := range want.Columns {
		c := tab.Columns[i]
		if c.Name != wc.Name || c.Unit != wc.Unit || c.Disp != wc.Disp || c.UCD != wc.UCD {
			t.Errorf("column %d: name %q unit %q disp %q ucd %q, astropy %q %q %q %q", i+1, c.Name, c.Unit, c.Disp, c.UCD, wc.Name, wc.Unit, wc.Disp, wc.UCD)
		}
		if (wc.Null != nil) != c.HasNull || wc.Null != nil && wc.Null.String() != strconv.FormatInt(c.Null, 10) {
			t.Errorf("column %s: TNULL %v %d, astropy %v", c.Name, c.HasNull, c.Null, wc.Null)
		}
		for row, wv := range wc.Values {
			got, err := tab.Value(row, c)
			if err != nil {
				t.Errorf("column %s row %d: %v", c.Name, row, err)
				continue
			}
			if err := sameCell(got, wv, c); err != nil {
				t.Errorf("column %s (%s) row %d: %v", c.Name, c.Form, row, err)
			}
		}
	}
}

// sameCell compares one of our cells with astropy's (JSON: nil for null,
// lists for arrays, [re, im] for complex, "nan"/"inf" for non-finite).
func sameCell(got, want any, c *fits.Column) error {
	if want == nil {
		if got != nil {
			if f, ok := got.(float64); !ok || !math.IsNaN(f) {
				return fmt.Errorf("%v, astropy: null", got)
			}
		}
		return nil
	}
	if c.Elem == 'A' {
		w, ok := want.(string)
		if list, isList := want.([]any); isList { // astropy gives PA cells as characters
			var b strings.Builder
			for _, ch := range list {
				s, _ := ch.(string)
				if s == "" {
					s = " "
				}
				b.WriteString(s)
			}
			w, ok = b.String(), true
		}
		if !ok || got != w {
			return fmt.Errorf("%q, astropy %q", got, want)
		}
		return nil
	}
	g := flatten(got)
	var w []any
	if c.Kind() == fits.KindComplex {
		w = flattenComplex(want)
	} else {
		w = flattenJSON(want)
	}
	if len(g) != len(w) {
		return fmt.Errorf("%d elements %v, astropy %d %v", len(g), g, len(w), w)
	}
	for i := range g {
		if !sameElem(g[i], w[i]) {
			return fmt.Errorf("element %d: %v, astropy %v (cell %v, astropy %v)", i, g[i], w[i], got, want)
		}
	}
	return nil
}

func flatten(v any) []any {
	switch x := v.(type) {
	case []bool:
		return boxAll(x)
	case []int64:
		return boxAll(x)
	case []uint64:
		return boxAll(x)
	case []float64:
		return boxAll(x)
	case []complex128:
		return boxAll(x)
	}
	return []any{v}
}

func boxAll[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func flattenJSON(v any) []any {
	list, ok := v.([]any)
	if !ok {
		return []any{v}
	}
	var out []any
	for _, e := range list {
		out = append(out, flattenJSON(e)...)
	}
	return out
}

// flattenComplex flattens nested lists whose leaves are [re, im] pairs.
func flattenComplex(v any) []any {
	list, ok := v.([]any)
	if !ok {
		return []any{v}
	}
	if len(list) == 2 {
		if _, nested := list[0].([]any); !nested {
			return []any{complex(jsonFloat(list[0]), jsonFloat(list[1]))}
		}
	}
	var out []any
	for _, e := range list {
		out = append(out, flattenComplex(e)...)
	}
	return out
}

func jsonFloat(v any) float64 {
	switch x := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case string:
		f, _ := strconv.ParseFloat(x, 64) // "nan", "inf", "-inf"
		return f
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func sameElem(got, want any) bool {
	switch g := got.(type) {
	case bool:
		if w, ok := want.(bool); ok {
			return g == w
		}
		return (jsonFloat(want) != 0) == g // astropy gives PL elements as 1/0
	case int64:
		if n, ok := want.(json.Number); ok && !strings.ContainsAny(string(n), ".eE") {
			return string(n) == strconv.FormatInt(g, 10)
		}
		return float64(g) == jsonFloat(want)
	case uint64:
		if n, ok := want.(json.Number); ok {
			return string(n) == strconv.FormatUint(g, 10)
		}
	case float64:
		return sameFloat(g, jsonFloat(want))
	case complex128:
		w, ok := want.(complex128)
		return ok && sameFloat(real(g), real(w)) && sameFloat(imag(g), imag(w))
	}
	return false
}

// TestOracleAstropyVOTable reads astropy's file through votable.ReadTable,
// the entry point of every command, and checks the datatypes chosen and
// that every cell is the FITS cell.
func TestOracleAstropyVOTable(t *testing.T) {
	path, _ := astropyFile(t)
	ctx := context.Background()
	vt, err := votable.ReadTableFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	ft, err := fits.Read(ctx, bytes.NewReader(data), fits.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := map[string]string{"flag": "boolean", "flags3": "boolean 3", "bits": "bit 11", "bit1": "bit",
		"ub": "unsignedByte", "sb": "short", "i16": "short", "u16": "int", "i32": "int", "u32": "long",
		"i64": "long", "u64": "double", "e": "float", "d": "double", "scaled": "double", "scaled16": "double",
		"c": "floatComplex", "m": "doubleComplex", "s": "char 8", "e3": "float 3", "j23": "int 2x3", "k2": "long 2",
		"vj": "int *", "vd": "double *", "ve": "float *", "vb": "unsignedByte *", "vi": "short *", "vk": "long *",
		"vc": "floatComplex *", "vm": "doubleComplex *", "vl": "boolean *", "va": "char *"}
	if vt.Name != "EVERY" || vt.Rows() != ft.Rows || len(vt.Fields) != len(wantTypes) {
		t.Fatalf("table %q, %d rows, %d fields", vt.Name, vt.Rows(), len(vt.Fields))
	}
	for j, f := range vt.Fields {
		got := strings.TrimSpace(f.Datatype.String() + " " + f.Arraysize)
		if got != wantTypes[f.Name] {
			t.Errorf("field %s: %s, want %s", f.Name, got, wantTypes[f.Name])
		}
		c := ft.Columns[j]
		for row := 0; row < vt.Rows(); row++ {
			fv, _ := ft.Value(row, c)
			vv := vt.Columns[j].Value(row)
			if err := sameConverted(vv, fv); err != nil {
				t.Errorf("field %s row %d: %v", f.Name, row, err)
			}
		}
	}
	if f := vt.Fields[vt.FieldByName("i16")]; f.Values == nil || f.Values.Null != "-32768" || f.Unit != "adu" || f.Width != "6" {
		t.Errorf("i16: %+v", f)
	}
	if f := vt.Fields[vt.FieldByName("d")]; f.Precision != "E7" || f.Width != "15" || f.Unit != "deg" {
		t.Errorf("d: %+v", f)
	}
	if f := vt.Fields[vt.FieldByName("ub")]; f.Description != "an unsigned byte with a null" {
		t.Errorf("ub: description %q", f.Description)
	}
	if f := vt.Fields[0]; f.UCD != "meta.code" {
		t.Errorf("flag: UCD %q", f.UCD)
	}
}

// sameConverted compares a votable cell with the FITS cell it came from.
func sameConverted(vv, fv any) error {
	if fv == nil || vv == nil {
		if fv != nil || vv != nil {
			return fmt.Errorf("%v, FITS %v", vv, fv)
		}
		return nil
	}
	if s, ok := fv.(string); ok {
		if vv != s {
			return fmt.Errorf("%q, FITS %q", vv, s)
		}
		return nil
	}
	a, b := flatten(fv), flattenVOT(vv)
	if len(a) != len(b) {
		return fmt.Errorf("%v, FITS %v", vv, fv)
	}
	for i := range a {
		if fmt.Sprint(toComparable(a[i])) != fmt.Sprint(toComparable(b[i])) {
			return fmt.Errorf("element %d: %v, FITS %v", i, b[i], a[i])
		}
	}
	return nil
}

func flattenVOT(v any) []any {
	switch x := v.(type) {
	case []bool:
		return boxAll(x)
	case []uint8:
		return boxAll(x)
	case []int16:
		return boxAll(x)
	case []int32:
		return boxAll(x)
	case []int64:
		return boxAll(x)
	case []float32:
		return boxAll(x)
	case []float64:
		return boxAll(x)
	case []complex64:
		return boxAll(x)
	case []complex128:
		return boxAll(x)
	}
	return []any{v}
}

// toComparable widens a value so that the same number prints the same.
func toComparable(v any) any {
	switch x := v.(type) {
	case uint8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	case complex64:
		return complex128(x)
	}
	return v
}
