package votable

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/fits"
)

// ReadFITS reads the first BINTABLE of the FITS file r into a table (see
// FromFITS). size is the number of bytes of r when known (0 if not): the
// sizes the header declares are checked against it before allocating.
func ReadFITS(ctx context.Context, r io.Reader, size int64) (*Table, error) {
	ft, err := fits.Read(ctx, r, fits.Options{Size: size})
	if err != nil {
		return nil, fmt.Errorf("reading FITS table: %w", err)
	}
	return FromFITS(ctx, ft)
}

// FromFITS turns a FITS binary table into a table: one field per column
// (TTYPE as name, TUNIT, TUCD, TCOMM as description, TDISP as width and
// precision, TDIM as arraysize), with these datatypes: L boolean, X bit,
// B unsignedByte, I short, J int, K long, E float, D double, C
// floatComplex, M doubleComplex, A char; signed bytes (TZERO = -128)
// short, unsigned 16- and 32-bit integers int and long, unsigned 64-bit
// integers double (exact up to 2^53); integers scaled by TSCAL/TZERO
// double (TNULL elements NaN); variable-length arrays (P, Q) arraysize
// "*". A scalar integer equal to TNULL or a logical neither T nor F is
// null; TNULL becomes the field's VALUES null. Columns of repeat count 0
// hold nothing and are left out. The metadata of a STIL fits-plus file
// (its primary HDU's VOTable) fills in UCDs, utypes, descriptions and the
// table's PARAMs.
func FromFITS(ctx context.Context, ft *fits.Table) (*Table, error) {
	t := &Table{Name: ft.Name, NRows: int64(ft.Rows), Serialization: Binary2}
	var cols []*fits.Column
	for _, c := range ft.Columns {
		if c.Repeat == 0 && !c.Variable() {
			continue
		}
		f, err := fitsField(c)
		if err != nil {
			return nil, err
		}
		col, err := NewColumn(f)
		if err != nil {
			return nil, err
		}
		t.Fields = append(t.Fields, f)
		t.Columns = append(t.Columns, col)
		cols = append(cols, c)
	}
	if ft.Meta != nil {
		applyFITSMeta(ctx, t, ft.Meta)
	}
	var (
		bs []bool
		is []int64
		us []uint64
		fs []float64
		cs []complex128
	)
	for row := 0; row < ft.Rows; row++ {
		if row&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for j, c := range cols {
			null := ft.IsNull(row, c)
			var err error
			switch col := t.Columns[j].(type) {
			case *Strings:
				var s string
				if s, err = ft.String(row, c); err == nil {
					err = col.AppendString(s, false)
				}
			case *Scalar[bool]:
				if bs, err = ft.Bools(row, c, bs); err == nil {
					col.Append(bs[0], null)
				}
			case *Array[bool]:
				if bs, err = ft.Bools(row, c, bs); err == nil {
					err = col.Append(bs, false)
				}
			case *Scalar[uint8]:
				if is, err = ft.Ints(row, c, is); err == nil {
					col.Append(uint8(is[0]), null)
				}
			case *Scalar[int16]:
				if is, err = ft.Ints(row, c, is); err == nil {
					col.Append(int16(is[0]), null)
				}
			case *Scalar[int32]:
				if is, err = ft.Ints(row, c, is); err == nil {
					col.Append(int32(is[0]), null)
				}
			case *Scalar[int64]:
				if is, err = ft.Ints(row, c, is); err == nil {
					col.Append(is[0], null)
				}
			case *Array[uint8]:
				if is, err = ft.Ints(row, c, is); err == nil {
					err = appendConv(col, is)
				}
			case *Array[int16]:
				if is, err = ft.Ints(row, c, is); err == nil {
					err = appendConv(col, is)
				}
			case *Array[int32]:
				if is, err = ft.Ints(row, c, is); err == nil {
					err = appendConv(col, is)
				}
			case *Array[int64]:
				if is, err = ft.Ints(row, c, is); err == nil {
					err = col.Append(is, false)
				}
			case *Scalar[float32]:
				if fs, err = ft.Floats(row, c, fs); err == nil {
					col.Append(float32(fs[0]), null)
				}
			case *Array[float32]:
				if fs, err = ft.Floats(row, c, fs); err == nil {
					err = appendConv(col, fs)
				}
			case *Scalar[float64]:
				if c.Kind() == fits.KindUint {
					if us, err = ft.Uints(row, c, us); err == nil {
						col.Append(float64(us[0]), null)
					}
				} else if fs, err = ft.Floats(row, c, fs); err == nil {
					col.Append(fs[0], null)
				}
			case *Array[float64]:
				if c.Kind() == fits.KindUint {
					if us, err = ft.Uints(row, c, us); err == nil {
						fs = fs[:0]
						for _, u := range us {
							fs = append(fs, float64(u))
						}
						err = col.Append(fs, false)
					}
				} else if fs, err = ft.Floats(row, c, fs); err == nil {
					err = col.Append(fs, false)
				}
			case *Scalar[complex64]:
				if cs, err = ft.Complexes(row, c, cs); err == nil {
					col.Append(complex64(cs[0]), null)
				}
			case *Array[complex64]:
				if cs, err = ft.Complexes(row, c, cs); err == nil {
					err = appendConv(col, cs)
				}
			case *Scalar[complex128]:
				if cs, err = ft.Complexes(row, c, cs); err == nil {
					col.Append(cs[0], null)
				}
			case *Array[complex128]:
				if cs, err = ft.Complexes(row, c, cs); err == nil {
					err = col.Append(cs, false)
				}
			default:
				err = fmt.Errorf("no conversion to %T", col)
			}
			if err != nil {
				return nil, fmt.Errorf("FITS table row %d, column %q: %w", row+1, t.Fields[j].Name, err)
			}
		}
	}
	Compact(t)
	return t, nil
}

