package fits

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Table is a BINTABLE extension read whole: its header, columns and the
// bytes of its rows and heap, decoded cell by cell by the accessors.
type Table struct {
	Header *Header
	// Name is EXTNAME ("" when absent).
	Name string
	// HDU is the position of the extension in the file (the primary HDU is 0).
	HDU int
	// Rows is NAXIS2; RowLen is NAXIS1.
	Rows, RowLen int
	Columns      []*Column
	// Meta is the VOTable document a STIL "fits-plus" file keeps in its
	// primary HDU (VOTMETA = T): column metadata FITS has no cards for.
	// Nil for other files.
	Meta []byte
	data []byte // Rows*RowLen bytes
	heap []byte // from THEAP to the end of the data part
}

// Kind is what the cells of a column hold once decoded.
type Kind int

// The kinds of column values.
const (
	KindBool    Kind = iota // L, X
	KindInt                 // B, I, J, K (and signed bytes, 16- and 32-bit unsigned)
	KindUint                // K with TZERO = 2^63 (64-bit unsigned)
	KindFloat               // E, D, and integers scaled by TSCAL/TZERO
	KindComplex             // C, M
	KindString              // A
)

// Column is one column of a BINTABLE, described by its TFORMn, TTYPEn and
// the other column cards.
type Column struct {
	// Index is the column's position (0-based; the cards' n is Index+1).
	Index int
	// Name (TTYPE), Unit (TUNIT), UCD (TUCD), Disp (TDISP), Comment
	// (TCOMM) and Form (TFORM) as written.
	Name, Unit, UCD, Disp, Comment, Form string
	// Type is the TFORM letter: L X B I J K A E D C M, or P or Q for a
	// variable-length array whose elements are Elem.
	Type byte
	// Elem is the element type: Type itself, or the letter after P/Q.
	Elem byte
	// Repeat is the TFORM repeat count (bits for X, characters for A; 0
	// or 1 for P and Q).
	Repeat int
	// Dims are the dimensions of TDIM (first varying fastest), nil when
	// absent or when they do not cover the whole repeat count.
	Dims []int
	// Null is TNULL, meaningful when HasNull.
	Null    int64
	HasNull bool
	// Scale and Zero are TSCAL and TZERO (1 and 0 when absent).
	Scale, Zero float64
	// Scaled is true when values are raw*Scale+Zero floats (not one of the
	// integer offset conventions below).
	Scaled bool
	// Offset is set for the integer conventions TZERO = -128 on B (signed
	// bytes), 32768 on I, 2^31 on J and 2^63 on K (unsigned integers).
	Offset bool

	pos, width int // byte position and width in a row
}

// Kind tells which accessor decodes the column's cells.
func (c *Column) Kind() Kind {
	switch c.Elem {
	case 'L', 'X':
		return KindBool
	case 'A':
		return KindString
	case 'C', 'M':
		return KindComplex
	case 'E', 'D':
		return KindFloat
	}
	if c.Scaled {
		return KindFloat
	}
	if c.Elem == 'K' && c.Offset {
		return KindUint
	}
	return KindInt
}

// Variable reports whether the column is a variable-length array (P, Q).
func (c *Column) Variable() bool { return c.Type == 'P' || c.Type == 'Q' }

// Scalar reports whether each cell holds exactly one value (a fixed
// repeat count of 1; A columns are strings, never scalars).
func (c *Column) Scalar() bool { return !c.Variable() && c.Repeat == 1 && c.Elem != 'A' }

// NullValue is the value (after the integer offset convention) that marks
// a null integer element, and whether there is one.
func (c *Column) NullValue() (int64, bool) {
	if !c.HasNull || c.Kind() != KindInt {
		return 0, false
	}
	return c.intOf(c.Null), true
}

func (c *Column) intOf(raw int64) int64 {
	if !c.Offset {
		return raw
	}
	switch c.Elem {
	case 'B':
		return raw - 128
	case 'I':
		return raw + 1<<15
	case 'J':
		return raw + 1<<31
	}
	return raw
}

