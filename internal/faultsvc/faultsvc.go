// Package faultsvc is an in-process HTTP service (httptest) that misbehaves
// on purpose, for testing the VO protocol clients' failure paths: slow,
// hanging, HTTP 500, 429/503 with Retry-After, truncated bodies, HTML instead
// of a VOTable, DALI error documents (error before or after the table), SCS
// "Error" INFO/PARAM, overflow, gzip, and large generated results.
//
// Each fault is a path; parameters come in the query string:
//
//	/ok?rows=N               a VOTable with N rows (default 3), QUERY_STATUS=OK
//	/overflow?rows=N         N rows, OK before and OVERFLOW after the table
//	/error-before?msg=M      QUERY_STATUS=ERROR before the (absent) table
//	/error-after?rows=N&msg=M  N rows, then QUERY_STATUS=ERROR after the table
//	/scs-error-info?msg=M    SCS 1.03 <INFO name="Error"> under VOTABLE
//	/scs-error-param?msg=M   SCS 1.03 <PARAM name="Error"> under RESOURCE
//	/no-status?rows=N        a VOTable without any QUERY_STATUS
//	/binary?rows=N           a BINARY-serialized VOTable (base64 stream)
//	/gzip?rows=N             /ok with Content-Encoding: gzip
//	/status?code=C&body=B&type=T  HTTP status C with body B of Content-Type T
//	/500                     HTTP 500 with a text body
//	/500-votable?msg=M       HTTP 500 with an error VOTable
//	/retry?code=429&after=S&times=K  K times status code with Retry-After S, then /ok
//	/slow?rows=N&delay=D     the VOTable of /ok, one line every D (a Go duration)
//	/hang                    sends nothing until the client gives up
//	/hang-body?rows=N        sends the headers and part of the document, then hangs
//	/truncated?rows=N        declares a Content-Length, sends half, drops the connection
//	/truncated-clean?rows=N  sends half of the document and ends the response normally
//	/html                    HTTP 200 with an HTML page
//	/text                    HTTP 200 text/plain "Query failed: ..." body
//	/empty                   HTTP 200 with no body
//
// /hang-body, /truncated and /truncated-clean send a BINARY document with
// binary=1.
//
// Other handlers (a fake TAP or UWS service) can be added with Handle.
package faultsvc

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running fault service.
type Server struct {
	*httptest.Server
	mux *http.ServeMux

	mu       sync.Mutex
	requests []Request
	counts   map[string]int
	done     chan struct{}
}

// Request is a request the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Form   url.Values // POST form values (not multipart files)
	Header http.Header
}

// New starts a fault service on 127.0.0.1; it is closed when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{mux: http.NewServeMux(), counts: map[string]int{}, done: make(chan struct{})}
	s.routes()
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing hanging handlers first.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.mu.Unlock()
	s.Server.CloseClientConnections()
	s.Server.Close()
}

// URLOf returns the absolute URL of a path on the server.
func (s *Server) URLOf(path string) string { return s.Server.URL + path }

