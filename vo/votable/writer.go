package votable

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"

	asmb64 "github.com/segmentio/asm/base64"
)

// WriteVersion is the VOTable version written; BINARY2 needs 1.3 or later.
const WriteVersion = "1.4"

const votableNS = "http://www.ivoa.net/xml/VOTable/v1.3"

// Write writes doc with every table's data in serialization ser (Binary2
// when ser is SerUnknown). Tables without Columns are written without DATA.
func Write(w io.Writer, doc *Document, ser Serialization) error {
	xw := newXMLWriter(w)
	xw.docStart(doc)
	for _, r := range doc.Resources {
		xw.resource(r, ser)
	}
	for _, i := range doc.InfosAfter {
		xw.info(i, 1)
	}
	xw.raw("</VOTABLE>\n")
	return xw.flush()
}

// WriteTable writes t alone as a VOTable document with one results RESOURCE.
func WriteTable(w io.Writer, t *Table, ser Serialization) error {
	doc := &Document{Resources: []*Resource{{Type: "results", Tables: []*Table{t}}}}
	return Write(w, doc, ser)
}

// TableWriter writes one table whose rows arrive in batches, with constant
// memory: the document head is written by NewTableWriter, rows by
// WriteBatch, the end by Close.
type TableWriter struct {
	xw  *xmlWriter
	t   *Table
	enc rowEncoder
	res *Resource
}

// NewTableWriter starts a document holding res (its INFOs, PARAMs ...,
// written before the table; res may be nil) and the table t (metadata
// only), ready for rows in serialization ser.
func NewTableWriter(w io.Writer, res *Resource, t *Table, ser Serialization) (*TableWriter, error) {
	if res == nil {
		res = &Resource{Type: "results"}
	}
	xw := newXMLWriter(w)
	xw.docStart(&Document{})
	xw.resourceHead(res, 1)
	fields := t.Fields
	tw := &TableWriter{xw: xw, t: t, res: res}
	enc, fields, err := newRowEncoder(xw, fields, nil, ser)
	if err != nil {
		return nil, err
	}
	tw.enc = enc
	xw.tableHead(t, fields, 2)
	enc.start()
	return tw, xw.err
}

// WriteBatch writes the rows of cols (one column per field).
func (tw *TableWriter) WriteBatch(cols []Column) error {
	if len(cols) != len(tw.t.Fields) {
		return fmt.Errorf("votable: %d columns for %d fields", len(cols), len(tw.t.Fields))
	}
	n := 0
	if len(cols) > 0 {
		n = cols[0].Len()
	}
	tw.enc.rows(cols, 0, n)
	return tw.xw.err
}

// Close ends the data, writes the table's InfosAfter and the end of the
// document, and flushes.
func (tw *TableWriter) Close() error {
	tw.enc.end()
	tw.xw.tableTail(tw.t, 2)
	for _, i := range tw.res.InfosAfter {
		tw.xw.info(i, 2)
	}
	tw.xw.raw("  </RESOURCE>\n</VOTABLE>\n")
	return tw.xw.flush()
}

// xmlWriter writes XML with a sticky error.
type xmlWriter struct {
	w   *bufio.Writer
	err error
	buf []byte
}

func newXMLWriter(w io.Writer) *xmlWriter {
	return &xmlWriter{w: bufio.NewWriterSize(w, 256<<10)}
}

func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *xmlWriter) bytes(b []byte) {
	if x.err == nil {
		_, x.err = x.w.Write(b)
	}
}

