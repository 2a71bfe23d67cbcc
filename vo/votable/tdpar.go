package votable

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"
)

// TABLEDATA is read on every core. A producer goroutine cuts the text into
// chunks of whole rows: it looks, in the next tdChunkBytes of input, for
// the last </TR> before any </TABLEDATA, and when the text up to there has
// no comment, CDATA section or processing instruction (where a </TR> could
// be text), that text is a chunk of whole rows. Worker goroutines scan the
// chunks' cells and parse them into columns of their own; the caller's
// goroutine copies those into its columns in order. Where no chunk can be
// cut (the first rows, whose tags tell the namespace prefix; a comment;
// a row longer than a chunk; the end of the data) the producer scans a
// batch of rows itself, as a single goroutine would, and a worker parses
// it. At most tdInFlight units exist at once, which bounds the memory.
const (
	// A chunk is the source's whole buffer, which the producer hands to
	// the worker, taking a free unit's buffer in its place: only the
	// bytes after the chunk's last row are copied.
	tdChunkBytes = sourceBufSize
	tdInFlight   = 6
	// tdStagingRows is the first size of a unit's scalar columns: enough
	// for a batch, and for a chunk of rows of about 64 bytes or more.
	tdStagingRows = 4096
	// tdFirstRows is the size of the first batch, which the producer
	// scans alone.
	tdFirstRows = 16
)

// tdChunking enables the cutting of chunks; tests turn it off to compare.
var tdChunking = true

// tdUnit is a piece of the data on its way to the caller: a chunk of text
// (raw) or rows the producer scanned (batch), then its rows parsed.
type tdUnit struct {
	raw      []byte
	buf      []byte // the buffer raw is a slice of (a source's)
	pfx      string // the namespace prefix of raw's tags
	batch    tdBatch
	cols     []Column // the unit's rows, parsed
	parse    []textParser
	byColumn []batchParser // parse, a column at a time
	rows     int           // rows in cols
	pos      int           // rows of cols handed to the caller
	done     bool          // the TABLEDATA ends after these rows
	err      error         // error after these rows; its row counts from the unit's first
	ready    chan struct{}
}

// tableDataReader decodes TABLEDATA (see tdUnit).
type tableDataReader struct {
	t       *Table
	src     *source
	nf      int
	order   chan *tdUnit
	jobs    chan *tdUnit
	free    chan *tdUnit
	stop    chan struct{}
	started bool
	cur     *tdUnit
	base    int64 // rows of the units before cur
	checked bool  // fields checked by fitsTableData
	spare   *tdUnit
	// chunking is tdChunking when the reader was made.
	chunking bool
}

func newTableDataReader(src *source, t *Table) *tableDataReader {
	return &tableDataReader{t: t, src: src, nf: len(t.Fields), stop: make(chan struct{}), chunking: tdChunking}
}

func (r *tableDataReader) close() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
}

// start checks the fields and starts the producer and the workers.
func (r *tableDataReader) start() error {
	if !r.checked {
		for _, f := range r.t.Fields {
			if err := fitsTableData(f); err != nil {
				return fmt.Errorf("votable: %s: %w", r.t.Label(), err)
			}
		}
		for _, f := range r.t.Fields {
			if _, err := NewColumn(f); err != nil {
				return fmt.Errorf("votable: %s: %w", r.t.Label(), err)
			}
		}
		// A first unit: its parsers are those of the columns.
		u, err := r.unit()
		if err != nil {
			return err
		}
		r.spare = u
		r.checked = true
	}
	if r.started {
		return nil
	}
	r.started = true
	r.order = make(chan *tdUnit, tdInFlight)
	r.jobs = make(chan *tdUnit, tdInFlight)
	r.free = make(chan *tdUnit, tdInFlight+2)
	r.free <- r.spare
	for range max(1, runtime.GOMAXPROCS(0)) {
		go func() {
			for u := range r.jobs {
				r.work(u)
				u.ready <- struct{}{}
			}
		}()
	}
	sc := &tdScanner{src: r.src, nf: r.nf, label: r.t.Label()}
	go r.produce(sc)
	return nil
}

