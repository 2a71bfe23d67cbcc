package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

const sampleVOT = `<?xml version="1.0"?>
<VOTABLE version="1.4"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/>
<PARAM name="radius" datatype="double" value="0.5" unit="deg"/>
<TABLE name="cat"><FIELD name="id" datatype="long" ucd="meta.id;meta.main"/>
<FIELD name="ra" datatype="double" unit="deg" ucd="pos.eq.ra;meta.main"/>
<FIELD name="mag" datatype="float"/><FIELD name="name" datatype="char" arraysize="*"/>
<DATA><TABLEDATA>
<TR><TD>1</TD><TD>10.5</TD><TD>12.25</TD><TD>a,b</TD></TR>
<TR><TD>2</TD><TD>11.5</TD><TD/><TD>c</TD></TR>
<TR><TD>3</TD><TD>12.5</TD><TD>13.75</TD><TD/></TR>
</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`

func TestVOTableCommands(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.vot", sampleVOT)

	out, _, err := runCLI(t, "votable", "info", "--json", in)
	if err != nil {
		t.Fatal(err)
	}
	var infos []tableInfo
	if err := json.Unmarshal([]byte(out), &infos); err != nil {
		t.Fatalf("info --json: %v\n%s", err, out)
	}
	if len(infos) != 1 || infos[0].Rows != 3 || len(infos[0].Columns) != 4 || infos[0].Columns[1].UCD != "pos.eq.ra;meta.main" || infos[0].QueryStatus != "OK" {
		t.Fatalf("info: %+v", infos)
	}

	out, _, err = runCLI(t, "votable", "stats", "--json", in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"name": "mag"`) || !strings.Contains(out, `"nulls": 1`) || !strings.Contains(out, `"mean": 13`) {
		t.Fatalf("stats: %s", out)
	}

	for _, format := range []string{"tabledata", "binary", "binary2"} {
		p := filepath.Join(dir, format+".vot")
		if _, _, err := runCLI(t, "votable", "convert", "--format", format, in, p); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		doc, err := votable.ReadFile(p)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		tab := doc.Tables()[0]
		if tab.Serialization.String() != strings.ToUpper(format) || tab.Rows() != 3 || !tab.Columns[2].IsNull(1) ||
			tab.Columns[3].Value(0) != "a,b" || doc.Resources[0].Params[0].Value != "0.5" {
			t.Fatalf("%s: converted table differs", format)
		}
	}
	csvPath := filepath.Join(dir, "out.csv")
	if _, _, err := runCLI(t, "votable", "convert", in, csvPath); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(csvPath)
	if string(b) != "id,ra,mag,name\n1,10.5,12.25,\"a,b\"\n2,11.5,,c\n3,12.5,13.75,\n" {
		t.Fatalf("csv:\n%s", b)
	}
	if _, _, err := runCLI(t, "votable", "convert", "--table", "2", in, filepath.Join(dir, "x.vot")); err == nil || !strings.Contains(err.Error(), "no table 2") {
		t.Fatalf("missing table: %v", err)
	}
	if _, _, err := runCLI(t, "votable", "info", writeFile(t, dir, "bad.vot", "<VOTABLE><RESOURCE><TABLE><FIELD name=\"x\" datatype=\"int\"/><DATA><TABLEDATA><TR><TD>x</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>")); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Fatalf("bad cell: %v", err)
	}
}
