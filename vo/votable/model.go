package votable

// Version strings of the VOTable standard.
const (
	Version11 = "1.1"
	Version12 = "1.2"
	Version13 = "1.3"
	Version14 = "1.4"
	Version15 = "1.5"
)

// Document is a whole VOTable document: its metadata tree and, when it was read
// with Read, the data of every table.
type Document struct {
	Version     string
	ID          string
	Description string
	// Definitions holds the deprecated DEFINITIONS content (COOSYS, PARAM).
	Definitions *Resource
	Infos       []*Info
	Params      []*Param
	Groups      []*Group
	CooSys      []*CooSys
	TimeSys     []*TimeSys
	Resources   []*Resource
	// InfosAfter are INFO elements after the last RESOURCE (allowed since 1.2).
	InfosAfter []*Info
}

// Resource is a RESOURCE element.
type Resource struct {
	Name        string
	ID          string
	Type        string // "results" or "meta"
	Utype       string
	Description string
	Infos       []*Info
	Params      []*Param
	Groups      []*Group
	CooSys      []*CooSys
	TimeSys     []*TimeSys
	Links       []*Link
	Tables      []*Table
	Resources   []*Resource
	// InfosAfter are INFO elements after the tables and sub-resources, where
	// DALI puts a trailing QUERY_STATUS.
	InfosAfter []*Info
	// Extra holds unknown child elements (e.g. MIVOT) verbatim so that a
	// rebroadcast keeps them.
	Extra []RawXML
}

// RawXML is an element of the document kept verbatim.
type RawXML struct {
	Name string // local name of the element
	XML  string // the element as it was read, start to end tag
}

// Serialization names the way a TABLE's DATA is encoded.
type Serialization int

// The serializations this package reads and writes (Unknown only on read,
// for tables without DATA).
const (
	SerUnknown Serialization = iota
	TableData
	Binary
	Binary2
	FITS
)

func (s Serialization) String() string {
	switch s {
	case TableData:
		return "TABLEDATA"
	case Binary:
		return "BINARY"
	case Binary2:
		return "BINARY2"
	case FITS:
		return "FITS"
	}
	return "none"
}

// ParseSerialization maps "tabledata", "binary" or "binary2" (any case) to a
// Serialization.
func ParseSerialization(s string) (Serialization, bool) {
	switch lower(s) {
	case "tabledata", "td":
		return TableData, true
	case "binary", "bin":
		return Binary, true
	case "binary2", "bin2":
		return Binary2, true
	}
	return SerUnknown, false
}

// Table is a TABLE element: its metadata and, once read, its data.
type Table struct {
	Name        string
	ID          string
	Ref         string
	UCD         string
	Utype       string
	Description string
	// NRows is the nrows attribute (-1 when absent).
	NRows int64
	// Infos are INFO elements before the FIELDs.
	Infos  []*Info
	Fields []*Field
	Params []*Param
	Groups []*Group
	Links  []*Link
	// InfosAfter are INFO elements after DATA (VOTable 1.2+).
	InfosAfter []*Info
	// Serialization is the one DATA used when read, or the one to write.
	Serialization Serialization
	// Columns hold the data, one per Field, all of the same length. Nil for
	// a table whose data was streamed, not stored.
	Columns []Column
	// Index is the position of the table in document order (0-based).
	Index int
}

// Rows returns the number of rows held in Columns.
func (t *Table) Rows() int {
	if len(t.Columns) == 0 {
		return 0
	}
	return t.Columns[0].Len()
}

// Label names the table for error messages: its name, ID or position.
func (t *Table) Label() string {
	switch {
	case t.Name != "":
		return "table " + quote(t.Name)
	case t.ID != "":
		return "table ID=" + quote(t.ID)
	}
	return "table #" + itoa(t.Index+1)
}

// Field is a FIELD element: the description of a column.
type Field struct {
	Name        string
	ID          string
	UCD         string
	Utype       string
	Unit        string
	Ref         string
	Datatype    Datatype
	Arraysize   string // as written; see Shape
	Width       string
	Precision   string
	XType       string
	Description string
	Values      *Values
	Links       []*Link
	// Shape is Arraysize parsed; nil for a scalar.
	Shape *Shape
	// Attrs keeps attributes this package does not model (e.g. a "type"),
	// in document order, so they survive a round trip.
	Attrs []Attr
}

// Attr is one XML attribute kept verbatim.
type Attr struct{ Name, Value string }