// appendConv appends vals converted to T.
func appendConv[T, S Number](col *Array[T], vals []S) error {
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = convNumber[T](v)
	}
	return col.Append(out, false)
}

func convNumber[T, S Number](v S) T {
	var t T
	switch p := any(&t).(type) {
	case *uint8:
		*p = uint8(toInt(v))
	case *int16:
		*p = int16(toInt(v))
	case *int32:
		*p = int32(toInt(v))
	case *int64:
		*p = toInt(v)
	case *float32:
		*p = float32(toFloat(v))
	case *float64:
		*p = toFloat(v)
	case *complex64:
		*p = complex64(toComplex(v))
	case *complex128:
		*p = toComplex(v)
	}
	return t
}

func toInt[S Number](v S) int64 {
	if x, ok := any(v).(int64); ok {
		return x
	}
	return int64(toFloat(v))
}

func toFloat[S Number](v S) float64 {
	switch x := any(v).(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case complex128:
		return real(x)
	}
	return 0
}

func toComplex[S Number](v S) complex128 {
	if x, ok := any(v).(complex128); ok {
		return x
	}
	return complex(toFloat(v), 0)
}

// fitsField describes a FITS column as a field.
func fitsField(c *fits.Column) (*Field, error) {
	f := &Field{Name: c.Name, Unit: c.Unit, UCD: c.UCD, Description: c.Comment}
	if f.Name == "" {
		f.Name = "col" + strconv.Itoa(c.Index+1)
	}
	switch c.Kind() {
	case fits.KindBool:
		f.Datatype = Boolean
		if c.Elem == 'X' {
			f.Datatype = Bit
		}
	case fits.KindInt:
		f.Datatype = map[byte]Datatype{'B': UnsignedByte, 'I': Short, 'J': Int, 'K': Long}[c.Elem]
		if c.Offset {
			f.Datatype = map[byte]Datatype{'B': Short, 'I': Int, 'J': Long}[c.Elem]
		}
		if v, ok := c.NullValue(); ok {
			f.Values = &Values{Null: strconv.FormatInt(v, 10), HasNull: true}
		}
	case fits.KindUint:
		f.Datatype = Double
	case fits.KindFloat:
		f.Datatype = Double
		if c.Elem == 'E' && !c.Scaled {
			f.Datatype = Float
		}
	case fits.KindComplex:
		f.Datatype = FloatComplex
		if c.Elem == 'M' {
			f.Datatype = DoubleComplex
		}
	case fits.KindString:
		f.Datatype = Char
	}
	switch {
	case c.Variable():
		f.Arraysize = "*"
	case len(c.Dims) > 0 && (len(c.Dims) > 1 || c.Kind() != fits.KindString):
		ds := make([]string, len(c.Dims))
		for i, d := range c.Dims {
			ds[i] = strconv.Itoa(d)
		}
		f.Arraysize = strings.Join(ds, "x")
	case c.Kind() == fits.KindString || c.Repeat != 1:
		f.Arraysize = strconv.Itoa(c.Repeat)
	}
	if f.Arraysize == "1" && c.Kind() != fits.KindString {
		f.Arraysize = ""
	}
	var err error
	if f.Shape, err = ParseShape(f.Arraysize); err != nil {
		return nil, fmt.Errorf("FITS column %d (%s): %w", c.Index+1, f.Name, err)
	}
	f.Width, f.Precision = tdisp(c.Disp)
	return f, nil
}

