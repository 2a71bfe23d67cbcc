package votable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// textParser parses one TABLEDATA cell (entities already resolved) and
// appends it to its column. An empty cell is null.
type textParser func(b []byte) error

// errSyntax marks a cell that is not a valid value of its type.
var errSyntax = errors.New("invalid value")

// parseIntText parses a decimal or 0x-prefixed hexadecimal integer.
func parseIntText(b []byte) (int64, error) {
	b = trimSpaceBytes(b)
	if len(b) == 0 {
		return 0, errSyntax
	}
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		u, err := strconv.ParseUint(bstr(b[2:]), 16, 64)
		if err != nil {
			return 0, errSyntax
		}
		// Hexadecimal is the two's complement bit pattern.
		v := int64(u)
		if neg {
			v = -v
		}
		return v, nil
	}
	if len(b) == 0 || len(b) > 19 {
		if len(b) > 19 {
			v, err := strconv.ParseInt(bstr(b), 10, 64)
			if err != nil {
				return 0, errSyntax
			}
			if neg {
				v = -v
			}
			return v, nil
		}
		return 0, errSyntax
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errSyntax
		}
		v = v*10 + int64(c-'0')
	}
	if v < 0 { // overflow past 9223372036854775807
		if neg && uint64(v) == 1<<63 {
			return v, nil
		}
		return 0, errSyntax
	}
	if neg {
		v = -v
	}
	return v, nil
}

func parseFloatText(b []byte, bits int) (float64, error) {
	b = trimSpaceBytes(b)
	if v, ok := parseFloatFast(b, bits); ok {
		return v, nil
	}
	v, err := strconv.ParseFloat(bstr(b), bits)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return v, nil // ±Inf or 0, as the text says
		}
		return 0, errSyntax
	}
	return v, nil
}

// Powers of ten exactly representable as float64 and float32.
var (
	exactPow10f64 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
	exactPow10f32 = [...]float32{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}
)