func (x *xmlWriter) flush() error {
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

func (x *xmlWriter) indent(n int) {
	for i := 0; i < n; i++ {
		x.raw("  ")
	}
}

// attr writes name="value" when value is not empty.
func (x *xmlWriter) attr(name, value string) {
	if value != "" {
		x.attrAlways(name, value)
	}
}

// attrAlways writes name="value", even when value is empty.
func (x *xmlWriter) attrAlways(name, value string) {
	x.buf = append(x.buf[:0], ' ')
	x.buf = append(x.buf, name...)
	x.buf = append(x.buf, '=', '"')
	x.buf = appendEscaped(x.buf, value, true)
	x.buf = append(x.buf, '"')
	x.bytes(x.buf)
}

func (x *xmlWriter) text(s string) {
	x.buf = appendEscaped(x.buf[:0], s, false)
	x.bytes(x.buf)
}

// appendEscaped appends s escaped for XML text or attributes; invalid UTF-8
// and characters XML 1.0 forbids become U+FFFD.
func appendEscaped(dst []byte, s string, inAttr bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '<':
				dst = append(dst, "&lt;"...)
			case c == '>':
				dst = append(dst, "&gt;"...)
			case c == '&':
				dst = append(dst, "&amp;"...)
			case c == '"' && inAttr:
				dst = append(dst, "&quot;"...)
			case (c == '\n' || c == '\r' || c == '\t') && inAttr:
				dst = append(dst, "&#"...)
				dst = strconv.AppendInt(dst, int64(c), 10)
				dst = append(dst, ';')
			case c < 0x20 && c != '\n' && c != '\r' && c != '\t':
				dst = append(dst, "\uFFFD"...)
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

func (x *xmlWriter) docStart(doc *Document) {
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VOTABLE version=\"" + WriteVersion + "\"")
	x.raw(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"" + votableNS + "\"")
	x.attr("ID", doc.ID)
	x.raw(">\n")
	if doc.Description != "" {
		x.description(doc.Description, 1)
	}
	for _, i := range doc.Infos {
		x.info(i, 1)
	}
	if def := doc.Definitions; def != nil {
		for _, c := range def.CooSys {
			x.coosys(c, 1)
		}
		for _, p := range def.Params {
			x.param(p, 1)
		}
	}
	for _, c := range doc.CooSys {
		x.coosys(c, 1)
	}
	for _, t := range doc.TimeSys {
		x.timesys(t, 1)
	}
	for _, g := range doc.Groups {
		x.group(g, 1)
	}
	for _, p := range doc.Params {
		x.param(p, 1)
	}
}

func (x *xmlWriter) description(s string, depth int) {
	x.indent(depth)
	x.raw("<DESCRIPTION>")
	x.text(s)
	x.raw("</DESCRIPTION>\n")
}

func (x *xmlWriter) resourceHead(r *Resource, depth int) {
	x.indent(depth)
	x.raw("<RESOURCE")
	x.attr("ID", r.ID)
	x.attr("name", r.Name)
	x.attr("type", r.Type)
	x.attr("utype", r.Utype)
	x.raw(">\n")
	if r.Description != "" {
		x.description(r.Description, depth+1)
	}
	for _, i := range r.Infos {
		x.info(i, depth+1)
	}
	for _, c := range r.CooSys {
		x.coosys(c, depth+1)
	}
	for _, t := range r.TimeSys {
		x.timesys(t, depth+1)
	}
	for _, g := range r.Groups {
		x.group(g, depth+1)
	}
	for _, p := range r.Params {
		x.param(p, depth+1)
	}
	for _, l := range r.Links {
		x.link(l, depth+1)
	}
	for _, e := range r.Extra {
		x.indent(depth + 1)
		x.raw(e.XML)
		x.raw("\n")
	}
}

func (x *xmlWriter) resource(r *Resource, ser Serialization) {
	x.resourceHead(r, 1)
	for _, t := range r.Tables {
		x.table(t, ser, 2)
	}
	for _, sub := range r.Resources {
		x.resource(sub, ser)
	}
	for _, i := range r.InfosAfter {
		x.info(i, 2)
	}
	x.indent(1)
	x.raw("</RESOURCE>\n")
}

func (x *xmlWriter) table(t *Table, ser Serialization, depth int) {
	if t.Columns == nil {
		x.tableHead(t, t.Fields, depth)
		x.tableTail(t, depth)
		return
	}
	if ser == SerUnknown {
		ser = Binary2
	}
	enc, fields, err := newRowEncoder(x, t.Fields, t.Columns, ser)
	if err != nil {
		if x.err == nil {
			x.err = fmt.Errorf("votable: writing %s: %w", t.Label(), err)
		}
		return
	}
	x.tableHead(t, fields, depth)
	enc.start()
	enc.rows(t.Columns, 0, t.Rows())
	enc.end()
	x.tableTail(t, depth)
}

func (x *xmlWriter) tableHead(t *Table, fields []*Field, depth int) {
	x.indent(depth)
	x.raw("<TABLE")
	x.attr("ID", t.ID)
	x.attr("name", t.Name)
	x.attr("ucd", t.UCD)
	x.attr("utype", t.Utype)
	if t.Columns != nil {
		x.attr("nrows", strconv.Itoa(t.Rows()))
	}
	x.raw(">\n")
	if t.Description != "" {
		x.description(t.Description, depth+1)
	}
	for _, i := range t.Infos {
		x.info(i, depth+1)
	}
	for _, p := range t.Params {
		x.param(p, depth+1)
	}
	for _, f := range fields {
		x.field(f, "FIELD", "", false, depth+1)
	}
	for _, g := range t.Groups {
		x.group(g, depth+1)
	}
	for _, l := range t.Links {
		x.link(l, depth+1)
	}
}

func (x *xmlWriter) tableTail(t *Table, depth int) {
	for _, i := range t.InfosAfter {
		x.info(i, depth+1)
	}
	x.indent(depth)
	x.raw("</TABLE>\n")
}

func (x *xmlWriter) info(i *Info, depth int) {
	x.indent(depth)
	x.raw("<INFO")
	x.attr("ID", i.ID)
	x.attrAlways("name", i.Name)
	x.attrAlways("value", i.Value)
	x.attr("unit", i.Unit)
	x.attr("ucd", i.UCD)
	x.attr("utype", i.Utype)
	x.attr("xtype", i.XType)
	x.attr("ref", i.Ref)
	if i.Content == "" {
		x.raw("/>\n")
		return
	}
	x.raw(">")
	x.text(i.Content)
	x.raw("</INFO>\n")
}

func (x *xmlWriter) field(f *Field, elem, value string, isParam bool, depth int) {
	x.indent(depth)
	x.raw("<" + elem)
	x.attr("ID", f.ID)
	x.attrAlways("name", f.Name)
	x.attrAlways("datatype", f.Datatype.String())
	as := f.Arraysize
	if as == "" && f.Shape != nil {
		as = f.Shape.String()
	}
	x.attr("arraysize", as)
	x.attr("width", f.Width)
	x.attr("precision", f.Precision)
	x.attr("unit", f.Unit)
	x.attr("ucd", f.UCD)
	x.attr("utype", f.Utype)
	x.attr("xtype", f.XType)
	x.attr("ref", f.Ref)
	for _, a := range f.Attrs {
		if a.Name != "datatype" && !fieldAttrs[a.Name] {
			x.attr(a.Name, a.Value)
		}
	}
	if isParam {
		x.attrAlways("value", value)
	}
	if f.Description == "" && f.Values == nil && len(f.Links) == 0 {
		x.raw("/>\n")
		return
	}
	x.raw(">\n")
	if f.Description != "" {
		x.description(f.Description, depth+1)
	}
	if v := f.Values; v != nil {
		x.values(v, depth+1)
	}
	for _, l := range f.Links {
		x.link(l, depth+1)
	}
	x.indent(depth)
	x.raw("</" + elem + ">\n")
}

func (x *xmlWriter) values(v *Values, depth int) {
	x.indent(depth)
	x.raw("<VALUES")
	x.attr("ID", v.ID)
	x.attr("type", v.Type)
	if v.HasNull {
		x.attrAlways("null", v.Null)
	}
	x.attr("ref", v.Ref)
	if v.Min == nil && v.Max == nil && len(v.Options) == 0 {
		x.raw("/>\n")
		return
	}
	x.raw(">\n")
	for _, b := range []struct {
		el string
		b  *Bound
	}{{"MIN", v.Min}, {"MAX", v.Max}} {
		if b.b == nil {
			continue
		}
		x.indent(depth + 1)
		x.raw("<" + b.el)
		x.attrAlways("value", b.b.Value)
		x.attr("inclusive", b.b.Inclusive)
		x.raw("/>\n")
	}
	for _, o := range v.Options {
		x.option(o, depth+1)
	}
	x.indent(depth)
	x.raw("</VALUES>\n")
}

func (x *xmlWriter) option(o *Option, depth int) {
	x.indent(depth)
	x.raw("<OPTION")
	x.attr("name", o.Name)
	x.attrAlways("value", o.Value)
	if len(o.Options) == 0 {
		x.raw("/>\n")
		return
	}
	x.raw(">\n")
	for _, c := range o.Options {
		x.option(c, depth+1)
	}
	x.indent(depth)
	x.raw("</OPTION>\n")
}

func (x *xmlWriter) param(p *Param, depth int) {
	x.field(&p.Field, "PARAM", p.Value, true, depth)
}

func (x *xmlWriter) link(l *Link, depth int) {
	x.indent(depth)
	x.raw("<LINK")
	x.attr("ID", l.ID)
	x.attr("content-role", l.ContentRole)
	x.attr("content-type", l.ContentType)
	x.attr("title", l.Title)
	x.attr("value", l.Value)
	x.attr("href", l.Href)
	x.attr("action", l.Action)
	x.raw("/>\n")
}

func (x *xmlWriter) coosys(c *CooSys, depth int) {
	x.indent(depth)
	x.raw("<COOSYS")
	x.attr("ID", c.ID)
	x.attr("system", c.System)
	x.attr("equinox", c.Equinox)
	x.attr("epoch", c.Epoch)
	x.attr("refposition", c.RefPosition)
	if c.Content == "" {
		x.raw("/>\n")
		return
	}
	x.raw(">")
	x.text(c.Content)
	x.raw("</COOSYS>\n")
}

func (x *xmlWriter) timesys(t *TimeSys, depth int) {
	x.indent(depth)
	x.raw("<TIMESYS")
	x.attr("ID", t.ID)
	x.attr("timeorigin", t.TimeOrigin)
	x.attr("timescale", t.TimeScale)
	x.attr("refposition", t.RefPosition)
	x.raw("/>\n")
}

func (x *xmlWriter) group(g *Group, depth int) {
	x.indent(depth)
	x.raw("<GROUP")
	x.attr("ID", g.ID)
	x.attr("name", g.Name)
	x.attr("ref", g.Ref)
	x.attr("ucd", g.UCD)
	x.attr("utype", g.Utype)
	x.raw(">\n")
	if g.Description != "" {
		x.description(g.Description, depth+1)
	}
	for _, r := range g.FieldRefs {
		x.indent(depth + 1)
		x.raw("<FIELDref")
		x.attr("ref", r.Ref)
		x.attr("ucd", r.UCD)
		x.attr("utype", r.Utype)
		x.raw("/>\n")
	}
	for _, r := range g.ParamRefs {
		x.indent(depth + 1)
		x.raw("<PARAMref")
		x.attr("ref", r.Ref)
		x.attr("ucd", r.UCD)
		x.attr("utype", r.Utype)
		x.raw("/>\n")
	}
	for _, p := range g.Params {
		x.param(p, depth+1)
	}
	for _, sub := range g.Groups {
		x.group(sub, depth+1)
	}
	x.indent(depth)
	x.raw("</GROUP>\n")
}

// rowEncoder writes the DATA of a table.
type rowEncoder interface {
	start()
	rows(cols []Column, from, to int)
	end()
}

// newRowEncoder returns the encoder for ser and the fields to declare
// (for BINARY, integer columns with nulls and no VALUES null get one).
func newRowEncoder(x *xmlWriter, fields []*Field, cols []Column, ser Serialization) (rowEncoder, []*Field, error) {
	switch ser {
	case TableData:
		return &tdEncoder{x: x}, fields, nil
	case Binary, Binary2, SerUnknown:
		two := ser != Binary
		out := fields
		if !two {
			out = binaryNullFields(fields, cols)
		}
		cells := make([]binWriter, len(out))
		for i, f := range out {
			cw, err := newBinWriter(f, !two)
			if err != nil {
				return nil, nil, err
			}
			cells[i] = cw
		}
		return &binEncoder{x: x, two: two, cells: cells, fields: out}, out, nil
	}
	return nil, nil, fmt.Errorf("cannot write %v serialization", ser)
}

// tdEncoder writes TABLEDATA.
type tdEncoder struct {
	x   *xmlWriter
	buf []byte
}

func (e *tdEncoder) start() { e.x.raw("    <DATA><TABLEDATA>\n") }
func (e *tdEncoder) end()   { e.x.raw("    </TABLEDATA></DATA>\n") }

func (e *tdEncoder) rows(cols []Column, from, to int) {
	for i := from; i < to; i++ {
		b := append(e.buf[:0], "<TR>"...)
		for _, c := range cols {
			if c.IsNull(i) {
				b = append(b, "<TD/>"...)
				continue
			}
			b = append(b, "<TD>"...)
			b = appendText(b, c, i)
			b = append(b, "</TD>"...)
		}
		b = append(b, "</TR>\n"...)
		e.buf = b
		if len(b) > 0 {
			e.x.bytes(b)
		}
	}
}

func appendFloat(b []byte, v float64, bits int) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, bits)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 'T')
	}
	return append(b, 'F')
}

