package votable

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/voagent/voagent/internal/xmlguard"
)

// DefaultBatchRows is the number of rows NextBatch hands out at a time.
const DefaultBatchRows = 8192

// Decoder reads a VOTable document as a stream: metadata first, then each
// table's rows in batches, with memory bounded by the batch size.
type Decoder struct {
	src    *source
	x      *xml.Decoder // guarded by g: nesting and text length bounded
	g      *xmlguard.Guard
	doc    *Document
	stack  []*Resource // open RESOURCE elements, innermost last
	seen   bool        // VOTABLE element seen
	rooted bool        // root element seen
	// BatchRows is the maximum number of rows NextBatch returns at once.
	BatchRows int

	ntables   int
	cur       *Table
	tableOpen bool // </TABLE> of cur not yet read
	tableDone bool // every row of cur read
	data      dataReader
	cols      []Column // reusable batch columns of cur
	row       int64    // rows of cur decoded so far
	err       error    // sticky error
	eof       bool
}

// dataReader decodes the rows of one DATA element.
type dataReader interface {
	// decode appends up to max rows to cols and returns how many; io.EOF
	// (with n possibly > 0) when the data ends.
	decode(cols []Column, max int) (int, error)
	// close stops the reader's goroutines; the source is then not usable
	// for further decoding unless decode returned io.EOF.
	close()
}

// NewDecoder returns a Decoder reading r; a gzip-compressed document is
// decompressed transparently.
func NewDecoder(r io.Reader) *Decoder {
	d := &Decoder{doc: &Document{}, BatchRows: DefaultBatchRows}
	src, err := openSource(r)
	if err != nil {
		d.err = err
		return d
	}
	d.src = src
	d.g = xmlguard.NewDecoder(src, func(x *xml.Decoder) { x.CharsetReader = charsetReader })
	d.x = d.g.Decoder()
	return d
}

// SetMaxBytes bounds the bytes d reads, counted after decompression (n <= 0:
// DefaultMaxBytes); past it reading fails with a *LimitError. Call it
// before reading.
func (d *Decoder) SetMaxBytes(n int64) {
	if n <= 0 {
		n = DefaultMaxBytes
	}
	if d.src != nil {
		d.src.maxBytes = n
	}
}

// Document returns the metadata read so far.
func (d *Decoder) Document() *Document { return d.doc }

// Resource returns the innermost RESOURCE holding the current table (its
// INFOs and PARAMs read so far), or nil.
func (d *Decoder) Resource() *Resource {
	if len(d.stack) == 0 {
		return nil
	}
	return d.stack[len(d.stack)-1]
}

// Close stops background decoding. It does not close the underlying reader.
func (d *Decoder) Close() {
	if d.data != nil {
		d.data.close()
		d.data = nil
	}
	if d.err == nil {
		d.err = errors.New("votable: decoder closed")
	}
}

// NextTable advances to the next TABLE and returns its metadata; its rows
// are then read with NextBatch. Rows of the previous table not yet read are
// skipped. At the end of the document NextTable returns io.EOF.
func (d *Decoder) NextTable() (*Table, error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.cur != nil && !d.tableDone {
		if err := d.skipRows(); err != nil {
			return nil, d.fail(err)
		}
	}
	t, err := d.scan()
	if err != nil {
		if err == io.EOF {
			d.eof = true
			return nil, io.EOF
		}
		return nil, d.fail(err)
	}
	return t, nil
}

func (d *Decoder) fail(err error) error {
	if d.data != nil {
		d.data.close()
		d.data = nil
	}
	d.err = err
	return err
}

// NextBatch returns the next rows of the current table as columns (one per
// FIELD), at most BatchRows rows; the columns are reused by the next call.
// It returns io.EOF when the table has no more rows.
func (d *Decoder) NextBatch() ([]Column, error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.cur == nil || d.tableDone {
		return nil, io.EOF
	}
	if d.cols == nil {
		cols, err := newColumns(d.cur)
		if err != nil {
			return nil, d.fail(err)
		}
		d.cols = cols
	}
	for _, c := range d.cols {
		c.Reset()
	}
	if d.data == nil {
		if err := d.endTable(); err != nil {
			return nil, d.fail(err)
		}
		return nil, io.EOF
	}
	max := d.BatchRows
	if max <= 0 {
		max = DefaultBatchRows
	}
	n, err := d.data.decode(d.cols, max)
	d.row += int64(n)
	if err == io.EOF {
		d.data = nil
		if err := d.endTable(); err != nil {
			return nil, d.fail(err)
		}
		if n == 0 {
			return nil, io.EOF
		}
		return d.cols, nil
	}
	if err != nil {
		return nil, d.fail(err)
	}
	return d.cols, nil
}

