package votable

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
)

// oracleBits holds scalar and array bits (TestOracleBits).
const oracleBits = "testdata/oracle_bits.xml"

// stiltsJar is the jar of STILTS's classes, as Debian's stilts installs it.
const stiltsJar = "/usr/share/java/starlink-ttools.jar"

// TestScalarBitBytes: a scalar bit in BINARY and BINARY2 is true for any
// non-zero byte (astropy writes 0x08, STILTS 0x80) and voagent writes 0x88,
// which every reader reads as true.
func TestScalarBitBytes(t *testing.T) {
	for _, two := range []bool{false, true} {
		for _, tc := range []struct {
			b    byte
			want bool
		}{{0x00, false}, {0x01, true}, {0x08, true}, {0x80, true}, {0x88, true}, {0xff, true}} {
			ser := "BINARY"
			var raw []byte
			if two {
				ser = "BINARY2"
				raw = append(raw, 0) // the null flags: not null
			}
			raw = append(raw, tc.b)
			src := fmt.Sprintf(`<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="f" datatype="bit"/>`+
				`<DATA><%s><STREAM encoding="base64">%s</STREAM></%s></DATA></TABLE></RESOURCE></VOTABLE>`,
				ser, base64.StdEncoding.EncodeToString(raw), ser)
			doc, err := Read(strings.NewReader(src))
			if err != nil {
				t.Fatalf("%s byte %#x: %v", ser, tc.b, err)
			}
			c := doc.Tables()[0].Columns[0].(*Scalar[bool])
			if c.Len() != 1 || c.At(0) != tc.want || c.IsNull(0) {
				t.Errorf("%s byte %#x: read %v (null %v), want %v", ser, tc.b, c.At(0), c.IsNull(0), tc.want)
			}
		}
	}
	// voagent writes 0x88 for true and 0 for false.
	doc := readDoc(t, oracleBits)
	for _, ser := range []Serialization{Binary, Binary2} {
		var buf bytes.Buffer
		if err := Write(&buf, doc, ser); err != nil {
			t.Fatal(err)
		}
		raw := testStreamBytes(t, buf.String())
		// Each row: [flags] id (4 bytes), flag (1 byte), bit9 (2 bytes).
		row := 7
		off := 4
		if ser == Binary2 {
			row, off = 8, 5
		}
		flags := doc.Tables()[0].Columns[1].(*Scalar[bool])
		if len(raw) != row*flags.Len() {
			t.Fatalf("%v: %d bytes, want %d", ser, len(raw), row*flags.Len())
		}
		for i := 0; i < flags.Len(); i++ {
			want := byte(0)
			if flags.At(i) {
				want = 0x88
			}
			if got := raw[i*row+off]; got != want {
				t.Errorf("%v row %d: wrote %#x for %v, want %#x", ser, i+1, got, flags.At(i), want)
			}
		}
	}
}

// testStreamBytes returns the decoded base64 STREAM of a VOTable document.
func testStreamBytes(t *testing.T, doc string) []byte {
	t.Helper()
	_, rest, ok := strings.Cut(doc, `<STREAM encoding="base64">`)
	if !ok {
		t.Fatalf("no base64 STREAM in\n%s", doc)
	}
	text, _, ok := strings.Cut(rest, "</STREAM>")
	if !ok {
		t.Fatal("STREAM not closed")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestOracleBits: scalar bits written in BINARY and BINARY2 by astropy
// (0x08), STILTS (0x80) and voagent (0x88) are read as the TABLEDATA source
// says by voagent, astropy and STILTS's streaming reader.
func TestOracleBits(t *testing.T) {
	t.Parallel()
	py := peertest.PythonModule(t, "astropy")
	stilts := peertest.Command(t, "stilts")
	java := peertest.Command(t, "java")
	jar := peertest.File(t, "stilts", stiltsJar)
	dir := t.TempDir()

	source := readDoc(t, oracleBits)
	job := astropyJob{Dump: []astropyDump{{File: oracleBits, Strict: true}}}
	var others []string // BINARY and BINARY2 files astropy and STILTS write
	for _, ser := range []Serialization{Binary, Binary2} {
		name := strings.ToLower(ser.String())
		a := filepath.Join(dir, "a_bits_"+name+".vot")
		job.Write = append(job.Write, astropyWrite{Src: oracleBits, Out: a, Format: name})
		s := filepath.Join(dir, "s_bits_"+name+".vot")
		if err := stiltsMulti(stilts, s, ser, oracleBits); err != nil {
			t.Fatal(err)
		}
		v := filepath.Join(dir, "v_bits_"+name+".vot")
		writeDoc(t, v, source, ser)
		job.Dump = append(job.Dump, astropyDump{File: v, Strict: true})
		others = append(others, a, s)
	}
	got := runAstropy(t, py, job)
	truth := got[oracleBits]
	t.Run("source", func(t *testing.T) {
		checkAgainstAstropy(t, oracleBits, source.Tables(), truth, true, nil)
	})
	// voagent reads astropy's and STILTS's files as astropy reads the
	// TABLEDATA source.
	for _, p := range others {
		t.Run("voagent-reads/"+filepath.Base(p), func(t *testing.T) {
			checkAgainstAstropy(t, p, readDoc(t, p).Tables(), truth, false, nil)
		})
	}
	for _, ser := range []Serialization{Binary, Binary2} {
		v := filepath.Join(dir, "v_bits_"+strings.ToLower(ser.String())+".vot")
		t.Run("astropy-reads/"+filepath.Base(v), func(t *testing.T) {
			checkAgainstAstropy(t, v, source.Tables(), got[v], true, []Serialization{ser})
		})
		t.Run("stilts-reads/"+filepath.Base(v), func(t *testing.T) {
			rows := stiltsCells(t, java, jar, v)
			want := stiltsRows(source.Tables()[0])
			if strings.Join(rows, "\n") != strings.Join(want, "\n") {
				t.Errorf("STILTS reads %s as\n%s\nwant\n%s", v, strings.Join(rows, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// stiltsCells runs testdata/StiltsCells.java (STILTS's streaming VOTable
// reader) on path and returns its rows.
func stiltsCells(t *testing.T, java, jar, path string) []string {
	t.Helper()
	src, err := filepath.Abs("testdata/StiltsCells.java")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, java, "-cp", jar, src, path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("STILTS reading %s: %v\n%s", path, err, stderr.String())
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// stiltsRows formats the bits table (id, scalar bit, bit array) as
// StiltsCells prints it: STILTS gives a scalar bit from BINARY as a
// one-element boolean array.
func stiltsRows(tb *Table) []string {
	id := tb.Columns[0].(*Scalar[int32])
	flag := tb.Columns[1].(*Scalar[bool])
	arr := tb.Columns[2].(*Array[bool])
	var rows []string
	for i := 0; i < tb.Rows(); i++ {
		var bits []string
		for _, b := range arr.At(i) {
			bits = append(bits, fmt.Sprint(b))
		}
		rows = append(rows, fmt.Sprintf("%d;[%v];[%s];", id.At(i), flag.At(i), strings.Join(bits, ", ")))
	}
	return rows
}
