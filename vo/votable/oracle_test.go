package votable

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
)

// The oracle tests compare voagent's reading of VOTables, cell by cell,
// with astropy's reading of the same files: files written by astropy and by
// STILTS in every serialization, and files written by voagent (which
// astropy must read without a single warning, and STILTS without a word on
// stderr). The sources are testdata/oracle_types.xml (every datatype, fixed,
// variable and 2-D arrays, VALUES nulls, unicode, an empty table: compared
// in all serializations) and testdata/oracle_text.xml (columns the peers
// disagree on in binary form: compared in TABLEDATA; the file says why).
// testdata/oracle.py is astropy's side: it writes files and dumps its
// reading as JSON.

const (
	oracleTypes = "testdata/oracle_types.xml"
	oracleText  = "testdata/oracle_text.xml"
	// peerTimeout bounds one astropy or STILTS run on a loaded machine.
	peerTimeout = 3 * time.Minute
)

// astropyJob is the JSON job read by testdata/oracle.py.
type astropyJob struct {
	Write []astropyWrite `json:"write,omitempty"`
	Dump  []astropyDump  `json:"dump,omitempty"`
}

type astropyWrite struct {
	Src    string `json:"src"`
	Out    string `json:"out"`
	Format string `json:"format"`
}

type astropyDump struct {
	File   string `json:"file"`
	Strict bool   `json:"strict"`
}

// astropyFile is astropy's reading of one file.
type astropyFile struct {
	File     string         `json:"file"`
	Error    string         `json:"error"`
	Warnings []string       `json:"warnings"`
	Tables   []astropyTable `json:"tables"`
}

type astropyTable struct {
	Name   string `json:"name"`
	Fields []struct {
		Name      string  `json:"name"`
		Datatype  string  `json:"datatype"`
		Arraysize *string `json:"arraysize"`
	} `json:"fields"`
	Columns [][]any `json:"columns"`
}

// runAstropy runs testdata/oracle.py on job and returns its dumps by file.
func runAstropy(t *testing.T, py string, job astropyJob) map[string]*astropyFile {
	t.Helper()
	script, err := filepath.Abs("testdata/oracle.py")
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("astropy (%s): %v\n%s", script, err, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	var out struct {
		Dumps []*astropyFile `json:"dumps"`
	}
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decoding astropy's JSON: %v", err)
	}
	byFile := map[string]*astropyFile{}
	for _, d := range out.Dumps {
		byFile[d.File] = d
	}
	return byFile
}

// stiltsMulti has STILTS read every table of inputs and write them all to
// out in serialization ser. STILTS must succeed without a word on stderr
// (where it reports warnings).
func stiltsMulti(stilts, out string, ser Serialization, inputs ...string) error {
	args := []string{"tmulti", "in=" + strings.Join(inputs, " "), "ifmt=votable", "multi=true",
		"out=" + out, "ofmt=votable(format=" + ser.String() + ",version=V14)"}
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, stilts, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("stilts %s: %w\n%s%s", strings.Join(args, " "), err, stdout, stderr.String())
	}
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		return fmt.Errorf("stilts %s: unexpected messages on stderr:\n%s", strings.Join(args, " "), msg)
	}
	return nil
}

// writeDoc writes doc to path in serialization ser.
func writeDoc(t *testing.T, path string, doc *Document, ser Serialization) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, doc, ser); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readDoc(t *testing.T, path string) *Document {
	t.Helper()
	doc, err := ReadFile(path)
	if err != nil {
		t.Fatalf("voagent reading %s: %v", path, err)
	}
	return doc
}

