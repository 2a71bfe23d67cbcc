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

// floatBatch parses with parseFloatFast in line, as floatText does first.
func floatBatch[T float32 | float64](c *Scalar[T], f *Field, bits int, p textParser) batchParser {
	nv, hasNull := nullFloat(f)
	return func(b *batchCells, j, rows int) (int, error) {
		r := 0
		for r < rows {
			first := c.n
			dst := c.reserve(rows - r)
			k := 0
			for ; k < len(dst); k++ {
				v, ok := parseFloatFast(b.cell((r+k)*b.nf+j), bits)
				if !ok {
					break
				}
				dst[k] = T(v)
				if hasNull && v == nv {
					c.setNullAt(first + k)
				}
			}
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

// intBatch parses up to 18 plain decimal digits in line, as intText does
// first.
func intBatch[T int64 | int32 | int16](c *Scalar[T], f *Field, p textParser) batchParser {
	nv, hasNull := nullInt(f)
	lo, hi := intRange(f.Datatype)
	return func(b *batchCells, j, rows int) (int, error) {
		r := 0
		for r < rows {
			first := c.n
			dst := c.reserve(rows - r)
			k := 0
		cells:
			for ; k < len(dst); k++ {
				cell := b.cell((r+k)*b.nf + j)
				if len(cell) == 0 || len(cell) > 18 {
					break
				}
				var v int64
				for _, d := range cell {
					if d-'0' > 9 {
						break cells
					}
					v = v*10 + int64(d-'0')
				}
				v = min(max(v, lo), hi)
				dst[k] = T(v)
				if hasNull && v == nv {
					c.setNullAt(first + k)
				}
			}
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
