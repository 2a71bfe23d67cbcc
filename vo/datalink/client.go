package datalink

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
)

// DefaultBatch is how many IDs go into one {links} request by default.
const DefaultBatch = 20

// Client fetches links documents.
type Client struct {
	HTTP *dal.Client
	// Batch is the number of IDs per request (DefaultBatch when <= 0).
	Batch int
}

// NewClient returns a Client using c.
func NewClient(c *dal.Client) *Client { return &Client{HTTP: c} }

const op = "DataLink links request"

// Fetch reads the links document at rawURL (an access URL of format
// ContentDataLink, for instance).
func (c *Client) Fetch(ctx context.Context, rawURL string) (*Links, error) {
	return c.get(ctx, rawURL, nil)
}

func (c *Client) get(ctx context.Context, endpoint string, p url.Values) (*Links, error) {
	doc, _, err := c.HTTP.Fetch(ctx, &dal.Request{Op: op, URL: endpoint, Params: p})
	if err != nil {
		return nil, err
	}
	l, err := Parse(doc)
	if err != nil {
		return nil, &dal.Error{Op: op, URL: endpoint, Err: fmt.Errorf("%w: %w", dal.ErrInvalid, err)}
	}
	return l, nil
}

// Links asks the {links} endpoint about ids, Batch IDs per request (the ID
// parameter repeated), and merges the answers in order. Service descriptor
// IDs of later batches are renamed when they collide with earlier ones.
func (c *Client) Links(ctx context.Context, endpoint string, ids []string, extra url.Values) (*Links, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no ID given", op)
	}
	batch := c.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	var all *Links
	for start := 0; start < len(ids); start += batch {
		end := min(start+batch, len(ids))
		p := url.Values{}
		for k, v := range extra {
			p[k] = v
		}
		p["ID"] = ids[start:end]
		l, err := c.get(ctx, endpoint, p)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = l
			continue
		}
		merge(all, l, start/batch)
	}
	return all, nil
}

// merge appends b's rows and services to a.
func merge(a, b *Links, n int) {
	rename := map[string]string{}
	for _, s := range b.Services {
		if s.ID != "" && a.Service(s.ID) != nil {
			nid := s.ID + "~" + strconv.Itoa(n)
			rename[s.ID] = nid
			s.ID = nid
		}
		a.Services = append(a.Services, s)
	}
	for _, r := range b.Rows {
		if nid, ok := rename[r.ServiceDef]; ok {
			r.ServiceDef = nid
		}
		a.Rows = append(a.Rows, r)
	}
}

// LinksFor fetches the links of the given rows of a query result (SSA, SIA
// 2, ObsCore) through the {links} service descriptor the result carries.
func (c *Client) LinksFor(ctx context.Context, res *dataset.Result, rows []int) (*Links, error) {
	sd := LinksService(res.Doc)
	if sd == nil {
		return nil, fmt.Errorf("%s: the result carries no DataLink service descriptor", op)
	}
	var ids []string
	var extra url.Values
	for _, i := range rows {
		rec := dataset.Record{Table: res.Table, Row: i}
		p, err := sd.Params(&rec, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		id := p.Get("ID")
		if id == "" {
			return nil, fmt.Errorf("%s: service descriptor %s gives no ID for row %d", op, sd.label(), i)
		}
		ids = append(ids, id)
		delete(p, "ID")
		extra = p
	}
	return c.Links(ctx, sd.AccessURL, ids, extra)
}

// Resolve follows a DataLink access: when a.IsDataLink(), it fetches the
// links document and returns the access of its first #this link (URL,
// content type, length, the same name with the right extension). Other
// accesses come back unchanged.
func (c *Client) Resolve(ctx context.Context, a dataset.Access) (dataset.Access, error) {
	if !a.IsDataLink() {
		return a, nil
	}
	l, err := c.Fetch(ctx, a.URL)
	if err != nil {
		return a, err
	}
	for _, link := range l.BySemantics("#this", false) {
		if link.AccessURL == "" {
			continue
		}
		out := dataset.Access{URL: link.AccessURL, Format: link.ContentType, Size: link.ContentLength}
		out.Name = dataset.Filename(link.ContentType, a.Name, link.ID, link.AccessURL)
		return out, nil
	}
	msg := "no #this link with an access_url"
	for _, e := range l.Errors() {
		msg += "; " + e.ID + ": " + e.ErrorMessage
	}
	return a, &dal.Error{Op: op, URL: a.URL, Err: fmt.Errorf("%w: %s", dal.ErrInvalid, msg)}
}
