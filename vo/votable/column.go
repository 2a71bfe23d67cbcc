package votable

import "fmt"

// chunkRows is the number of rows held by one storage chunk of a column.
// Columns grow by whole chunks and are never copied while they grow, which
// keeps the peak memory of a read close to the size of the data itself.
const (
	chunkShift = 16
	chunkRows  = 1 << chunkShift
	chunkMask  = chunkRows - 1
)

// Number is the set of element types of numeric and boolean columns.
type Number interface {
	~bool | ~uint8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64 | ~complex64 | ~complex128
}

// Column is the data of one FIELD for every row of a table.
//
// The concrete types are *Scalar[T] (one value per cell), *Array[T] (a
// vector per cell: fixed, variable or multidimensional arraysize) and
// *Strings (char and unicodeChar arrays). Use a type switch to reach the
// typed accessors.
type Column interface {
	// Field describes the column.
	Field() *Field
	// Len is the number of rows.
	Len() int
	// IsNull reports whether the cell of row i is null (an empty TD, a set
	// BINARY2 null flag, or the VALUES null value). A NaN float is a value.
	IsNull(i int) bool
	// Value returns row i boxed: nil for null, else bool, uint8, int16,
	// int32, int64, float32, float64, complex64, complex128, string, or a
	// slice of one of those for arrays.
	Value(i int) any
	// Reset empties the column, keeping its storage for reuse.
	Reset()
}

// nullMask marks null rows of one chunk; nil means none.
type nullMask []uint64

func (m nullMask) get(i int) bool { w := i >> 6; return w < len(m) && m[w]&(1<<(uint(i)&63)) != 0 }

func setNull(m *nullMask, i int) {
	w := i >> 6
	if w >= len(*m) { // nil, or compacted
		grown := make(nullMask, chunkRows/64)
		copy(grown, *m)
		*m = grown
	}
	(*m)[w] |= 1 << (uint(i) & 63)
}

// compactMask is m with only the words covering n rows.
func compactMask(m nullMask, n int) nullMask {
	w := (n + 63) >> 6
	if m == nil || len(m) <= w {
		return m
	}
	return append(nullMask(nil), m[:w]...)
}

// compactor is a column that can give back the unused part of its storage.
type compactor interface{ compact() }

// Compact gives back the storage a table's columns do not use: a column of
// a few rows otherwise holds a whole chunk (chunkRows values). Whole-table
// reads call it; a table kept for long (the agent's store) is small then.
func Compact(t *Table) {
	for _, c := range t.Columns {
		if cc, ok := c.(compactor); ok {
			cc.compact()
		}
	}
}

// Scalar is a column with one value per cell.
type Scalar[T Number] struct {
	field  *Field
	chunks [][]T
	nulls  []nullMask
	n      int
}

// NewScalar makes an empty scalar column for f.
func NewScalar[T Number](f *Field) *Scalar[T] { return &Scalar[T]{field: f} }

// Field describes the column.
func (c *Scalar[T]) Field() *Field { return c.field }

// Len is the number of rows.
func (c *Scalar[T]) Len() int { return c.n }

// At returns the value of row i (the zero value, NaN for floats, when null:
// see IsNull).
func (c *Scalar[T]) At(i int) T { return c.chunks[i>>chunkShift][i&chunkMask] }

// IsNull reports whether row i is null.
func (c *Scalar[T]) IsNull(i int) bool { return c.nulls[i>>chunkShift].get(i & chunkMask) }

// HasNulls reports whether any row is null.
func (c *Scalar[T]) HasNulls() bool {
	for _, m := range c.nulls {
		if m != nil {
			return true
		}
	}
	return false
}

// Value returns row i boxed, nil when null.
func (c *Scalar[T]) Value(i int) any {
	if c.IsNull(i) {
		return nil
	}
	return c.At(i)
}

// growRows is the next size of a first chunk holding n rows, smaller than
// chunkRows (compacted, or presized for staging): it doubles, so that
// staging columns touch only the memory their rows need (every page a
// process touches first costs a page fault, about 10 us in a VM).
func growRows(n int) int { return min(chunkRows, max(2*n, 1024)) }

// Append adds a row.
func (c *Scalar[T]) Append(v T, null bool) {
	ci, ri := c.n>>chunkShift, c.n&chunkMask
	if ci == len(c.chunks) {
		c.chunks = append(c.chunks, make([]T, chunkRows))
		c.nulls = append(c.nulls, nil)
	} else if ri == len(c.chunks[ci]) { // compacted or presized, then appended to
		grown := make([]T, growRows(len(c.chunks[ci])))
		copy(grown, c.chunks[ci])
		c.chunks[ci] = grown
	}
	c.chunks[ci][ri] = v
	if null {
		setNull(&c.nulls[ci], ri)
	}
	c.n++
}

