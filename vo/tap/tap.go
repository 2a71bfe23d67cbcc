// Package tap is a client of IVOA TAP 1.1 services: capabilities (with the
// TAPRegExt limits), table metadata (VOSI tables and TAP_SCHEMA), examples,
// synchronous queries, asynchronous queries through UWS (vo/uws), uploads of
// in-memory tables (inline or by URL), and queries partitioned on a table's
// primary key and run as concurrent async jobs.
//
// Results are streamed (dal.Result), read into memory (Fetch) or copied raw
// to a writer (Copy); see vo/dal.
package tap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/voagent/voagent/internal/lazyre"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/uws"
	"github.com/voagent/voagent/vo/votable"
)

// Service is a TAP service.
type Service struct {
	// URL is the service's base URL (the parent of /sync, /async,
	// /capabilities ...).
	URL string
	dal *dal.Client
	uws *uws.Client
	log *slog.Logger

	mu   sync.Mutex
	jobs map[string]bool // async jobs created and not yet deleted
}

// New returns a client for the TAP service at baseURL; log may be nil.
func New(baseURL string, c *dal.Client, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{URL: strings.TrimRight(baseURL, "/"), dal: c, uws: uws.NewClient(c, log), log: log, jobs: map[string]bool{}}
}

// UWS returns the UWS client the service uses for async jobs.
func (s *Service) UWS() *uws.Client { return s.uws }

func (s *Service) endpoint(name string) string { return s.URL + "/" + name }

// Query is an ADQL query and its TAP parameters.
type Query struct {
	// ADQL is the query text.
	ADQL string
	// Lang is the query language (default "ADQL").
	Lang string
	// HasMaxRec says MaxRec is to be sent; MaxRec=0 asks for metadata only.
	HasMaxRec bool
	MaxRec    int64
	// ResponseFormat is the RESPONSEFORMAT ("" for the service's default,
	// a VOTable); e.g. "csv", "votable/td", "application/x-votable+xml".
	ResponseFormat string
	// Uploads are tables the query refers to as TAP_UPLOAD.<name>.
	Uploads []Upload
	// Params are extra parameters (e.g. RUNID), sent as they are.
	Params url.Values
}

// Upload is a table sent with a query: inline (Table, Document or VOTable
// bytes, as a multipart part "param:name") or by reference (URL).
type Upload struct {
	// Name is the table name in TAP_UPLOAD; [A-Za-z][A-Za-z0-9_]*.
	Name string
	// URL of a VOTable the service fetches itself (http or https).
	URL string
	// Table or Document is serialized as a BINARY2 VOTable.
	Table    *votable.Table
	Document *votable.Document
	// VOTable is the raw VOTable to send.
	VOTable []byte
}

var uploadName = lazyre.New(`^[A-Za-z][A-Za-z0-9_]*$`)

// params builds the request parameters and the multipart parts of a query.
func (q *Query) params() (url.Values, []dal.Part, error) {
	if strings.TrimSpace(q.ADQL) == "" {
		return nil, nil, errors.New("empty query")
	}
	p := url.Values{}
	for k, vs := range q.Params {
		p[k] = append([]string(nil), vs...)
	}
	p.Set("REQUEST", "doQuery")
	lang := q.Lang
	if lang == "" {
		lang = "ADQL"
	}
	p.Set("LANG", lang)
	p.Set("QUERY", q.ADQL)
	if q.HasMaxRec {
		if q.MaxRec < 0 {
			return nil, nil, fmt.Errorf("MAXREC %d is negative", q.MaxRec)
		}
		p.Set("MAXREC", strconv.FormatInt(q.MaxRec, 10))
	}
	if q.ResponseFormat != "" {
		p.Set("RESPONSEFORMAT", q.ResponseFormat)
	}
	var parts []dal.Part
	var ups []string
	seen := map[string]bool{}
	for _, u := range q.Uploads {
		if !uploadName().MatchString(u.Name) {
			return nil, nil, fmt.Errorf("upload name %q is not [A-Za-z][A-Za-z0-9_]*", u.Name)
		}
		if seen[strings.ToLower(u.Name)] {
			return nil, nil, fmt.Errorf("upload name %q used twice (names are case-insensitive)", u.Name)
		}
		seen[strings.ToLower(u.Name)] = true
		if u.URL != "" {
			ref, err := url.Parse(u.URL)
			if err != nil || (ref.Scheme != "http" && ref.Scheme != "https") {
				return nil, nil, fmt.Errorf("upload %s: %q is not an http(s) URL", u.Name, u.URL)
			}
			ups = append(ups, u.Name+","+u.URL)
			continue
		}
		body, err := u.votable()
		if err != nil {
			return nil, nil, err
		}
		ups = append(ups, u.Name+",param:"+u.Name)
		parts = append(parts, dal.Part{Name: u.Name, FileName: u.Name + ".vot", ContentType: "application/x-votable+xml",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }})
	}
	if len(ups) > 0 {
		p.Set("UPLOAD", strings.Join(ups, ";"))
	}
	return p, parts, nil
}

// votable serializes an inline upload.
func (u *Upload) votable() ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch {
	case u.VOTable != nil:
		return u.VOTable, nil
	case u.Document != nil:
		err = votable.Write(&buf, u.Document, votable.Binary2)
	case u.Table != nil:
		err = votable.WriteTable(&buf, u.Table, votable.Binary2)
	default:
		return nil, fmt.Errorf("upload %s: no table, document, VOTable or URL", u.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("upload %s: writing the VOTable: %w", u.Name, err)
	}
	return buf.Bytes(), nil
}

// wantVOTable reports whether the response format asked for is a VOTable.
func (q *Query) wantVOTable() bool {
	f := strings.ToLower(q.ResponseFormat)
	return f == "" || strings.Contains(f, "votable") || f == "text/xml"
}

// syncRequest builds the POST to /sync (POST so that no cache answers).
func (s *Service) syncRequest(q *Query) (*dal.Request, error) {
	p, parts, err := q.params()
	if err != nil {
		return nil, &dal.Error{Op: "TAP sync query", URL: s.endpoint("sync"), Err: err}
	}
	return &dal.Request{Op: "TAP sync query", Method: http.MethodPost, URL: s.endpoint("sync"), Params: p, Parts: parts,
		Idempotent: true, HasMaxRec: q.HasMaxRec, MaxRec: q.MaxRec}, nil
}

// Sync runs a query synchronously and returns the streamed VOTable result;
// the caller closes it.
func (s *Service) Sync(ctx context.Context, q *Query) (*dal.Result, error) {
	req, err := s.syncRequest(q)
	if err != nil {
		return nil, err
	}
	return s.dal.Stream(ctx, req)
}

// SyncFetch runs a query synchronously and reads the whole result into memory.
func (s *Service) SyncFetch(ctx context.Context, q *Query) (*votable.Document, *dal.Truncation, error) {
	req, err := s.syncRequest(q)
	if err != nil {
		return nil, nil, err
	}
	return s.dal.Fetch(ctx, req)
}

// SyncCopy runs a query synchronously and copies the service's bytes to w
// (any RESPONSEFORMAT), checking the DALI status of a VOTable on the way.
func (s *Service) SyncCopy(ctx context.Context, q *Query, w io.Writer) (int64, *dal.Truncation, error) {
	req, err := s.syncRequest(q)
	if err != nil {
		return 0, nil, err
	}
	return s.dal.Copy(ctx, req, w, q.wantVOTable())
}