// scalarBitTrue is the byte written for a true scalar bit in BINARY and
// BINARY2.
const scalarBitTrue = 0x88

func appendBit(b []byte, v bool) []byte {
	if v {
		return append(b, '1')
	}
	return append(b, '0')
}

// appendText appends the TABLEDATA text of row i of c.
func appendText(b []byte, c Column, i int) []byte {
	switch c := c.(type) {
	case *Strings:
		return appendEscaped(b, bstr(c.Bytes(i)), false)
	case *Scalar[bool]:
		if c.Field().Datatype == Bit {
			return appendBit(b, c.At(i))
		}
		return appendBool(b, c.At(i))
	case *Scalar[uint8]:
		return strconv.AppendInt(b, int64(c.At(i)), 10)
	case *Scalar[int16]:
		return strconv.AppendInt(b, int64(c.At(i)), 10)
	case *Scalar[int32]:
		return strconv.AppendInt(b, int64(c.At(i)), 10)
	case *Scalar[int64]:
		return strconv.AppendInt(b, c.At(i), 10)
	case *Scalar[float32]:
		return appendFloat(b, float64(c.At(i)), 32)
	case *Scalar[float64]:
		return appendFloat(b, c.At(i), 64)
	case *Scalar[complex64]:
		v := c.At(i)
		b = appendFloat(b, float64(real(v)), 32)
		return appendFloat(append(b, ' '), float64(imag(v)), 32)
	case *Scalar[complex128]:
		v := c.At(i)
		b = appendFloat(b, real(v), 64)
		return appendFloat(append(b, ' '), imag(v), 64)
	case *Array[bool]:
		bit := c.Field().Datatype == Bit
		for k, v := range c.At(i) {
			if k > 0 {
				b = append(b, ' ')
			}
			if bit {
				b = appendBit(b, v)
			} else {
				b = appendBool(b, v)
			}
		}
		return b
	case *Array[uint8]:
		return appendInts(b, c.At(i))
	case *Array[int16]:
		return appendInts(b, c.At(i))
	case *Array[int32]:
		return appendInts(b, c.At(i))
	case *Array[int64]:
		return appendInts(b, c.At(i))
	case *Array[float32]:
		for k, v := range c.At(i) {
			if k > 0 {
				b = append(b, ' ')
			}
			b = appendFloat(b, float64(v), 32)
		}
		return b
	case *Array[float64]:
		for k, v := range c.At(i) {
			if k > 0 {
				b = append(b, ' ')
			}
			b = appendFloat(b, v, 64)
		}
		return b
	case *Array[complex64]:
		for k, v := range c.At(i) {
			if k > 0 {
				b = append(b, ' ')
			}
			b = appendFloat(b, float64(real(v)), 32)
			b = appendFloat(append(b, ' '), float64(imag(v)), 32)
		}
		return b
	case *Array[complex128]:
		for k, v := range c.At(i) {
			if k > 0 {
				b = append(b, ' ')
			}
			b = appendFloat(b, real(v), 64)
			b = appendFloat(append(b, ' '), imag(v), 64)
		}
		return b
	}
	return b
}

