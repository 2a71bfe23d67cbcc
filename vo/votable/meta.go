package votable

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// attr returns the value of the attribute with local name n.
func attr(se xml.StartElement, n string) string {
	for _, a := range se.Attr {
		if a.Name.Local == n {
			return a.Value
		}
	}
	return ""
}

// text reads the character data of the element just started, up to its
// end; nested elements are skipped.
func (d *Decoder) text() (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := d.x.Token()
		if err != nil {
			return "", d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				b.Write(tok)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		}
	}
}

func (d *Decoder) info(se xml.StartElement) (*Info, error) {
	i := &Info{Name: attr(se, "name"), ID: attr(se, "ID"), Value: attr(se, "value"), Unit: attr(se, "unit"),
		UCD: attr(se, "ucd"), Utype: attr(se, "utype"), Ref: attr(se, "ref"), XType: attr(se, "xtype")}
	s, err := d.text()
	if err != nil {
		return nil, err
	}
	i.Content = s
	return i, nil
}

// fieldAttrs are the FIELD/PARAM attributes modelled by Field.
var fieldAttrs = map[string]bool{"name": true, "ID": true, "ucd": true, "utype": true, "unit": true, "ref": true,
	"datatype": true, "arraysize": true, "width": true, "precision": true, "xtype": true, "value": true}

// fieldHead fills f from a FIELD or PARAM start element.
func fieldHead(f *Field, se xml.StartElement) {
	for _, a := range se.Attr {
		v := a.Value
		switch a.Name.Local {
		case "name":
			f.Name = v
		case "ID":
			f.ID = v
		case "ucd":
			f.UCD = v
		case "utype":
			f.Utype = v
		case "unit":
			f.Unit = v
		case "ref":
			f.Ref = v
		case "datatype":
			var err error
			if f.Datatype, err = ParseDatatype(v); err != nil {
				// Kept so that the error (raised once the table needs
				// the field) can name it.
				f.Attrs = append(f.Attrs, Attr{Name: "datatype", Value: v})
			}
		case "arraysize":
			f.Arraysize = v
		case "width":
			f.Width = v
		case "precision":
			f.Precision = v
		case "xtype":
			f.XType = v
		case "value":
		default:
			if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
				continue
			}
			f.Attrs = append(f.Attrs, Attr{Name: a.Name.Local, Value: v})
		}
	}
}

// fieldBody reads the children of a FIELD or PARAM.
func (d *Decoder) fieldBody(f *Field) error {
	for {
		tok, err := d.x.Token()
		if err != nil {
			return d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			switch tok.Name.Local {
			case "DESCRIPTION":
				if f.Description, err = d.text(); err != nil {
					return err
				}
			case "VALUES":
				v, err := d.values(tok)
				if err != nil {
					return err
				}
				f.Values = v
			case "LINK":
				l, err := d.link(tok)
				if err != nil {
					return err
				}
				f.Links = append(f.Links, l)
			default:
				if err := d.x.Skip(); err != nil {
					return d.syntax(err)
				}
			}
		}
	}
}

func (d *Decoder) field(se xml.StartElement) (*Field, error) {
	f := &Field{}
	fieldHead(f, se)
	if err := d.fieldBody(f); err != nil {
		return nil, err
	}
	if f.Datatype == TypeUnknown && attr(se, "datatype") == "" {
		// Lenient: a FIELD without datatype is read as a string.
		f.Datatype = Char
		if f.Arraysize == "" {
			f.Arraysize = "*"
		}
	}
	sh, err := ParseShape(f.Arraysize)
	if err != nil {
		return nil, fmt.Errorf("votable: field %q: %w", f.Name, err)
	}
	f.Shape = sh
	return f, nil
}

func (d *Decoder) param(se xml.StartElement) (*Param, error) {
	p := &Param{Value: attr(se, "value")}
	fieldHead(&p.Field, se)
	if err := d.fieldBody(&p.Field); err != nil {
		return nil, err
	}
	if p.Datatype == TypeUnknown {
		p.Datatype = Char
	}
	// Lenient: a PARAM's value is kept as text, so a wrong arraysize
	// loses nothing.
	p.Shape, _ = ParseShape(p.Arraysize)
	return p, nil
}

func (d *Decoder) values(se xml.StartElement) (*Values, error) {
	v := &Values{ID: attr(se, "ID"), Type: attr(se, "type"), Ref: attr(se, "ref")}
	for _, a := range se.Attr {
		if a.Name.Local == "null" {
			v.Null, v.HasNull = a.Value, true
		}
	}
	for {
		tok, err := d.x.Token()
		if err != nil {
			return nil, d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return v, nil
		case xml.StartElement:
			switch tok.Name.Local {
			case "MIN", "MAX":
				b := &Bound{Value: attr(tok, "value"), Inclusive: attr(tok, "inclusive")}
				if tok.Name.Local == "MIN" {
					v.Min = b
				} else {
					v.Max = b
				}
				if err := d.x.Skip(); err != nil {
					return nil, d.syntax(err)
				}
			case "OPTION":
				o, err := d.option(tok)
				if err != nil {
					return nil, err
				}
				v.Options = append(v.Options, o)
			default:
				if err := d.x.Skip(); err != nil {
					return nil, d.syntax(err)
				}
			}
		}
	}
}