// elemSize is the size in bytes of one element (0 for bits).
func elemSize(t byte) int {
	switch t {
	case 'L', 'B', 'A':
		return 1
	case 'I':
		return 2
	case 'J', 'E':
		return 4
	case 'K', 'D', 'C':
		return 8
	case 'M':
		return 16
	}
	return 0
}

// parseTFORM parses a TFORMn value.
func parseTFORM(s string) (repeat int64, typ, elem byte, err error) {
	f := strings.TrimSpace(s)
	i := 0
	for i < len(f) && f[i] >= '0' && f[i] <= '9' {
		i++
	}
	repeat = 1
	if i > 0 {
		if repeat, err = strconv.ParseInt(f[:i], 10, 64); err != nil {
			return 0, 0, 0, fmt.Errorf("repeat count %q: %w", f[:i], err)
		}
	}
	if i == len(f) {
		return 0, 0, 0, fmt.Errorf("no data type letter in %q", s)
	}
	typ, rest := f[i], f[i+1:]
	switch typ {
	case 'L', 'X', 'B', 'I', 'J', 'K', 'E', 'D', 'C', 'M':
		if rest != "" {
			return 0, 0, 0, fmt.Errorf("text %q after the data type in %q", rest, s)
		}
		return repeat, typ, typ, nil
	case 'A':
		return repeat, typ, typ, nil // "rAw" (substrings) is allowed and ignored
	case 'P', 'Q':
		if repeat > 1 {
			return 0, 0, 0, fmt.Errorf("repeat count %d of a variable-length array descriptor in %q is not 0 or 1", repeat, s)
		}
		if rest == "" {
			return 0, 0, 0, fmt.Errorf("no element type after %c in %q", typ, s)
		}
		elem = rest[0]
		if strings.IndexByte("LXBIJKAEDCM", elem) < 0 {
			return 0, 0, 0, fmt.Errorf("element type %q of %q is not one of L X B I J K A E D C M", elem, s)
		}
		if m := rest[1:]; m != "" && !(strings.HasPrefix(m, "(") && strings.HasSuffix(m, ")")) {
			return 0, 0, 0, fmt.Errorf("text %q after the element type in %q is not (max)", m, s)
		}
		return repeat, typ, elem, nil
	}
	return 0, 0, 0, fmt.Errorf("data type %q of %q is not one of L X B I J K A E D C M P Q", typ, s)
}

func parseTDIM(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("%q is not (n1,n2,...)", s)
	}
	var dims []int
	for _, p := range strings.Split(s[1:len(s)-1], ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q: bad dimension %q", s, p)
		}
		dims = append(dims, n)
	}
	return dims, nil
}

// maxEmptyRows bounds the rows of a table whose rows have no bytes.
const maxEmptyRows = 1 << 20

