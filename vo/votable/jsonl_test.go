package votable

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestJSONL writes typed columns (nulls, NaN, arrays, unsignedByte arrays,
// booleans, strings to escape, a repeated name) as JSON lines and reads
// them back with encoding/json.
func TestJSONL(t *testing.T) {
	doc := `<VOTABLE version="1.4"><RESOURCE type="results"><TABLE>
<FIELD name="id" datatype="long"/><FIELD name="ra" datatype="double"/><FIELD name="flag" datatype="boolean"/>
<FIELD name="name" datatype="char" arraysize="*"/><FIELD name="v" datatype="float" arraysize="2"/>
<FIELD name="b" datatype="unsignedByte" arraysize="*"/><FIELD name="id" datatype="int"/><FIELD name="z" datatype="doubleComplex"/>
<DATA><TABLEDATA>
<TR><TD>1</TD><TD>150.5</TD><TD>T</TD><TD>a "q" \ é</TD><TD>1 NaN</TD><TD>0 255</TD><TD>7</TD><TD>1 -2</TD></TR>
<TR><TD/><TD>NaN</TD><TD/><TD/><TD/><TD/><TD>-3</TD><TD/></TR>
</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`
	d, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteFormat(&out, d, FormatJSONL); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []map[string]any{
		{"id": 1.0, "ra": 150.5, "flag": true, "name": `a "q" \ é`, "v": []any{1.0, nil}, "b": []any{0.0, 255.0}, "id_2": 7.0, "z": []any{1.0, -2.0}},
		{"id": nil, "ra": nil, "flag": nil, "name": nil, "v": nil, "b": nil, "id_2": -3.0, "z": nil},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, l := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i, err, l)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("line %d = %v\nwant %v", i, got, want[i])
		}
	}
	if !strings.HasPrefix(lines[0], `{"id":1,"ra":150.5,`) {
		t.Errorf("keys not in field order: %s", lines[0])
	}
}
