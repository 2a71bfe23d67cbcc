package votable

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Format is how a table is written out: CSV, or a VOTable in one of the
// serializations. FormatVOTable leaves the serialization open: a command
// holding a service's document copies it unchanged, a writer uses BINARY2.
type Format string

// The output formats.
const (
	FormatVOTable   Format = "votable"
	FormatTableData Format = "tabledata"
	FormatBinary    Format = "binary"
	FormatBinary2   Format = "binary2"
	FormatCSV       Format = "csv"
	// FormatJSONL is JSON lines: one JSON object per row.
	FormatJSONL Format = "jsonl"
)

// FormatNames lists the names ParseFormat accepts, for usage texts.
const FormatNames = "votable, tabledata, binary, binary2, csv or jsonl"

// ParseFormat maps a format name (any case; "xml" and "vot" are votable,
// "td", "bin" and "bin2" the serializations' short names) to a Format.
func ParseFormat(s string) (Format, error) {
	switch l := strings.ToLower(strings.TrimSpace(s)); l {
	case "votable", "xml", "vot":
		return FormatVOTable, nil
	case "csv":
		return FormatCSV, nil
	case "jsonl", "ndjson", "json-lines", "jsonlines":
		return FormatJSONL, nil
	default:
		if ser, ok := ParseSerialization(l); ok {
			return serFormat(ser), nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want %s)", s, FormatNames)
}

// FormatFor picks the output format of a file: the flag when given, else
// from the extension of name (.csv is CSV, .jsonl and .ndjson JSON lines),
// else FormatVOTable. name "-"
// (standard output) or "" has no extension.
func FormatFor(name, flag string) (Format, error) {
	if flag != "" {
		return ParseFormat(flag)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return FormatCSV, nil
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	}
	return FormatVOTable, nil
}

func serFormat(s Serialization) Format {
	switch s {
	case TableData:
		return FormatTableData
	case Binary:
		return FormatBinary
	}
	return FormatBinary2
}

// IsVOTable reports whether f writes a VOTable (any serialization).
func (f Format) IsVOTable() bool { return f != FormatCSV && f != FormatJSONL && f != "" }

// Serialization is the serialization a writer uses for f: BINARY2 for
// FormatVOTable, SerUnknown for CSV.
func (f Format) Serialization() Serialization {
	switch f {
	case FormatTableData:
		return TableData
	case FormatBinary:
		return Binary
	case FormatBinary2, FormatVOTable:
		return Binary2
	}
	return SerUnknown
}

// BatchWriter writes the rows of one table as they arrive in batches:
// TableWriter and CSVWriter are BatchWriters.
type BatchWriter interface {
	WriteBatch(cols []Column) error
	Close() error
}

// NewBatchWriter starts writing table t (metadata only; res holds the
// resource's INFOs and PARAMs, may be nil, and is ignored for CSV) to w in
// format f.
func NewBatchWriter(w io.Writer, res *Resource, t *Table, f Format) (BatchWriter, error) {
	switch f {
	case FormatCSV:
		return NewCSVWriter(w, t.Fields), nil
	case FormatJSONL:
		return NewJSONLWriter(w, t.Fields), nil
	}
	return NewTableWriter(w, res, t, f.Serialization())
}

// WriteTableFormat writes a whole in-memory table to w in format f.
func WriteTableFormat(w io.Writer, t *Table, f Format) error {
	switch f {
	case FormatCSV:
		return WriteCSV(w, t)
	case FormatJSONL:
		return WriteJSONL(w, t)
	}
	return WriteTable(w, t, f.Serialization())
}

// WriteFormat writes doc to w in format f. CSV and JSON lines hold one table: the first
// one of a RESOURCE type="results", else the first table with data.
func WriteFormat(w io.Writer, doc *Document, f Format) error {
	if f.IsVOTable() {
		return Write(w, doc, f.Serialization())
	}
	t := ResultTable(doc)
	if t == nil {
		return fmt.Errorf("votable: the document holds no table with data to write as %s", f)
	}
	return WriteTableFormat(w, t, f)
}

// ResultTable is the first table of doc's first RESOURCE type="results"
// with data, else the first table with data, else nil.
func ResultTable(doc *Document) *Table {
	var walk func([]*Resource) *Table
	walk = func(rs []*Resource) *Table {
		for _, r := range rs {
			if strings.EqualFold(r.Type, "results") {
				for _, t := range r.Tables {
					if hasData(t) {
						return t
					}
				}
			}
			if t := walk(r.Resources); t != nil {
				return t
			}
		}
		return nil
	}
	if t := walk(doc.Resources); t != nil {
		return t
	}
	for _, t := range doc.Tables() {
		if hasData(t) {
			return t
		}
	}
	return nil
}

func hasData(t *Table) bool { return len(t.Fields) > 0 && len(t.Columns) == len(t.Fields) }

// CreateFile writes the file path with write. The data goes to a
// temporary file next to path, renamed to path only once write and the
// close succeed: a failed or killed writer leaves no partial file under
// path (and an existing file there stays as it was). A path that exists
// and is not a regular file (/dev/null, a FIFO) is written directly.
func CreateFile(path string, write func(io.Writer) error) (err error) {
	if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	removeDeadParts(dir, base)
	f, err := os.CreateTemp(dir, fmt.Sprintf(".%s.part-%d-*", base, os.Getpid()))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing %s: %w", path, cerr)
		}
		if err == nil {
			err = os.Chmod(f.Name(), 0o644)
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	return write(f)
}

// removeDeadParts removes the temporary files CreateFile left next to
// dir/base in runs that were killed (their process is gone).
func removeDeadParts(dir, base string) {
	parts, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".part-*-*"))
	for _, p := range parts {
		rest := strings.TrimPrefix(filepath.Base(p), "."+base+".part-")
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.Remove(p)
		}
	}
}

// globEscape quotes the metacharacters of filepath.Match in s.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TableStream hands out tables and then each one's rows in batches:
// Decoder does, and so do streamed service results.
type TableStream interface {
	NextTable() (*Table, error)
	NextBatch() ([]Column, error)
}

// EachBatch calls fn with every remaining batch of rows of the stream's
// current table, checking ctx between batches. The columns passed to fn
// are reused by the next batch.
func EachBatch(ctx context.Context, s TableStream, fn func([]Column) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		cols, err := s.NextBatch()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(cols); err != nil {
			return err
		}
	}
}

// CopyTable streams table n (1-based) of s to w in format f with constant
// memory, then reads the stream to its end so that a status after the
// table (a trailing QUERY_STATUS) is seen. The table's RESOURCE metadata is
// kept when s has a Resource method (as Decoder has).
func CopyTable(ctx context.Context, s TableStream, n int, w io.Writer, f Format) error {
	if n < 1 {
		return fmt.Errorf("votable: no table %d (tables count from 1)", n)
	}
	var t *Table
	for i := 1; i <= n; i++ {
		var err error
		t, err = s.NextTable()
		if err == io.EOF {
			if i == 1 {
				return errors.New("votable: the document holds no table")
			}
			return fmt.Errorf("votable: no table %d (the document has %d)", n, i-1)
		}
		if err != nil {
			return err
		}
	}
	var res *Resource
	if r, ok := s.(interface{ Resource() *Resource }); ok {
		res = r.Resource()
	}
	bw, err := NewBatchWriter(w, res, t, f)
	if err != nil {
		return err
	}
	if err := EachBatch(ctx, s, bw.WriteBatch); err != nil {
		return err
	}
	if err := bw.Close(); err != nil {
		return fmt.Errorf("votable: writing table %d: %w", n, err)
	}
	for {
		if _, err := s.NextTable(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}
