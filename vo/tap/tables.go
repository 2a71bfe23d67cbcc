package tap

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/voagent/voagent/internal/xmlguard"
	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/votable"
)

// Schema is a schema of the service's tables.
type Schema struct {
	Name, Title, Description string
	Tables                   []*Table
}

// Table describes a table the service can query.
type Table struct {
	// Name is the fully qualified name to use in queries.
	Name, Title, Description, Utype, Type string
	Columns                               []*Column
	ForeignKeys                           []ForeignKey
}

// Column describes a column of a table.
type Column struct {
	Name, Description, Unit, UCD, Utype string
	// Datatype is the VODataService or TAP_SCHEMA type (e.g. "vs:VOTableType
	// double", stored as "double"; "BIGINT", "VARCHAR" for TAP types).
	Datatype, Arraysize, XType string
	Principal, Indexed, Std    bool
	Flags                      []string
}

// ForeignKey links a table's columns to another table.
type ForeignKey struct {
	TargetTable string
	From, To    []string
	Description string
}

// Column returns the column named name (case-insensitive), or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

// ColumnByUCD returns the first column whose UCD is ucd (case-insensitive,
// "meta.main" variants preferred as in votable.Table.FieldByUCD), or nil.
func (t *Table) ColumnByUCD(ucd string) *Column {
	want := strings.ToLower(strings.TrimSpace(ucd))
	var first *Column
	for _, c := range t.Columns {
		got := strings.ToLower(strings.TrimSpace(c.UCD))
		if got == want && first == nil {
			first = c
		}
		if got == want+";meta.main" {
			return c
		}
	}
	return first
}

// PrimaryKey returns the column that identifies rows (UCD meta.id;meta.main),
// or nil.
func (t *Table) PrimaryKey() *Column { return t.ColumnByUCD("meta.id;meta.main") }

// TableByName finds a table by its (qualified or unqualified) name,
// case-insensitively.
func TableByName(schemas []*Schema, name string) *Table {
	var short *Table
	for _, s := range schemas {
		for _, t := range s.Tables {
			if strings.EqualFold(t.Name, name) {
				return t
			}
			if i := strings.LastIndexByte(t.Name, '.'); short == nil && i >= 0 && strings.EqualFold(t.Name[i+1:], name) {
				short = t
			}
		}
	}
	return short
}

type xmlColumn struct {
	Name        string `xml:"name"`
	Description string `xml:"description"`
	Unit        string `xml:"unit"`
	UCD         string `xml:"ucd"`
	Utype       string `xml:"utype"`
	XType       string `xml:"xtype"`
	DataType    struct {
		Type      string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		Arraysize string `xml:"arraysize,attr"`
		XType     string `xml:"extendedType,attr"`
		Value     string `xml:",chardata"`
	} `xml:"dataType"`
	Flag []string `xml:"flag"`
	Std  string   `xml:"std,attr"`
}

type xmlTable struct {
	Type        string      `xml:"type,attr"`
	Name        string      `xml:"name"`
	Title       string      `xml:"title"`
	Description string      `xml:"description"`
	Utype       string      `xml:"utype"`
	Column      []xmlColumn `xml:"column"`
	ForeignKey  []struct {
		TargetTable string `xml:"targetTable"`
		Description string `xml:"description"`
		FKColumn    []struct {
			From string `xml:"fromColumn"`
			To   string `xml:"targetColumn"`
		} `xml:"fkColumn"`
	} `xml:"foreignKey"`
}

func (x *xmlTable) table() *Table {
	t := &Table{Name: strings.TrimSpace(x.Name), Title: strings.TrimSpace(x.Title), Description: strings.TrimSpace(x.Description),
		Utype: strings.TrimSpace(x.Utype), Type: x.Type}
	for _, xc := range x.Column {
		c := &Column{Name: strings.TrimSpace(xc.Name), Description: strings.TrimSpace(xc.Description), Unit: strings.TrimSpace(xc.Unit),
			UCD: strings.TrimSpace(xc.UCD), Utype: strings.TrimSpace(xc.Utype), Datatype: strings.TrimSpace(xc.DataType.Value),
			Arraysize: xc.DataType.Arraysize, XType: strings.TrimSpace(xc.XType), Std: xc.Std == "true", Flags: xc.Flag}
		if c.XType == "" {
			c.XType = xc.DataType.XType
		}
		for _, f := range xc.Flag {
			switch strings.TrimSpace(f) {
			case "indexed":
				c.Indexed = true
			case "principal":
				c.Principal = true
			case "std":
				c.Std = true
			}
		}
		t.Columns = append(t.Columns, c)
	}
	for _, fk := range x.ForeignKey {
		k := ForeignKey{TargetTable: strings.TrimSpace(fk.TargetTable), Description: strings.TrimSpace(fk.Description)}
		for _, c := range fk.FKColumn {
			k.From = append(k.From, strings.TrimSpace(c.From))
			k.To = append(k.To, strings.TrimSpace(c.To))
		}
		t.ForeignKeys = append(t.ForeignKeys, k)
	}
	return t
}