// readAll decodes every remaining row of the current table into t.Columns,
// checking ctx between batches.
func (d *Decoder) readAll(ctx context.Context, t *Table) error {
	cols, err := newColumns(t)
	if err != nil {
		return err
	}
	t.Columns = cols
	if d.data != nil {
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, err := d.data.decode(cols, chunkRows)
			d.row += int64(n)
			if err == io.EOF {
				d.data = nil
				break
			}
			if err != nil {
				return err
			}
		}
	}
	Compact(t)
	return d.endTable()
}

func newColumns(t *Table) ([]Column, error) {
	cols := make([]Column, len(t.Fields))
	for i, f := range t.Fields {
		c, err := NewColumn(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Label(), err)
		}
		cols[i] = c
	}
	return cols, nil
}

// skipRows discards the rest of the current table.
func (d *Decoder) skipRows() error {
	for {
		_, err := d.NextBatch()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Read decodes a whole document, every table's rows into columns.
func Read(r io.Reader) (*Document, error) {
	return ReadContext(context.Background(), r)
}

// ReadContext is Read, stopping between batches when ctx is done.
func ReadContext(ctx context.Context, r io.Reader) (*Document, error) {
	return ReadLimit(ctx, r, DefaultMaxBytes)
}

// ReadLimit is ReadContext reading at most maxBytes, counted after
// decompression (a *LimitError past them).
func ReadLimit(ctx context.Context, r io.Reader, maxBytes int64) (*Document, error) {
	d := NewDecoder(r)
	d.SetMaxBytes(maxBytes)
	defer d.Close()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t, err := d.NextTable()
		if err == io.EOF {
			return d.doc, nil
		}
		if err != nil {
			return nil, err
		}
		if err := d.readAll(ctx, t); err != nil {
			return nil, d.fail(err)
		}
	}
}

// ReadFile decodes a whole document from a file.
func ReadFile(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return doc, nil
}

// scan reads metadata up to the start of the next table's data (or the end
// of a table without data), and returns that table.
func (d *Decoder) scan() (*Table, error) {
	d.cur, d.cols, d.row, d.tableOpen, d.tableDone = nil, nil, 0, false, false
	for {
		tok, err := d.x.Token()
		if err == io.EOF {
			if !d.seen {
				return nil, errors.New("votable: no VOTABLE element in the document")
			}
			if len(d.stack) > 0 {
				return nil, d.syntax(io.ErrUnexpectedEOF)
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if !d.rooted {
				// Refuse another document at its root element, rather
				// than reading it to its end looking for a VOTABLE.
				d.rooted = true
				switch tok.Name.Local {
				case "VOTABLE", "RESOURCE", "TABLE":
				default:
					return nil, fmt.Errorf("votable: no VOTABLE element in the document: its root element is <%s>", tok.Name.Local)
				}
			}
			t, err := d.element(tok)
			if err != nil || t != nil {
				return t, err
			}
		case xml.EndElement:
			if tok.Name.Local == "RESOURCE" && len(d.stack) > 0 {
				d.stack = d.stack[:len(d.stack)-1]
			}
		}
	}
}

func (d *Decoder) syntax(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("votable: malformed XML at line %d: %s", se.Line, se.Msg)
	}
	if errors.Is(err, xmlguard.ErrTooDeep) || errors.Is(err, xmlguard.ErrTooLong) {
		return fmt.Errorf("votable: %w", err)
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("votable: reading XML at byte %d: %w", d.g.InputOffset(), err)
}

// element handles a start element met outside a TABLE.
func (d *Decoder) element(se xml.StartElement) (*Table, error) {
	var res *Resource
	if len(d.stack) > 0 {
		res = d.stack[len(d.stack)-1]
	}
	switch se.Name.Local {
	case "VOTABLE":
		d.seen = true
		d.doc.Version = attr(se, "version")
		d.doc.ID = attr(se, "ID")
		return nil, nil
	case "RESOURCE":
		d.seen = true
		r := &Resource{Name: attr(se, "name"), ID: attr(se, "ID"), Type: attr(se, "type"), Utype: attr(se, "utype")}
		if res != nil {
			res.Resources = append(res.Resources, r)
		} else {
			d.doc.Resources = append(d.doc.Resources, r)
		}
		d.stack = append(d.stack, r)
		return nil, nil
	case "TABLE":
		if res == nil {
			// A TABLE outside any RESOURCE: lenient, give it one.
			res = &Resource{Type: "results"}
			d.doc.Resources = append(d.doc.Resources, res)
		}
		t := &Table{Name: attr(se, "name"), ID: attr(se, "ID"), Ref: attr(se, "ref"), UCD: attr(se, "ucd"),
			Utype: attr(se, "utype"), NRows: -1, Index: d.ntables}
		d.ntables++
		if s := attr(se, "nrows"); s != "" {
			if n, err := strconv.ParseInt(trimSpace(s), 10, 64); err == nil && n >= 0 {
				t.NRows = n
			}
		}
		res.Tables = append(res.Tables, t)
		if err := d.tableHead(t); err != nil {
			return nil, err
		}
		d.cur = t
		return t, nil
	case "DESCRIPTION":
		s, err := d.text()
		if err != nil {
			return nil, err
		}
		if res != nil {
			res.Description = s
		} else {
			d.doc.Description = s
		}
	case "INFO":
		info, err := d.info(se)
		if err != nil {
			return nil, err
		}
		switch {
		case res == nil && len(d.doc.Resources) > 0:
			d.doc.InfosAfter = append(d.doc.InfosAfter, info)
		case res == nil:
			d.doc.Infos = append(d.doc.Infos, info)
		case len(res.Tables) > 0 || len(res.Resources) > 0:
			res.InfosAfter = append(res.InfosAfter, info)
		default:
			res.Infos = append(res.Infos, info)
		}
	case "PARAM":
		p, err := d.param(se)
		if err != nil {
			return nil, err
		}
		l := d.lists(res)
		*l.params = append(*l.params, p)
	case "GROUP":
		g, err := d.group(se)
		if err != nil {
			return nil, err
		}
		l := d.lists(res)
		*l.groups = append(*l.groups, g)
	case "COOSYS":
		c, err := d.coosys(se)
		if err != nil {
			return nil, err
		}
		l := d.lists(res)
		*l.coosys = append(*l.coosys, c)
	case "TIMESYS":
		ts := &TimeSys{ID: attr(se, "ID"), TimeOrigin: attr(se, "timeorigin"), TimeScale: attr(se, "timescale"), RefPosition: attr(se, "refposition")}
		if err := d.x.Skip(); err != nil {
			return nil, d.syntax(err)
		}
		l := d.lists(res)
		*l.timesys = append(*l.timesys, ts)
	case "LINK":
		l, err := d.link(se)
		if err != nil {
			return nil, err
		}
		if res != nil {
			res.Links = append(res.Links, l)
		}
	case "DEFINITIONS":
		// Deprecated container of COOSYS and PARAM: read its children
		// into a pseudo-resource.
		def := &Resource{}
		d.doc.Definitions = def
		d.stack = append(d.stack, def)
		defer func() { d.stack = d.stack[:len(d.stack)-1] }()
		for {
			tok, err := d.x.Token()
			if err != nil {
				return nil, d.syntax(err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if _, err := d.element(tok); err != nil {
					return nil, err
				}
			case xml.EndElement:
				return nil, nil
			}
		}
	default:
		if res != nil {
			raw, err := d.raw(se)
			if err != nil {
				return nil, err
			}
			res.Extra = append(res.Extra, raw)
			return nil, nil
		}
		if err := d.x.Skip(); err != nil {
			return nil, d.syntax(err)
		}
	}
	return nil, nil
}

// metaLists are the lists that metadata elements outside a TABLE go to.
type metaLists struct {
	params  *[]*Param
	groups  *[]*Group
	coosys  *[]*CooSys
	timesys *[]*TimeSys
}

// lists returns those of the innermost open RESOURCE, or of the document.
func (d *Decoder) lists(res *Resource) metaLists {
	if res != nil {
		return metaLists{&res.Params, &res.Groups, &res.CooSys, &res.TimeSys}
	}
	return metaLists{&d.doc.Params, &d.doc.Groups, &d.doc.CooSys, &d.doc.TimeSys}
}

// tableHead reads a TABLE's children up to the start of its data (setting
// up d.data) or to the end of the table.
func (d *Decoder) tableHead(t *Table) error {
	for {
		tok, err := d.x.Token()
		if err != nil {
			return d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			// </TABLE> without DATA.
			d.tableDone = true
			return d.finishFields(t)
		case xml.StartElement:
			switch tok.Name.Local {
			case "DESCRIPTION":
				if t.Description, err = d.text(); err != nil {
					return err
				}
			case "FIELD":
				f, err := d.field(tok)
				if err != nil {
					return err
				}
				t.Fields = append(t.Fields, f)
			case "PARAM":
				p, err := d.param(tok)
				if err != nil {
					return err
				}
				t.Params = append(t.Params, p)
			case "GROUP":
				g, err := d.group(tok)
				if err != nil {
					return err
				}
				t.Groups = append(t.Groups, g)
			case "LINK":
				l, err := d.link(tok)
				if err != nil {
					return err
				}
				t.Links = append(t.Links, l)
			case "INFO":
				i, err := d.info(tok)
				if err != nil {
					return err
				}
				t.Infos = append(t.Infos, i)
			case "DATA":
				if err := d.finishFields(t); err != nil {
					return err
				}
				d.tableOpen = true
				return d.dataStart(t)
			default:
				if err := d.x.Skip(); err != nil {
					return d.syntax(err)
				}
			}
		}
	}
}

// finishFields checks the fields once all are known.
func (d *Decoder) finishFields(t *Table) error {
	if len(t.Fields) == 0 && t.Ref != "" {
		// <TABLE ref="x">: the fields are those of the table with ID x.
		for _, o := range d.doc.Tables() {
			if o.ID == t.Ref && o != t {
				t.Fields = o.Fields
				break
			}
		}
	}
	for i, f := range t.Fields {
		if f.Datatype == TypeUnknown {
			dt := ""
			for _, a := range f.Attrs {
				if a.Name == "datatype" {
					dt = a.Value
				}
			}
			return fmt.Errorf("votable: %s, field %d %q: unknown datatype %q", t.Label(), i+1, f.Name, dt)
		}
	}
	return nil
}

// dataStart is called after <DATA>: it finds the serialization element and
// starts the matching data reader.
func (d *Decoder) dataStart(t *Table) error {
	for {
		tok, err := d.x.Token()
		if err != nil {
			return d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			// Empty DATA.
			return nil
		case xml.StartElement:
			switch tok.Name.Local {
			case "TABLEDATA":
				t.Serialization = TableData
				d.data = newTableDataReader(d.src, t)
				return nil
			case "BINARY", "BINARY2":
				t.Serialization = Binary
				if tok.Name.Local == "BINARY2" {
					t.Serialization = Binary2
				}
				return d.streamStart(t)
			case "FITS":
				t.Serialization = FITS
				return fmt.Errorf("votable: %s: FITS serialization is not supported", t.Label())
			default:
				if err := d.x.Skip(); err != nil {
					return d.syntax(err)
				}
			}
		}
	}
}

// streamStart finds the STREAM element of BINARY/BINARY2 data.
func (d *Decoder) streamStart(t *Table) error {
	for {
		tok, err := d.x.Token()
		if err != nil {
			return d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return fmt.Errorf("votable: %s: %s data without a STREAM", t.Label(), t.Serialization)
		case xml.StartElement:
			if tok.Name.Local != "STREAM" {
				if err := d.x.Skip(); err != nil {
					return d.syntax(err)
				}
				continue
			}
			if href := attr(tok, "href"); href != "" {
				return fmt.Errorf("votable: %s: STREAM href=%q (data outside the document) is not supported", t.Label(), href)
			}
			enc := lower(trimSpace(attr(tok, "encoding")))
			gz := false
			switch enc {
			case "", "base64":
			case "gzip", "base64 gzip", "gzip base64":
				gz = true
			default:
				return fmt.Errorf("votable: %s: STREAM encoding=%q is not supported", t.Label(), enc)
			}
			r, err := newBinaryReader(d.src, t, gz)
			if err != nil {
				return err
			}
			d.data = r
			return nil
		}
	}
}

// endTable reads from the end of the data to </TABLE>, collecting the INFO
// elements after DATA.
func (d *Decoder) endTable() error {
	d.tableDone = true
	if !d.tableOpen {
		return nil
	}
	for {
		tok, err := d.x.Token()
		if err != nil {
			return d.syntax(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "INFO" {
				i, err := d.info(tok)
				if err != nil {
					return err
				}
				d.cur.InfosAfter = append(d.cur.InfosAfter, i)
				continue
			}
			if err := d.x.Skip(); err != nil {
				return d.syntax(err)
			}
		case xml.EndElement:
			if tok.Name.Local == "TABLE" {
				d.tableOpen = false
				return nil
			}
		}
	}
}
