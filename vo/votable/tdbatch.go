package votable

// Chunks of TABLEDATA are parsed a column at a time: after a batch of rows
// has been scanned (the offsets of every cell known), each column's cells
// go through one loop that parses the common cell (a plain decimal) in
// line and writes it straight into the column, rather than through a
// call of the column's textParser per cell. Any other cell goes through
// the textParser, so values and errors are the same.

// batchCells are the cells of a scanned batch: cell i (row i/nf, column
// i%nf) is raw[starts[i]:ends[i]], or text[^starts[i]:^ends[i]] when
// starts[i] is negative (a cell the scanner copied).
type batchCells struct {
	raw, text    []byte
	starts, ends []int32
	nf           int
}

func (b *batchCells) cell(i int) []byte {
	s, e := b.starts[i], b.ends[i]
	if s >= 0 {
		return b.raw[s:e]
	}
	return b.text[^s:^e]
}

// batchParser parses column j of the batch's first rows rows into its
// column. On a cell it cannot parse it returns that cell's row and the
// error; the column then holds the rows before it.
type batchParser func(b *batchCells, j, rows int) (int, error)

// newBatchParser returns the batchParser of a column whose textParser is
// p: in line for scalar numbers, p cell by cell otherwise.
func newBatchParser(col Column, p textParser) batchParser {
	f := col.Field()
	switch c := col.(type) {
	case *Scalar[float64]:
		return floatBatch(c, f, 64, p)
	case *Scalar[float32]:
		return floatBatch(c, f, 32, p)
	case *Scalar[int64]:
		return intBatch(c, f, p)
	case *Scalar[int32]:
		return intBatch(c, f, p)
	case *Scalar[int16]:
		return intBatch(c, f, p)
	}
	return func(b *batchCells, j, rows int) (int, error) {
		for r := range rows {
			if err := p(b.cell(r*b.nf + j)); err != nil {
				return r, err
			}
		}
		return rows, nil
	}
}

// inlineBatch is the batchParser of a scalar column whose common cells
// fill parses in line: fill writes the values of column j's cells of rows
// r, r+1, ... into dst (the column's rows first, first+1, ...) and returns
// how many it parsed before a cell it leaves to p.
func inlineBatch[T Number](c *Scalar[T], p textParser, fill func(b *batchCells, j, r int, dst []T, first int) int) batchParser {
	return func(b *batchCells, j, rows int) (int, error) {
		r := 0
		for r < rows {
			first := c.n
			dst := c.reserve(rows - r)
			k := fill(b, j, r, dst, first)
			c.n += k
			r += k
			if k < len(dst) {
				if err := p(b.cell(r*b.nf + j)); err != nil {
					return r, err
				}
				r++
			}
		}
		return rows, nil
	}
}

// floatBatch parses with parseFloatFast in line, as floatText does first.
func floatBatch[T float32 | float64](c *Scalar[T], f *Field, bits int, p textParser) batchParser {
	nv, hasNull := nullFloat(f)
	return inlineBatch(c, p, func(b *batchCells, j, r int, dst []T, first int) int {
		for k := range dst {
			v, ok := parseFloatFast(b.cell((r+k)*b.nf+j), bits)
			if !ok {
				return k
			}
			dst[k] = T(v)
			if hasNull && v == nv {
				c.setNullAt(first + k)
			}
		}
		return len(dst)
	})
}

// intBatch parses plain decimal digits (plainInt) in line, as intText does
// first.
func intBatch[T int64 | int32 | int16](c *Scalar[T], f *Field, p textParser) batchParser {
	nv, hasNull := nullInt(f)
	lo, hi := intRange(f.Datatype)
	return inlineBatch(c, p, func(b *batchCells, j, r int, dst []T, first int) int {
		for k := range dst {
			v, ok := plainInt(b.cell((r+k)*b.nf + j))
			if !ok {
				return k
			}
			v = min(max(v, lo), hi)
			dst[k] = T(v)
			if hasNull && v == nv {
				c.setNullAt(first + k)
			}
		}
		return len(dst)
	})
}
