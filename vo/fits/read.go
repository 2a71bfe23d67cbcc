package fits

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strings"
)

// DefaultMaxBytes bounds the data and heap of a table read when
// Options.MaxBytes is zero.
const DefaultMaxBytes = 4 << 30

// maxMetaBytes bounds the VOTable metadata of a STIL fits-plus primary HDU.
const maxMetaBytes = 16 << 20

// Options bound a read.
type Options struct {
	// Size is the number of bytes of the whole input when known (a file's
	// size), zero when not. Sizes declared by headers are checked against
	// it before anything is allocated; without it, data is read in steps so
	// that a short input fails before much is allocated.
	Size int64
	// MaxBytes bounds the data and heap of the table (DefaultMaxBytes when
	// zero).
	MaxBytes int64
}

// IsFITS reports whether head, the first bytes of an input, starts like a
// FITS file (the primary header's SIMPLE card).
func IsFITS(head []byte) bool { return strings.HasPrefix(string(head), "SIMPLE  =") }

// Read reads the first BINTABLE extension of the FITS file r, skipping the
// primary HDU and other extensions before it.
func Read(ctx context.Context, r io.Reader, opt Options) (*Table, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	rd := &reader{r: r, opt: opt}
	var meta []byte
	for hdu := 0; ; hdu++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, n, err := readHeader(rd.r)
		rd.off += n
		if err != nil {
			if hdu > 0 && n == 0 && errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("no BINTABLE extension in the file (%d HDUs)", hdu)
			}
			if hdu == 0 && errors.Is(err, io.EOF) {
				return nil, errors.New("empty input, not a FITS file")
			}
			if hdu == 0 && errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("primary header: %w", err)
			}
			if hdu == 0 {
				return nil, fmt.Errorf("not a FITS file: primary header: %w", err)
			}
			return nil, fmt.Errorf("HDU %d: %w", hdu, err)
		}
		first := ""
		if len(h.Cards) > 0 {
			first = h.Cards[0].Key
		}
		if hdu == 0 {
			if first != "SIMPLE" {
				return nil, fmt.Errorf("not a FITS file: the first card is %q, not SIMPLE", first)
			}
			if v, _ := h.Cards[0].Value.(bool); !v {
				return nil, errors.New("card SIMPLE is not T: the file does not conform to the FITS standard")
			}
		} else if first != "XTENSION" {
			return nil, fmt.Errorf("HDU %d: the first card is %q, not XTENSION", hdu, first)
		}
		if hdu > 0 && strings.TrimSpace(h.String("XTENSION")) == "BINTABLE" {
			t, err := rd.binTable(ctx, h, hdu)
			if err != nil {
				return nil, fmt.Errorf("BINTABLE (HDU %d): %w", hdu, err)
			}
			t.Meta = meta
			return t, nil
		}
		size, err := dataSize(h, hdu == 0)
		if err != nil {
			return nil, fmt.Errorf("HDU %d: %w", hdu, err)
		}
		if err := rd.fits(size, "the data of HDU "+itoa(hdu)); err != nil {
			return nil, err
		}
		if votmeta, _ := h.Get("VOTMETA"); hdu == 0 && votmeta.Value == true && size > 0 && size <= maxMetaBytes {
			if meta, err = rd.read(ctx, size, "the VOTable metadata of the primary HDU"); err != nil {
				return nil, err
			}
			if err := rd.skip(padding(size)); err != nil {
				return nil, fmt.Errorf("HDU %d: padding: %w", hdu, err)
			}
			meta = []byte(strings.TrimRight(string(meta), " \x00"))
			continue
		}
		if err := rd.skip(size + padding(size)); err != nil {
			return nil, fmt.Errorf("HDU %d: skipping its %d data bytes: %w", hdu, size, err)
		}
	}
}

// reader reads the input keeping its offset.
type reader struct {
	r   io.Reader
	opt Options
	off int64
}

// fits checks that n more bytes can be in the input.
func (rd *reader) fits(n int64, what string) error {
	if rd.opt.Size > 0 && n > rd.opt.Size-rd.off {
		return fmt.Errorf("%s: %d bytes declared but the file has only %d after offset %d", what, n, max(rd.opt.Size-rd.off, 0), rd.off)
	}
	return nil
}

