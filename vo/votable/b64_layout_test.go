package votable

import (
	"encoding/base64"
	"encoding/binary"
	"io"
	"math"
	"strings"
	"testing"
)

// binary2Rows encodes n BINARY2 rows of (int a, double b, short c,
// unsignedByte d), a null in row i%7 == 0, 16 bytes a row.
func binary2Rows(n int) []byte {
	raw := make([]byte, 0, 16*n)
	for i := range n {
		var row [16]byte
		if i%7 == 0 {
			row[0] = 0x80 // a is null
		}
		binary.BigEndian.PutUint32(row[1:], uint32(int32(i-n/2)))
		binary.BigEndian.PutUint64(row[5:], math.Float64bits(float64(i)*0.5))
		binary.BigEndian.PutUint16(row[13:], uint16(int16(i%30000)))
		row[15] = byte(i)
		raw = append(raw, row[:]...)
	}
	return raw
}

// binary2RowsDoc is a document whose table has binary2Rows' fields and the
// STREAM text; a comment of shift blanks moves the text against the
// reader's buffers.
func binary2RowsDoc(shift int, text string) string {
	return `<VOTABLE><RESOURCE><TABLE><!--` + strings.Repeat(" ", shift) + `-->` +
		`<FIELD name="a" datatype="int"/><FIELD name="b" datatype="double"/>` +
		`<FIELD name="c" datatype="short"/><FIELD name="d" datatype="unsignedByte"/>` +
		`<DATA><BINARY2><STREAM encoding="base64">` + text + `</STREAM></BINARY2></DATA></TABLE></RESOURCE></VOTABLE>`
}

// everyN inserts sep after every n bytes of s.
func everyN(s string, n int, sep string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteString(sep)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// TestBinary2StreamLayouts reads megabytes of BINARY2 whose base64 text is
// laid out as writers do (one line; 76 or 64 characters a line with LF or
// CRLF; white space only deep inside; tabs; no padding), shifted against
// the reader's buffers by 0-3 bytes, and checks every cell: the decoder
// takes text without white space straight from its buffer and copies the
// rest without it, and both must give the same rows.
func TestBinary2StreamLayouts(t *testing.T) {
	for _, n := range []int{200002, 200003, 200004} { // "==", "=", no padding
		text := base64.StdEncoding.EncodeToString(binary2Rows(n))
		layouts := []struct{ name, text string }{
			{"one line", text},
			{"LF every 76", everyN(text, 76, "\n")},
			{"CRLF every 64", everyN(text, 64, "\r\n")},
			{"one space deep inside", text[:1500001] + " " + text[1500001:]},
			{"LF at a chunk's end", text[:262144] + "\n" + text[262144:]},
			{"tab every 1001", everyN(text, 1001, "\t")},
			{"white space around", "\n   " + text + "\n  "},
			{"no padding", strings.TrimRight(text, "=")},
		}
		for _, l := range layouts {
			for shift := range 4 {
				d := NewDecoder(strings.NewReader(binary2RowsDoc(shift, l.text)))
				if _, err := d.NextTable(); err != nil {
					t.Fatalf("%d rows, %s, shift %d: %v", n, l.name, shift, err)
				}
				i := 0
				for {
					cols, err := d.NextBatch()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("%d rows, %s, shift %d: row %d: %v", n, l.name, shift, i, err)
					}
					for k := 0; k < cols[0].Len(); k, i = k+1, i+1 {
						var wantA any = int32(i - n/2)
						if i%7 == 0 {
							wantA = nil
						}
						if a, b, c, dv := cols[0].Value(k), cols[1].Value(k), cols[2].Value(k), cols[3].Value(k); a != wantA ||
							b != float64(i)*0.5 || c != int16(i%30000) || dv != uint8(i) {
							t.Fatalf("%d rows, %s, shift %d: row %d = %v %v %v %v", n, l.name, shift, i, a, b, c, dv)
						}
					}
				}
				d.Close()
				if i != n {
					t.Fatalf("%d rows, %s, shift %d: read %d rows", n, l.name, shift, i)
				}
			}
		}
	}
}

// TestBinary2StreamErrors: a character outside the alphabet, in text the
// fast path would take or after white space, is an error naming base64.
func TestBinary2StreamErrors(t *testing.T) {
	text := base64.StdEncoding.EncodeToString(binary2Rows(100000))
	for _, bad := range []string{
		text[:700001] + "*" + text[700002:],
		everyN(text[:700001]+"*"+text[700002:], 76, "\n"),
		text[:1000] + "==" + text[1002:],
	} {
		d := NewDecoder(strings.NewReader(binary2RowsDoc(0, bad)))
		if _, err := d.NextTable(); err != nil {
			t.Fatal(err)
		}
		var err error
		for err == nil {
			_, err = d.NextBatch()
		}
		d.Close()
		if err == io.EOF || !strings.Contains(err.Error(), "base64") {
			t.Fatalf("corrupt text read with %v, want an error naming base64", err)
		}
	}
}
