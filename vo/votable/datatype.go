package votable

import (
	"fmt"
	"strconv"
	"strings"
)

// Datatype is a VOTable primitive datatype.
type Datatype uint8

// The VOTable datatypes (§2.1).
const (
	TypeUnknown Datatype = iota
	Boolean
	Bit
	UnsignedByte
	Short
	Int
	Long
	Char
	UnicodeChar
	Float
	Double
	FloatComplex
	DoubleComplex
)

var datatypeNames = [...]string{"", "boolean", "bit", "unsignedByte", "short", "int", "long", "char",
	"unicodeChar", "float", "double", "floatComplex", "doubleComplex"}

func (d Datatype) String() string {
	if int(d) < len(datatypeNames) {
		return datatypeNames[d]
	}
	return "Datatype(" + strconv.Itoa(int(d)) + ")"
}

// ParseDatatype maps a datatype attribute to a Datatype. It accepts the
// standard names case-insensitively and a few spellings seen in the wild
// ("string" for char, "integer" for int).
func ParseDatatype(s string) (Datatype, error) {
	ls := lower(trimSpace(s))
	for i, n := range datatypeNames {
		if i > 0 && lower(n) == ls {
			return Datatype(i), nil
		}
	}
	switch ls {
	case "string":
		return Char, nil
	case "integer":
		return Int, nil
	case "unicodestring":
		return UnicodeChar, nil
	case "byte":
		return UnsignedByte, nil
	}
	return TypeUnknown, fmt.Errorf("unknown datatype %q", s)
}

// Size is the number of bytes of one element in BINARY serialization (bits
// are packed: Size reports 0).
func (d Datatype) Size() int {
	switch d {
	case Boolean, UnsignedByte, Char:
		return 1
	case Short, UnicodeChar:
		return 2
	case Int, Float:
		return 4
	case Long, Double, FloatComplex:
		return 8
	case DoubleComplex:
		return 16
	}
	return 0
}

// IsString reports whether arrays of d are strings (char, unicodeChar).
func (d Datatype) IsString() bool { return d == Char || d == UnicodeChar }

// IsInteger reports whether d is an integer type.
func (d Datatype) IsInteger() bool {
	return d == UnsignedByte || d == Short || d == Int || d == Long
}

// Shape is a parsed arraysize: dimensions with the first varying fastest.
// Only the last dimension may be variable.
type Shape struct {
	Dims []int
	// Variable is true for "*" or "N*" in the last dimension; Dims' last
	// element is then the upper bound, or 0 for unbounded.
	Variable bool
}

// maxFixedElements bounds the element count of a fixed arraysize: a
// claim beyond it (a 10 GB arraysize in a 1 kB file) is rejected instead of
// being allocated.
const maxFixedElements = 1 << 28

// ParseShape parses an arraysize attribute ("", "1", "8", "10*", "*",
// "3x4", "2x3x*"). An empty string gives nil (a scalar).
func ParseShape(s string) (*Shape, error) {
	s = trimSpace(s)
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, "x")
	sh := &Shape{Dims: make([]int, len(parts))}
	total := 1
	for i, p := range parts {
		p = trimSpace(p)
		if strings.HasSuffix(p, "*") {
			if i != len(parts)-1 {
				return nil, fmt.Errorf("arraysize %q: only the last dimension may be variable", s)
			}
			sh.Variable = true
			p = strings.TrimSuffix(p, "*")
			if p == "" {
				sh.Dims[i] = 0
				continue
			}
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("arraysize %q: bad dimension %q", s, p)
		}
		sh.Dims[i] = n
		if !(sh.Variable && i == len(parts)-1) {
			if n > 0 && total > maxFixedElements/n {
				return nil, fmt.Errorf("arraysize %q: more than %d elements", s, maxFixedElements)
			}
			total *= n
		}
	}
	return sh, nil
}

// Fixed reports whether every dimension is fixed.
func (s *Shape) Fixed() bool { return s == nil || !s.Variable }

// Count is the number of elements of a fixed shape (1 for a scalar). For a
// variable shape it is the product of the fixed dimensions (the size of one
// step of the variable last dimension).
func (s *Shape) Count() int {
	if s == nil {
		return 1
	}
	n := 1
	last := len(s.Dims) - 1
	for i, d := range s.Dims {
		if s.Variable && i == last {
			continue
		}
		n *= d
	}
	return n
}

// IsScalar reports whether the shape holds exactly one element.
func (s *Shape) IsScalar() bool {
	return s == nil || (!s.Variable && len(s.Dims) == 1 && s.Dims[0] == 1)
}

func (s *Shape) String() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	for i, d := range s.Dims {
		if i > 0 {
			b.WriteByte('x')
		}
		if s.Variable && i == len(s.Dims)-1 {
			if d > 0 {
				b.WriteString(strconv.Itoa(d))
			}
			b.WriteByte('*')
			continue
		}
		b.WriteString(strconv.Itoa(d))
	}
	return b.String()
}
