package datalink

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
)

// DefaultBatch is how many IDs go into one {links} request by default.
const DefaultBatch = 20

// Client fetches links documents. It is safe for concurrent use.
type Client struct {
	HTTP *dal.Client
	// Batch is the number of IDs per request (DefaultBatch when <= 0).
	Batch int

	mu sync.Mutex
	// single holds the {links} endpoints found to answer only one ID
	// per request (DaCHS's dlmeta answers the first of several).
	single map[string]bool
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
//
// Every ID asked for must be answered (the links table's ID column): the
// IDs a batched answer leaves out are asked again one at a time, and the
// endpoint is remembered, for the Client's life, as one that answers one
// ID per request only. An ID still unanswered alone is an error.
func (c *Client) Links(ctx context.Context, endpoint string, ids []string, extra url.Values) (*Links, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no ID given", op)
	}
	batch := c.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	var all *Links
	n := 0
	add := func(l *Links) {
		if all == nil {
			all = l
		} else {
			merge(all, l, n)
		}
		n++
	}
	ask := func(some []string) (*Links, error) {
		p := url.Values{}
		for k, v := range extra {
			p[k] = v
		}
		p["ID"] = some
		return c.get(ctx, endpoint, p)
	}
	for start := 0; start < len(ids); {
		size := batch
		if c.answersOne(endpoint) {
			size = 1
		}
		end := min(start+size, len(ids))
		some := ids[start:end]
		start = end
		l, err := ask(some)
		if err != nil {
			return nil, err
		}
		add(l)
		missing := unanswered(l, some)
		if len(missing) == 0 {
			continue
		}
		if len(some) == 1 {
			return nil, &dal.Error{Op: op, URL: endpoint, Err: fmt.Errorf("%w: the answer has no row for ID %s", dal.ErrInvalid, some[0])}
		}
		c.setAnswersOne(endpoint)
		for _, id := range missing {
			l, err := ask([]string{id})
			if err != nil {
				return nil, err
			}
			if len(unanswered(l, []string{id})) > 0 {
				return nil, &dal.Error{Op: op, URL: endpoint, Err: fmt.Errorf("%w: the answer has no row for ID %s", dal.ErrInvalid, id)}
			}
			add(l)
		}
	}
	return all, nil
}

// unanswered returns the ids that have no row in l, in order.
func unanswered(l *Links, ids []string) []string {
	got := map[string]bool{}
	for _, r := range l.Rows {
		got[r.ID] = true
	}
	var out []string
	for _, id := range ids {
		if !got[id] {
			out = append(out, id)
		}
	}
	return out
}

// AnswersOneID reports whether the {links} endpoint was found to answer
// only the first ID of a batched request.
func (c *Client) AnswersOneID(endpoint string) bool { return c.answersOne(endpoint) }

func (c *Client) answersOne(endpoint string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.single[endpoint]
}

func (c *Client) setAnswersOne(endpoint string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.single == nil {
		c.single = map[string]bool{}
	}
	c.single[endpoint] = true
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