func (rd *reader) skip(n int64) error {
	m, err := io.CopyN(io.Discard, rd.r, n)
	rd.off += m
	if err == io.EOF {
		// The last HDU's padding may be missing; a truncated data part is
		// caught when the next header is read.
		return nil
	}
	return err
}

// readStep is the most read (and allocated) at once beyond what is
// present: a short input fails having allocated about its own size.
const readStep = 64 << 20

// read reads exactly n bytes, growing the buffer as bytes arrive.
func (rd *reader) read(ctx context.Context, n int64, what string) ([]byte, error) {
	if err := rd.fits(n, what); err != nil {
		return nil, err
	}
	if n > math.MaxInt {
		return nil, fmt.Errorf("%s: %d bytes is too large", what, n)
	}
	buf := make([]byte, 0, min(n, readStep))
	for int64(len(buf)) < n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next := min(n, int64(len(buf))+readStep)
		if int64(cap(buf)) < next {
			grown := make([]byte, len(buf), min(n, max(next, 2*int64(cap(buf)))))
			copy(grown, buf)
			buf = grown
		}
		m, err := io.ReadFull(rd.r, buf[len(buf):next])
		buf = buf[:len(buf)+m]
		rd.off += int64(m)
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("%s: the input ends after %d of the %d bytes declared", what, len(buf), n)
			}
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	return buf, nil
}

func padding(n int64) int64 { return (BlockSize - n%BlockSize) % BlockSize }

func itoa(i int) string { return fmt.Sprint(i) }

// mulCheck multiplies non-negative a and b, reporting overflow.
func mulCheck(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// dataSize is the size of an HDU's data part from BITPIX, NAXISn, PCOUNT
// and GCOUNT (random groups included).
func dataSize(h *Header, primary bool) (int64, error) {
	bitpix, err := h.mustInt("BITPIX")
	if err != nil {
		return 0, err
	}
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
	default:
		return 0, fmt.Errorf("card BITPIX = %d is not 8, 16, 32, 64, -32 or -64", bitpix)
	}
	naxis, err := h.mustInt("NAXIS")
	if err != nil {
		return 0, err
	}
	if naxis < 0 || naxis > 999 {
		return 0, fmt.Errorf("card NAXIS = %d is out of 0..999", naxis)
	}
	if naxis == 0 {
		return 0, nil
	}
	prod := int64(1)
	groups, _ := h.Get("GROUPS")
	for i := int64(1); i <= naxis; i++ {
		key := "NAXIS" + fmt.Sprint(i)
		v, err := h.mustInt(key)
		if err != nil {
			return 0, err
		}
		if v < 0 {
			return 0, fmt.Errorf("card %s = %d is negative", key, v)
		}
		if i == 1 && v == 0 && primary && groups.Value == true {
			continue // random groups
		}
		var ok bool
		if prod, ok = mulCheck(prod, v); !ok {
			return 0, fmt.Errorf("the data size declared by NAXISn overflows at %s = %d", key, v)
		}
	}
	pcount, okP, err := h.Int("PCOUNT")
	if err != nil {
		return 0, err
	}
	gcount, okG, err := h.Int("GCOUNT")
	if err != nil {
		return 0, err
	}
	if !okG {
		gcount = 1
	}
	if !okP {
		pcount = 0
	}
	if pcount < 0 || gcount < 0 {
		return 0, fmt.Errorf("cards PCOUNT = %d, GCOUNT = %d: negative", pcount, gcount)
	}
	elems, ok := mulCheck(gcount, prod+pcount)
	if !ok || prod+pcount < 0 {
		return 0, errors.New("the data size declared by NAXISn, PCOUNT and GCOUNT overflows")
	}
	size, ok := mulCheck(elems, abs(bitpix)/8)
	if !ok {
		return 0, errors.New("the data size declared by BITPIX, NAXISn, PCOUNT and GCOUNT overflows")
	}
	return size, nil
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