// tdisp maps a TDISPn (Fw.d, Ew.d, Dw.d, Gw.d, Iw, Aw ...) to a VOTable
// width and precision.
func tdisp(s string) (width, precision string) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "", ""
	}
	code := s[0]
	rest := strings.TrimLeft(s[1:], "NS") // EN, ES
	w, d, _ := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(w); err == nil {
		width = w
	}
	if _, err := strconv.Atoi(d); err == nil {
		switch code {
		case 'F':
			precision = d
		case 'E', 'D', 'G':
			precision = "E" + d
		}
	}
	return width, precision
}

// applyFITSMeta completes t's metadata with the VOTable of a fits-plus
// primary HDU, matching fields by name. A document that cannot be read is
// ignored: the FITS cards stand alone.
func applyFITSMeta(ctx context.Context, t *Table, meta []byte) {
	doc, err := ReadContext(ctx, bytes.NewReader(meta))
	if err != nil {
		return
	}
	tabs := doc.Tables()
	if len(tabs) == 0 {
		return
	}
	mt := tabs[0]
	if t.Name == "" {
		t.Name = mt.Name
	}
	t.ID, t.Description, t.UCD, t.Utype = mt.ID, mt.Description, mt.UCD, mt.Utype
	t.Params, t.Infos, t.Groups, t.Links = mt.Params, mt.Infos, mt.Groups, mt.Links
	for i, f := range t.Fields {
		j := -1
		if i < len(mt.Fields) && mt.Fields[i].Name == f.Name {
			j = i
		} else {
			j = mt.FieldByName(f.Name)
		}
		if j < 0 {
			continue
		}
		m := mt.Fields[j]
		f.ID, f.Utype, f.XType, f.Ref, f.Links = m.ID, m.Utype, m.XType, m.Ref, m.Links
		if f.UCD == "" {
			f.UCD = m.UCD
		}
		if f.Unit == "" {
			f.Unit = m.Unit
		}
		if f.Description == "" {
			f.Description = m.Description
		}
	}
}

// inputSize is the number of bytes left in r when r can tell (a regular
// file, an in-memory reader), else 0.
func inputSize(r io.Reader) int64 {
	switch x := r.(type) {
	case *os.File:
		st, err := x.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return 0
		}
		pos, err := x.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0
		}
		return st.Size() - pos
	case *bytes.Reader:
		return int64(x.Len())
	case *strings.Reader:
		return int64(x.Len())
	}
	return 0
}