// checkAgainstAstropy compares voagent's tables with astropy's reading of
// a file, cell by cell; withMeta also compares field datatypes and
// arraysizes (not for files STILTS rewrote, whose types differ). written,
// when not nil, gives the serialization voagent wrote each table in.
func checkAgainstAstropy(t *testing.T, what string, ours []*Table, theirs *astropyFile, withMeta bool, written []Serialization) {
	t.Helper()
	if theirs == nil {
		t.Fatalf("%s: astropy gave no reading", what)
	}
	if theirs.Error != "" {
		t.Fatalf("%s: astropy cannot read it: %s", what, theirs.Error)
	}
	if len(theirs.Warnings) > 0 {
		t.Errorf("%s: astropy warns: %s", what, strings.Join(theirs.Warnings, "; "))
	}
	if len(ours) != len(theirs.Tables) {
		t.Fatalf("%s: voagent reads %d tables, astropy %d", what, len(ours), len(theirs.Tables))
	}
	for k, ot := range ours {
		at := theirs.Tables[k]
		label := fmt.Sprintf("%s, table %d (%s)", what, k+1, ot.Label())
		if ot.Name != at.Name {
			t.Errorf("%s: named %q by astropy", label, at.Name)
		}
		if len(ot.Fields) != len(at.Fields) {
			t.Fatalf("%s: %d fields, astropy %d", label, len(ot.Fields), len(at.Fields))
		}
		for j, f := range ot.Fields {
			af := at.Fields[j]
			as := ""
			if af.Arraysize != nil {
				as = *af.Arraysize
			}
			if f.Name != af.Name || withMeta && (f.Datatype.String() != af.Datatype || f.Arraysize != as) {
				t.Errorf("%s: field %d is %s %s[%s], astropy %s %s[%s]", label, j+1,
					f.Name, f.Datatype, f.Arraysize, af.Name, af.Datatype, as)
			}
		}
		if len(at.Columns) > 0 && ot.Rows() != len(at.Columns[0]) {
			t.Fatalf("%s: %d rows, astropy %d", label, ot.Rows(), len(at.Columns[0]))
		}
		for j, col := range ot.Columns {
			for i := 0; i < col.Len(); i++ {
				ov := col.Value(i)
				if ov == nil && written != nil && written[k] == Binary && noBinaryNull(col.Field()) {
					continue // written as a value: BINARY has no null for it
				}
				av, err := typedCell(col, at.Columns[j][i])
				if err != nil {
					t.Errorf("%s: row %d column %q: astropy's %v: %v", label, i+1, col.Field().Name, at.Columns[j][i], err)
					continue
				}
				if !oracleSame(ov, av) {
					t.Errorf("%s: row %d column %q: voagent %#v, astropy %#v", label, i+1, col.Field().Name, ov, av)
				}
			}
		}
	}
}

// noBinaryNull reports fields BINARY (without null flags) cannot make null
// for every reader: bits, fixed arrays of integers without a VALUES null,
// and fixed boolean arrays (voagent writes '?' elements, which astropy reads
// as null, STILTS as false).
func noBinaryNull(f *Field) bool {
	if f.Datatype == Bit {
		return true
	}
	if f.Shape.IsScalar() || !f.Shape.Fixed() {
		return false
	}
	_, hasNull := nullInt(f)
	return f.Datatype == Boolean || f.Datatype.IsInteger() && !hasNull
}

// oracleSame is sameCell with the equivalences between voagent's model and
// astropy's: a null cell equals an empty string or array (voagent reads an
// empty cell as null), a complex NaN, and an array of NaNs (astropy masks a
// NaN element, and a fixed array with every element masked is null).
func oracleSame(a, b any) bool {
	if sameCell(a, b) {
		return true
	}
	switch {
	case a == nil:
		return nullLike(b)
	case b == nil:
		return nullLike(a)
	}
	return false
}

