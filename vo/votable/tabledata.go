package votable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// tdBatchRows is the number of rows one scanned TABLEDATA batch carries from
// the scanning goroutine to the parsing one.
const tdBatchRows = 2048

// tdBatch holds the cell texts of consecutive rows, entities resolved.
type tdBatch struct {
	text []byte
	ends []int32 // end offset of each cell in text
	// starts is set by scanners of a chunk (tdScanner.chunk): the cells
	// are then text[^start:^end] for negative starts (cells with entity
	// references or CDATA, resolved into text) and chunk[start:end] for
	// the others, slices of the chunk itself.
	starts []int32
	// b64 lists, in order, the cells (index into ends) whose TD had
	// encoding="base64": their text is the base64 of the BINARY form.
	b64   []int32
	rows  int
	first int64 // index of the batch's first row in the table
	done  bool  // the TABLEDATA ends after these rows
	err   error // error after these rows
	pos   int   // rows consumed by the parser
	cell  int   // cells consumed by the parser
}

// fitsTableData checks, before anything is allocated for it, that a
// field's declared fixed size can be present in a TABLEDATA row: a row is
// at most MaxRowBytes, and each value takes at least one byte (a character)
// or two (a number and its separator). A larger arraysize could only be
// padded, at the cost of its declared size per row.
func fitsTableData(f *Field) error {
	if f.Shape == nil {
		return nil
	}
	n, limit := int64(f.Shape.Count()), int64(MaxRowBytes/2)
	if f.Datatype.IsString() {
		limit = MaxRowBytes
	}
	if n > limit {
		return fmt.Errorf("field %q: arraysize %q declares %d elements, more than a TABLEDATA row can hold (%d in %s)", f.Name, f.Arraysize, n, limit, sizeString(MaxRowBytes))
	}
	return nil
}

func cellErrorIn(t *Table, row int64, col int, text []byte, err error) error {
	f := t.Fields[col]
	s := string(text)
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	if err == errSyntax {
		err = fmt.Errorf("%q is not a valid %s%s", s, f.Datatype, shapeSuffix(f))
	}
	return &DataError{Table: t.Label(), Row: row, Column: f.Name, Index: col, Err: err}
}

func shapeSuffix(f *Field) string {
	if f.Shape.IsScalar() {
		return ""
	}
	return " array"
}

// DataError is a malformed cell; it names the table, row and column.
type DataError struct {
	Table  string
	Row    int64 // 0-based
	Column string
	Index  int // 0-based column index
	Err    error
}

func (e *DataError) Error() string {
	return fmt.Sprintf("votable: %s, row %d, column %d %q: %v", e.Table, e.Row+1, e.Index+1, e.Column, e.Err)
}

func (e *DataError) Unwrap() error { return e.Err }

// tdScanner finds rows and cells in TABLEDATA.
type tdScanner struct {
	src   *source
	nf    int
	label string
	row   int64
	// tag names with the namespace prefix of the document, if any
	pfx                    string
	trClose, tdOpen, tdEnd []byte
	trEnd, dataEnd         []byte // </TR> and </TABLEDATA, for cutting chunks
	trName                 string // pfx + "TR"
	prefixKnown            bool
	// chunk is set when src holds a chunk of whole rows cut out of the
	// data (see tdProducer): its end is the end of the rows, not of the
	// document, and an end tag between rows is an error.
	chunk   bool
	maxRows int // rows per fill (0: tdBatchRows)
}

func (s *tdScanner) setPrefix(p string) {
	s.pfx = p
	s.trClose = []byte("</" + p + "TR")
	s.tdOpen = []byte("<" + p + "TD")
	s.tdEnd = []byte("</" + p + "TD")
	s.trEnd = []byte("</" + p + "TR>")
	s.trName = p + "TR"
	s.dataEnd = []byte("</" + p + "TABLEDATA")
	s.prefixKnown = true
}

func (s *tdScanner) errorf(format string, args ...any) error {
	return &tdRowError{label: s.label, row: s.row, msg: fmt.Sprintf(format, args...)}
}

// tdRowError is an error of the TABLEDATA scanner at a row. Scanners of
// chunks of the data count rows from the chunk's first: the reader adds
// the rows before it (rebase) when it meets the error.
type tdRowError struct {
	label string
	row   int64 // 0-based
	msg   string
	err   error
}

func (e *tdRowError) Error() string {
	switch {
	case e.err == nil:
		return fmt.Sprintf("votable: %s, TABLEDATA row %d: %s", e.label, e.row+1, e.msg)
	case e.msg == "":
		return fmt.Sprintf("votable: %s, TABLEDATA row %d: %v", e.label, e.row+1, e.err)
	}
	return fmt.Sprintf("votable: %s, TABLEDATA row %d: %s: %v", e.label, e.row+1, e.msg, e.err)
}