// unit returns a free unit, or a new one.
func (r *tableDataReader) unit() (*tdUnit, error) {
	select {
	case u := <-r.free:
		return u, nil
	default:
	}
	u := &tdUnit{ready: make(chan struct{}, 1)}
	cols, err := newColumns(r.t)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if c, ok := c.(interface{ presize(int) }); ok {
			c.presize(tdStagingRows)
		}
	}
	u.cols = cols
	u.parse = make([]textParser, len(cols))
	u.byColumn = make([]batchParser, len(cols))
	for i, c := range cols {
		if u.parse[i], err = newTextParser(c); err != nil {
			return nil, fmt.Errorf("votable: %s: %w", r.t.Label(), err)
		}
		u.byColumn[i] = newBatchParser(c, u.parse[i])
	}
	return u, nil
}

// produce runs the producer (see tdUnit).
func (r *tableDataReader) produce(sc *tdScanner) {
	defer close(r.jobs)
	for {
		u, err := r.unit()
		if err != nil {
			u = &tdUnit{ready: make(chan struct{}, 1), err: err}
		}
		b := &u.batch
		b.text, b.ends, b.b64, b.starts, b.rows, b.pos, b.cell, b.done, b.err = b.text[:0], b.ends[:0], b.b64[:0], b.starts[:0], 0, 0, 0, false, nil
		u.raw = u.raw[:0]
		last := u.err != nil
		if !last && !r.cut(sc, u) {
			u.raw = nil
			sc.row = 0
			// Until the first row has told the namespace prefix, no
			// chunk can be cut: scan a few rows only, so that the
			// workers soon have chunks.
			sc.maxRows = 0
			if !sc.prefixKnown && r.chunking {
				sc.maxRows = tdFirstRows
			}
			sc.fill(b)
			last = b.done || b.err != nil
		}
		select {
		case r.order <- u:
		case <-r.stop:
			return
		}
		select {
		case r.jobs <- u:
		case <-r.stop:
			return
		}
		if last {
			return
		}
	}
}

// cut moves the next chunk of whole rows from the source into u.raw; false
// when there is none to cut (see tdUnit).
func (r *tableDataReader) cut(sc *tdScanner, u *tdUnit) bool {
	if !sc.prefixKnown || !r.chunking {
		return false
	}
	src := sc.src
	for len(src.window()) < tdChunkBytes && src.more() {
	}
	w := src.window()
	if len(w) > tdChunkBytes {
		w = w[:tdChunkBytes]
	}
	// bytes.Index is slow for needles starting with '<' in text full of
	// '<': search for a rare byte of the needle.
	if k := indexVia(w, sc.dataEnd, bytes.IndexByte(sc.dataEnd, 'B')); k >= 0 {
		w = w[:k]
	}
	k := bytes.LastIndex(w, sc.trEnd)
	if k < 0 {
		return false
	}
	w = w[:k+len(sc.trEnd)]
	if indexVia(w, []byte("<!"), 1) >= 0 || indexVia(w, []byte("<?"), 1) >= 0 {
		return false
	}
	u.raw, u.buf = src.take(len(w), u.buf)
	u.pfx = sc.pfx
	return true
}

// indexVia is bytes.Index(s, sep), searching for sep[k].
func indexVia(s, sep []byte, k int) int {
	c := sep[k]
	for i := k; i < len(s); i++ {
		j := bytes.IndexByte(s[i:], c)
		if j < 0 {
			return -1
		}
		i += j
		if st := i - k; st+len(sep) <= len(s) && bytes.Equal(s[st:st+len(sep)], sep) {
			return st
		}
	}
	return -1
}

// work scans (for a chunk) and parses a unit's rows into its columns.
func (r *tableDataReader) work(u *tdUnit) {
	for _, c := range u.cols {
		c.Reset()
	}
	u.rows, u.pos, u.done = 0, 0, false
	if u.cols == nil { // the unit of an error
		return
	}
	if u.raw != nil {
		r.workChunk(u)
		return
	}
	b := &u.batch
	u.done = b.done
	for b.pos < b.rows {
		start := int32(0)
		if b.cell > 0 {
			start = b.ends[b.cell-1]
		}
		for j, p := range u.parse {
			end := b.ends[b.cell]
			if !r.parseCell(u, 0, j, p, b.text[start:end]) {
				return
			}
			start = end
			b.cell++
		}
		b.pos++
	}
	u.rows = b.pos
	u.err = b.err
}

