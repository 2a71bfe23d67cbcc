package votable

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	in := "\xef\xbb\xbfid,ra,dec,name,flag\n1,10.5,-3,abc,\n2,,4.5,\"x,y\",1\n# comment\n3,12,5e-1,,2.5\n"
	tab, err := ReadCSV(strings.NewReader(in), "t")
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"id", "ra", "dec", "name", "flag"}
	wantTypes := []Datatype{Long, Double, Double, Char, Double}
	for i, f := range tab.Fields {
		if f.Name != wantNames[i] || f.Datatype != wantTypes[i] {
			t.Errorf("column %d: %s %v, want %s %v", i, f.Name, f.Datatype, wantNames[i], wantTypes[i])
		}
	}
	if tab.Rows() != 3 || tab.Name != "t" {
		t.Fatalf("%d rows, name %q", tab.Rows(), tab.Name)
	}
	if v := tab.Columns[1].Value(1); v != nil {
		t.Errorf("empty cell: %v, want null", v)
	}
	if v := tab.Columns[3].Value(1); v != "x,y" {
		t.Errorf("quoted cell: %v", v)
	}
	if v := tab.Columns[2].Value(2); v != 0.5 {
		t.Errorf("5e-1: %v", v)
	}
	for bad, want := range map[string]string{
		"":                  "empty",
		"a,b\n1,2,3\n":      "wrong number of fields",
		"a,\"b\n":           "header",
		"a,b\n1,2\n\"3,4\n": "CSV bad",
	} {
		if _, err := ReadCSV(strings.NewReader(bad), "bad"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadCSV(%q): %v, want an error containing %q", bad, err, want)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"ra,dec\n1,2\n", "a\n\"x\"\"y\"\n", "ra,dec,e\n1,91,\n", "x,y\n1,2\n3\n", "\xef\xbb\xbfa\n1\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		tab, err := ReadCSV(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		if len(tab.Columns) != len(tab.Fields) {
			t.Fatalf("%d columns for %d fields", len(tab.Columns), len(tab.Fields))
		}
		for _, c := range tab.Columns {
			if c.Len() != tab.Rows() {
				t.Fatalf("ragged columns")
			}
		}
	})
}

// TestReadTable reads one table written as VOTable (each serialization,
// plain and gzipped) and as CSV, through ReadTableFile.
func TestReadTable(t *testing.T) {
	src, err := ReadCSV(strings.NewReader("RAJ2000,DEJ2000,name\n150.5,-2.25,a\n10,20,\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{}
	for _, ser := range []Serialization{TableData, Binary, Binary2} {
		var b bytes.Buffer
		if err := WriteTable(&b, src, ser); err != nil {
			t.Fatal(err)
		}
		files["t_"+ser.String()+".vot"] = b.Bytes()
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b.Bytes())
		zw.Close()
		files["t_"+ser.String()+".xml.gz"] = z.Bytes()
	}
	var c bytes.Buffer
	if err := WriteCSV(&c, src); err != nil {
		t.Fatal(err)
	}
	files["t.csv"] = c.Bytes()
	files["t.txt"] = c.Bytes() // the content, not the extension, decides
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadTableFile(context.Background(), path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if tab.Rows() != 2 || len(tab.Fields) != 3 || tab.Fields[1].Name != "DEJ2000" {
			t.Errorf("%s: %d rows, fields %v", name, tab.Rows(), tab.Fields)
			continue
		}
		if v, ok := Float64(tab.Columns[1], 0); !ok || v != -2.25 {
			t.Errorf("%s: DEJ2000[0] = %v, %v", name, v, ok)
		}
		if base := strings.SplitN(name, ".", 2)[0]; tab.Name != base {
			t.Errorf("%s: table named %q, want %q", name, tab.Name, base)
		}
	}
}

func TestReadTableErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, content, want string
	}{
		{"image.fits", "SIMPLE  =                    T / conforms", "image.fits: reading FITS table: primary header: header ends before its END card"},
		{"data.bin", "SIMPLE  =                    T", "data.bin: reading FITS table: primary header"},
		{"cat.fit", "anything", "cat.fit is not a FITS file"},
		{"empty.csv", "", "empty"},
		{"blank.csv", " \n\n", "empty"},
		{"cat.vot", "ra,dec\n1,2\n", "not a VOTable"},
		{"broken.xml", "<VOTABLE><RESOURCE><TABLE><FIELD name=", "reading VOTable broken.xml"},
		{"none.xml", `<VOTABLE version="1.4"><RESOURCE/></VOTABLE>`, "has no TABLE"},
		{"ragged.csv", "a,b\n1\n", "wrong number of fields"},
		{"x.fits", "SIMPLE  = T", "header ends before its END card"},
		{"notfits.fits", "hello", "not a FITS file"},
	} {
		_, err := ReadTable(ctx, strings.NewReader(c.content), c.name)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := ReadTableFile(ctx, filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ReadTable(cancelled, strings.NewReader("a\n1\n"), "t.csv"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
