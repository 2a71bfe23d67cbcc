// Package xmlguard bounds what an XML document may cost its reader: the
// nesting depth of its elements and the length of a single run of text or a
// single tag (an attribute value included). Every XML reader in voagent goes
// through it, so that a hostile document gives a clear error instead of a
// stack overflow or an allocation the size of the document.
//
// A Guard wraps an encoding/xml Decoder (configured by the caller: charset
// reader, strictness) and is itself an xml.TokenReader; Decoder returns an
// *xml.Decoder reading the guarded tokens, so Token, Skip and Decode all stay
// within the limits. Skipped elements cost nothing but the open-element stack,
// which the depth limit bounds.
package xmlguard

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Limits of every XML reader in voagent.
const (
	// MaxDepth is the deepest element nesting accepted (libxml2's default).
	MaxDepth = 256
	// MaxText is the longest run of bytes accepted without a '<': a single
	// element's text or a single tag with its attributes.
	MaxText = 16 << 20
)

// ErrTooDeep is matched (errors.Is) by a *DepthError.
var ErrTooDeep = errors.New("XML elements nested too deep")

// ErrTooLong is matched (errors.Is) by a *LengthError.
var ErrTooLong = errors.New("XML text or tag too long")

// DepthError reports an element nested deeper than the limit.
type DepthError struct {
	Depth   int    // depth reached (the root element is at depth 1)
	Limit   int    // the limit in force
	Element string // local name of the element that went too deep
	Offset  int64  // input offset just after its start tag
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("XML elements nested %d deep at <%s> (byte %d): the limit is %d", e.Depth, e.Element, e.Offset, e.Limit)
}

// Is makes errors.Is(err, ErrTooDeep) true.
func (e *DepthError) Is(target error) bool { return target == ErrTooDeep }

// LengthError reports a run of text or a tag longer than the limit.
type LengthError struct {
	Limit  int64 // the limit in force, in bytes
	Offset int64 // input offset where the limit was passed
}

func (e *LengthError) Error() string {
	return fmt.Sprintf("XML text, tag or attribute longer than %d bytes (at byte %d)", e.Limit, e.Offset)
}

// Is makes errors.Is(err, ErrTooLong) true.
func (e *LengthError) Is(target error) bool { return target == ErrTooLong }

// Reader bounds the runs of bytes between two '<' of what it reads; it is the
// input to give the encoding/xml Decoder a Guard wraps. It reads r one byte
// at a time through io.ByteReader when r has it (so that a caller sharing a
// buffered source with the XML decoder sees no read-ahead), through a
// bufio.Reader otherwise.
type Reader struct {
	r   io.ByteReader
	run int64
	max int64
	off int64
	err error
}

// NewReader returns a Reader over r allowing runs of at most max bytes
// (MaxText when max <= 0).
func NewReader(r io.Reader, max int64) *Reader {
	if max <= 0 {
		max = MaxText
	}
	br, ok := r.(io.ByteReader)
	if !ok {
		br = bufio.NewReader(r)
	}
	return &Reader{r: br, max: max}
}

// ReadByte reads one byte, failing with a *LengthError when the current run
// passes the limit.
func (r *Reader) ReadByte() (byte, error) {
	if r.err != nil {
		return 0, r.err
	}
	c, err := r.r.ReadByte()
	if err != nil {
		return 0, err
	}
	r.off++
	if c == '<' {
		r.run = 0
	} else if r.run++; r.run > r.max {
		r.err = &LengthError{Limit: r.max, Offset: r.off}
		return 0, r.err
	}
	return c, nil
}

// Read implements io.Reader over ReadByte.
func (r *Reader) Read(p []byte) (int, error) {
	for i := range p {
		c, err := r.ReadByte()
		if err != nil {
			return i, err
		}
		p[i] = c
	}
	return len(p), nil
}

// Guard is an xml.TokenReader bounding the nesting depth of the tokens of
// the Decoder it wraps.
type Guard struct {
	d       *xml.Decoder
	depth   int
	limit   int
	maxText int
	err     error
}

// New returns a Guard over d with the MaxDepth and MaxText limits. d should
// read from a Reader (NewDecoder builds both) so that long runs of text stop
// before they are held in memory; the Guard checks each token's text
// against MaxText too, which catches what Reader cannot see (CDATA
// sections holding '<').
func New(d *xml.Decoder) *Guard { return &Guard{d: d, limit: MaxDepth, maxText: MaxText} }

// SetMaxDepth changes the depth limit (values <= 0 restore MaxDepth).
func (g *Guard) SetMaxDepth(n int) {
	if n <= 0 {
		n = MaxDepth
	}
	g.limit = n
}

// Token returns the next token of the wrapped decoder, or a *DepthError
// when a start element goes deeper than the limit (sticky).
func (g *Guard) Token() (xml.Token, error) {
	if g.err != nil {
		return nil, g.err
	}
	t, err := g.d.Token()
	if err != nil {
		return t, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		g.depth++
		if g.depth > g.limit {
			g.err = &DepthError{Depth: g.depth, Limit: g.limit, Element: t.Name.Local, Offset: g.d.InputOffset()}
			return nil, g.err
		}
	case xml.EndElement:
		if g.depth > 0 {
			g.depth--
		}
	case xml.CharData:
		if len(t) > g.maxText {
			g.err = &LengthError{Limit: int64(g.maxText), Offset: g.d.InputOffset()}
			return nil, g.err
		}
	}
	return t, nil
}

// Depth is the number of elements open after the last token.
func (g *Guard) Depth() int { return g.depth }

// InputOffset is the wrapped decoder's input offset.
func (g *Guard) InputOffset() int64 { return g.d.InputOffset() }

// InputPos is the wrapped decoder's line and column.
func (g *Guard) InputPos() (line, column int) { return g.d.InputPos() }

// Decoder returns an xml.Decoder reading the guarded tokens: its Token, Skip
// and Decode stay within the limits. (Its own InputOffset is meaningless:
// use the Guard's. Decode's ",innerxml" fields stay empty.)
func (g *Guard) Decoder() *xml.Decoder { return xml.NewTokenDecoder(g) }

// NewDecoder is the usual case: an encoding/xml Decoder reading r through a
// Reader, configured by setup when not nil (CharsetReader, Strict...),
// wrapped in a Guard.
func NewDecoder(r io.Reader, setup func(*xml.Decoder)) *Guard {
	d := xml.NewDecoder(NewReader(r, MaxText))
	if setup != nil {
		setup(d)
	}
	return New(d)
}

// Check reads a whole document held in memory and returns the first
// *DepthError or *LengthError it meets (nil otherwise, syntax errors
// included: the real reader reports those). Readers that use xml.Unmarshal
// call it first, since Unmarshal recurses up to 10,000 levels.
func Check(data []byte) error {
	return CheckReader(bytes.NewReader(data))
}

// CheckReader is Check over a reader.
func CheckReader(r io.Reader) error {
	g := NewDecoder(r, func(d *xml.Decoder) {
		d.Strict = false
		d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	})
	for {
		_, err := g.Token()
		if err != nil {
			if errors.Is(err, ErrTooDeep) || errors.Is(err, ErrTooLong) {
				return err
			}
			return nil
		}
	}
}
