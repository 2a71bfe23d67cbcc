package votable

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormatFor(t *testing.T) {
	tests := []struct {
		name, flag string
		want       Format
		wantErr    bool
	}{
		{"out.csv", "", FormatCSV, false},
		{"OUT.CSV", "", FormatCSV, false},
		{"out.vot", "", FormatVOTable, false},
		{"-", "", FormatVOTable, false},
		{"", "", FormatVOTable, false},
		{"out.csv", "binary", FormatBinary, false},
		{"out.vot", "CSV", FormatCSV, false},
		{"-", "td", FormatTableData, false},
		{"-", "BINARY2", FormatBinary2, false},
		{"-", "xml", FormatVOTable, false},
		{"-", "fits", "", true},
		{"out.csv", "text", "", true},
		{"out.jsonl", "", FormatJSONL, false},
		{"out.NDJSON", "", FormatJSONL, false},
		{"-", "jsonl", FormatJSONL, false},
		{"out.csv", "ndjson", FormatJSONL, false},
	}
	for _, tt := range tests {
		got, err := FormatFor(tt.name, tt.flag)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("FormatFor(%q, %q) = %q, %v; want %q (error %v)", tt.name, tt.flag, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), tt.flag) {
			t.Errorf("FormatFor(%q, %q): error %q does not name the format", tt.name, tt.flag, err)
		}
	}
}

const formatDoc = `<VOTABLE version="1.4"><RESOURCE type="meta"><TABLE name="meta"><FIELD name="k" datatype="int"/>
<DATA><TABLEDATA><TR><TD>9</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE>
<RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/><PARAM name="p" datatype="int" value="3"/>
<TABLE name="t"><FIELD name="id" datatype="long"/><FIELD name="name" datatype="char" arraysize="*"/>
<DATA><TABLEDATA><TR><TD>1</TD><TD>a,b</TD></TR><TR><TD>2</TD><TD/></TR></TABLEDATA></DATA></TABLE>
<INFO name="QUERY_STATUS" value="%s"/></RESOURCE></VOTABLE>`

func formatDocWith(status string) string { return strings.Replace(formatDoc, "%s", status, 1) }

func TestCopyTable(t *testing.T) {
	ctx := context.Background()
	for _, f := range []Format{FormatVOTable, FormatTableData, FormatBinary, FormatBinary2, FormatCSV} {
		t.Run(string(f), func(t *testing.T) {
			var out bytes.Buffer
			d := NewDecoder(strings.NewReader(formatDocWith("OK")))
			defer d.Close()
			d.BatchRows = 1 // two batches
			if err := CopyTable(ctx, d, 2, &out, f); err != nil {
				t.Fatal(err)
			}
			if f == FormatCSV {
				if out.String() != "id,name\n1,\"a,b\"\n2,\n" {
					t.Errorf("CSV:\n%s", out.String())
				}
				return
			}
			doc, err := Read(&out)
			if err != nil {
				t.Fatal(err)
			}
			tab := doc.Tables()[0]
			if tab.Serialization != f.Serialization() || tab.Rows() != 2 || tab.Columns[1].Value(0) != "a,b" || !tab.Columns[1].IsNull(1) {
				t.Errorf("%s: %v rows in %v", f, tab.Rows(), tab.Serialization)
			}
			if len(doc.Resources[0].Params) != 1 || doc.Resources[0].Params[0].Value != "3" {
				t.Errorf("%s: resource PARAM lost", f)
			}
		})
	}
	var out bytes.Buffer
	if err := CopyTable(ctx, NewDecoder(strings.NewReader(formatDocWith("OK"))), 3, &out, FormatCSV); err == nil || !strings.Contains(err.Error(), "no table 3 (the document has 2)") {
		t.Errorf("table 3 of 2: %v", err)
	}
	if err := CopyTable(ctx, NewDecoder(strings.NewReader(`<VOTABLE><RESOURCE/></VOTABLE>`)), 1, &out, FormatCSV); err == nil {
		t.Error("no table: no error")
	}
	// A broken document after the table copied is still an error.
	if err := CopyTable(ctx, NewDecoder(strings.NewReader(formatDocWith("OK")[:len(formatDoc)-40])), 2, &out, FormatCSV); err == nil {
		t.Error("truncated document: no error")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := CopyTable(cctx, NewDecoder(strings.NewReader(formatDocWith("OK"))), 1, &out, FormatCSV); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestWriteFormat(t *testing.T) {
	doc, err := Read(strings.NewReader(formatDocWith("OK")))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteFormat(&out, doc, FormatCSV); err != nil || out.String() != "id,name\n1,\"a,b\"\n2,\n" {
		t.Errorf("CSV of the results table: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := WriteFormat(&out, doc, FormatTableData); err != nil || !strings.Contains(out.String(), "<TABLEDATA>") || !strings.Contains(out.String(), `name="meta"`) {
		t.Errorf("TABLEDATA: %v", err)
	}
	out.Reset()
	if err := WriteTableFormat(&out, doc.Tables()[0], FormatCSV); err != nil || out.String() != "k\n9\n" {
		t.Errorf("WriteTableFormat CSV: %v %q", err, out.String())
	}
	empty, _ := Read(strings.NewReader(`<VOTABLE><RESOURCE/></VOTABLE>`))
	if err := WriteFormat(&out, empty, FormatCSV); err == nil {
		t.Error("CSV of a document without tables: no error")
	}
}

func TestCreateFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ok.csv")
	if err := CreateFile(p, func(w io.Writer) error { _, err := w.Write([]byte("x\n")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "x\n" {
		t.Errorf("file: %q, %v", b, err)
	}
	bad := filepath.Join(dir, "bad.csv")
	boom := errors.New("boom")
	if err := CreateFile(bad, func(w io.Writer) error { w.Write([]byte("partial")); return boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("failed output left behind: %v", err)
	}
	if err := CreateFile(filepath.Join(dir, "no", "such", "dir.csv"), func(w io.Writer) error { return nil }); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestCreateFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.xml")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := CreateFile(p, func(w io.Writer) error {
		io.WriteString(w, "partial")
		// while writing, the old file is still there and complete
		if b, _ := os.ReadFile(p); string(b) != "old" {
			t.Errorf("during the write %s holds %q", p, b)
		}
		return errors.New("boom")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("after a failed write %s holds %q", p, b)
	}
	if err := CreateFile(p, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("after the write %s holds %q", p, b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1 (no temporary left)", len(entries))
	}
	if err := CreateFile(os.DevNull, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Errorf("writing %s: %v", os.DevNull, err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode().IsRegular() {
		t.Errorf("%s replaced: %v %v", os.DevNull, fi.Mode(), err)
	}
}

// TestCreateFileRemovesDeadParts: the temporary a killed run left next to
// its output goes at the next write of that output; one of a live
// process stays.
func TestCreateFileRemovesDeadParts(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out[1].xml")
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	dead := filepath.Join(dir, fmt.Sprintf(".out[1].xml.part-%d-123", c.Process.Pid))
	live := filepath.Join(dir, ".out[1].xml.part-1-456") // init is alive
	other := filepath.Join(dir, fmt.Sprintf(".other.xml.part-%d-789", c.Process.Pid))
	for _, f := range []string{dead, live, other} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := CreateFile(p, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Errorf("the dead run's temporary %s is still there", dead)
	}
	for _, f := range []string{live, other, p} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