// binTable reads the columns and data of a BINTABLE whose header is h.
func (rd *reader) binTable(ctx context.Context, h *Header, hdu int) (*Table, error) {
	for _, want := range []struct {
		key string
		val int64
	}{{"BITPIX", 8}, {"NAXIS", 2}, {"GCOUNT", 1}} {
		v, err := h.mustInt(want.key)
		if err != nil {
			return nil, err
		}
		if v != want.val {
			return nil, fmt.Errorf("card %s = %d, a BINTABLE has %d", want.key, v, want.val)
		}
	}
	naxis1, err := h.mustInt("NAXIS1")
	if err != nil {
		return nil, err
	}
	naxis2, err := h.mustInt("NAXIS2")
	if err != nil {
		return nil, err
	}
	pcount, err := h.mustInt("PCOUNT")
	if err != nil {
		return nil, err
	}
	tfields, err := h.mustInt("TFIELDS")
	if err != nil {
		return nil, err
	}
	switch {
	case naxis1 < 0:
		return nil, fmt.Errorf("card NAXIS1 = %d is negative", naxis1)
	case naxis2 < 0:
		return nil, fmt.Errorf("card NAXIS2 = %d is negative", naxis2)
	case pcount < 0:
		return nil, fmt.Errorf("card PCOUNT = %d is negative", pcount)
	case tfields < 0 || tfields > 999:
		return nil, fmt.Errorf("card TFIELDS = %d is out of 0..999", tfields)
	}
	if naxis1 == 0 && naxis2 > maxEmptyRows {
		return nil, fmt.Errorf("card NAXIS2 = %d rows of NAXIS1 = 0 bytes (at most %d rows without bytes)", naxis2, maxEmptyRows)
	}
	rowsBytes, ok := mulCheck(naxis1, naxis2)
	if !ok || rowsBytes > math.MaxInt64-pcount {
		return nil, fmt.Errorf("cards NAXIS1 = %d, NAXIS2 = %d, PCOUNT = %d: the data size overflows", naxis1, naxis2, pcount)
	}
	total := rowsBytes + pcount
	if total > rd.opt.MaxBytes {
		return nil, fmt.Errorf("cards NAXIS1 = %d, NAXIS2 = %d, PCOUNT = %d declare %d bytes, more than the limit of %d", naxis1, naxis2, pcount, total, rd.opt.MaxBytes)
	}
	if naxis1 > rd.opt.MaxBytes {
		return nil, fmt.Errorf("card NAXIS1 = %d is more than the limit of %d bytes", naxis1, rd.opt.MaxBytes)
	}
	if err := rd.fits(total, fmt.Sprintf("cards NAXIS1 = %d, NAXIS2 = %d, PCOUNT = %d", naxis1, naxis2, pcount)); err != nil {
		return nil, err
	}
	t := &Table{Header: h, Name: strings.TrimSpace(h.String("EXTNAME")), HDU: hdu, Rows: int(naxis2), RowLen: int(naxis1)}
	pos := int64(0)
	for i := 0; i < int(tfields); i++ {
		c, err := parseColumn(h, i, naxis1)
		if err != nil {
			return nil, err
		}
		c.pos = int(pos)
		pos += int64(c.width)
		if pos > naxis1 {
			return nil, fmt.Errorf("the columns up to TFORM%d = %q need %d bytes a row, more than NAXIS1 = %d", i+1, c.Form, pos, naxis1)
		}
		t.Columns = append(t.Columns, c)
	}
	if pos != naxis1 {
		return nil, fmt.Errorf("card NAXIS1 = %d but the TFORMn of the %d columns add up to %d bytes a row", naxis1, tfields, pos)
	}
	theap, okH, err := h.Int("THEAP")
	if err != nil {
		return nil, err
	}
	if !okH {
		theap = rowsBytes
	}
	if theap < rowsBytes || theap > total {
		return nil, fmt.Errorf("card THEAP = %d is outside the %d bytes after the %d bytes of rows", theap, pcount, rowsBytes)
	}
	data, err := rd.read(ctx, total, fmt.Sprintf("data of NAXIS1 = %d x NAXIS2 = %d bytes and PCOUNT = %d", naxis1, naxis2, pcount))
	if err != nil {
		return nil, err
	}
	t.data, t.heap = data[:rowsBytes], data[theap:]
	return t, nil
}