func nullLike(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case complex64:
		return isNaN(float64(real(v))) || isNaN(float64(imag(v)))
	case complex128:
		return isNaN(real(v)) || isNaN(imag(v))
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return false
	}
	for i := 0; i < rv.Len(); i++ {
		e := rv.Index(i).Interface()
		switch e := e.(type) {
		case float32:
			if !isNaN(float64(e)) {
				return false
			}
		case float64:
			if !isNaN(e) {
				return false
			}
		case complex64, complex128:
			if !nullLike(e) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isNaN(f float64) bool { return math.IsNaN(f) }

// typedCell converts astropy's JSON cell to the Go value voagent's column
// gives for the same cell (see Column.Value), so that sameCell applies.
func typedCell(col Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch col.(type) {
	case *Strings:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("not a string")
		}
		return s, nil
	case *Scalar[bool]:
		return jsonBool(v)
	case *Scalar[uint8]:
		n, err := jsonInt(v)
		return uint8(n), err
	case *Scalar[int16]:
		n, err := jsonInt(v)
		return int16(n), err
	case *Scalar[int32]:
		n, err := jsonInt(v)
		return int32(n), err
	case *Scalar[int64]:
		return jsonInt(v)
	case *Scalar[float32]:
		f, err := jsonFloat(v)
		return float32(f), err
	case *Scalar[float64]:
		return jsonFloat(v)
	case *Scalar[complex64]:
		c, err := jsonComplex(v)
		if err != nil || len(c) != 1 {
			return nil, fmt.Errorf("not one complex (%v)", err)
		}
		return complex64(c[0]), nil
	case *Scalar[complex128]:
		c, err := jsonComplex(v)
		if err != nil || len(c) != 1 {
			return nil, fmt.Errorf("not one complex (%v)", err)
		}
		return c[0], nil
	case *Array[bool]:
		return jsonArray(v, jsonBool)
	case *Array[uint8]:
		return jsonArray(v, func(e any) (uint8, error) { n, err := jsonInt(e); return uint8(n), err })
	case *Array[int16]:
		return jsonArray(v, func(e any) (int16, error) { n, err := jsonInt(e); return int16(n), err })
	case *Array[int32]:
		return jsonArray(v, func(e any) (int32, error) { n, err := jsonInt(e); return int32(n), err })
	case *Array[int64]:
		return jsonArray(v, jsonInt)
	case *Array[float32]:
		return jsonArray(v, func(e any) (float32, error) { f, err := jsonFloat(e); return float32(f), err })
	case *Array[float64]:
		return jsonArray(v, jsonFloat)
	case *Array[complex64]:
		c, err := jsonComplex(v)
		out := make([]complex64, len(c))
		for i, x := range c {
			out[i] = complex64(x)
		}
		return out, err
	case *Array[complex128]:
		return jsonComplex(v)
	}
	return nil, fmt.Errorf("no conversion for %T", col)
}

func jsonBool(v any) (bool, error) {
	switch v := v.(type) {
	case nil:
		return false, nil // a masked element ('?'): voagent reads false
	case bool:
		return v, nil
	}
	return false, fmt.Errorf("not a boolean")
}

func jsonInt(v any) (int64, error) {
	switch v := v.(type) {
	case nil:
		return 0, nil
	case json.Number:
		return strconv.ParseInt(string(v), 10, 64)
	}
	return 0, fmt.Errorf("not an integer")
}

func jsonFloat(v any) (float64, error) {
	switch v := v.(type) {
	case nil:
		return math.NaN(), nil
	case json.Number:
		return strconv.ParseFloat(string(v), 64)
	case string:
		switch v {
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("not a float")
}

func jsonArray[T any](v any, conv func(any) (T, error)) ([]T, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not an array")
	}
	out := make([]T, len(list))
	for i, e := range list {
		x, err := conv(e)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out[i] = x
	}
	return out, nil
}

// jsonComplex reads complex numbers given as [re, im] pairs, a list of
// pairs, or the flat list of parts (STILTS turns complex columns into
// float arrays with a first dimension of 2).
func jsonComplex(v any) ([]complex128, error) {
	var parts []float64
	var flat func(v any) error
	flat = func(v any) error {
		list, ok := v.([]any)
		if !ok {
			f, err := jsonFloat(v)
			parts = append(parts, f)
			return err
		}
		// A list of pairs (astropy) may hold a masked complex as one null.
		pairs := len(list)%2 != 0
		for _, e := range list {
			if _, ok := e.([]any); ok {
				pairs = true
			}
		}
		for _, e := range list {
			if e == nil && pairs {
				parts = append(parts, math.NaN(), math.NaN())
				continue
			}
			if err := flat(e); err != nil {
				return err
			}
		}
		return nil
	}
	if err := flat(v); err != nil {
		return nil, err
	}
	if len(parts)%2 != 0 {
		return nil, fmt.Errorf("odd number of complex parts")
	}
	out := make([]complex128, len(parts)/2)
	for i := range out {
		out[i] = complex(parts[2*i], parts[2*i+1])
	}
	return out, nil
}

// voagentOutputs writes the oracle sources as voagent writes them: types in
// every serialization, text in TABLEDATA. It returns the files with the
// documents they hold and their serializations, in order.
func voagentOutputs(t *testing.T, dir string) ([]string, []*Document, []Serialization) {
	t.Helper()
	types, text := readDoc(t, oracleTypes), readDoc(t, oracleText)
	var files []string
	var docs []*Document
	var sers []Serialization
	for _, o := range []struct {
		doc  *Document
		name string
		ser  Serialization
	}{{types, "v_types_td.vot", TableData}, {types, "v_types_b.vot", Binary}, {types, "v_types_b2.vot", Binary2}, {text, "v_text_td.vot", TableData}} {
		p := filepath.Join(dir, o.name)
		writeDoc(t, p, o.doc, o.ser)
		files = append(files, p)
		docs = append(docs, o.doc)
		sers = append(sers, o.ser)
	}
	return files, docs, sers
}

// TestOracleAstropy: files astropy writes in each serialization are read
// by voagent as astropy reads them, and files voagent writes are read by
// astropy (verify="exception", no warning) with the same cells.
func TestOracleAstropy(t *testing.T) {
	t.Parallel()
	py := peertest.PythonModule(t, "astropy")
	dir := t.TempDir()
	job := astropyJob{Dump: []astropyDump{{File: oracleTypes, Strict: true}, {File: oracleText, Strict: true}}}
	astropyFiles := map[string]string{}
	for _, f := range []string{"tabledata", "binary", "binary2"} {
		p := filepath.Join(dir, "a_types_"+f+".vot")
		astropyFiles[p] = f
		job.Write = append(job.Write, astropyWrite{Src: oracleTypes, Out: p, Format: f})
	}
	pText := filepath.Join(dir, "a_text_tabledata.vot")
	astropyFiles[pText] = "tabledata"
	job.Write = append(job.Write, astropyWrite{Src: oracleText, Out: pText, Format: "tabledata"})
	for p := range astropyFiles {
		job.Dump = append(job.Dump, astropyDump{File: p, Strict: true})
	}
	ours, docs, sers := voagentOutputs(t, dir)
	for _, p := range ours {
		job.Dump = append(job.Dump, astropyDump{File: p, Strict: true})
	}
	got := runAstropy(t, py, job)

	for _, p := range []string{oracleTypes, oracleText} {
		t.Run("source/"+filepath.Base(p), func(t *testing.T) {
			checkAgainstAstropy(t, p, readDoc(t, p).Tables(), got[p], true, nil)
		})
	}
	for p, f := range astropyFiles {
		t.Run("astropy-writes/"+filepath.Base(p), func(t *testing.T) {
			doc := readDoc(t, p)
			for _, tb := range doc.Tables() {
				// astropy writes an empty table without DATA.
				if tb.Rows() > 0 && tb.Serialization.String() != strings.ToUpper(f) {
					t.Errorf("%s read as %v, written as %s", tb.Label(), tb.Serialization, f)
				}
			}
			checkAgainstAstropy(t, p, doc.Tables(), got[p], true, nil)
		})
	}
	for k, p := range ours {
		t.Run("voagent-writes/"+filepath.Base(p), func(t *testing.T) {
			tables := docs[k].Tables()
			checkAgainstAstropy(t, p, tables, got[p], true, repeatSer(sers[k], len(tables)))
		})
	}
}

// TestOracleSTILTS: files STILTS writes in each serialization are read by
// voagent as astropy reads them; files voagent writes are read by STILTS
// (no message on stderr), whose TABLEDATA copy astropy reads with the same
// cells as voagent's.
func TestOracleSTILTS(t *testing.T) {
	t.Parallel()
	py := peertest.PythonModule(t, "astropy")
	stilts := peertest.Command(t, "stilts")
	dir := t.TempDir()

	// The JVM runs (a second or more each) go in parallel.
	stiltsFiles := map[string]Serialization{}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	run := func(out string, ser Serialization, inputs ...string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- stiltsMulti(stilts, out, ser, inputs...)
		}()
	}
	for _, ser := range []Serialization{TableData, Binary, Binary2} {
		p := filepath.Join(dir, "s_"+strings.ToLower(ser.String())+".vot")
		inputs := []string{oracleTypes}
		if ser == TableData {
			inputs = append(inputs, oracleText)
		}
		stiltsFiles[p] = ser
		run(p, ser, inputs...)
	}
	ours, docs, sers := voagentOutputs(t, dir)
	back := filepath.Join(dir, "stilts_reads_voagent.vot")
	run(back, TableData, ours...)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	job := astropyJob{Dump: []astropyDump{{File: back}}}
	for p := range stiltsFiles {
		job.Dump = append(job.Dump, astropyDump{File: p})
	}
	got := runAstropy(t, py, job)

	for p, ser := range stiltsFiles {
		t.Run("stilts-writes/"+filepath.Base(p), func(t *testing.T) {
			doc := readDoc(t, p)
			for _, tb := range doc.Tables() {
				if tb.Rows() > 0 && tb.Serialization != ser {
					t.Errorf("%s read as %v, written as %v", tb.Label(), tb.Serialization, ser)
				}
			}
			checkAgainstAstropy(t, p, doc.Tables(), got[p], false, nil)
		})
	}
	t.Run("stilts-reads-voagent", func(t *testing.T) {
		var tables []*Table
		var written []Serialization
		for k, d := range docs {
			tables = append(tables, d.Tables()...)
			written = append(written, repeatSer(sers[k], len(d.Tables()))...)
		}
		checkAgainstAstropy(t, back, tables, got[back], false, written)
	})
}

func repeatSer(s Serialization, n int) []Serialization {
	out := make([]Serialization, n)
	for i := range out {
		out[i] = s
	}
	return out
}