func (d *Decoder) option(se xml.StartElement) (*Option, error) {
	o := &Option{Name: attr(se, "name"), Value: attr(se, "value")}
	for {
		tok, err := d.x.Token()
		if err != nil {
			return nil, d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return o, nil
		case xml.StartElement:
			if tok.Name.Local == "OPTION" {
				c, err := d.option(tok)
				if err != nil {
					return nil, err
				}
				o.Options = append(o.Options, c)
			} else if err := d.x.Skip(); err != nil {
				return nil, d.syntax(err)
			}
		}
	}
}

func (d *Decoder) link(se xml.StartElement) (*Link, error) {
	l := &Link{ID: attr(se, "ID"), ContentRole: attr(se, "content-role"), ContentType: attr(se, "content-type"),
		Title: attr(se, "title"), Value: attr(se, "value"), Href: attr(se, "href"), Action: attr(se, "action")}
	if err := d.x.Skip(); err != nil {
		return nil, d.syntax(err)
	}
	return l, nil
}

func (d *Decoder) coosys(se xml.StartElement) (*CooSys, error) {
	c := &CooSys{ID: attr(se, "ID"), System: attr(se, "system"), Equinox: attr(se, "equinox"),
		Epoch: attr(se, "epoch"), RefPosition: attr(se, "refposition")}
	s, err := d.text()
	if err != nil {
		return nil, err
	}
	c.Content = strings.TrimSpace(s)
	return c, nil
}

// group reads a GROUP and the GROUPs nested in it with an explicit stack
// (no recursion: the depth is bounded by the XML guard only).
func (d *Decoder) group(se xml.StartElement) (*Group, error) {
	newGroup := func(se xml.StartElement) *Group {
		return &Group{Name: attr(se, "name"), ID: attr(se, "ID"), Ref: attr(se, "ref"), UCD: attr(se, "ucd"), Utype: attr(se, "utype")}
	}
	stack := []*Group{newGroup(se)}
	for {
		g := stack[len(stack)-1]
		tok, err := d.x.Token()
		if err != nil {
			return nil, d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			if len(stack) == 1 {
				return g, nil
			}
			stack = stack[:len(stack)-1]
		case xml.StartElement:
			switch tok.Name.Local {
			case "DESCRIPTION":
				if g.Description, err = d.text(); err != nil {
					return nil, err
				}
			case "FIELDref", "PARAMref":
				r := &FieldRef{Ref: attr(tok, "ref"), UCD: attr(tok, "ucd"), Utype: attr(tok, "utype")}
				if tok.Name.Local == "FIELDref" {
					g.FieldRefs = append(g.FieldRefs, r)
				} else {
					g.ParamRefs = append(g.ParamRefs, r)
				}
				if err := d.x.Skip(); err != nil {
					return nil, d.syntax(err)
				}
			case "PARAM":
				p, err := d.param(tok)
				if err != nil {
					return nil, err
				}
				g.Params = append(g.Params, p)
			case "GROUP":
				sub := newGroup(tok)
				g.Groups = append(g.Groups, sub)
				stack = append(stack, sub)
			default:
				if err := d.x.Skip(); err != nil {
					return nil, d.syntax(err)
				}
			}
		}
	}
}

// raw captures an unknown element verbatim (re-encoded).
func (d *Decoder) raw(se xml.StartElement) (RawXML, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	depth := 0
	tok := xml.Token(se)
	for {
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			t.Name.Space = ""
			attrs := t.Attr[:0:0]
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				a.Name.Space = ""
				attrs = append(attrs, a)
			}
			t.Attr = attrs
			tok = t
		case xml.EndElement:
			depth--
			t.Name.Space = ""
			tok = t
		}
		if err := enc.EncodeToken(xml.CopyToken(tok)); err != nil {
			return RawXML{}, fmt.Errorf("votable: keeping element <%s>: %w", se.Name.Local, err)
		}
		if depth == 0 {
			break
		}
		var err error
		if tok, err = d.x.Token(); err != nil {
			return RawXML{}, d.syntax(err)
		}
	}
	if err := enc.Flush(); err != nil {
		return RawXML{}, err
	}
	return RawXML{Name: se.Name.Local, XML: buf.String()}, nil
}

// charsetReader supports the single-byte encodings found in VOTables besides
// UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		return newLatin1Reader(in), nil
	}
	return nil, fmt.Errorf("unsupported character encoding %q", label)
}

// latin1Reader converts ISO-8859-1 to UTF-8 byte by byte, so that it never
// reads ahead of what the XML decoder consumed (the DATA scanners read the
// same source directly).
type latin1Reader struct {
	r    io.ByteReader
	next int // pending second byte of a two-byte sequence, or -1
}

func newLatin1Reader(in io.Reader) *latin1Reader {
	br, ok := in.(io.ByteReader)
	if !ok {
		br = bufio.NewReader(in)
	}
	return &latin1Reader{r: br, next: -1}
}

func (l *latin1Reader) ReadByte() (byte, error) {
	if l.next >= 0 {
		b := byte(l.next)
		l.next = -1
		return b, nil
	}
	c, err := l.r.ReadByte()
	if err != nil {
		return 0, err
	}
	if c < 0x80 {
		return c, nil
	}
	l.next = int(0x80 | c&0x3f)
	return 0xc0 | c>>6, nil
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := l.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
	}
	return n, nil
}
