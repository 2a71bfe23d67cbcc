package votable

import (
	"bufio"
	"fmt"
	"io"
)

// CSVWriter writes rows as RFC 4180 CSV: a header line of field names, then
// one line per row; nulls are empty, arrays space-separated.
type CSVWriter struct {
	w      *bufio.Writer
	fields []*Field
	buf    []byte
	cell   []byte
	err    error
}

// NewCSVWriter writes the header line for fields.
func NewCSVWriter(w io.Writer, fields []*Field) *CSVWriter {
	cw := &CSVWriter{w: bufio.NewWriterSize(w, 256<<10), fields: fields}
	b := cw.buf[:0]
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, []byte(f.Name))
	}
	b = append(b, '\n')
	_, cw.err = cw.w.Write(b)
	cw.buf = b
	return cw
}

// WriteBatch writes the rows of cols.
func (cw *CSVWriter) WriteBatch(cols []Column) error {
	if cw.err != nil {
		return cw.err
	}
	if len(cols) != len(cw.fields) {
		return fmt.Errorf("votable: %d columns for %d CSV fields", len(cols), len(cw.fields))
	}
	if len(cols) == 0 {
		return nil
	}
	n := cols[0].Len()
	for i := 0; i < n; i++ {
		b := cw.buf[:0]
		for j, c := range cols {
			if j > 0 {
				b = append(b, ',')
			}
			cw.cell = AppendCellText(cw.cell[:0], c, i)
			b = appendCSVField(b, cw.cell)
		}
		b = append(b, '\n')
		cw.buf = b
		if _, err := cw.w.Write(b); err != nil {
			cw.err = err
			return err
		}
	}
	return nil
}

// Close flushes the output.
func (cw *CSVWriter) Close() error {
	if cw.err != nil {
		return cw.err
	}
	return cw.w.Flush()
}

// AppendCellText appends the plain text of row i of c: nothing for a null,
// the string itself (unescaped) for char columns, numbers as TABLEDATA
// writes them (shortest round-trip form, NaN, +Inf, -Inf), booleans as T/F,
// array elements separated by spaces.
func AppendCellText(dst []byte, c Column, i int) []byte {
	if c.IsNull(i) {
		return dst
	}
	if s, ok := c.(*Strings); ok {
		return append(dst, s.Bytes(i)...)
	}
	return appendText(dst, c, i)
}

// CellText is AppendCellText as a string.
func CellText(c Column, i int) string { return string(AppendCellText(nil, c, i)) }

// WriteCSV writes a whole table as CSV.
func WriteCSV(w io.Writer, t *Table) error {
	cw := NewCSVWriter(w, t.Fields)
	if err := cw.WriteBatch(t.Columns); err != nil {
		return err
	}
	return cw.Close()
}

// appendCSVField appends v, quoted when it holds a comma, quote, line break
// or leading/trailing space.
func appendCSVField(b, v []byte) []byte {
	quote := false
	for i, c := range v {
		if c == ',' || c == '"' || c == '\n' || c == '\r' || (c == ' ' && (i == 0 || i == len(v)-1)) {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, v...)
	}
	b = append(b, '"')
	for _, c := range v {
		if c == '"' {
			b = append(b, '"')
		}
		b = append(b, c)
	}
	return append(b, '"')
}