// ParseTables reads a VOSI tables document: a tableset (VOSI 1.0/1.1) or a
// single table (VOSI 1.1 /tables/{name}).
func ParseTables(data []byte) ([]*Schema, error) {
	var root struct {
		XMLName xml.Name
		Schema  []struct {
			Name        string     `xml:"name"`
			Title       string     `xml:"title"`
			Description string     `xml:"description"`
			Table       []xmlTable `xml:"table"`
		} `xml:"schema"`
	}
	if err := xmlguard.Check(data); err != nil {
		return nil, fmt.Errorf("reading VOSI tables: %w", err)
	}
	if err := xml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("reading VOSI tables: %w", err)
	}
	switch root.XMLName.Local {
	case "table":
		var x xmlTable
		if err := xml.Unmarshal(data, &x); err != nil {
			return nil, fmt.Errorf("reading VOSI table: %w", err)
		}
		return []*Schema{{Tables: []*Table{x.table()}}}, nil
	case "tableset":
	default:
		return nil, fmt.Errorf("reading VOSI tables: root element %q is neither tableset nor table", root.XMLName.Local)
	}
	var out []*Schema
	for _, xs := range root.Schema {
		s := &Schema{Name: strings.TrimSpace(xs.Name), Title: strings.TrimSpace(xs.Title), Description: strings.TrimSpace(xs.Description)}
		for i := range xs.Table {
			s.Tables = append(s.Tables, xs.Table[i].table())
		}
		out = append(out, s)
	}
	return out, nil
}

// Tables reads the service's VOSI /tables.
func (s *Service) Tables(ctx context.Context) ([]*Schema, error) {
	return fetchParsed(ctx, s, "reading TAP tables", "tables", ParseTables)
}

// Table reads the description of one table: from VOSI /tables/{name} when
// the service has it (VOSI 1.1), else by querying TAP_SCHEMA.
func (s *Service) Table(ctx context.Context, name string) (*Table, error) {
	if sc, err := s.get(ctx, "reading a TAP table's metadata", s.endpoint("tables/"+name)); err == nil {
		if schemas, err := ParseTables(sc); err == nil {
			if t := TableByName(schemas, name); t != nil && len(t.Columns) > 0 {
				return t, nil
			}
		}
	}
	schemas, err := s.schemaTables(ctx, name)
	if err != nil {
		return nil, err
	}
	if t := TableByName(schemas, name); t != nil {
		return t, nil
	}
	return nil, &dal.Error{Op: "reading a TAP table's metadata", URL: s.URL, Err: fmt.Errorf("no table %q in TAP_SCHEMA", name)}
}

// SchemaTables reads the table metadata from TAP_SCHEMA (schemas, tables,
// columns) with sync queries.
func (s *Service) SchemaTables(ctx context.Context) ([]*Schema, error) {
	return s.schemaTables(ctx, "")
}