func (c *Scalar[T]) compact() {
	if len(c.chunks) != 1 || c.n > chunkRows/2 {
		return
	}
	c.chunks[0] = append([]T(nil), c.chunks[0][:c.n]...)
	c.nulls[0] = compactMask(c.nulls[0], c.n)
}

// Reset empties the column, keeping its first chunk.
func (c *Scalar[T]) Reset() {
	if len(c.chunks) > 1 {
		c.chunks, c.nulls = c.chunks[:1], c.nulls[:1]
	}
	for i := range c.nulls {
		c.nulls[i] = nil
	}
	c.n = 0
}

// Values returns all rows as one slice. When the column spans several
// chunks this copies them into a new slice.
func (c *Scalar[T]) Values() []T {
	if len(c.chunks) == 1 {
		return c.chunks[0][:c.n]
	}
	out := make([]T, 0, c.n)
	for i, ch := range c.chunks {
		end := chunkRows
		if i == len(c.chunks)-1 {
			end = c.n - i*chunkRows
		}
		out = append(out, ch[:end]...)
	}
	return out
}

// Chunks calls fn for each storage chunk in order, with the row of its
// first element; vals is not to be kept.
func (c *Scalar[T]) Chunks(fn func(first int, vals []T)) {
	for i, ch := range c.chunks {
		end := chunkRows
		if i == len(c.chunks)-1 {
			end = c.n - i*chunkRows
		}
		fn(i*chunkRows, ch[:end])
	}
}

// varChunk holds the cells of up to chunkRows rows of a column with
// variable-sized cells: cell r is vals[off[r]:off[r+1]].
type varChunk[T any] struct {
	vals  []T
	off   []int32
	nulls nullMask
}

// variable stores variable-sized cells in chunks of rows.
type variable[T any] struct {
	field  *Field
	chunks []*varChunk[T]
	n      int
}

func (v *variable[T]) cell(i int) []T {
	ch := v.chunks[i>>chunkShift]
	r := i & chunkMask
	return ch.vals[ch.off[r]:ch.off[r+1]]
}

func (v *variable[T]) isNull(i int) bool { return v.chunks[i>>chunkShift].nulls.get(i & chunkMask) }

// current returns the chunk the next row goes to.
func (v *variable[T]) current() *varChunk[T] {
	ci := v.n >> chunkShift
	if ci == len(v.chunks) {
		v.chunks = append(v.chunks, &varChunk[T]{off: make([]int32, 1, chunkRows+1)})
	}
	return v.chunks[ci]
}

// maxChunkElements bounds the elements of one chunk (offsets are int32).
const maxChunkElements = 1<<31 - 1

func (v *variable[T]) appendCell(vals []T, null bool) error {
	ch := v.current()
	if len(ch.vals)+len(vals) > maxChunkElements {
		return fmt.Errorf("column %q: more than %d array elements in %d rows", v.field.Name, maxChunkElements, chunkRows)
	}
	ch.vals = append(ch.vals, vals...)
	ch.off = append(ch.off, int32(len(ch.vals)))
	if null {
		setNull(&ch.nulls, v.n&chunkMask)
	}
	v.n++
	return nil
}

func (v *variable[T]) compact() {
	if len(v.chunks) != 1 || v.n > chunkRows/2 {
		return
	}
	ch := v.chunks[0]
	ch.off = append([]int32(nil), ch.off...)
	ch.vals = append([]T(nil), ch.vals...)
	ch.nulls = compactMask(ch.nulls, v.n)
}

func (v *variable[T]) reset() {
	if len(v.chunks) > 1 {
		v.chunks = v.chunks[:1]
	}
	if len(v.chunks) == 1 {
		ch := v.chunks[0]
		ch.vals, ch.off, ch.nulls = ch.vals[:0], ch.off[:1], nil
	}
	v.n = 0
}

// Array is a column whose cells are vectors (arraysize other than 1 on a
// numeric or boolean field). Multidimensional cells are flattened with the
// first dimension varying fastest, as in the VOTable serializations; the
// Field's Shape gives the dimensions.
type Array[T Number] struct{ variable[T] }

// NewArray makes an empty array column for f.
func NewArray[T Number](f *Field) *Array[T] { return &Array[T]{variable[T]{field: f}} }

// Field describes the column.
func (c *Array[T]) Field() *Field { return c.field }

// Len is the number of rows.
func (c *Array[T]) Len() int { return c.n }

// At returns the elements of row i; the slice is not to be modified.
func (c *Array[T]) At(i int) []T { return c.cell(i) }

