// Package scs is a client of Simple Cone Search services (SCS 1.03, with the
// additions of the 1.1 draft): a cone (RA, DEC, SR in ICRS degrees) in, a
// VOTable of sources out.
//
// SCS 1.03 results mark their mandatory columns with UCD1 (ID_MAIN,
// POS_EQ_RA_MAIN, POS_EQ_DEC_MAIN); newer services use UCD1+
// (meta.id;meta.main, pos.eq.ra;meta.main, pos.eq.dec;meta.main). Columns
// finds either. Service errors (an INFO or PARAM named "Error" anywhere SCS
// allows it, or a DALI QUERY_STATUS) come back as *dal.Error values.
package scs

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

// StandardID is the registry identifier of the protocol.
const StandardID = "ivo://ivoa.net/std/ConeSearch"

// Query is a cone search.
type Query struct {
	// RA and Dec are the centre (ICRS, degrees); SR the radius (degrees).
	// SR = 0 asks for the metadata only (an empty table).
	RA, Dec, SR float64
	// Verb is the verbosity, 1 (fewest columns) to 3 (all); 0 leaves the
	// service default (2).
	Verb int
	// MaxRec limits the rows (SCS 1.1); 0 leaves it to the service.
	MaxRec int
	// Extra are further parameters sent as they are (service-specific
	// ones such as a magnitude limit, or RESPONSEFORMAT).
	Extra url.Values
}

// Params validates q and returns its HTTP parameters.
func (q Query) Params() (url.Values, error) {
	if err := svcparam.ValidatePos(q.RA, q.Dec); err != nil {
		return nil, fmt.Errorf("cone search: %w", err)
	}
	if math.IsNaN(q.SR) || q.SR < 0 || q.SR > 180 {
		return nil, fmt.Errorf("cone search: SR %v: want 0 <= SR <= 180 degrees", q.SR)
	}
	if q.Verb < 0 || q.Verb > 3 {
		return nil, fmt.Errorf("cone search: VERB %d: want 1, 2 or 3", q.Verb)
	}
	p := url.Values{
		"RA":  {svcparam.Num(svcparam.NormRA(q.RA))},
		"DEC": {svcparam.Num(q.Dec)},
		"SR":  {svcparam.Num(q.SR)},
	}
	if q.Verb > 0 {
		p.Set("VERB", strconv.Itoa(q.Verb))
	}
	if err := dataset.SetMaxRec(p, q.MaxRec, "cone search"); err != nil {
		return nil, err
	}
	dataset.SetExtra(p, q.Extra)
	return p, nil
}

// Service is one cone search endpoint. Search reads the answer and
// locates its mandatory columns; Copy writes the service's VOTable
// unchanged.
type Service struct {
	ep *dataset.Endpoint[Query]
}

// New returns the service at accessURL, using client.
func New(accessURL string, client *dal.Client) *Service {
	return &Service{dataset.NewEndpoint[Query]("cone search", accessURL, client)}
}

// Search runs q and reads the whole answer.
func (s *Service) Search(ctx context.Context, q Query) (*Result, error) {
	r, err := s.ep.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	cols, err := FindColumns(r.Table)
	if err != nil && q.SR > 0 {
		return nil, &dal.Error{Op: s.ep.Op, URL: s.ep.URL, Err: fmt.Errorf("%w: %w", dal.ErrInvalid, err)}
	}
	return &Result{Result: *r, Columns: cols}, nil
}

// Copy runs q and writes the service's VOTable to w unchanged, returning the
// bytes written and any truncation.
func (s *Service) Copy(ctx context.Context, q Query, w io.Writer) (int64, *dal.Truncation, error) {
	return s.ep.Copy(ctx, q, w)
}

// Result is a cone search answer.
type Result struct {
	dataset.Result
	// Columns locates the mandatory columns (-1 where absent).
	Columns Columns
}

// Source is the mandatory part of one result row.
type Source struct {
	ID      string
	RA, Dec float64
}

// Source returns row i's identifier and position.
func (r *Result) Source(i int) Source {
	rec := dataset.Record{Table: r.Table, Row: i}
	s := Source{ID: rec.String(r.Columns.ID)}
	s.RA, _ = rec.Float(r.Columns.RA)
	s.Dec, _ = rec.Float(r.Columns.Dec)
	return s
}

// Columns holds the indexes of the columns SCS makes mandatory.
type Columns struct{ ID, RA, Dec int }

// The UCDs of the mandatory columns, UCD1 (SCS 1.03) and UCD1+ (SCS 1.1).
var (
	ucdID  = []string{"ucd:ID_MAIN", "ucd:meta.id;meta.main"}
	ucdRA  = []string{"ucd:POS_EQ_RA_MAIN", "ucd:pos.eq.ra;meta.main"}
	ucdDec = []string{"ucd:POS_EQ_DEC_MAIN", "ucd:pos.eq.dec;meta.main"}
)

// FindColumns locates the identifier and position columns of a cone search
// result by their UCD1 or UCD1+ UCDs; it fails when the position columns
// are missing (the identifier is reported as -1 when absent).
func FindColumns(t *votable.Table) (Columns, error) {
	c := Columns{
		ID:  dataset.FindField(t, ucdID...),
		RA:  dataset.FindField(t, ucdRA...),
		Dec: dataset.FindField(t, ucdDec...),
	}
	if c.RA < 0 || c.Dec < 0 {
		return c, fmt.Errorf("result table has no column with UCD POS_EQ_RA_MAIN/pos.eq.ra;meta.main and POS_EQ_DEC_MAIN/pos.eq.dec;meta.main")
	}
	return c, nil
}
