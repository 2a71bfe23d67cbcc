package votable

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// binBlockSize is the size of the decoded blocks handed from the base64
// goroutine to the row parser.
const binBlockSize = 256 << 10

// binaryReader decodes a BINARY or BINARY2 stream: a goroutine decodes the
// base64 text (and gzip), the caller's goroutine parses rows.
type binaryReader struct {
	t     *Table
	two   bool
	stop  chan struct{}
	in    blockSource
	flags []byte
	row   int64
	bound []Column
	cells []binParser
	fixed int // row size when every cell has a fixed size, else -1
	// bulk decodes each column of whole rows in a block when every cell
	// is a fixed-size scalar number (nil otherwise).
	bulk []bulkFunc
}

// binParser decodes one cell; for fixed-size cells b holds exactly its
// bytes, for variable ones the parser reads from src.
type binParser struct {
	size int // bytes of a fixed-size cell; -1 for variable
	fix  func(b []byte, null bool)
	vary func(src *blockSource, null bool) error
}

func newBinaryReader(src *source, t *Table, gz bool) (*binaryReader, error) {
	r := &binaryReader{t: t, two: t.Serialization == Binary2, stop: make(chan struct{})}
	order := make(chan *binJob, b64InFlight)
	free := make(chan *binJob, b64InFlight+2)
	r.in = blockSource{ch: order, free: free}
	if gz {
		go decodeStream(src, gz, order, free, r.stop)
	} else {
		go decodeStreamParallel(src, order, free, r.stop)
	}
	return r, nil
}

// decodeStream runs the base64 and gzip decoding of a gzipped STREAM's
// content in one goroutine.
func decodeStream(src *source, gz bool, out chan<- *binJob, free chan *binJob, stop chan struct{}) {
	put := func(j *binJob) bool {
		j.done <- struct{}{}
		select {
		case out <- j:
			return true
		case <-stop:
			return false
		}
	}
	var rd io.Reader = &base64Reader{src: src}
	if gz {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			put(&binJob{err: fmt.Errorf("gzip STREAM: %w", err), done: make(chan struct{}, 1)})
			return
		}
		rd = zr
	}
	for {
		var j *binJob
		select {
		case j = <-free:
		default:
			j = &binJob{done: make(chan struct{}, 1)}
		}
		if cap(j.b) < binBlockSize {
			j.b = make([]byte, binBlockSize)
		}
		j.err = nil
		n, err := io.ReadFull(rd, j.b[:binBlockSize])
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		if gz && err == io.EOF {
			// Consume the rest of the base64 text after the gzip stream.
			_, _ = io.Copy(io.Discard, &base64Reader{src: src})
		}
		if n > 0 {
			j.b = j.b[:n]
			if !put(j) {
				return
			}
		}
		if err != nil {
			put(&binJob{err: err, done: make(chan struct{}, 1)})
			return
		}
	}
}

func (r *binaryReader) close() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
}

func (r *binaryReader) bind(cols []Column) error {
	if len(cols) == len(r.bound) && (len(cols) == 0 || &cols[0] == &r.bound[0]) {
		return nil
	}
	r.cells = make([]binParser, len(cols))
	r.fixed = 0
	for i, c := range cols {
		p, err := newBinParser(c, !r.two)
		if err != nil {
			return fmt.Errorf("votable: %s: %w", r.t.Label(), err)
		}
		r.cells[i] = p
		if p.size < 0 || r.fixed < 0 {
			r.fixed = -1
		} else {
			r.fixed += p.size
		}
	}
	if r.two {
		r.flags = make([]byte, (len(cols)+7)/8)
	}
	r.bulk = nil
	if r.fixed > 0 {
		r.bulk = make([]bulkFunc, len(cols))
		for i, c := range cols {
			if r.bulk[i] = newBulk(c, !r.two); r.bulk[i] == nil {
				r.bulk = nil
				break
			}
		}
	}
	r.bound = cols
	return nil
}