// Param is a PARAM element: a Field with a constant value.
type Param struct {
	Field
	Value string
}

// Values is a VALUES element: null value, range and options.
type Values struct {
	ID      string
	Type    string
	Null    string // the null attribute, "" when absent
	HasNull bool
	Ref     string
	Min     *Bound
	Max     *Bound
	Options []*Option
}

// Bound is a MIN or MAX element.
type Bound struct {
	Value     string
	Inclusive string // "yes", "no" or "" (default yes)
}

// Option is an OPTION element (possibly nested).
type Option struct {
	Name    string
	Value   string
	Options []*Option
}

// Info is an INFO element, e.g. DALI's QUERY_STATUS.
type Info struct {
	Name    string
	ID      string
	Value   string
	Unit    string
	UCD     string
	Utype   string
	Ref     string
	XType   string
	Content string
}

// Link is a LINK element.
type Link struct {
	ID          string
	ContentRole string
	ContentType string
	Title       string
	Value       string
	Href        string
	Action      string
}

// Group is a GROUP element.
type Group struct {
	Name        string
	ID          string
	Ref         string
	UCD         string
	Utype       string
	Description string
	FieldRefs   []*FieldRef
	ParamRefs   []*FieldRef
	Params      []*Param
	Groups      []*Group
}

// FieldRef is a FIELDref or PARAMref element.
type FieldRef struct {
	Ref   string
	UCD   string
	Utype string
}

// CooSys is a COOSYS element.
type CooSys struct {
	ID          string
	System      string
	Equinox     string
	Epoch       string
	RefPosition string
	Content     string
}

// TimeSys is a TIMESYS element.
type TimeSys struct {
	ID            string
	TimeOrigin    string
	TimeScale     string
	RefPosition   string
	AttrsOrdering []Attr
}

// QueryStatus returns the DALI QUERY_STATUS INFO of the document's first
// results resource (looking before and after its tables), or nil.
func (d *Document) QueryStatus() *Info {
	for _, r := range d.Resources {
		if q := r.queryStatus(); q != nil {
			return q
		}
	}
	for _, i := range append(append([]*Info{}, d.Infos...), d.InfosAfter...) {
		if i.Name == "QUERY_STATUS" {
			return i
		}
	}
	return nil
}

func (r *Resource) queryStatus() *Info {
	var found *Info
	for _, list := range [][]*Info{r.Infos, r.InfosAfter} {
		for _, i := range list {
			if i.Name == "QUERY_STATUS" {
				// An ERROR or OVERFLOW after the table overrides the OK before it.
				if found == nil || i.Value != "OK" {
					found = i
				}
			}
		}
	}
	for _, t := range r.Tables {
		for _, i := range t.InfosAfter {
			if i.Name == "QUERY_STATUS" && (found == nil || i.Value != "OK") {
				found = i
			}
		}
	}
	if found != nil {
		return found
	}
	for _, sub := range r.Resources {
		if q := sub.queryStatus(); q != nil {
			return q
		}
	}
	return nil
}

// Tables returns every table of the document in document order.
func (d *Document) Tables() []*Table {
	var out []*Table
	var walk func(rs []*Resource)
	walk = func(rs []*Resource) {
		for _, r := range rs {
			out = append(out, r.Tables...)
			walk(r.Resources)
		}
	}
	walk(d.Resources)
	return out
}

// FieldByName returns the index of the first field named name (exact, then
// case-insensitive), or -1.
func (t *Table) FieldByName(name string) int {
	for i, f := range t.Fields {
		if f.Name == name {
			return i
		}
	}
	for i, f := range t.Fields {
		if equalFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// FieldByID returns the index of the field whose ID is id, or -1.
func (t *Table) FieldByID(id string) int {
	for i, f := range t.Fields {
		if f.ID == id {
			return i
		}
	}
	return -1
}

// FieldByUCD returns the index of the first field whose UCD equals ucd (case
// insensitive, ignoring surrounding whitespace), or -1. A UCD given with
// ";meta.main" prefers the field that carries it; without it, a field with
// "ucd;meta.main" is preferred over a plain "ucd".
func (t *Table) FieldByUCD(ucd string) int {
	want := lower(trimSpace(ucd))
	first := -1
	for i, f := range t.Fields {
		got := lower(trimSpace(f.UCD))
		if got == want {
			if first < 0 {
				first = i
			}
			continue
		}
		if got == want+";meta.main" {
			return i
		}
	}
	return first
}