// Handle adds a handler for a pattern (as http.ServeMux).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleFunc adds a handler function for a pattern (as http.ServeMux).
func (s *Server) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	s.mux.HandleFunc(pattern, h)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests were made to path.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// Done is closed when the server shuts down; hanging handlers wait on it.
func (s *Server) Done() <-chan struct{} { return s.done }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseForm(); err == nil {
			rec.Form = r.PostForm
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.counts[r.URL.Path]++
	s.mu.Unlock()
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	doc := func(status func(q url.Values) (before, after string)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			before, after := status(q)
			writeVOTable(w, rows(q), before, after)
		}
	}
	s.mux.HandleFunc("/ok", doc(func(url.Values) (string, string) { return statusInfo("OK", ""), "" }))
	s.mux.HandleFunc("/no-status", doc(func(url.Values) (string, string) { return "", "" }))
	s.mux.HandleFunc("/overflow", doc(func(url.Values) (string, string) {
		return statusInfo("OK", ""), statusInfo("OVERFLOW", "")
	}))
	s.mux.HandleFunc("/error-after", doc(func(q url.Values) (string, string) {
		return statusInfo("OK", ""), statusInfo("ERROR", msg(q))
	}))
	s.mux.HandleFunc("/error-before", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-votable+xml")
		fmt.Fprintf(w, "%s<RESOURCE type=\"results\">%s</RESOURCE></VOTABLE>\n", head, statusInfo("ERROR", msg(r.URL.Query())))
	})
	s.mux.HandleFunc("/scs-error-info", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, "%s<INFO ID=\"Error\" name=\"Error\" value=\"%s\"/><RESOURCE/></VOTABLE>\n", head, html.EscapeString(msg(r.URL.Query())))
	})
	s.mux.HandleFunc("/scs-error-param", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, "%s<RESOURCE><PARAM name=\"Error\" datatype=\"char\" arraysize=\"*\" value=\"%s\"/></RESOURCE></VOTABLE>\n",
			head, html.EscapeString(msg(r.URL.Query())))
	})
	s.mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-votable+xml")
		writeBinary(w, rows(r.URL.Query()))
	})
	s.mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/x-votable+xml")
		zw := gzip.NewWriter(w)
		writeVOTableTo(zw, rows(r.URL.Query()), statusInfo("OK", ""), "")
		zw.Close()
	})
	s.mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		code, _ := strconv.Atoi(q.Get("code"))
		if code == 0 {
			code = http.StatusInternalServerError
		}
		if t := q.Get("type"); t != "" {
			w.Header().Set("Content-Type", t)
		}
		w.WriteHeader(code)
		io.WriteString(w, q.Get("body"))
	})
	s.mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Internal Server Error: database connection lost", http.StatusInternalServerError)
	})
	s.mux.HandleFunc("/500-votable", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-votable+xml")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s<RESOURCE type=\"results\">%s</RESOURCE></VOTABLE>\n", head, statusInfo("ERROR", msg(r.URL.Query())))
	})
	s.mux.HandleFunc("/retry", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		times, _ := strconv.Atoi(q.Get("times"))
		code, _ := strconv.Atoi(q.Get("code"))
		if code == 0 {
			code = http.StatusTooManyRequests
		}
		key := "/retry?" + r.URL.RawQuery
		s.mu.Lock()
		s.counts[key]++
		n := s.counts[key]
		s.mu.Unlock()
		if n <= times {
			if a := q.Get("after"); a != "" {
				w.Header().Set("Retry-After", a)
			}
			http.Error(w, "Too busy, try later", code)
			return
		}
		writeVOTable(w, rows(q), statusInfo("OK", ""), "")
	})
	s.mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		delay, err := time.ParseDuration(r.URL.Query().Get("delay"))
		if err != nil {
			delay = 10 * time.Millisecond
		}
		var b strings.Builder
		writeVOTableTo(&b, rows(r.URL.Query()), statusInfo("OK", ""), "")
		w.Header().Set("Content-Type", "application/x-votable+xml")
		for _, line := range strings.SplitAfter(b.String(), "\n") {
			io.WriteString(w, line)
			w.(http.Flusher).Flush()
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			case <-s.done:
				return
			}
		}
	})
	s.mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	})
	s.mux.HandleFunc("/hang-body", func(w http.ResponseWriter, r *http.Request) {
		b := document(r.URL.Query())
		w.Header().Set("Content-Type", "application/x-votable+xml")
		io.WriteString(w, b.String()[:b.Len()/2])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	})
	s.mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		b := document(r.URL.Query())
		w.Header().Set("Content-Type", "application/x-votable+xml")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		io.WriteString(w, b.String()[:b.Len()/2])
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
	s.mux.HandleFunc("/truncated-clean", func(w http.ResponseWriter, r *http.Request) {
		b := document(r.URL.Query())
		w.Header().Set("Content-Type", "application/x-votable+xml")
		io.WriteString(w, b.String()[:b.Len()/2])
	})
	s.mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Service Maintenance</title><style>p{}</style></head>"+
			"<body><h1>Down for maintenance</h1><p>Back at 18:00 UTC.</p></body></html>\n")
	})
	s.mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Query failed: table does not exist\n")
	})
	s.mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-votable+xml")
	})
}