// tdChunkRows is the number of rows of a chunk scanned, then parsed, at a
// time: their text stays in the cache between the two.
const tdChunkRows = 256

// workChunk scans and parses a chunk's rows, tdChunkRows at a time: their
// cells are slices of the chunk or of the batch's text (see
// tdBatch.starts).
func (r *tableDataReader) workChunk(u *tdUnit) {
	sc := tdScanner{src: &source{buf: u.raw, end: len(u.raw), err: io.EOF}, nf: r.nf, label: r.t.Label(), chunk: true, maxRows: tdChunkRows}
	// The chunk's tags have the prefix the producer found.
	sc.setPrefix(u.pfx)
	b := &u.batch
	raw := u.raw
	base := 0 // rows of the chunk before the batch
	for {
		b.text, b.ends, b.b64, b.starts, b.rows, b.pos, b.cell = b.text[:0], b.ends[:0], b.b64[:0], b.starts[:0], 0, 0, 0
		sc.fill(b)
		text, starts, ends := b.text, b.starts, b.ends
		if len(b.b64) == 0 && b.rows > 0 {
			// A column at a time; the error is the first in row order.
			cells := batchCells{raw: raw, text: text, starts: starts, ends: ends, nf: len(u.parse)}
			errRow, errCol := b.rows, -1
			var firstErr error
			for j, p := range u.byColumn {
				if n, err := p(&cells, j, min(b.rows, errRow)); err != nil && n < errRow {
					errRow, errCol, firstErr = n, j, err
				}
			}
			if firstErr != nil {
				u.rows = base + errRow
				u.err = cellErrorIn(r.t, int64(u.rows), errCol, cells.cell(errRow*cells.nf+errCol), firstErr)
				return
			}
			b.pos = b.rows
		}
		for b.pos < b.rows {
			for j, p := range u.parse {
				start, end := starts[b.cell], ends[b.cell]
				var cell []byte
				if start >= 0 {
					cell = raw[start:end]
				} else {
					cell = text[^start:^end]
				}
				if len(b.b64) == 0 {
					if err := p(cell); err != nil {
						u.rows = base + b.pos
						u.err = cellErrorIn(r.t, int64(u.rows), j, cell, err)
						return
					}
				} else if !r.parseCell(u, base, j, p, cell) {
					return
				}
				b.cell++
			}
			b.pos++
		}
		base += b.rows
		if b.err != nil || b.rows < tdChunkRows {
			u.rows = base
			u.err = b.err
			return
		}
	}
}

// parseCell parses cell b.cell, of column j, into u; false (with u.err
// and u.rows set) on an error. base is the number of the unit's rows
// before the batch.
func (r *tableDataReader) parseCell(u *tdUnit, base, j int, p textParser, cell []byte) bool {
	b := &u.batch
	var err error
	if len(b.b64) > 0 && b.b64[0] == int32(b.cell) {
		b.b64 = b.b64[1:]
		err = parseBase64Cell(u.cols[j], cell)
	} else {
		err = p(cell)
	}
	if err != nil {
		u.rows = base + b.pos
		u.err = cellErrorIn(r.t, int64(u.rows), j, cell, err)
		return false
	}
	return true
}

func (r *tableDataReader) decode(cols []Column, limit int) (int, error) {
	if err := r.start(); err != nil {
		return 0, err
	}
	n := 0
	for n < limit {
		u := r.cur
		if u == nil {
			u = <-r.order
			<-u.ready
			r.cur = u
		}
		if u.pos < u.rows {
			k := min(limit-n, u.rows-u.pos)
			for j, c := range cols {
				if err := appendRows(c, u.cols[j], u.pos, u.pos+k); err != nil {
					return n, fmt.Errorf("votable: %s: %w", r.t.Label(), err)
				}
			}
			u.pos += k
			n += k
			continue
		}
		if u.err != nil {
			return n, rebaseError(u.err, r.base)
		}
		if u.done {
			return n, io.EOF
		}
		r.base += int64(u.rows)
		r.cur = nil
		select {
		case r.free <- u:
		default:
		}
	}
	return n, nil
}