func (e *tdRowError) Unwrap() error { return e.err }

// rebaseError adds base to the row of a scanner or cell error.
func rebaseError(err error, base int64) error {
	var re *tdRowError
	if errors.As(err, &re) {
		re.row += base
	}
	var de *DataError
	if errors.As(err, &de) {
		de.Row += base
	}
	return err
}

// fill scans up to tdBatchRows rows into b.
func (s *tdScanner) fill(b *tdBatch) {
	src := s.src
	limit := s.maxRows
	if limit <= 0 {
		limit = tdBatchRows
	}
	fast := s.chunk && s.pfx == "" && s.prefixKnown
	for b.rows < limit {
		w := src.window()
		if fast {
			rows, used := s.fastRows(b, w, int32(cap(src.buf)-cap(w)), limit-b.rows)
			b.rows += rows
			s.row += int64(rows)
			src.advance(used)
			if b.rows == limit {
				return
			}
			w = src.window()
		}
		i := 0
		for i < len(w) && isSpace(w[i]) {
			i++
		}
		src.advance(i)
		w = w[i:]
		if len(w) < 16 {
			if src.more() {
				continue
			}
			if len(w) == 0 {
				if s.chunk {
					return
				}
				b.err = s.ends("inside TABLEDATA", src.readErr())
				return
			}
		}
		if w[0] != '<' {
			b.err = s.errorf("unexpected text %q between rows", clip(w, 20))
			return
		}
		switch {
		case len(w) > 1 && w[1] == '/':
			if s.chunk {
				b.err = s.errorf("unexpected end tag %q between rows", clip(w, 20))
				return
			}
			// The end of TABLEDATA: left for the XML decoder.
			b.done = true
			return
		case bytes.HasPrefix(w, []byte("<!--")):
			if !s.skipPast([]byte("-->")) {
				b.err = s.errorf("unterminated comment")
				return
			}
			continue
		case bytes.HasPrefix(w, []byte("<?")):
			if !s.skipPast([]byte("?>")) {
				b.err = s.errorf("unterminated processing instruction")
				return
			}
			continue
		}
		if !s.prefixKnown {
			name := tagName(w[1:])
			p := ""
			if k := bytes.IndexByte(name, ':'); k >= 0 {
				p = string(name[:k+1])
			}
			s.setPrefix(p)
		}
		name := tagName(w[1:])
		if string(name) != s.trName {
			b.err = s.errorf("unexpected element <%s> in TABLEDATA", name)
			return
		}
		// A self-closing <TR/> has no cells.
		gt := bytes.IndexByte(w, '>')
		if gt < 0 {
			if !src.more() {
				b.err = s.ends("inside a <TR> tag", src.readErr())
				return
			}
			continue
		}
		if w[gt-1] == '/' {
			if err := s.endRow(b, 0); err != nil {
				b.err = err
				return
			}
			src.advance(gt + 1)
			continue
		}
		// The cells are scanned up to the row's end tag in one pass; a row
		// cut by the end of the window is dropped and scanned again once
		// more input is in.
		text, ends, b64, starts := len(b.text), len(b.ends), len(b.b64), len(b.starts)
		cells, end, err := s.cells(b, w[gt+1:])
		if err != nil {
			b.err = err
			return
		}
		if end < 0 {
			b.text, b.ends, b.b64, b.starts = b.text[:text], b.ends[:ends], b.b64[:b64], b.starts[:starts]
			if !src.more() {
				b.err = s.ends("inside a row", src.readErr())
				return
			}
			continue
		}
		if err := s.endRow(b, cells); err != nil {
			b.err = err
			return
		}
		src.advance(gt + 1 + end)
	}
}

// ends reports input that stops inside the data; it wraps the read error
// (io.ErrUnexpectedEOF for a document that just stops).
func (s *tdScanner) ends(where string, err error) error {
	if errors.Is(err, ErrTooLarge) {
		return &tdRowError{label: s.label, row: s.row, err: err}
	}
	return &tdRowError{label: s.label, row: s.row, msg: "document ends " + where, err: err}
}

func (s *tdScanner) endRow(b *tdBatch, cells int) error {
	if cells != s.nf {
		// Drop the partial row's cells.
		b.ends = b.ends[:b.rows*s.nf]
		if s.chunk {
			b.starts = b.starts[:b.rows*s.nf]
		}
		return s.errorf("%d cells for %d fields", cells, s.nf)
	}
	b.rows++
	s.row++
	return nil
}

// tagName returns the name at the start of b (after '<').
func tagName(b []byte) []byte {
	i := 0
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	return b[:i]
}