// parseFloatFast parses the plain decimals most TABLEDATA holds
// ([+-]digits[.digits][e[+-]digits]) when one IEEE multiplication or
// division gives the correctly rounded value (Clinger's fast path: an exact
// mantissa and an exact power of ten), as strconv.ParseFloat would; ok is
// false for anything else, which strconv then parses.
func parseFloatFast(b []byte, bits int) (v float64, ok bool) {
	i, neg := 0, false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var mant uint64
	nd, exp, digits := 0, 0, false
	if len(b)-i <= 19 {
		// At most 19 digits: mant cannot overflow, so no digit count is
		// kept (leading zeros add nothing to mant, as below). Runs of
		// eight digits are converted at once.
		for i+8 <= len(b) {
			v, ok := eightDigits(b[i:])
			if !ok {
				break
			}
			mant = mant*100000000 + v
			digits = true
			i += 8
		}
		for ; i < len(b) && b[i]-'0' <= 9; i++ {
			mant = mant*10 + uint64(b[i]-'0')
			digits = true
		}
		if i < len(b) && b[i] == '.' {
			i++
			for i+8 <= len(b) {
				v, ok := eightDigits(b[i:])
				if !ok {
					break
				}
				mant = mant*100000000 + v
				exp -= 8
				digits = true
				i += 8
			}
			for ; i < len(b) && b[i]-'0' <= 9; i++ {
				mant = mant*10 + uint64(b[i]-'0')
				exp--
				digits = true
			}
		}
	} else {
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			digits = true
			if nd == 0 && b[i] == '0' {
				continue
			}
			if nd == 19 {
				return 0, false
			}
			mant = mant*10 + uint64(b[i]-'0')
			nd++
		}
		if i < len(b) && b[i] == '.' {
			for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
				digits = true
				if nd == 0 && b[i] == '0' {
					exp--
					continue
				}
				if nd == 19 {
					return 0, false
				}
				mant = mant*10 + uint64(b[i]-'0')
				nd++
				exp--
			}
		}
	}
	if !digits {
		return 0, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		start, e := i, 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && e < 1000; i++ {
			e = e*10 + int(b[i]-'0')
		}
		if i == start {
			return 0, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(b) {
		return 0, false
	}
	if mant == 0 {
		if neg {
			return math.Copysign(0, -1), true
		}
		return 0, true
	}
	if bits == 32 {
		return exactScale(mant, exp, neg, 1<<24, exactPow10f32[:])
	}
	return exactScale(mant, exp, neg, 1<<53, exactPow10f64[:])
}

// eightDigits is the value of b's first eight bytes when they are all
// decimal digits (SWAR: all eight converted in a few multiplications).
func eightDigits(b []byte) (uint64, bool) {
	v := binary.LittleEndian.Uint64(b)
	// Each byte is a digit when its high nibble is 3 and adding 6 does
	// not carry into it.
	if v&0xF0F0F0F0F0F0F0F0 != 0x3030303030303030 || (v+0x0606060606060606)&0xF0F0F0F0F0F0F0F0 != 0x3030303030303030 {
		return 0, false
	}
	v -= 0x3030303030303030
	v = v*10 + v>>8 // pairs of digits in every other byte
	v = ((v&0x000000FF000000FF)*(100+(1000000<<32)) + (v>>16&0x000000FF000000FF)*(1+(10000<<32))) >> 32
	return v, true
}

// exactScale is ±mant×10^exp computed in T when mant (at most maxMant) and
// the power of ten are exact in T, so the one rounding is IEEE's.
func exactScale[T float32 | float64](mant uint64, exp int, neg bool, maxMant uint64, pow10 []T) (float64, bool) {
	if mant > maxMant || exp <= -len(pow10) || exp >= len(pow10) {
		return 0, false
	}
	f := T(mant)
	if exp >= 0 {
		f *= pow10[exp]
	} else {
		f /= pow10[-exp]
	}
	if neg {
		f = -f
	}
	return float64(f), true
}

// parseBoolText parses a TABLEDATA boolean; ok is false for a null ('?',
// blank, NUL).
func parseBoolText(b []byte) (v, ok bool, err error) {
	b = trimSpaceBytes(b)
	if isNullWord(b) {
		return false, false, nil
	}
	switch len(b) {
	case 0:
		return false, false, nil
	case 1:
		switch b[0] {
		case 'T', 't', '1':
			return true, true, nil
		case 'F', 'f', '0':
			return false, true, nil
		case '?', 0:
			return false, false, nil
		}
	case 4:
		if hasPrefixFold(b, "TRUE") {
			return true, true, nil
		}
	case 5:
		if hasPrefixFold(b, "FALSE") {
			return false, true, nil
		}
	}
	return false, false, errSyntax
}

// intRange is the range of an integer datatype.
func intRange(dt Datatype) (lo, hi int64) {
	switch dt {
	case UnsignedByte:
		return 0, math.MaxUint8
	case Short:
		return math.MinInt16, math.MaxInt16
	case Int:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// nullInt returns the VALUES null value of an integer field.
func nullInt(f *Field) (int64, bool) {
	if f.Values == nil || !f.Values.HasNull {
		return 0, false
	}
	v, err := parseIntText([]byte(f.Values.Null))
	if err != nil {
		return 0, false
	}
	return v, true
}

// nullFloat returns the VALUES null value of a floating-point field.
func nullFloat(f *Field) (float64, bool) {
	if f.Values == nil || !f.Values.HasNull {
		return 0, false
	}
	v, err := parseFloatText([]byte(f.Values.Null), 64)
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// splitFields calls fn for each word of b separated by whitespace (or
// commas, which some writers put between array elements).
func splitFields(b []byte, fn func(w []byte) error) error {
	i := 0
	for i < len(b) {
		for i < len(b) && (isSpace(b[i]) || b[i] == ',') {
			i++
		}
		j := i
		for j < len(b) && !isSpace(b[j]) && b[j] != ',' {
			j++
		}
		if j > i {
			if err := fn(b[i:j]); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// newTextParser builds the TABLEDATA parser appending to col.
func newTextParser(col Column) (textParser, error) {
	f := col.Field()
	switch c := col.(type) {
	case *Strings:
		if sh := f.Shape; sh.Fixed() && !sh.IsScalar() {
			// A fixed-size string longer than its arraysize is cut, as
			// astropy does (warning W46) and as BINARY must.
			n := sh.Count()
			return func(b []byte) error {
				if utf8.RuneCount(b) > n {
					k, i := 0, 0
					for i < len(b) && k < n {
						_, size := utf8.DecodeRune(b[i:])
						i += size
						k++
					}
					b = b[:i]
				}
				return c.Append(b, len(b) == 0)
			}, nil
		}
		return func(b []byte) error { return c.Append(b, len(b) == 0) }, nil
	case *Scalar[bool]:
		if f.Datatype == Bit {
			return func(b []byte) error {
				b = trimSpaceBytes(b)
				switch {
				case len(b) == 0:
					c.Append(false, true)
				case len(b) == 1 && (b[0] == '0' || b[0] == '1'):
					c.Append(b[0] == '1', false)
				default:
					return errSyntax
				}
				return nil
			}, nil
		}
		return func(b []byte) error {
			v, ok, err := parseBoolText(b)
			if err != nil {
				return err
			}
			c.Append(v, !ok)
			return nil
		}, nil
	case *Scalar[uint8]:
		return intText(c, f, func(v int64) uint8 { return uint8(v) }), nil
	case *Scalar[int16]:
		return intText(c, f, func(v int64) int16 { return int16(v) }), nil
	case *Scalar[int32]:
		return intText(c, f, func(v int64) int32 { return int32(v) }), nil
	case *Scalar[int64]:
		return intText(c, f, func(v int64) int64 { return v }), nil
	case *Scalar[float32]:
		return floatText(c, f, 32, func(v float64) float32 { return float32(v) }), nil
	case *Scalar[float64]:
		return floatText(c, f, 64, func(v float64) float64 { return v }), nil
	case *Scalar[complex64]:
		return complexText(c, 32, func(r, i float64) complex64 { return complex64(complex(r, i)) }), nil
	case *Scalar[complex128]:
		return complexText(c, 64, func(r, i float64) complex128 { return complex(r, i) }), nil
	case *Array[bool]:
		var buf []bool
		bit := f.Datatype == Bit
		return func(b []byte) error {
			buf = buf[:0]
			err := splitFields(b, func(w []byte) error {
				if bit {
					for _, ch := range w {
						if ch != '0' && ch != '1' {
							return errSyntax
						}
						buf = append(buf, ch == '1')
					}
					return nil
				}
				v, _, err := parseBoolText(w)
				buf = append(buf, v)
				return err
			})
			if err != nil {
				return err
			}
			return c.Append(buf, len(trimSpaceBytes(b)) == 0)
		}, nil
	case *Array[uint8]:
		return intArrayText(c, f, func(v int64) uint8 { return uint8(v) }), nil
	case *Array[int16]:
		return intArrayText(c, f, func(v int64) int16 { return int16(v) }), nil
	case *Array[int32]:
		return intArrayText(c, f, func(v int64) int32 { return int32(v) }), nil
	case *Array[int64]:
		return intArrayText(c, f, func(v int64) int64 { return v }), nil
	case *Array[float32]:
		return floatArrayText(c, 32, func(v float64) float32 { return float32(v) }), nil
	case *Array[float64]:
		return floatArrayText(c, 64, func(v float64) float64 { return v }), nil
	case *Array[complex64]:
		return complexArrayText(c, 32, func(r, i float64) complex64 { return complex64(complex(r, i)) }), nil
	case *Array[complex128]:
		return complexArrayText(c, 64, func(r, i float64) complex128 { return complex(r, i) }), nil
	}
	return nil, fmt.Errorf("field %q: no TABLEDATA parser for %T", f.Name, col)
}

// isNullWord reports an empty cell, or the words "null", "-" and "--" that
// some services (IRSA) write for missing numbers; astropy reads them as
// null too.
func isNullWord(b []byte) bool {
	b = trimSpaceBytes(b)
	switch len(b) {
	case 0:
		return true
	case 1:
		return b[0] == '-'
	case 2:
		return b[0] == '-' && b[1] == '-'
	case 4:
		return hasPrefixFold(b, "NULL")
	}
	return false
}

// plainInt is the value of the common integer cell: up to 18 plain
// decimal digits, which cannot overflow, be hexadecimal or a null word;
// false for anything else.
func plainInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, d := range b {
		if d-'0' > 9 {
			return 0, false
		}
		v = v*10 + int64(d-'0')
	}
	return v, true
}

func intText[T int64 | int32 | int16 | uint8](c *Scalar[T], f *Field, conv func(int64) T) textParser {
	nv, hasNull := nullInt(f)
	lo, hi := intRange(f.Datatype)
	return func(b []byte) error {
		if v, ok := plainInt(b); ok {
			v = min(max(v, lo), hi) // clamped, as below
			c.Append(conv(v), hasNull && v == nv)
			return nil
		}
		if isNullWord(b) {
			var z T
			if hasNull {
				z = conv(nv)
			}
			c.Append(z, true)
			return nil
		}
		v, err := parseIntText(b)
		if err != nil {
			return err
		}
		switch {
		case v > hi && v <= 2*hi+1 && f.Datatype != UnsignedByte && hexPrefixed(b):
			// Hex literals of unsigned patterns (0xFFFF for a short) wrap.
		case v > hi:
			v = hi // clamped, as astropy does (its warning W51)
		case v < lo:
			v = lo
		}
		c.Append(conv(v), hasNull && v == nv)
		return nil
	}
}

func floatText[T float32 | float64](c *Scalar[T], f *Field, bits int, conv func(float64) T) textParser {
	nv, hasNull := nullFloat(f)
	nan := conv(math.NaN())
	return func(b []byte) error {
		// The common cell: a plain decimal without spaces, which is not
		// a null word; parseFloatText gives the same value.
		if v, ok := parseFloatFast(b, bits); ok {
			c.Append(conv(v), hasNull && v == nv)
			return nil
		}
		if len(b) == 0 || isNullWord(b) {
			c.Append(nan, true)
			return nil
		}
		v, err := parseFloatText(b, bits)
		if err != nil {
			return err
		}
		c.Append(conv(v), hasNull && v == nv)
		return nil
	}
}

func complexText[T complex64 | complex128](c *Scalar[T], bits int, conv func(r, i float64) T) textParser {
	var parts [2]float64
	return func(b []byte) error {
		if isNullWord(b) {
			c.Append(conv(math.NaN(), math.NaN()), true)
			return nil
		}
		n := 0
		err := splitFields(b, func(w []byte) error {
			if n == 2 {
				return errSyntax
			}
			v, err := parseFloatText(w, bits)
			parts[n] = v
			n++
			return err
		})
		if err != nil || n != 2 {
			return errSyntax
		}
		c.Append(conv(parts[0], parts[1]), false)
		return nil
	}
}

func intArrayText[T int64 | int32 | int16 | uint8](c *Array[T], f *Field, conv func(int64) T) textParser {
	var buf []T
	nv, _ := nullInt(f)
	return func(b []byte) error {
		buf = buf[:0]
		err := splitFields(b, func(w []byte) error {
			if isNullWord(w) || len(w) == 3 && hasPrefixFold(w, "NAN") {
				// A missing element: integer arrays have no per-element
				// nulls, so it takes the VALUES null value (or 0).
				buf = append(buf, conv(nv))
				return nil
			}
			v, err := parseIntText(w)
			buf = append(buf, conv(v))
			return err
		})
		if err != nil {
			return err
		}
		return c.Append(buf, len(buf) == 0)
	}
}

func floatArrayText[T float32 | float64](c *Array[T], bits int, conv func(float64) T) textParser {
	var buf []T
	return func(b []byte) error {
		buf = buf[:0]
		err := splitFields(b, func(w []byte) error {
			v, err := parseFloatText(w, bits)
			buf = append(buf, conv(v))
			return err
		})
		if err != nil {
			return err
		}
		return c.Append(buf, len(buf) == 0)
	}
}

func complexArrayText[T complex64 | complex128](c *Array[T], bits int, conv func(r, i float64) T) textParser {
	var buf []T
	var flo []float64
	return func(b []byte) error {
		buf, flo = buf[:0], flo[:0]
		err := splitFields(b, func(w []byte) error {
			v, err := parseFloatText(w, bits)
			flo = append(flo, v)
			return err
		})
		if err != nil || len(flo)%2 != 0 {
			return errSyntax
		}
		for i := 0; i < len(flo); i += 2 {
			buf = append(buf, conv(flo[i], flo[i+1]))
		}
		return c.Append(buf, len(buf) == 0)
	}
}

func hexPrefixed(b []byte) bool {
	b = trimSpaceBytes(b)
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	return len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')
}