// IsNull reports whether row i is null.
func (c *Array[T]) IsNull(i int) bool { return c.isNull(i) }

// Value returns row i as a []T, nil when null.
func (c *Array[T]) Value(i int) any {
	if c.isNull(i) {
		return nil
	}
	return c.cell(i)
}

// Append adds a row; vals is copied.
func (c *Array[T]) Append(vals []T, null bool) error { return c.appendCell(vals, null) }

// Reset empties the column, keeping storage.
func (c *Array[T]) Reset() { c.reset() }

// Strings is a column of char or unicodeChar arrays, one string per cell.
// Multidimensional char arrays are kept as one string per cell (all
// elements, first dimension fastest), which serializes back unchanged.
type Strings struct{ variable[byte] }

// NewStrings makes an empty string column for f.
func NewStrings(f *Field) *Strings { return &Strings{variable[byte]{field: f}} }

// Field describes the column.
func (c *Strings) Field() *Field { return c.field }

// Len is the number of rows.
func (c *Strings) Len() int { return c.n }

// At returns the string of row i ("" when null).
func (c *Strings) At(i int) string { return string(c.cell(i)) }

// Bytes returns the UTF-8 bytes of row i without copying; not to be kept.
func (c *Strings) Bytes(i int) []byte { return c.cell(i) }

// IsNull reports whether row i is null.
func (c *Strings) IsNull(i int) bool { return c.isNull(i) }

// Value returns row i as a string, nil when null.
func (c *Strings) Value(i int) any {
	if c.isNull(i) {
		return nil
	}
	return string(c.cell(i))
}

// Append adds a row; s is copied.
func (c *Strings) Append(s []byte, null bool) error { return c.appendCell(s, null) }

// AppendString adds a row.
func (c *Strings) AppendString(s string, null bool) error {
	ch := c.current()
	if len(ch.vals)+len(s) > maxChunkElements {
		return fmt.Errorf("column %q: more than %d bytes in %d rows", c.field.Name, maxChunkElements, chunkRows)
	}
	ch.vals = append(ch.vals, s...)
	ch.off = append(ch.off, int32(len(ch.vals)))
	if null {
		setNull(&ch.nulls, c.n&chunkMask)
	}
	c.n++
	return nil
}

// Reset empties the column, keeping storage.
func (c *Strings) Reset() { c.reset() }

// NewColumn makes the empty column that holds f's data: Strings for char
// and unicodeChar, Scalar for other scalars, Array for other arrays.
func NewColumn(f *Field) (Column, error) {
	if f.Datatype.IsString() {
		return NewStrings(f), nil
	}
	if f.Shape.IsScalar() {
		switch f.Datatype {
		case Boolean, Bit:
			return NewScalar[bool](f), nil
		case UnsignedByte:
			return NewScalar[uint8](f), nil
		case Short:
			return NewScalar[int16](f), nil
		case Int:
			return NewScalar[int32](f), nil
		case Long:
			return NewScalar[int64](f), nil
		case Float:
			return NewScalar[float32](f), nil
		case Double:
			return NewScalar[float64](f), nil
		case FloatComplex:
			return NewScalar[complex64](f), nil
		case DoubleComplex:
			return NewScalar[complex128](f), nil
		}
	} else {
		switch f.Datatype {
		case Boolean, Bit:
			return NewArray[bool](f), nil
		case UnsignedByte:
			return NewArray[uint8](f), nil
		case Short:
			return NewArray[int16](f), nil
		case Int:
			return NewArray[int32](f), nil
		case Long:
			return NewArray[int64](f), nil
		case Float:
			return NewArray[float32](f), nil
		case Double:
			return NewArray[float64](f), nil
		case FloatComplex:
			return NewArray[complex64](f), nil
		case DoubleComplex:
			return NewArray[complex128](f), nil
		}
	}
	return nil, fmt.Errorf("field %q: no column type for datatype %v", f.Name, f.Datatype)
}

// Float64 returns row i of a numeric scalar column as float64, and false
// when the cell is null or the column is not a numeric scalar. NaN cells
// return NaN and true.
func Float64(c Column, i int) (float64, bool) {
	switch c := c.(type) {
	case *Scalar[float64]:
		return c.At(i), !c.IsNull(i)
	case *Scalar[float32]:
		return float64(c.At(i)), !c.IsNull(i)
	case *Scalar[int64]:
		return float64(c.At(i)), !c.IsNull(i)
	case *Scalar[int32]:
		return float64(c.At(i)), !c.IsNull(i)
	case *Scalar[int16]:
		return float64(c.At(i)), !c.IsNull(i)
	case *Scalar[uint8]:
		return float64(c.At(i)), !c.IsNull(i)
	}
	return 0, false
}
