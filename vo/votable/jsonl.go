package votable

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// JSONLWriter writes rows as JSON lines (https://jsonlines.org): one JSON
// object per row, keyed by the field names in order. Nulls, and NaN and
// infinite floats (which JSON cannot write), are null; booleans true and
// false; numbers in their shortest round-trip form; strings as JSON
// strings; arrays as JSON arrays; complex numbers as [re, im].
type JSONLWriter struct {
	w    *bufio.Writer
	keys [][]byte // each field name, JSON-quoted, with its colon
	buf  []byte
	err  error
}

// NewJSONLWriter writes rows of fields; nothing is written before the
// first row.
func NewJSONLWriter(w io.Writer, fields []*Field) *JSONLWriter {
	jw := &JSONLWriter{w: bufio.NewWriterSize(w, 256<<10)}
	seen := map[string]int{}
	for _, f := range fields {
		name := f.Name
		if name == "" {
			name = f.ID
		}
		// Keys are unique: a repeated name gets _2, _3 ...
		if n := seen[name]; n > 0 {
			seen[name] = n + 1
			name = name + "_" + strconv.Itoa(n+1)
		} else {
			seen[name] = 1
		}
		k, _ := json.Marshal(name)
		jw.keys = append(jw.keys, append(k, ':'))
	}
	return jw
}

// WriteBatch writes the rows of cols.
func (jw *JSONLWriter) WriteBatch(cols []Column) error {
	if jw.err != nil {
		return jw.err
	}
	if len(cols) != len(jw.keys) {
		return fmt.Errorf("votable: %d columns for %d JSON fields", len(cols), len(jw.keys))
	}
	if len(cols) == 0 {
		return nil
	}
	n := cols[0].Len()
	for i := 0; i < n; i++ {
		b := append(jw.buf[:0], '{')
		for j, c := range cols {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, jw.keys[j]...)
			b = appendJSONValue(b, c.Value(i))
		}
		b = append(b, '}', '\n')
		jw.buf = b
		if _, err := jw.w.Write(b); err != nil {
			jw.err = err
			return err
		}
	}
	return nil
}

// Close flushes the output.
func (jw *JSONLWriter) Close() error {
	if jw.err != nil {
		return jw.err
	}
	return jw.w.Flush()
}

// WriteJSONL writes a whole table as JSON lines.
func WriteJSONL(w io.Writer, t *Table) error {
	jw := NewJSONLWriter(w, t.Fields)
	if err := jw.WriteBatch(t.Columns); err != nil {
		return err
	}
	return jw.Close()
}

func appendJSONFloat(b []byte, v float64, bits int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, bits)
}

func appendJSONArray[T any](b []byte, vs []T, each func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, v)
	}
	return append(b, ']')
}

// appendJSONValue appends a cell value as Column.Value boxes it.
func appendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10)
	case int16:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float32:
		return appendJSONFloat(b, float64(x), 32)
	case float64:
		return appendJSONFloat(b, x, 64)
	case complex64:
		b = appendJSONFloat(append(b, '['), float64(real(x)), 32)
		return append(appendJSONFloat(append(b, ','), float64(imag(x)), 32), ']')
	case complex128:
		b = appendJSONFloat(append(b, '['), real(x), 64)
		return append(appendJSONFloat(append(b, ','), imag(x), 64), ']')
	case string:
		q, _ := json.Marshal(x)
		return append(b, q...)
	case []bool:
		return appendJSONArray(b, x, func(b []byte, v bool) []byte { return strconv.AppendBool(b, v) })
	case []uint8:
		return appendJSONArray(b, x, func(b []byte, v uint8) []byte { return strconv.AppendUint(b, uint64(v), 10) })
	case []int16:
		return appendJSONArray(b, x, func(b []byte, v int16) []byte { return strconv.AppendInt(b, int64(v), 10) })
	case []int32:
		return appendJSONArray(b, x, func(b []byte, v int32) []byte { return strconv.AppendInt(b, int64(v), 10) })
	case []int64:
		return appendJSONArray(b, x, func(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) })
	case []float32:
		return appendJSONArray(b, x, func(b []byte, v float32) []byte { return appendJSONFloat(b, float64(v), 32) })
	case []float64:
		return appendJSONArray(b, x, func(b []byte, v float64) []byte { return appendJSONFloat(b, v, 64) })
	case []complex64:
		return appendJSONArray(b, x, func(b []byte, v complex64) []byte { return appendJSONValue(b, v) })
	case []complex128:
		return appendJSONArray(b, x, func(b []byte, v complex128) []byte { return appendJSONValue(b, v) })
	}
	q, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, q...)
}