func parseColumn(h *Header, i int, naxis1 int64) (*Column, error) {
	n := strconv.Itoa(i + 1)
	c := &Column{Index: i, Scale: 1}
	card, ok := h.Get("TFORM" + n)
	if !ok {
		return nil, fmt.Errorf("mandatory card TFORM%s is missing", n)
	}
	c.Form, _ = card.Value.(string)
	repeat, typ, elem, err := parseTFORM(c.Form)
	if err != nil {
		return nil, fmt.Errorf("card TFORM%s: %w", n, err)
	}
	if repeat > naxis1*8 {
		return nil, fmt.Errorf("card TFORM%s = %q: repeat count %d does not fit in NAXIS1 = %d", n, c.Form, repeat, naxis1)
	}
	c.Type, c.Elem, c.Repeat = typ, elem, int(repeat)
	switch typ {
	case 'X':
		c.width = (c.Repeat + 7) / 8
	case 'P':
		c.width = 8 * c.Repeat
	case 'Q':
		c.width = 16 * c.Repeat
	default:
		c.width = elemSize(typ) * c.Repeat
	}
	c.Name = strings.TrimSpace(h.String("TTYPE" + n))
	c.Unit = strings.TrimSpace(h.String("TUNIT" + n))
	c.UCD = strings.TrimSpace(h.String("TUCD" + n))
	c.Disp = strings.TrimSpace(h.String("TDISP" + n))
	c.Comment = strings.TrimSpace(h.String("TCOMM" + n))
	if v, ok, err := h.Int("TNULL" + n); err != nil {
		return nil, err
	} else if ok {
		if strings.IndexByte("BIJK", elem) < 0 {
			return nil, fmt.Errorf("card TNULL%s on a column of type %c (only B, I, J and K have TNULL)", n, elem)
		}
		c.Null, c.HasNull = v, true
	}
	if v, ok, err := h.Float("TSCAL" + n); err != nil {
		return nil, err
	} else if ok {
		c.Scale = v
	}
	if v, ok, err := h.Float("TZERO" + n); err != nil {
		return nil, err
	} else if ok {
		c.Zero = v
	}
	if c.Scale != 1 || c.Zero != 0 {
		switch {
		case strings.IndexByte("LXA", elem) >= 0:
			return nil, fmt.Errorf("cards TSCAL%s/TZERO%s on a column of type %c", n, n, elem)
		case c.Scale == 1 && (elem == 'B' && c.Zero == -128 || elem == 'I' && c.Zero == 1<<15 ||
			elem == 'J' && c.Zero == 1<<31 || elem == 'K' && c.Zero == 1<<63):
			c.Offset = true
		default:
			c.Scaled = true
		}
	}
	if s := h.String("TDIM" + n); s != "" && !c.Variable() {
		dims, err := parseTDIM(s)
		if err != nil {
			return nil, fmt.Errorf("card TDIM%s: %w", n, err)
		}
		prod := int64(1)
		for _, d := range dims {
			if prod, ok = mulCheck(prod, int64(d)); !ok {
				break
			}
		}
		switch {
		case !ok || prod > repeat:
			return nil, fmt.Errorf("card TDIM%s = %q holds more elements than the repeat count %d of TFORM%s", n, s, repeat, n)
		case prod == repeat:
			c.Dims = dims
		}
	}
	return c, nil
}

// cell returns the bytes of a cell's elements and their number.
func (t *Table) cell(row int, c *Column) ([]byte, int, error) {
	if row < 0 || row >= t.Rows {
		return nil, 0, fmt.Errorf("row %d out of 0..%d", row, t.Rows-1)
	}
	b := t.data[row*t.RowLen+c.pos : row*t.RowLen+c.pos+c.width]
	if !c.Variable() {
		return b, c.Repeat, nil
	}
	if c.Repeat == 0 {
		return nil, 0, nil
	}
	var count, off int64
	if c.Type == 'P' {
		count, off = int64(int32(binary.BigEndian.Uint32(b))), int64(int32(binary.BigEndian.Uint32(b[4:])))
	} else {
		count, off = int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint64(b[8:]))
	}
	heap := int64(len(t.heap))
	if count < 0 || off < 0 || off > heap {
		return nil, 0, fmt.Errorf("row %d, column %d (%s): array descriptor (%d elements at heap offset %d) outside the heap of %d bytes", row+1, c.Index+1, c.Name, count, off, heap)
	}
	size := count
	if c.Elem == 'X' {
		size = (count + 7) / 8
	} else if count > heap {
		size = heap + 1
	} else {
		size = count * int64(elemSize(c.Elem))
	}
	if size > heap-off {
		return nil, 0, fmt.Errorf("row %d, column %d (%s): array of %d elements at heap offset %d ends beyond the heap of %d bytes", row+1, c.Index+1, c.Name, count, off, heap)
	}
	return t.heap[off : off+size], int(count), nil
}

