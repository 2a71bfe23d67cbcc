// Package dataset gives access to the rows of VO query results as records
// (cells looked up by name, UCD or utype) and downloads the datasets they
// point to, into files named from the records' metadata.
package dataset

import (
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/votable"
)

// Record is one row of a result table.
type Record struct {
	Table *votable.Table
	Row   int
}

// Records returns every row of t as a Record.
func Records(t *votable.Table) []Record {
	out := make([]Record, t.Rows())
	for i := range out {
		out[i] = Record{Table: t, Row: i}
	}
	return out
}

// String returns the cell of column col as text ("" when col < 0, out of
// range, or the cell is null). Arrays are written space-separated.
func (r Record) String(col int) string {
	if col < 0 || r.Table == nil || col >= len(r.Table.Columns) || r.Row >= r.Table.Columns[col].Len() {
		return ""
	}
	return votable.CellText(r.Table.Columns[col], r.Row)
}

// Float returns the cell of column col as a number, and false when it is
// null, absent or not numeric (a numeric string is parsed).
func (r Record) Float(col int) (float64, bool) {
	if col < 0 || r.Table == nil || col >= len(r.Table.Columns) || r.Row >= r.Table.Columns[col].Len() {
		return 0, false
	}
	if v, ok := votable.Float64(r.Table.Columns[col], r.Row); ok {
		return v, true
	}
	if s, ok := r.Table.Columns[col].(*votable.Strings); ok && !s.IsNull(r.Row) {
		v, err := strconv.ParseFloat(strings.TrimSpace(s.At(r.Row)), 64)
		return v, err == nil
	}
	return 0, false
}

// Field returns the column index of the first of the keys that names a
// field: "ucd:..." looks up a UCD, "utype:..." a utype, anything else a name.
// It returns -1 when none matches.
func (r Record) Field(keys ...string) int { return FindField(r.Table, keys...) }

// Get returns the text of the first field found by Field(keys...).
func (r Record) Get(keys ...string) string { return r.String(r.Field(keys...)) }

// FindField is Record.Field for a table.
func FindField(t *votable.Table, keys ...string) int {
	if t == nil {
		return -1
	}
	for _, k := range keys {
		var i int
		switch {
		case strings.HasPrefix(k, "ucd:"):
			i = t.FieldByUCD(k[4:])
		case strings.HasPrefix(k, "utype:"):
			i = FieldByUtype(t, k[6:])
		default:
			i = t.FieldByName(k)
		}
		if i >= 0 {
			return i
		}
	}
	return -1
}

// FieldByUtype returns the index of the first field whose utype matches
// (case-insensitive, ignoring a namespace prefix such as "ssa:" on either
// side), or -1.
func FieldByUtype(t *votable.Table, utype string) int {
	want := stripNS(utype)
	for i, f := range t.Fields {
		if f.Utype != "" && stripNS(f.Utype) == want {
			return i
		}
	}
	return -1
}

func stripNS(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if i := strings.IndexByte(u, ':'); i >= 0 {
		u = u[i+1:]
	}
	return u
}