func clip(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// skipPast consumes input up to and including marker.
func (s *tdScanner) skipPast(marker []byte) bool {
	for {
		w := s.src.window()
		if k := bytes.Index(w, marker); k >= 0 {
			s.src.advance(k + len(marker))
			return true
		}
		if len(w) > len(marker) {
			s.src.advance(len(w) - len(marker))
		}
		if !s.src.more() {
			return false
		}
	}
}

// cells scans one row's content r, which runs to the end of the buffered
// input, into b: it returns the cell count and the offset just past the
// row's end tag, or end -1 when r ends before the row does.
func (s *tdScanner) cells(b *tdBatch, r []byte) (n, end int, err error) {
	// minTag is the shortest complete markup that can follow: </TR> or
	// <TD/> (with the namespace prefix); with less left, more input is
	// needed.
	minTag := len(s.trClose) + 1
	i := 0
	// off is the offset of r in a chunk's buffer.
	off := int32(cap(s.src.buf) - cap(r))
	for {
		for i < len(r) && isSpace(r[i]) {
			i++
		}
		if len(r)-i < minTag {
			return n, -1, nil
		}
		if r[i] != '<' {
			return n, 0, s.errorf("text %q outside TD", clip(r[i:], 20))
		}
		if s.pfx == "" && n < s.nf && r[i+1] == 'T' && r[i+2] == 'D' && r[i+3] == '>' {
			// The common cell, <TD>text</TD> without references, with
			// byte compares; anything else takes the general path below.
			j := i + 4
			amp := false
			// Eight bytes at a time up to a '<' or '&'.
			for j+8 <= len(r) {
				v := binary.LittleEndian.Uint64(r[j:])
				if m := zeroBytes(v^('<'*ones8)) | zeroBytes(v^('&'*ones8)); m != 0 {
					j += bits.TrailingZeros64(m) >> 3
					break
				}
				j += 8
			}
			for j < len(r) && r[j] != '<' {
				amp = amp || r[j] == '&'
				j++
			}
			if !amp && j+5 <= len(r) && r[j+1] == '/' && r[j+2] == 'T' && r[j+3] == 'D' && r[j+4] == '>' {
				if s.chunk {
					b.starts = append(b.starts, off+int32(i+4))
					b.ends = append(b.ends, off+int32(j))
					n++
					i = j + 5
					continue
				}
				b.text = append(b.text, r[i+4:j]...)
				if len(b.text) > maxChunkElements {
					return n, 0, s.errorf("cells too large")
				}
				b.ends = append(b.ends, int32(len(b.text)))
				n++
				i = j + 5
				continue
			}
		}
		if bytes.HasPrefix(r[i:], s.trClose) {
			gt := bytes.IndexByte(r[i:], '>')
			if gt < 0 {
				return n, -1, nil
			}
			return n, i + gt + 1, nil
		}
		if !bytes.HasPrefix(r[i:], s.tdOpen) {
			if bytes.HasPrefix(r[i:], []byte("<!--")) {
				k := bytes.Index(r[i:], []byte("-->"))
				if k < 0 {
					return n, -1, nil
				}
				i += k + 3
				continue
			}
			return n, 0, s.errorf("unexpected %q in TR", clip(r[i:], 20))
		}
		c := r[i+len(s.tdOpen)]
		if c != '>' && c != '/' && !isSpace(c) {
			return n, 0, s.errorf("unexpected element %q in TR", clip(r[i:], 20))
		}
		gt := i + len(s.tdOpen) // <TD>, the common case
		if c != '>' {
			k := bytes.IndexByte(r[i:], '>')
			if k < 0 {
				return n, -1, nil
			}
			gt = i + k
		}
		if gt-i > len(s.tdOpen) && bytes.Contains(r[i:gt], []byte("encoding")) && bytes.Contains(r[i:gt], []byte("base64")) {
			b.b64 = append(b.b64, int32(len(b.ends)))
		}
		n++
		if n > s.nf {
			return n, 0, s.errorf("more cells than the %d fields", s.nf)
		}
		if r[gt-1] == '/' {
			if s.chunk {
				b.starts = append(b.starts, 0)
				b.ends = append(b.ends, 0)
				i = gt + 1
				continue
			}
			b.ends = append(b.ends, int32(len(b.text)))
			i = gt + 1
			continue
		}
		start := gt + 1
		lt := bytes.IndexByte(r[start:], '<')
		if lt < 0 {
			return n, -1, nil
		}
		content := r[start : start+lt]
		next := start + lt
		if len(r)-next <= len(s.tdEnd) {
			return n, -1, nil
		}
		text0 := len(b.text)
		plain := false
		if !bytes.HasPrefix(r[next:], s.tdEnd) {
			// CDATA or a comment inside the cell: the slow path.
			e := indexTDEnd(r[start:], s.tdEnd)
			if e == -1 {
				return n, -1, nil
			}
			if e < 0 {
				return n, 0, s.errorf("unterminated TD")
			}
			content = r[start : start+e]
			next = start + e
			if b.text, err = appendUnescaped(b.text, content, true); err != nil {
				return n, 0, s.errorf("%v", err)
			}
		} else if bytes.IndexByte(content, '&') >= 0 {
			if b.text, err = appendUnescaped(b.text, content, false); err != nil {
				return n, 0, s.errorf("%v", err)
			}
		} else if s.chunk {
			plain = true
			b.starts = append(b.starts, off+int32(start))
			b.ends = append(b.ends, off+int32(start+lt))
		} else {
			b.text = append(b.text, content...)
		}
		if len(b.text) > maxChunkElements {
			return n, 0, s.errorf("cells too large")
		}
		switch {
		case plain:
		case s.chunk:
			b.starts = append(b.starts, ^int32(text0))
			b.ends = append(b.ends, ^int32(len(b.text)))
		default:
			b.ends = append(b.ends, int32(len(b.text)))
		}
		if e := next + len(s.tdEnd); e < len(r) && r[e] == '>' { // </TD>, the common case
			i = e + 1
			continue
		}
		gt2 := bytes.IndexByte(r[next:], '>')
		if gt2 < 0 {
			return n, -1, nil
		}
		i = next + gt2 + 1
	}
}

// ones8 has a 1 in each byte.
const ones8 = 0x0101010101010101

// zeroBytes has the high bit set of v's lowest zero byte, and of none
// below it (above it, there may be false ones); 0 when no byte is zero.
func zeroBytes(v uint64) uint64 { return (v - ones8) &^ v & (0x80 * ones8) }

// indexTDEnd finds the closing TD tag of a cell whose content may hold CDATA
// sections and comments: -1 when r ends first, -2 when other markup comes.
func indexTDEnd(r, tdEnd []byte) int {
	i := 0
	for i < len(r) {
		lt := bytes.IndexByte(r[i:], '<')
		if lt < 0 {
			return -1
		}
		i += lt
		if len(r)-i < len("<![CDATA[") && !bytes.HasPrefix(r[i:], tdEnd) {
			return -1 // too short to tell
		}
		switch {
		case bytes.HasPrefix(r[i:], []byte("<![CDATA[")):
			k := bytes.Index(r[i:], []byte("]]>"))
			if k < 0 {
				return -1
			}
			i += k + 3
		case bytes.HasPrefix(r[i:], []byte("<!--")):
			k := bytes.Index(r[i:], []byte("-->"))
			if k < 0 {
				return -1
			}
			i += k + 3
		case bytes.HasPrefix(r[i:], tdEnd):
			return i
		default:
			return -2
		}
	}
	return -1
}

// appendUnescaped appends XML character data with entity and character
// references resolved, and (when markup is true) CDATA sections copied and
// comments dropped.
func appendUnescaped(dst, b []byte, markup bool) ([]byte, error) {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '&':
			semi := bytes.IndexByte(b[i:], ';')
			if semi < 0 || semi > 12 {
				return dst, fmt.Errorf("bad entity reference %q", clip(b[i:], 12))
			}
			ent := b[i+1 : i+semi]
			switch string(ent) {
			case "lt":
				dst = append(dst, '<')
			case "gt":
				dst = append(dst, '>')
			case "amp":
				dst = append(dst, '&')
			case "quot":
				dst = append(dst, '"')
			case "apos":
				dst = append(dst, '\'')
			default:
				if len(ent) < 2 || ent[0] != '#' {
					return dst, fmt.Errorf("unknown entity &%s;", ent)
				}
				var v uint64
				var err error
				if ent[1] == 'x' || ent[1] == 'X' {
					v, err = strconv.ParseUint(string(ent[2:]), 16, 32)
				} else {
					v, err = strconv.ParseUint(string(ent[1:]), 10, 32)
				}
				if err != nil || !utf8.ValidRune(rune(v)) {
					return dst, fmt.Errorf("bad character reference &%s;", ent)
				}
				dst = utf8.AppendRune(dst, rune(v))
			}
			i += semi + 1
		case c == '<' && markup && bytes.HasPrefix(b[i:], []byte("<![CDATA[")):
			k := bytes.Index(b[i:], []byte("]]>"))
			dst = append(dst, b[i+9:i+k]...)
			i += k + 3
		case c == '<' && markup && bytes.HasPrefix(b[i:], []byte("<!--")):
			k := bytes.Index(b[i:], []byte("-->"))
			i += k + 3
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst, nil
}