func (t *Table) check(c *Column, k Kind, what string) error {
	if c.Kind() != k {
		return fmt.Errorf("column %d (%s) of TFORM %q holds no %s", c.Index+1, c.Name, c.Form, what)
	}
	return nil
}

// Len returns the number of elements of a cell (characters for A).
func (t *Table) Len(row int, c *Column) (int, error) {
	_, n, err := t.cell(row, c)
	return n, err
}

// IsNull reports whether a scalar cell is null: an integer equal to TNULL
// or a logical byte 0. Arrays are never null as a whole
// (see NullValue for their elements); floats use NaN.
func (t *Table) IsNull(row int, c *Column) bool {
	if !c.Scalar() {
		return false
	}
	b, _, err := t.cell(row, c)
	if err != nil {
		return false
	}
	switch c.Elem {
	case 'L':
		return b[0] == 0
	case 'B', 'I', 'J', 'K':
		return c.HasNull && rawInt(c.Elem, b) == c.Null
	}
	return false
}

func rawInt(e byte, b []byte) int64 {
	switch e {
	case 'B':
		return int64(b[0])
	case 'I':
		return int64(int16(binary.BigEndian.Uint16(b)))
	case 'J':
		return int64(int32(binary.BigEndian.Uint32(b)))
	}
	return int64(binary.BigEndian.Uint64(b))
}

// Bools decodes a cell of an L or X column into dst[:0]. A logical byte 0
// (null) or F is false; T and any other byte (astropy writes 1 in
// variable-length arrays) true.
func (t *Table) Bools(row int, c *Column, dst []bool) ([]bool, error) {
	if err := t.check(c, KindBool, "logicals"); err != nil {
		return nil, err
	}
	b, n, err := t.cell(row, c)
	if err != nil {
		return nil, err
	}
	dst = dst[:0]
	for i := 0; i < n; i++ {
		if c.Elem == 'X' {
			dst = append(dst, b[i>>3]&(0x80>>(i&7)) != 0)
		} else {
			dst = append(dst, b[i] != 0 && b[i] != 'F')
		}
	}
	return dst, nil
}

// Ints decodes a cell of an integer column (KindInt) into dst[:0], with
// the offset conventions applied (signed bytes, 16- and 32-bit unsigned).
// TNULL elements keep their value: compare with NullValue.
func (t *Table) Ints(row int, c *Column, dst []int64) ([]int64, error) {
	if err := t.check(c, KindInt, "integers"); err != nil {
		return nil, err
	}
	b, n, err := t.cell(row, c)
	if err != nil {
		return nil, err
	}
	sz := elemSize(c.Elem)
	dst = dst[:0]
	for i := 0; i < n; i++ {
		dst = append(dst, c.intOf(rawInt(c.Elem, b[i*sz:])))
	}
	return dst, nil
}

// Uints decodes a cell of a 64-bit unsigned column (K with TZERO = 2^63).
func (t *Table) Uints(row int, c *Column, dst []uint64) ([]uint64, error) {
	if err := t.check(c, KindUint, "unsigned integers"); err != nil {
		return nil, err
	}
	b, n, err := t.cell(row, c)
	if err != nil {
		return nil, err
	}
	dst = dst[:0]
	for i := 0; i < n; i++ {
		dst = append(dst, binary.BigEndian.Uint64(b[i*8:])^(1<<63))
	}
	return dst, nil
}