func (r *binaryReader) decode(cols []Column, limit int) (int, error) {
	if err := r.bind(cols); err != nil {
		return 0, err
	}
	in := &r.in
	rowSize := len(r.flags) + r.fixed
	n := 0
	for n < limit {
		more, err := in.atRowStart()
		if err != nil {
			return n, r.rowError(err)
		}
		if !more {
			return n, io.EOF
		}
		if r.fixed == 0 && len(r.flags) == 0 {
			// No field takes a byte (no FIELD, or only empty fixed
			// arrays): a row is 0 bytes, so the stream's bytes are no
			// number of rows (reading on would never end).
			return n, fmt.Errorf("votable: %s: %s data, but the table's fields take no bytes in a row", r.t.Label(), r.t.Serialization)
		}
		if k := min(limit-n, (len(in.cur)-in.pos)/max(rowSize, 1)); r.bulk != nil && k > 0 {
			// Whole rows of fixed-size scalars in the block: column by
			// column.
			b := in.cur[in.pos : in.pos+k*rowSize]
			off := len(r.flags)
			for j, f := range r.bulk {
				var mask byte
				if r.two {
					mask = 0x80 >> (uint(j) & 7)
				}
				f(b, k, rowSize, off, j>>3, mask)
				off += r.cells[j].size
			}
			in.pos += k * rowSize
			r.row += int64(k)
			n += k
			continue
		}
		if err := r.decodeRow(); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// decodeRow decodes the row at the start of r.in cell by cell.
func (r *binaryReader) decodeRow() error {
	in := &r.in
	if r.two {
		fb, err := in.next(len(r.flags))
		if err != nil {
			return r.rowError(err)
		}
		copy(r.flags, fb)
	}
	if r.fixed >= 0 {
		b, err := in.next(r.fixed)
		if err != nil {
			return r.rowError(err)
		}
		off := 0
		for j := range r.cells {
			p := &r.cells[j]
			null := r.two && r.flags[j>>3]&(0x80>>(uint(j)&7)) != 0
			p.fix(b[off:off+p.size], null)
			off += p.size
		}
	} else {
		for j := range r.cells {
			p := &r.cells[j]
			null := r.two && r.flags[j>>3]&(0x80>>(uint(j)&7)) != 0
			if p.size >= 0 {
				b, err := in.next(p.size)
				if err != nil {
					return r.cellError(j, err)
				}
				p.fix(b, null)
			} else if err := p.vary(in, null); err != nil {
				return r.cellError(j, err)
			}
		}
	}
	r.row++
	return nil
}

func (r *binaryReader) rowError(err error) error {
	if err == io.ErrUnexpectedEOF {
		err = fmt.Errorf("stream ends inside the row: %w", err)
	}
	return fmt.Errorf("votable: %s, %s row %d: %w", r.t.Label(), r.t.Serialization, r.row+1, err)
}

func (r *binaryReader) cellError(col int, err error) error {
	if err == io.ErrUnexpectedEOF {
		err = fmt.Errorf("stream ends inside the cell: %w", err)
	}
	f := r.t.Fields[col]
	return &DataError{Table: r.t.Label(), Row: r.row, Column: f.Name, Index: col, Err: err}
}

// blockSource hands out bytes of the decoded stream.
type blockSource struct {
	ch    <-chan *binJob
	free  chan *binJob
	job   *binJob // the job cur belongs to, handed back once used
	cur   []byte
	pos   int
	carry []byte
	err   error // terminal: io.EOF or a decoding error
}

// advance moves to the next block; false at the end (s.err set).
func (s *blockSource) advance() bool {
	if s.err != nil {
		return false
	}
	if s.job != nil {
		select {
		case s.free <- s.job:
		default:
		}
		s.job = nil
	}
	s.cur, s.pos = nil, 0
	if s.ch == nil {
		s.err = io.EOF
		return false
	}
	j := <-s.ch
	<-j.done
	if j.err != nil {
		s.err = j.err
		return false
	}
	s.job, s.cur, s.pos = j, j.b, 0
	return true
}

// atRowStart reports whether another row follows (false at a clean end).
func (s *blockSource) atRowStart() (bool, error) {
	for s.pos == len(s.cur) {
		if !s.advance() {
			if s.err == io.EOF {
				return false, nil
			}
			return false, s.err
		}
	}
	return true, nil
}

// next returns the next n bytes, valid until the following call.
func (s *blockSource) next(n int) ([]byte, error) {
	if len(s.cur)-s.pos >= n {
		b := s.cur[s.pos : s.pos+n]
		s.pos += n
		return b, nil
	}
	s.carry = s.carry[:0]
	for len(s.carry) < n {
		if s.pos < len(s.cur) {
			take := min(n-len(s.carry), len(s.cur)-s.pos)
			s.carry = append(s.carry, s.cur[s.pos:s.pos+take]...)
			s.pos += take
			continue
		}
		if !s.advance() {
			if s.err == io.EOF {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, s.err
		}
	}
	return s.carry, nil
}

// count reads the 4-byte element count of a variable-length array.
func (s *blockSource) count() (int, error) {
	b, err := s.next(4)
	if err != nil {
		return 0, err
	}
	c := binary.BigEndian.Uint32(b)
	if c > maxChunkElements {
		return 0, fmt.Errorf("array length %d too large", c)
	}
	return int(c), nil
}

// base64Reader decodes the base64 text at the source up to the next '<',
// skipping whitespace, leaving the source at the '<'.
type base64Reader struct {
	src  *source
	enc  []byte // encoded characters not yet decoded
	buf  []byte // decoded bytes when the caller's buffer was too small
	dec  []byte // decoded bytes not yet handed out (a part of buf)
	done bool
	err  error
}

func (b *base64Reader) Read(p []byte) (int, error) {
	if len(b.dec) > 0 {
		n := copy(p, b.dec)
		b.dec = b.dec[n:]
		return n, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	want := len(p) / 3 * 4
	if want < 4 {
		want = 4
	}
	for len(b.enc) < want && !b.done {
		w := b.src.window()
		if len(w) == 0 {
			if !b.src.more() {
				b.err = fmt.Errorf("document ends inside STREAM: %w", b.src.readErr())
				return 0, b.err
			}
			continue
		}
		chunk := w
		if room := want - len(b.enc); len(chunk) > room {
			chunk = chunk[:room]
		}
		if k := bytes.IndexByte(chunk, '<'); k >= 0 {
			chunk = chunk[:k]
			b.done = true
		}
		b.enc = appendNonSpace(b.enc, chunk)
		b.src.advance(len(chunk))
	}
	n := len(b.enc) / 4 * 4
	if b.done {
		n = len(b.enc)
	}
	if n == 0 {
		b.err = io.EOF
		return 0, io.EOF
	}
	enc := b.enc[:n]
	dst := p
	if base64.StdEncoding.DecodedLen(n) > len(p) {
		// Too small a buffer: decode into our own and hand it out piecewise.
		if cap(b.buf) < base64.StdEncoding.DecodedLen(n) {
			b.buf = make([]byte, base64.StdEncoding.DecodedLen(n))
		}
		dst = b.buf[:cap(b.buf)]
	}
	m, err := decodeBase64(dst, enc)
	b.enc = b.enc[:copy(b.enc, b.enc[n:])]
	if err != nil {
		b.err = fmt.Errorf("invalid base64 in STREAM: %w", err)
		return 0, b.err
	}
	if &dst[0] != &p[0] {
		k := copy(p, dst[:m])
		b.dec = dst[k:m]
		return k, nil
	}
	return m, nil
}

// appendNonSpace appends src without its XML whitespace, copying the runs
// between blanks (base64 lines) whole.
func appendNonSpace(dst, src []byte) []byte {
	for len(src) > 0 {
		i := nonSpaceRun(src)
		dst = append(dst, src[:i]...)
		if i == len(src) {
			break
		}
		if !isSpace(src[i]) {
			dst = append(dst, src[i]) // not base64: the decoder reports it
		}
		src = src[i+1:]
	}
	return dst
}

// nonSpaceRun returns the length of src's leading run of bytes above ' '
// (base64 text between line breaks), eight bytes at a time: a word has a
// byte <= 0x20 when (x - 0x21..21) &^ x & 0x80..80 is not zero (a byte
// >= 0x80 is not base64 either, and stops the run as a byte <= ' ' does).
func nonSpaceRun(src []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(src); i += 8 {
		x := binary.LittleEndian.Uint64(src[i:])
		if (x-0x21*ones)&^x&highs != 0 || x&highs != 0 {
			break
		}
	}
	for i < len(src) && src[i] > ' ' {
		i++
	}
	return i
}

func trimPad(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == '=' {
		b = b[:len(b)-1]
	}
	return b
}

// newBinParser builds the BINARY cell decoder appending to col.
//
// In BINARY, which has no null flags, a NaN float is null (VOTable §5.3,
// and astropy reads it so): nanNull says so.
func newBinParser(col Column, nanNull bool) (binParser, error) {
	f := col.Field()
	sh := f.Shape
	switch c := col.(type) {
	case *Strings:
		return stringBin(c, f), nil
	case *Scalar[bool]:
		if f.Datatype == Bit {
			// Any non-zero byte is true: the standard packs bits most
			// significant first (0x80), astropy writes a scalar bit as 0x08
			// and STILTS as 0xff, and all three mean true.
			return binParser{size: 1, fix: func(b []byte, null bool) { c.Append(b[0] != 0, null) }}, nil
		}
		return binParser{size: 1, fix: func(b []byte, null bool) {
			v, ok := boolByte(b[0])
			c.Append(v, null || !ok)
		}}, nil
	case *Scalar[uint8]:
		nv, hasNull := nullInt(f)
		return binParser{size: 1, fix: func(b []byte, null bool) {
			c.Append(b[0], null || hasNull && int64(b[0]) == nv)
		}}, nil
	case *Scalar[int16]:
		nv, hasNull := nullInt(f)
		return binParser{size: 2, fix: func(b []byte, null bool) {
			v := int16(binary.BigEndian.Uint16(b))
			c.Append(v, null || hasNull && int64(v) == nv)
		}}, nil
	case *Scalar[int32]:
		nv, hasNull := nullInt(f)
		return binParser{size: 4, fix: func(b []byte, null bool) {
			v := int32(binary.BigEndian.Uint32(b))
			c.Append(v, null || hasNull && int64(v) == nv)
		}}, nil
	case *Scalar[int64]:
		nv, hasNull := nullInt(f)
		return binParser{size: 8, fix: func(b []byte, null bool) {
			v := int64(binary.BigEndian.Uint64(b))
			c.Append(v, null || hasNull && v == nv)
		}}, nil
	case *Scalar[float32]:
		nv, hasNull := nullFloat(f)
		return binParser{size: 4, fix: func(b []byte, null bool) {
			v := math.Float32frombits(binary.BigEndian.Uint32(b))
			c.Append(v, null || nanNull && v != v || hasNull && float64(v) == nv)
		}}, nil
	case *Scalar[float64]:
		nv, hasNull := nullFloat(f)
		return binParser{size: 8, fix: func(b []byte, null bool) {
			v := math.Float64frombits(binary.BigEndian.Uint64(b))
			c.Append(v, null || nanNull && v != v || hasNull && v == nv)
		}}, nil
	case *Scalar[complex64]:
		return binParser{size: 8, fix: func(b []byte, null bool) {
			v := complex(math.Float32frombits(binary.BigEndian.Uint32(b)), math.Float32frombits(binary.BigEndian.Uint32(b[4:])))
			c.Append(v, null || nanNull && real(v) != real(v) && imag(v) != imag(v))
		}}, nil
	case *Scalar[complex128]:
		return binParser{size: 16, fix: func(b []byte, null bool) {
			v := complex(math.Float64frombits(binary.BigEndian.Uint64(b)), math.Float64frombits(binary.BigEndian.Uint64(b[8:])))
			c.Append(v, null || nanNull && real(v) != real(v) && imag(v) != imag(v))
		}}, nil
	case *Array[bool]:
		if f.Datatype == Bit {
			return bitArrayBin(c, sh), nil
		}
		// BINARY's only null boolean array is one of '?' (or NUL) elements,
		// as astropy writes it.
		return arrayBinNull(c, sh, 1, func(dst []bool, b []byte) {
			for i := range dst {
				dst[i], _ = boolByte(b[i])
			}
		}, func(b []byte) bool {
			for _, ch := range b {
				if _, ok := boolByte(ch); ok {
					return false
				}
			}
			return len(b) > 0
		}), nil
	case *Array[uint8]:
		return arrayBin(c, sh, 1, func(dst []uint8, b []byte) { copy(dst, b) }), nil
	case *Array[int16]:
		return arrayBin(c, sh, 2, func(dst []int16, b []byte) {
			for i := range dst {
				dst[i] = int16(binary.BigEndian.Uint16(b[2*i:]))
			}
		}), nil
	case *Array[int32]:
		return arrayBin(c, sh, 4, func(dst []int32, b []byte) {
			for i := range dst {
				dst[i] = int32(binary.BigEndian.Uint32(b[4*i:]))
			}
		}), nil
	case *Array[int64]:
		return arrayBin(c, sh, 8, func(dst []int64, b []byte) {
			for i := range dst {
				dst[i] = int64(binary.BigEndian.Uint64(b[8*i:]))
			}
		}), nil
	case *Array[float32]:
		return arrayBin(c, sh, 4, func(dst []float32, b []byte) {
			for i := range dst {
				dst[i] = math.Float32frombits(binary.BigEndian.Uint32(b[4*i:]))
			}
		}), nil
	case *Array[float64]:
		return arrayBin(c, sh, 8, func(dst []float64, b []byte) {
			for i := range dst {
				dst[i] = math.Float64frombits(binary.BigEndian.Uint64(b[8*i:]))
			}
		}), nil
	case *Array[complex64]:
		return arrayBin(c, sh, 8, func(dst []complex64, b []byte) {
			for i := range dst {
				dst[i] = complex(math.Float32frombits(binary.BigEndian.Uint32(b[8*i:])), math.Float32frombits(binary.BigEndian.Uint32(b[8*i+4:])))
			}
		}), nil
	case *Array[complex128]:
		return arrayBin(c, sh, 16, func(dst []complex128, b []byte) {
			for i := range dst {
				dst[i] = complex(math.Float64frombits(binary.BigEndian.Uint64(b[16*i:])), math.Float64frombits(binary.BigEndian.Uint64(b[16*i+8:])))
			}
		}), nil
	}
	return binParser{}, fmt.Errorf("field %q: no BINARY decoder for %T", f.Name, col)
}

func boolByte(c byte) (v, ok bool) {
	switch c {
	case 'T', 't', '1':
		return true, true
	case 'F', 'f', '0':
		return false, true
	}
	return false, false
}

// arrayBin decodes numeric arrays of elements of size es.
func arrayBin[T Number](c *Array[T], sh *Shape, es int, conv func(dst []T, b []byte)) binParser {
	return arrayBinNull(c, sh, es, conv, nil)
}

// arrayBinNull is arrayBin where nullCell (when not nil) tells from its
// bytes that a cell is null.
func arrayBinNull[T Number](c *Array[T], sh *Shape, es int, conv func(dst []T, b []byte), nullCell func(b []byte) bool) binParser {
	var buf []T
	if sh.Fixed() {
		n := sh.Count()
		return binParser{size: n * es, fix: func(b []byte, null bool) {
			// Allocated on the first row, whose bytes are then at hand: a
			// huge arraysize in a document without data allocates nothing.
			if buf == nil {
				buf = make([]T, n)
			}
			conv(buf, b)
			_ = c.Append(buf, null || nullCell != nil && nullCell(b))
		}}
	}
	return binParser{size: -1, vary: func(src *blockSource, null bool) error {
		n, err := src.count()
		if err != nil {
			return err
		}
		b, err := src.next(n * es)
		if err != nil {
			return err
		}
		if cap(buf) < n {
			buf = make([]T, n)
		}
		buf = buf[:n]
		conv(buf, b)
		// An empty variable array is null, as an empty TD is.
		return c.Append(buf, null || n == 0 || nullCell != nil && nullCell(b))
	}}
}

// bitArrayBin decodes packed bit arrays (most significant bit first).
func bitArrayBin(c *Array[bool], sh *Shape) binParser {
	var buf []bool
	unpack := func(b []byte, n int) {
		buf = buf[:0]
		for i := 0; i < n; i++ {
			buf = append(buf, b[i>>3]&(0x80>>(uint(i)&7)) != 0)
		}
	}
	if sh.Fixed() {
		n := sh.Count()
		return binParser{size: (n + 7) / 8, fix: func(b []byte, null bool) {
			unpack(b, n)
			_ = c.Append(buf, null)
		}}
	}
	return binParser{size: -1, vary: func(src *blockSource, null bool) error {
		n, err := src.count()
		if err != nil {
			return err
		}
		b, err := src.next((n + 7) / 8)
		if err != nil {
			return err
		}
		unpack(b, n)
		return c.Append(buf, null || n == 0)
	}}
}

// stringBin decodes char (bytes, NUL-terminated when fixed) and unicodeChar
// (UCS-2 big-endian) cells.
func stringBin(c *Strings, f *Field) binParser {
	es := 1
	if f.Datatype == UnicodeChar {
		es = 2
	}
	var ubuf []byte
	put := func(b []byte, null bool) error {
		if es == 2 {
			ubuf = ubuf[:0]
			for i := 0; i+1 < len(b); i += 2 {
				r := rune(binary.BigEndian.Uint16(b[i:]))
				if r == 0 {
					break
				}
				if utf16.IsSurrogate(r) && i+3 < len(b) {
					r2 := rune(binary.BigEndian.Uint16(b[i+2:]))
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 2
					}
				}
				ubuf = utf8.AppendRune(ubuf, r)
			}
			return c.Append(ubuf, null || len(ubuf) == 0)
		}
		for i, ch := range b {
			if ch == 0 {
				b = b[:i]
				break
			}
		}
		// BINARY has no null for strings: an empty one is null, as an
		// empty TD is.
		return c.Append(b, null || len(b) == 0)
	}
	sh := f.Shape
	if sh.Fixed() {
		n := sh.Count() * es
		return binParser{size: n, fix: func(b []byte, null bool) { _ = put(b, null) }}
	}
	return binParser{size: -1, vary: func(src *blockSource, null bool) error {
		n, err := src.count()
		if err != nil {
			return err
		}
		b, err := src.next(n * es)
		if err != nil {
			return err
		}
		return put(b, null)
	}}
}
