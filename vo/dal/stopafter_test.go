package dal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// endless is a catalogue that ignores MAXREC and sends rows without end
// (until the client goes away); it counts the rows it managed to send.
func endless(t *testing.T, sent *int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-votable+xml")
		io.WriteString(w, `<VOTABLE version="1.4"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/><TABLE><FIELD name="id" datatype="long"/><FIELD name="ra" datatype="double"/><DATA><TABLEDATA>`)
		for i := int64(0); ; i++ {
			if _, err := fmt.Fprintf(w, "<TR><TD>%d</TD><TD>%g</TD></TR>\n", i, float64(i)/1e6); err != nil {
				return
			}
			*sent = i
			if r.Context().Err() != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStopAfter(t *testing.T) {
	var sent int64
	srv := endless(t, &sent)
	c := New(Options{})
	for _, n := range []int64{1, 1000, 25000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			res, err := c.Stream(context.Background(), &Request{Op: "cone", URL: srv.URL, MaxRec: n, HasMaxRec: true})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			res.StopAfter(n)
			var b bytesWriter
			if err := votable.CopyTable(context.Background(), res, 1, &b, votable.FormatBinary2); err != nil {
				t.Fatal(err)
			}
			tr := res.Truncation()
			if res.Rows() != n || tr == nil || tr.Rows != n || !tr.ByCaller {
				t.Fatalf("rows %d, truncation %+v; want %d rows, truncated", res.Rows(), tr, n)
			}
			doc, err := votable.Read(&b)
			if err != nil || doc.Tables()[0].Rows() != int(n) {
				t.Fatalf("written table: %v", err)
			}
		})
	}
	// A service that sends exactly the rows asked for is not truncated.
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<VOTABLE><RESOURCE type="results"><TABLE><FIELD name="id" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR><TR><TD>2</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`)
	}))
	defer srv2.Close()
	res, err := c.Stream(context.Background(), &Request{Op: "cone", URL: srv2.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	res.StopAfter(2)
	if err := votable.CopyTable(context.Background(), res, 1, io.Discard, votable.FormatBinary2); err != nil || res.Truncation() != nil {
		t.Fatalf("exactly 2 rows: %v, truncation %+v", err, res.Truncation())
	}
	if errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
}

type bytesWriter struct {
	buf []byte
	off int
}

func (b *bytesWriter) Write(p []byte) (int, error) { b.buf = append(b.buf, p...); return len(p), nil }
func (b *bytesWriter) Read(p []byte) (int, error) {
	if b.off >= len(b.buf) {
		return 0, io.EOF
	}
	n := copy(p, b.buf[b.off:])
	b.off += n
	return n, nil
}