// Floats decodes a cell of an E or D column, or of a scaled integer
// column (raw*TSCAL+TZERO; a TNULL element is NaN), into dst[:0].
func (t *Table) Floats(row int, c *Column, dst []float64) ([]float64, error) {
	if err := t.check(c, KindFloat, "reals"); err != nil {
		return nil, err
	}
	b, n, err := t.cell(row, c)
	if err != nil {
		return nil, err
	}
	sz := elemSize(c.Elem)
	dst = dst[:0]
	for i := 0; i < n; i++ {
		e := b[i*sz:]
		var v float64
		switch c.Elem {
		case 'E':
			v = float64(math.Float32frombits(binary.BigEndian.Uint32(e)))
		case 'D':
			v = math.Float64frombits(binary.BigEndian.Uint64(e))
		default:
			raw := rawInt(c.Elem, e)
			if c.HasNull && raw == c.Null {
				dst = append(dst, math.NaN())
				continue
			}
			v = float64(raw)
		}
		if c.Scale != 1 || c.Zero != 0 {
			v = v*c.Scale + c.Zero
		}
		dst = append(dst, v)
	}
	return dst, nil
}

// Complexes decodes a cell of a C or M column into dst[:0].
func (t *Table) Complexes(row int, c *Column, dst []complex128) ([]complex128, error) {
	if err := t.check(c, KindComplex, "complex numbers"); err != nil {
		return nil, err
	}
	b, n, err := t.cell(row, c)
	if err != nil {
		return nil, err
	}
	dst = dst[:0]
	for i := 0; i < n; i++ {
		var re, im float64
		if c.Elem == 'C' {
			re = float64(math.Float32frombits(binary.BigEndian.Uint32(b[i*8:])))
			im = float64(math.Float32frombits(binary.BigEndian.Uint32(b[i*8+4:])))
		} else {
			re = math.Float64frombits(binary.BigEndian.Uint64(b[i*16:]))
			im = math.Float64frombits(binary.BigEndian.Uint64(b[i*16+8:]))
		}
		dst = append(dst, complex(re, im))
	}
	return dst, nil
}

// String decodes a cell of an A column: up to its first NUL, trailing
// blanks removed. A multidimensional cell (TDIM) keeps every character,
// NULs as blanks, so that its layout holds. Bytes beyond ASCII are read
// as Latin-1 (see text).
func (t *Table) String(row int, c *Column) (string, error) {
	if err := t.check(c, KindString, "characters"); err != nil {
		return "", err
	}
	b, _, err := t.cell(row, c)
	if err != nil {
		return "", err
	}
	if len(c.Dims) > 1 {
		return text(b, true), nil
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimRight(text(b, false), " "), nil
}

// text turns the bytes of an A cell into UTF-8. FITS allows printable
// ASCII only; bytes from 0x80 up are read as Latin-1 (what STILTS writes
// for text beyond ASCII), other control bytes (and NULs when nul) become
// blanks, so that the text is always valid UTF-8 and XML.
func text(b []byte, nul bool) string {
	plain := true
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			plain = false
			break
		}
	}
	if plain {
		return string(b)
	}
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c >= 0x80:
			sb.WriteRune(rune(c))
		case c < 0x20 || c == 0x7f:
			sb.WriteByte(' ')
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// Value returns a cell boxed, for tests and tools: nil for a null scalar;
// bool, int64, uint64, float64, complex128 or string for scalars and A
// cells; a slice of one of the first five for arrays.
func (t *Table) Value(row int, c *Column) (any, error) {
	if t.IsNull(row, c) {
		return nil, nil
	}
	var v any
	var err error
	switch c.Kind() {
	case KindBool:
		v, err = t.Bools(row, c, nil)
	case KindInt:
		v, err = t.Ints(row, c, nil)
	case KindUint:
		v, err = t.Uints(row, c, nil)
	case KindFloat:
		v, err = t.Floats(row, c, nil)
	case KindComplex:
		v, err = t.Complexes(row, c, nil)
	case KindString:
		return t.String(row, c)
	}
	if err != nil || !c.Scalar() {
		return v, err
	}
	switch x := v.(type) {
	case []bool:
		return x[0], nil
	case []int64:
		return x[0], nil
	case []uint64:
		return x[0], nil
	case []float64:
		return x[0], nil
	case []complex128:
		return x[0], nil
	}
	return v, nil
}
