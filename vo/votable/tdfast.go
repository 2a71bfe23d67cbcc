package votable

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// Little-endian words of the tags fastRows compares whole.
const (
	tagTR   = '<' | 'T'<<8 | 'R'<<16 | '>'<<24
	tagTD   = '<' | 'T'<<8 | 'D'<<16 | '>'<<24
	tagTDEn = '<' | '/'<<8 | 'T'<<16 | 'D'<<24
	tagTREn = '<' | '/'<<8 | 'T'<<16 | 'R'<<24
)

// fastRows scans, in a chunk without a namespace prefix, rows of the form
// nearly all TABLEDATA has: <TR>, then one <TD>text</TD> per field, the
// text without markup or references, then </TR>, with only white space
// between the tags. It starts at w[0], which is at offset base in the
// chunk, and stops before the first row of another form, or after limit
// rows; it returns the rows it scanned, whose cells it appended to b, and
// the bytes they took. The general scanner (fill, cells) takes any other
// row, so the two give the same cells.
func (s *tdScanner) fastRows(b *tdBatch, w []byte, base int32, limit int) (rows, used int) {
	nf := s.nf
	// The cells go into starts and ends by index, then the slices are
	// cut to the rows scanned.
	n0 := len(b.ends)
	starts, ends := slices.Grow(b.starts, limit*nf), slices.Grow(b.ends, limit*nf)
	starts, ends = starts[:n0+limit*nf], ends[:n0+limit*nf]
	defer func() {
		b.starts, b.ends = starts[:n0+rows*nf], ends[:n0+rows*nf]
	}()
	k := n0
	for rows < limit {
		i := skipSpaces(w, used)
		if i+4 > len(w) || binary.LittleEndian.Uint32(w[i:]) != tagTR {
			return rows, used
		}
		i += 4
		for range nf {
			i = skipSpaces(w, i)
			if i+4 > len(w) || binary.LittleEndian.Uint32(w[i:]) != tagTD {
				return rows, used
			}
			i += 4
			start := i
			// Eight bytes at a time up to a '<' or '&'.
			for i+8 <= len(w) {
				v := binary.LittleEndian.Uint64(w[i:])
				if m := zeroBytes(v^('<'*ones8)) | zeroBytes(v^('&'*ones8)); m != 0 {
					i += bits.TrailingZeros64(m) >> 3
					break
				}
				i += 8
			}
			for i < len(w) && w[i] != '<' && w[i] != '&' {
				i++
			}
			if i+5 > len(w) || binary.LittleEndian.Uint32(w[i:]) != tagTDEn || w[i+4] != '>' {
				return rows, used
			}
			starts[k], ends[k] = base+int32(start), base+int32(i)
			k++
			i += 5
		}
		i = skipSpaces(w, i)
		if i+5 > len(w) || binary.LittleEndian.Uint32(w[i:]) != tagTREn || w[i+4] != '>' {
			return rows, used
		}
		used = i + 5
		rows++
	}
	return rows, used
}

// skipSpaces returns the offset of the first byte at or after i in w that
// is not XML white space (len(w) when there is none).
func skipSpaces(w []byte, i int) int {
	for i < len(w) && isSpace(w[i]) {
		i++
	}
	return i
}
