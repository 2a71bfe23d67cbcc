package dataset

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/voagent/voagent/vo/dal"
)

// Parameters is what a simple DAL protocol query knows: its HTTP
// parameters, validated.
type Parameters interface {
	Params() (url.Values, error)
}

// Endpoint is a simple DAL service (SCS, SIA, SSA) answering a GET with a
// VOTable; the protocol packages embed it with their own query type.
type Endpoint[Q Parameters] struct {
	// Op names the protocol in errors ("SSA query").
	Op string
	// URL is the access URL (it may end in "?" or "&", or carry fixed
	// parameters of its own).
	URL    string
	Client *dal.Client
}

// NewEndpoint returns the endpoint at accessURL.
func NewEndpoint[Q Parameters](op, accessURL string, client *dal.Client) *Endpoint[Q] {
	return &Endpoint[Q]{Op: op, URL: accessURL, Client: client}
}

// Search runs q and reads the whole answer.
func (e *Endpoint[Q]) Search(ctx context.Context, q Q) (*Result, error) {
	p, err := q.Params()
	if err != nil {
		return nil, err
	}
	return Query(ctx, e.Client, e.Op, e.URL, p)
}

// Copy runs q and writes the service's VOTable to w unchanged, returning
// the bytes written and any truncation.
func (e *Endpoint[Q]) Copy(ctx context.Context, q Q, w io.Writer) (int64, *dal.Truncation, error) {
	p, err := q.Params()
	if err != nil {
		return 0, nil, err
	}
	return e.Client.Copy(ctx, NewRequest(e.Op, e.URL, p), w, true)
}

// SetMaxRec adds MAXREC to p when n > 0 and refuses a negative n.
func SetMaxRec(p url.Values, n int, op string) error {
	if n < 0 {
		return fmt.Errorf("%s: MAXREC %d is negative", op, n)
	}
	if n > 0 {
		p.Set("MAXREC", strconv.Itoa(n))
	}
	return nil
}