func (s *Service) schemaTables(ctx context.Context, only string) ([]*Schema, error) {
	where := adql.Expr("")
	if only != "" {
		lit, err := adql.Str(only)
		if err != nil {
			return nil, err
		}
		where = " WHERE table_name = " + lit
	}
	tables, _, err := s.SyncFetch(ctx, &Query{ADQL: "SELECT schema_name, table_name, table_type, description, utype FROM TAP_SCHEMA.tables" + string(where)})
	if err != nil {
		return nil, err
	}
	cols, _, err := s.SyncFetch(ctx, &Query{ADQL: "SELECT table_name, column_name, description, unit, ucd, utype, datatype, principal, indexed, std FROM TAP_SCHEMA.columns" + string(where)})
	if err != nil {
		return nil, err
	}
	byName := map[string]*Table{}
	bySchema := map[string]*Schema{}
	var out []*Schema
	tt, err := onlyTable(tables)
	if err != nil {
		return nil, &dal.Error{Op: "reading TAP_SCHEMA.tables", URL: s.URL, Err: err}
	}
	for i := range tt.Rows() {
		sn := cell(tt, "schema_name", i)
		sc := bySchema[sn]
		if sc == nil {
			sc = &Schema{Name: sn}
			bySchema[sn] = sc
			out = append(out, sc)
		}
		t := &Table{Name: cell(tt, "table_name", i), Type: cell(tt, "table_type", i), Description: cell(tt, "description", i), Utype: cell(tt, "utype", i)}
		byName[strings.ToLower(t.Name)] = t
		sc.Tables = append(sc.Tables, t)
	}
	ct, err := onlyTable(cols)
	if err != nil {
		return nil, &dal.Error{Op: "reading TAP_SCHEMA.columns", URL: s.URL, Err: err}
	}
	for i := range ct.Rows() {
		t := byName[strings.ToLower(cell(ct, "table_name", i))]
		if t == nil {
			continue
		}
		t.Columns = append(t.Columns, &Column{Name: cell(ct, "column_name", i), Description: cell(ct, "description", i),
			Unit: cell(ct, "unit", i), UCD: cell(ct, "ucd", i), Utype: cell(ct, "utype", i), Datatype: cell(ct, "datatype", i),
			Principal: cell(ct, "principal", i) == "1", Indexed: cell(ct, "indexed", i) == "1", Std: cell(ct, "std", i) == "1"})
	}
	return out, nil
}

func onlyTable(doc *votable.Document) (*votable.Table, error) {
	ts := doc.Tables()
	if len(ts) == 0 {
		return nil, fmt.Errorf("%w: the result has no table", dal.ErrInvalid)
	}
	return ts[0], nil
}

// cell returns a cell as text ("" when null or the column is missing).
func cell(t *votable.Table, name string, row int) string {
	i := t.FieldByName(name)
	if i < 0 || t.Columns == nil {
		return ""
	}
	v := t.Columns[i].Value(row)
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	return fmt.Sprint(v)
}

// Example is a query from the service's DALI examples document.
type Example struct {
	ID, Name, Query string
}

// Examples reads the service's /examples (DALI examples: XHTML with RDFa).
func (s *Service) Examples(ctx context.Context) ([]Example, error) {
	return fetchParsed(ctx, s, "reading TAP examples", "examples", func(b []byte) ([]Example, error) {
		return ParseExamples(bytes.NewReader(b))
	})
}

// ParseExamples reads a DALI examples document: elements with
// typeof="example" holding property="name" and property="query" elements.
// HTML that is not well-formed XML is read leniently.
func ParseExamples(r io.Reader) ([]Example, error) {
	d := xmlguard.NewDecoder(r, func(d *xml.Decoder) {
		d.Strict = false
		d.AutoClose = xml.HTMLAutoClose
		d.Entity = xml.HTMLEntity
		d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) { return in, nil }
	})
	var out []Example
	var cur *Example
	exDepth, depth := -1, 0
	var prop string
	propDepth := -1
	var text strings.Builder
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, fmt.Errorf("reading DALI examples: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if cur == nil && strings.Contains(" "+attr(t, "typeof")+" ", " example ") {
				cur, exDepth = &Example{ID: attr(t, "id")}, depth
				if cur.ID == "" {
					cur.ID = strings.TrimPrefix(attr(t, "resource"), "#")
				}
			} else if cur != nil && propDepth < 0 {
				if p := attr(t, "property"); p == "name" || p == "query" {
					prop, propDepth = p, depth
					text.Reset()
				}
			}
		case xml.CharData:
			if propDepth >= 0 {
				text.Write(t)
			}
		case xml.EndElement:
			if propDepth == depth {
				v := strings.TrimSpace(text.String())
				if prop == "name" {
					cur.Name = strings.Join(strings.Fields(v), " ")
				} else {
					cur.Query = v
				}
				propDepth = -1
			}
			if cur != nil && exDepth == depth {
				if cur.Query != "" {
					out = append(out, *cur)
				}
				cur, exDepth = nil, -1
			}
			depth--
		}
	}
	return out, nil
}