func appendInts[T uint8 | int16 | int32 | int64](b []byte, vals []T) []byte {
	for k, v := range vals {
		if k > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return b
}

// binaryNullFields gives integer fields that have nulls but no VALUES null
// a null value absent from their data, since BINARY has no null flags.
func binaryNullFields(fields []*Field, cols []Column) []*Field {
	out := fields
	for i, f := range fields {
		if cols == nil || i >= len(cols) || !f.Shape.IsScalar() || !f.Datatype.IsInteger() {
			continue
		}
		if _, ok := nullInt(f); ok {
			continue
		}
		nv, ok := pickNull(cols[i])
		if !ok {
			continue
		}
		if &out[0] == &fields[0] {
			out = append([]*Field(nil), fields...)
		}
		cp := *f
		v := Values{}
		if f.Values != nil {
			v = *f.Values
		}
		v.Null, v.HasNull = strconv.FormatInt(nv, 10), true
		cp.Values = &v
		out[i] = &cp
	}
	return out
}

// pickNull finds a value absent from an integer column that has nulls.
func pickNull(c Column) (int64, bool) {
	var used func(v int64) bool
	var lo, hi int64
	has := false
	switch c := c.(type) {
	case *Scalar[uint8]:
		has, lo, hi = c.HasNulls(), 0, math.MaxUint8
		used = func(v int64) bool { return scalarHas(c, uint8(v)) }
	case *Scalar[int16]:
		has, lo, hi = c.HasNulls(), math.MinInt16, math.MaxInt16
		used = func(v int64) bool { return scalarHas(c, int16(v)) }
	case *Scalar[int32]:
		has, lo, hi = c.HasNulls(), math.MinInt32, math.MaxInt32
		used = func(v int64) bool { return scalarHas(c, int32(v)) }
	case *Scalar[int64]:
		has, lo, hi = c.HasNulls(), math.MinInt64, math.MaxInt64
		used = func(v int64) bool { return scalarHas(c, v) }
	}
	if !has {
		return 0, false
	}
	for _, cand := range []int64{lo, hi, lo + 1, hi - 1, -1, 0} {
		if !used(cand) {
			return cand, true
		}
	}
	return lo, true
}

func scalarHas[T Number](c *Scalar[T], v T) bool {
	for i := 0; i < c.Len(); i++ {
		if !c.IsNull(i) && c.At(i) == v {
			return true
		}
	}
	return false
}

// binWriter appends the BINARY form of one cell.
type binWriter func(b []byte, c Column, i int, null bool) []byte

func newBinWriter(f *Field, magic bool) (binWriter, error) {
	sh := f.Shape
	fixedN := -1
	if sh.Fixed() {
		fixedN = sh.Count()
	}
	nullI, hasNullI := nullInt(f)
	if !magic {
		hasNullI = false
	}
	if f.Datatype.IsString() {
		uni := f.Datatype == UnicodeChar
		return func(b []byte, c Column, i int, null bool) []byte {
			s := c.(*Strings).Bytes(i)
			return appendStringBin(b, s, uni, fixedN)
		}, nil
	}
	scalar := sh.IsScalar()
	switch f.Datatype {
	case Boolean:
		if scalar {
			return func(b []byte, c Column, i int, null bool) []byte {
				switch {
				case null:
					return append(b, '?')
				case c.(*Scalar[bool]).At(i):
					return append(b, 'T')
				}
				return append(b, 'F')
			}, nil
		}
		w := arrayWriter(fixedN, func(b []byte, v bool) []byte { return appendBool(b, v) }, false)
		return func(b []byte, c Column, i int, null bool) []byte {
			if !null {
				return w(b, c, i, null)
			}
			// A null boolean array: '?' elements (the reader's null).
			if fixedN < 0 {
				return binary.BigEndian.AppendUint32(b, 0)
			}
			for k := 0; k < fixedN; k++ {
				b = append(b, '?')
			}
			return b
		}, nil
	case Bit:
		if scalar {
			return func(b []byte, c Column, i int, null bool) []byte {
				// 0x88 is true whoever reads it: MSB-first readers (the
				// standard, STILTS) test 0x80, astropy tests 0x08.
				if !null && c.(*Scalar[bool]).At(i) {
					return append(b, scalarBitTrue)
				}
				return append(b, 0)
			}, nil
		}
		return func(b []byte, c Column, i int, null bool) []byte {
			vals := c.(*Array[bool]).At(i)
			n := len(vals)
			if fixedN >= 0 {
				n = fixedN
			} else {
				b = binary.BigEndian.AppendUint32(b, uint32(n))
			}
			start := len(b)
			for k := 0; k < (n+7)/8; k++ {
				b = append(b, 0)
			}
			for k := 0; k < n && k < len(vals); k++ {
				if vals[k] {
					b[start+k>>3] |= 0x80 >> (uint(k) & 7)
				}
			}
			return b
		}, nil
	case UnsignedByte:
		if scalar {
			return scalarWriter(func(b []byte, v uint8) []byte { return append(b, v) }, uint8(nullI), hasNullI), nil
		}
		return arrayWriter(fixedN, func(b []byte, v uint8) []byte { return append(b, v) }, uint8(0)), nil
	case Short:
		put := func(b []byte, v int16) []byte { return binary.BigEndian.AppendUint16(b, uint16(v)) }
		if scalar {
			return scalarWriter(put, int16(nullI), hasNullI), nil
		}
		return arrayWriter(fixedN, put, int16(0)), nil
	case Int:
		put := func(b []byte, v int32) []byte { return binary.BigEndian.AppendUint32(b, uint32(v)) }
		if scalar {
			return scalarWriter(put, int32(nullI), hasNullI), nil
		}
		return arrayWriter(fixedN, put, int32(0)), nil
	case Long:
		put := func(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }
		if scalar {
			return scalarWriter(put, nullI, hasNullI), nil
		}
		return arrayWriter(fixedN, put, int64(0)), nil
	case Float:
		put := func(b []byte, v float32) []byte { return binary.BigEndian.AppendUint32(b, math.Float32bits(v)) }
		if scalar {
			return scalarWriter(put, float32(math.NaN()), true), nil
		}
		return arrayWriter(fixedN, put, float32(math.NaN())), nil
	case Double:
		put := func(b []byte, v float64) []byte { return binary.BigEndian.AppendUint64(b, math.Float64bits(v)) }
		if scalar {
			return scalarWriter(put, math.NaN(), true), nil
		}
		return arrayWriter(fixedN, put, math.NaN()), nil
	case FloatComplex:
		put := func(b []byte, v complex64) []byte {
			b = binary.BigEndian.AppendUint32(b, math.Float32bits(real(v)))
			return binary.BigEndian.AppendUint32(b, math.Float32bits(imag(v)))
		}
		nan := complex(float32(math.NaN()), float32(math.NaN()))
		if scalar {
			return scalarWriter(put, nan, true), nil
		}
		return arrayWriter(fixedN, put, nan), nil
	case DoubleComplex:
		put := func(b []byte, v complex128) []byte {
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(real(v)))
			return binary.BigEndian.AppendUint64(b, math.Float64bits(imag(v)))
		}
		nan := complex(math.NaN(), math.NaN())
		if scalar {
			return scalarWriter(put, nan, true), nil
		}
		return arrayWriter(fixedN, put, nan), nil
	}
	return nil, fmt.Errorf("field %q: cannot write datatype %v", f.Name, f.Datatype)
}