// parseBase64Cell decodes a <TD encoding="base64"> cell: the base64 of the
// cell's BINARY serialization.
func parseBase64Cell(col Column, text []byte) error {
	raw, err := base64.StdEncoding.DecodeString(string(trimSpaceBytes(text)))
	if err != nil {
		return fmt.Errorf("invalid base64 in TD: %w", err)
	}
	p, err := newBinParser(col, false)
	if err != nil {
		return err
	}
	src := &blockSource{cur: raw}
	if p.size >= 0 {
		b, err := src.next(p.size)
		if err != nil {
			return fmt.Errorf("base64 TD holds %d bytes, want %d", len(raw), p.size)
		}
		p.fix(b, false)
		return nil
	}
	return p.vary(src, false)
}

// appendRows appends rows [from, to) of src to dst, a column of the same
// type.
func appendRows(dst, src Column, from, to int) error {
	switch d := dst.(type) {
	case *Scalar[bool]:
		appendScalarRows(d, src.(*Scalar[bool]), from, to)
		return nil
	case *Scalar[uint8]:
		appendScalarRows(d, src.(*Scalar[uint8]), from, to)
		return nil
	case *Scalar[int16]:
		appendScalarRows(d, src.(*Scalar[int16]), from, to)
		return nil
	case *Scalar[int32]:
		appendScalarRows(d, src.(*Scalar[int32]), from, to)
		return nil
	case *Scalar[int64]:
		appendScalarRows(d, src.(*Scalar[int64]), from, to)
		return nil
	case *Scalar[float32]:
		appendScalarRows(d, src.(*Scalar[float32]), from, to)
		return nil
	case *Scalar[float64]:
		appendScalarRows(d, src.(*Scalar[float64]), from, to)
		return nil
	case *Scalar[complex64]:
		appendScalarRows(d, src.(*Scalar[complex64]), from, to)
		return nil
	case *Scalar[complex128]:
		appendScalarRows(d, src.(*Scalar[complex128]), from, to)
		return nil
	case *Strings:
		return appendVarRows(&d.variable, &src.(*Strings).variable, from, to)
	case *Array[bool]:
		return appendVarRows(&d.variable, &src.(*Array[bool]).variable, from, to)
	case *Array[uint8]:
		return appendVarRows(&d.variable, &src.(*Array[uint8]).variable, from, to)
	case *Array[int16]:
		return appendVarRows(&d.variable, &src.(*Array[int16]).variable, from, to)
	case *Array[int32]:
		return appendVarRows(&d.variable, &src.(*Array[int32]).variable, from, to)
	case *Array[int64]:
		return appendVarRows(&d.variable, &src.(*Array[int64]).variable, from, to)
	case *Array[float32]:
		return appendVarRows(&d.variable, &src.(*Array[float32]).variable, from, to)
	case *Array[float64]:
		return appendVarRows(&d.variable, &src.(*Array[float64]).variable, from, to)
	case *Array[complex64]:
		return appendVarRows(&d.variable, &src.(*Array[complex64]).variable, from, to)
	case *Array[complex128]:
		return appendVarRows(&d.variable, &src.(*Array[complex128]).variable, from, to)
	default:
		panic(fmt.Sprintf("votable: appendRows of %T", dst))
	}
}

func appendScalarRows[T Number](d, s *Scalar[T], from, to int) {
	for from < to {
		ci, ri := from>>chunkShift, from&chunkMask
		vals := s.chunks[ci][ri:min(chunkRows, ri+to-from)]
		nulls := s.nulls[ci]
		for len(vals) > 0 {
			first := d.n
			dst := d.reserve(len(vals))
			copy(dst, vals)
			if nulls != nil {
				for i := range dst {
					if nulls.get(ri + i) {
						d.setNullAt(first + i)
					}
				}
			}
			d.n += len(dst)
			vals = vals[len(dst):]
			ri += len(dst)
			from += len(dst)
		}
	}
}

func appendVarRows[T any](d, s *variable[T], from, to int) error {
	for i := from; i < to; i++ {
		if err := d.appendCell(s.cell(i), s.isNull(i)); err != nil {
			return err
		}
	}
	return nil
}