// document builds the /ok document (BINARY with binary=1) in memory.
func document(q url.Values) *strings.Builder {
	var b strings.Builder
	if q.Get("binary") != "" {
		writeBinary(&b, rows(q))
	} else {
		writeVOTableTo(&b, rows(q), statusInfo("OK", ""), "")
	}
	return &b
}

func rows(q url.Values) int {
	n, err := strconv.Atoi(q.Get("rows"))
	if err != nil || n < 0 {
		return 3
	}
	return n
}

func msg(q url.Values) string {
	if m := q.Get("msg"); m != "" {
		return m
	}
	return "Could not parse your query: syntax error at line 1"
}

const head = `<?xml version="1.0" encoding="UTF-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
`

// statusInfo is a DALI QUERY_STATUS INFO element ("" message: none).
func statusInfo(value, message string) string {
	return fmt.Sprintf("<INFO name=\"QUERY_STATUS\" value=\"%s\">%s</INFO>\n", value, html.EscapeString(message))
}

const fields = `<FIELD name="id" datatype="long" ucd="meta.id;meta.main"/>
<FIELD name="ra" datatype="double" unit="deg" ucd="pos.eq.ra;meta.main"/>
<FIELD name="dec" datatype="double" unit="deg" ucd="pos.eq.dec;meta.main"/>
<FIELD name="name" datatype="char" arraysize="*"/>
`

// Row returns the values of generated row i: id, ra, dec, name.
func Row(i int) (id int64, ra, dec float64, name string) {
	return int64(i + 1), float64(i%360) + 0.5, float64(i%180) - 89.5, "star " + strconv.Itoa(i+1)
}

func writeVOTable(w http.ResponseWriter, n int, before, after string) {
	w.Header().Set("Content-Type", "application/x-votable+xml")
	writeVOTableTo(w, n, before, after)
}

// writeVOTableTo writes a TABLEDATA document with n generated rows and the
// given INFOs before and after the table.
func writeVOTableTo(w io.Writer, n int, before, after string) { writeRows(w, 0, n, before, after) }

// writeRows writes a TABLEDATA document with generated rows [from, to).
func writeRows(w io.Writer, from, to int, before, after string) {
	io.WriteString(w, head+"<RESOURCE type=\"results\">\n"+before+"<TABLE name=\"results\">\n"+fields+"<DATA><TABLEDATA>\n")
	for i := from; i < to; i++ {
		id, ra, dec, name := Row(i)
		fmt.Fprintf(w, "<TR><TD>%d</TD><TD>%g</TD><TD>%g</TD><TD>%s</TD></TR>\n", id, ra, dec, name)
	}
	io.WriteString(w, "</TABLEDATA></DATA></TABLE>\n"+after+"</RESOURCE>\n</VOTABLE>\n")
}

// writeBinary writes a BINARY document with n generated rows.
func writeBinary(w io.Writer, n int) {
	io.WriteString(w, head+"<RESOURCE type=\"results\">\n"+statusInfo("OK", "")+"<TABLE>\n"+fields+"<DATA><BINARY><STREAM encoding=\"base64\">\n")
	enc := base64.NewEncoder(base64.StdEncoding, w)
	var buf []byte
	for i := range n {
		id, ra, dec, name := Row(i)
		buf = binary.BigEndian.AppendUint64(buf[:0], uint64(id))
		buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(ra))
		buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(dec))
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(name)))
		buf = append(buf, name...)
		enc.Write(buf)
	}
	enc.Close()
	io.WriteString(w, "\n</STREAM></BINARY></DATA></TABLE>\n</RESOURCE>\n</VOTABLE>\n")
}