// scalarWriter writes a scalar; a null cell gets nullV when useNull.
func scalarWriter[T Number](put func([]byte, T) []byte, nullV T, useNull bool) binWriter {
	return func(b []byte, c Column, i int, null bool) []byte {
		if null && useNull {
			return put(b, nullV)
		}
		return put(b, c.(*Scalar[T]).At(i))
	}
}

// arrayWriter writes an array cell: fixed arrays padded with pad or cut to
// fixedN elements, variable ones behind their count.
func arrayWriter[T Number](fixedN int, put func([]byte, T) []byte, pad T) binWriter {
	return func(b []byte, c Column, i int, null bool) []byte {
		vals := c.(*Array[T]).At(i)
		if fixedN < 0 {
			b = binary.BigEndian.AppendUint32(b, uint32(len(vals)))
			for _, v := range vals {
				b = put(b, v)
			}
			return b
		}
		for k := 0; k < fixedN; k++ {
			if k < len(vals) {
				b = put(b, vals[k])
			} else {
				b = put(b, pad)
			}
		}
		return b
	}
}

// appendStringBin writes char (bytes) or unicodeChar (UCS-2 big-endian)
// cells: fixed ones padded with NULs or cut to fixedN characters, variable
// ones behind their count.
func appendStringBin(b, s []byte, uni bool, fixedN int) []byte {
	if !uni {
		if fixedN < 0 {
			b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
			return append(b, s...)
		}
		if len(s) > fixedN {
			s = s[:fixedN]
		}
		b = append(b, s...)
		for k := len(s); k < fixedN; k++ {
			b = append(b, 0)
		}
		return b
	}
	var units []uint16
	for _, r := range bstr(s) {
		units = utf16.AppendRune(units, r)
	}
	if fixedN < 0 {
		b = binary.BigEndian.AppendUint32(b, uint32(len(units)))
	} else {
		if len(units) > fixedN {
			units = units[:fixedN]
		}
		for len(units) < fixedN {
			units = append(units, 0)
		}
	}
	for _, u := range units {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}

// binEncoder writes BINARY or BINARY2 as base64 lines. The rows are
// serialized on the caller's goroutine; each line's bytes are then base64
// encoded and written by a goroutine of the encoder (the lines are those a
// single goroutine writes), which owns the xmlWriter from start to end.
type binEncoder struct {
	x     *xmlWriter
	two   bool
	cells []binWriter
	raw   []byte
	pipe  chan []byte // raw bytes of whole lines, to encode and write
	back  chan []byte // raw buffers to reuse
	done  chan struct{}
	werr  atomic.Pointer[error] // the writing goroutine's error
	// fields are those written (their datatypes), for the column by
	// column path of rows.
	fields []*Field
}

const binFlushSize = 57 * 1024 // a multiple of 3: whole base64 quads

func (e *binEncoder) start() {
	if e.two {
		e.x.raw("    <DATA><BINARY2><STREAM encoding=\"base64\">\n")
	} else {
		e.x.raw("    <DATA><BINARY><STREAM encoding=\"base64\">\n")
	}
	e.pipe = make(chan []byte, 4)
	e.back = make(chan []byte, 6)
	e.done = make(chan struct{})
	go e.write()
}

// write encodes and writes the lines handed over through pipe.
func (e *binEncoder) write() {
	defer close(e.done)
	var out []byte
	var failed error
	for raw := range e.pipe {
		enc := base64.StdEncoding.EncodedLen(len(raw))
		if cap(out) < enc+1 {
			out = make([]byte, enc+1)
		}
		out = out[:enc+1]
		asmb64.StdEncoding.Encode(out, raw) // vectorised (see decodeBase64)
		out[enc] = '\n'
		if failed == nil {
			if _, err := e.x.w.Write(out); err != nil {
				failed = err
				e.werr.Store(&err)
			}
		}
		select {
		case e.back <- raw[:0]:
		default:
		}
	}
}

func (e *binEncoder) rows(cols []Column, from, to int) {
	nflag := (len(cols) + 7) / 8
	rowSize := -1
	if e.fields != nil && binBulkWrite {
		rowSize = bulkRowSize(e.fields, cols, e.two)
	}
	for i := from; i < to; {
		if rowSize > 0 {
			// Rows up to the one that fills the line (as one row at a
			// time would), within one storage chunk: column by column
			// when no cell of them is null.
			k := min(to-i, chunkRows-i&chunkMask, max(1, (binFlushSize-len(e.raw)+rowSize-1)/rowSize))
			if e.bulkRows(cols, i, k, rowSize, nflag) {
				i += k
				if len(e.raw) >= binFlushSize {
					e.flush(false)
				}
				continue
			}
		}
		fl := len(e.raw)
		if e.two {
			for k := 0; k < nflag; k++ {
				e.raw = append(e.raw, 0)
			}
		}
		for j, c := range cols {
			null := c.IsNull(i)
			if null && e.two {
				e.raw[fl+j>>3] |= 0x80 >> (uint(j) & 7)
			}
			e.raw = e.cells[j](e.raw, c, i, null)
		}
		if len(e.raw) >= binFlushSize {
			e.flush(false)
		}
		i++
	}
}

// binBulkWrite enables the column by column path; tests turn it off to
// compare.
var binBulkWrite = true

// bulkRowSize is the row size (flags included) when every column is a
// numeric scalar of its field's own type, which bulkRows writes; else -1.
func bulkRowSize(fields []*Field, cols []Column, two bool) int {
	n := 0
	if two {
		n = (len(cols) + 7) / 8
	}
	if len(fields) != len(cols) {
		return -1
	}
	for j, c := range cols {
		f := fields[j]
		if !f.Shape.IsScalar() {
			return -1
		}
		var size int
		switch c.(type) {
		case *Scalar[uint8]:
			size = sizeIf(f.Datatype == UnsignedByte, 1)
		case *Scalar[int16]:
			size = sizeIf(f.Datatype == Short, 2)
		case *Scalar[int32]:
			size = sizeIf(f.Datatype == Int, 4)
		case *Scalar[int64]:
			size = sizeIf(f.Datatype == Long, 8)
		case *Scalar[float32]:
			size = sizeIf(f.Datatype == Float, 4)
		case *Scalar[float64]:
			size = sizeIf(f.Datatype == Double, 8)
		}
		if size == 0 {
			return -1
		}
		n += size
	}
	return n
}

func sizeIf(ok bool, n int) int {
	if ok {
		return n
	}
	return 0
}

// span returns rows [first, first+k) when they are in one chunk and none
// is null.
func (c *Scalar[T]) span(first, k int) ([]T, bool) {
	ci, ri := first>>chunkShift, first&chunkMask
	if ri+k > chunkRows || c.nulls[ci] != nil {
		return nil, false
	}
	return c.chunks[ci][ri : ri+k], true
}

// bulkRows appends rows [first, first+k) column by column (see
// bulkRowSize), the bytes one row at a time writes when no cell is null;
// false, with nothing written, when a cell is null.
func (e *binEncoder) bulkRows(cols []Column, first, k, rowSize, nflag int) bool {
	for _, c := range cols {
		if c.(interface{ hasNullIn(first, k int) bool }).hasNullIn(first, k) {
			return false
		}
	}
	start := len(e.raw)
	e.raw = slices.Grow(e.raw, k*rowSize)[:start+k*rowSize]
	b := e.raw[start:]
	if e.two {
		for r := 0; r < k; r++ {
			clear(b[r*rowSize : r*rowSize+nflag])
		}
	}
	off := 0
	if e.two {
		off = nflag
	}
	for _, c := range cols {
		switch c := c.(type) {
		case *Scalar[uint8]:
			v, _ := c.span(first, k)
			for r, x := range v {
				b[r*rowSize+off] = x
			}
			off++
		case *Scalar[int16]:
			v, _ := c.span(first, k)
			for r, x := range v {
				binary.BigEndian.PutUint16(b[r*rowSize+off:], uint16(x))
			}
			off += 2
		case *Scalar[int32]:
			v, _ := c.span(first, k)
			for r, x := range v {
				binary.BigEndian.PutUint32(b[r*rowSize+off:], uint32(x))
			}
			off += 4
		case *Scalar[int64]:
			v, _ := c.span(first, k)
			for r, x := range v {
				binary.BigEndian.PutUint64(b[r*rowSize+off:], uint64(x))
			}
			off += 8
		case *Scalar[float32]:
			v, _ := c.span(first, k)
			for r, x := range v {
				binary.BigEndian.PutUint32(b[r*rowSize+off:], math.Float32bits(x))
			}
			off += 4
		case *Scalar[float64]:
			v, _ := c.span(first, k)
			for r, x := range v {
				binary.BigEndian.PutUint64(b[r*rowSize+off:], math.Float64bits(x))
			}
			off += 8
		}
	}
	return true
}

// hasNullIn reports whether a row of [first, first+k), within one chunk,
// is null (or the rows are not within one chunk).
func (c *Scalar[T]) hasNullIn(first, k int) bool {
	_, ok := c.span(first, k)
	return !ok
}

// flush hands the whole quads of raw (everything when final) to the
// writing goroutine.
func (e *binEncoder) flush(final bool) {
	n := len(e.raw) / 3 * 3
	if final {
		n = len(e.raw)
	}
	if n == 0 {
		return
	}
	var next []byte
	select {
	case next = <-e.back:
	default:
		next = make([]byte, 0, 2*binFlushSize)
	}
	next = append(next, e.raw[n:]...)
	e.pipe <- e.raw[:n]
	e.raw = next
	if err := e.werr.Load(); err != nil && e.x.err == nil {
		e.x.err = *err
	}
}

func (e *binEncoder) end() {
	e.flush(true)
	close(e.pipe)
	<-e.done
	if err := e.werr.Load(); err != nil && e.x.err == nil {
		e.x.err = *err
	}
	if e.two {
		e.x.raw("    </STREAM></BINARY2></DATA>\n")
	} else {
		e.x.raw("    </STREAM></BINARY></DATA>\n")
	}
}
