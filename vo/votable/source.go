package votable

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// source is the buffered input shared by the XML metadata decoder (through
// ReadByte) and the DATA scanners (through window/more/advance), which work
// on the buffer directly and leave it positioned just before the closing
// tag of the data element.
type source struct {
	maxBytes int64 // bound on the bytes read from rd (0: none)
	rd       io.Reader
	buf      []byte
	pos      int   // next unread byte
	end      int   // end of valid data
	err      error // sticky read error (io.EOF at the end)
	off      int64 // input offset of buf[0]
}

const sourceBufSize = 256 << 10

// MaxRowBytes bounds what a reader must hold at once: a single TABLEDATA row
// (and so a single cell) or a single tag.
const MaxRowBytes = 64 << 20

// DefaultMaxBytes bounds the bytes a Decoder reads, counted after
// decompression (Decoder.SetMaxBytes changes it).
const DefaultMaxBytes = 8 << 30

// ErrTooLarge is matched (errors.Is) by a *LimitError.
var ErrTooLarge = errors.New("votable: too large")

// LimitError reports input past one of the reader's size limits.
type LimitError struct {
	What   string // what was too large
	Limit  int64  // the limit, in bytes
	Offset int64  // input offset (decompressed) where it was passed
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s is larger than the limit of %s (at byte %d)", e.What, sizeString(e.Limit), e.Offset)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func newSource(r io.Reader) *source {
	return &source{rd: r, buf: make([]byte, sourceBufSize)}
}

// openSource wraps r, decompressing it when it starts with the gzip magic.
func openSource(r io.Reader) (*source, error) {
	s := newSource(r)
	s.maxBytes = DefaultMaxBytes
	for s.end-s.pos < 2 && s.err == nil {
		s.fill()
	}
	w := s.window()
	if len(w) >= 2 && w[0] == 0x1f && w[1] == 0x8b {
		zr, err := gzip.NewReader(s)
		if err != nil {
			return nil, fmt.Errorf("reading gzip-compressed VOTable: %w", err)
		}
		z := newSource(zr)
		z.maxBytes = DefaultMaxBytes
		return z, nil
	}
	return s, nil
}

// fill reads more input after end, compacting or growing the buffer. The
// buffer grows only when a single unit (a row, a tag) does not fit it, up to
// MaxRowBytes; after growing it is filled whole, so that a long row is
// rescanned once per doubling and not once per read. The bytes read in
// all are bounded by maxBytes (decompressed bytes for a gzipped document).
func (s *source) fill() {
	if s.err != nil {
		return
	}
	if s.pos > 0 && (s.end == len(s.buf) || s.pos > len(s.buf)/2) {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.off += int64(s.pos)
		s.pos, s.end = 0, n
	}
	grown := false
	if s.end == len(s.buf) {
		if len(s.buf) >= MaxRowBytes {
			s.err = &LimitError{What: "a single row, cell or tag", Limit: MaxRowBytes, Offset: s.off + int64(s.pos)}
			return
		}
		nb := make([]byte, min(len(s.buf)*2, MaxRowBytes))
		copy(nb, s.buf[:s.end])
		s.buf = nb
		grown = true
	}
	for {
		room := s.buf[s.end:]
		if s.maxBytes > 0 {
			if left := s.maxBytes - (s.off + int64(s.end)); left < int64(len(room)) {
				if left <= 0 {
					// Probe: exactly maxBytes is fine.
					var one [1]byte
					if n, _ := io.ReadFull(s.rd, one[:]); n > 0 {
						s.err = &LimitError{What: "the document (decompressed)", Limit: s.maxBytes, Offset: s.off + int64(s.end)}
					} else {
						s.err = io.EOF
					}
					return
				}
				room = room[:left]
			}
		}
		n, err := s.rd.Read(room)
		s.end += n
		if err != nil {
			s.err = err
			return
		}
		if !grown || s.end == len(s.buf) || n == 0 {
			return
		}
	}
}

// window returns the unread buffered bytes.
func (s *source) window() []byte { return s.buf[s.pos:s.end] }

// more reads more input; it returns false at the end of the input or on a
// read error (see s.err).
func (s *source) more() bool {
	before := s.end - s.pos
	for s.err == nil {
		s.fill()
		if s.end-s.pos > before {
			return true
		}
	}
	return s.end-s.pos > before
}

// take consumes the first n bytes of the window and returns them, a slice
// of the buffer, which the source gives up: it goes on in spare (or a new
// buffer when spare's length differs), where the rest of the window is
// copied. buf is the buffer given up, for reuse as a spare.
func (s *source) take(n int, spare []byte) (chunk, buf []byte) {
	if len(spare) != len(s.buf) {
		spare = make([]byte, len(s.buf))
	}
	chunk, buf = s.buf[s.pos:s.pos+n:s.pos+n], s.buf
	k := copy(spare, s.buf[s.pos+n:s.end])
	s.off += int64(s.pos + n)
	s.buf, s.pos, s.end = spare, 0, k
	return chunk, buf
}

// advance consumes n bytes of the window.
func (s *source) advance(n int) { s.pos += n }

// offset is the input offset of the next unread byte.
func (s *source) offset() int64 { return s.off + int64(s.pos) }

// readErr is the read error behind an unexpected end of input.
func (s *source) readErr() error {
	if s.err == nil || s.err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return s.err
}

// ReadByte implements io.ByteReader for encoding/xml.
func (s *source) ReadByte() (byte, error) {
	if s.pos == s.end {
		if !s.more() {
			if s.err == nil {
				return 0, io.EOF
			}
			return 0, s.err
		}
	}
	b := s.buf[s.pos]
	s.pos++
	return b, nil
}

// Read implements io.Reader.
func (s *source) Read(p []byte) (int, error) {
	if s.pos == s.end {
		if !s.more() {
			if s.err == nil {
				return 0, io.EOF
			}
			return 0, s.err
		}
	}
	n := copy(p, s.buf[s.pos:s.end])
	s.pos += n
	return n, nil
}

// bstr views b as a string without copying; the string must not outlive b's
// contents.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// isSpace reports XML whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func trimSpaceBytes(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// hasPrefixFold reports whether b starts with the upper-case ASCII prefix p,
// ignoring case.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	return bytes.EqualFold(b[:len(p)], []byte(p))
}
