package dataset

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

// Result is the answer of a simple DAL query (SCS, SIA, SSA, a DataLink
// links request): the whole document, its results table and whether the
// service cut it short.
type Result struct {
	Doc   *votable.Document
	Table *votable.Table
	// Truncation is nil unless the service reported an OVERFLOW.
	Truncation *dal.Truncation
}

// Records returns the rows of the results table.
func (r *Result) Records() []Record { return Records(r.Table) }

// ResultsTable returns the table of doc's first RESOURCE type="results"
// (DALI §5.4), or the first table of the document when no resource is typed.
func ResultsTable(doc *votable.Document) (*votable.Table, error) {
	if doc == nil {
		return nil, errors.New("no document")
	}
	var walk func([]*votable.Resource) *votable.Table
	walk = func(rs []*votable.Resource) *votable.Table {
		for _, r := range rs {
			if strings.EqualFold(r.Type, "results") && len(r.Tables) > 0 {
				return r.Tables[0]
			}
			if t := walk(r.Resources); t != nil {
				return t
			}
		}
		return nil
	}
	if t := walk(doc.Resources); t != nil {
		return t, nil
	}
	if ts := doc.Tables(); len(ts) > 0 {
		return ts[0], nil
	}
	return nil, errors.New("the response holds no table")
}

// Query sends a GET with params to endpoint and reads the VOTable answer.
// op names the operation in errors ("SCS query"). A MAXREC among params is
// passed to dal so that an overflow can be attributed.
func Query(ctx context.Context, c *dal.Client, op, endpoint string, params url.Values) (*Result, error) {
	req := NewRequest(op, endpoint, params)
	doc, tr, err := c.Fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	t, err := ResultsTable(doc)
	if err != nil {
		return nil, &dal.Error{Op: op, URL: endpoint, Err: fmt.Errorf("%w: %w", dal.ErrInvalid, err)}
	}
	return &Result{Doc: doc, Table: t, Truncation: tr}, nil
}

// NewRequest builds the GET request of a simple DAL query, noting a MAXREC
// parameter for overflow reports.
func NewRequest(op, endpoint string, params url.Values) *dal.Request {
	req := &dal.Request{Op: op, URL: endpoint, Params: params}
	for k, vs := range params {
		if strings.EqualFold(k, "MAXREC") && len(vs) > 0 {
			if n, err := strconv.ParseInt(vs[0], 10, 64); err == nil {
				req.HasMaxRec, req.MaxRec = true, n
			}
		}
	}
	return req
}

// SetExtra adds caller-given parameters to params: a key already present
// (compared case-insensitively, as services do) is replaced.
func SetExtra(params, extra url.Values) {
	for k, vs := range extra {
		for old := range params {
			if strings.EqualFold(old, k) {
				delete(params, old)
			}
		}
		params[k] = append([]string(nil), vs...)
	}
}

// Metadata asks a simple service (SIA 1, SSA) for its FORMAT=METADATA
// document and returns the input parameters it lists. params holds what the
// protocol needs besides FORMAT (SSA's REQUEST=queryData).
func Metadata(ctx context.Context, c *dal.Client, op, endpoint string, params url.Values) ([]svcparam.Param, error) {
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	p.Set("FORMAT", "METADATA")
	doc, _, err := c.Fetch(ctx, &dal.Request{Op: op + " metadata", URL: endpoint, Params: p})
	if err != nil {
		return nil, err
	}
	ps, err := svcparam.FromMetadata(doc)
	if err != nil {
		return nil, &dal.Error{Op: op + " metadata", URL: endpoint, Err: fmt.Errorf("%w: %w", dal.ErrInvalid, err)}
	}
	return ps, nil
}

// Access is what a record says about getting its dataset.
type Access struct {
	// URL is the dataset (or, for a DataLink format, its links document).
	URL string
	// Format is the media type ("" when unknown).
	Format string
	// Size is the announced size in bytes (-1 when unknown).
	Size int64
	// Name is the suggested file name, from the record's metadata.
	Name string
}

// IsDataLink reports whether the access URL leads to a DataLink links
// document rather than to the dataset (ObsCore §2.7).
func (a Access) IsDataLink() bool {
	return strings.Contains(strings.ToLower(a.Format), "content=datalink")
}
