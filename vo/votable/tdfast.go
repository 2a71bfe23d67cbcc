package votable

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// Little-endian words of the tags fastRows compares whole.
const (
	tagTR   = '<' | 'T'<<8 | 'R'<<16 | '>'<<24
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
	// sep is the white space and "<TD" before the last cell, sepLen
	// bytes (sepLen 0: none yet) that one masked word compares whole:
	// the cells of a writer are indented alike.
	var sep, sepMask uint64
	sepLen := 0
	for rows < limit {
		i := skipSpaces(w, used)
		if i+4 > len(w) || binary.LittleEndian.Uint32(w[i:]) != tagTR {
			return rows, used
		}
		i += 4
		for range nf {
			if sepLen > 0 && i+8 <= len(w) && binary.LittleEndian.Uint64(w[i:])&sepMask == sep {
				i += sepLen
			} else {
				j := skipSpaces(w, i)
				if j+3 > len(w) || w[j] != '<' || w[j+1] != 'T' || w[j+2] != 'D' {
					return rows, used
				}
				if n := j + 3 - i; n <= 8 && i+8 <= len(w) {
					sepLen, sepMask = n, ^uint64(0)>>(64-8*n)
					sep = binary.LittleEndian.Uint64(w[i:]) & sepMask
				}
				i = j + 3
			}
			if i >= len(w) || w[i] != '>' {
				return rows, used
			}
			i++
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
