// Package scs is a client of Simple Cone Search services (SCS 1.03, with the
// additions of the 1.1 draft): a cone (RA, DEC, SR in ICRS degrees) in, a
// VOTable of sources out.
//
// SCS 1.03 results mark their mandatory columns with UCD1 (ID_MAIN,
// POS_EQ_RA_MAIN, POS_EQ_DEC_MAIN); newer services use UCD1+
// (meta.id;meta.main, pos.eq.ra;meta.main, pos.eq.dec;meta.main).
// FindColumns finds either (positions by the rule of vo/skypos). Service errors (an INFO or PARAM named "Error" anywhere SCS
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
	"github.com/voagent/voagent/vo/skypos"
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

// Source returns row i's identifier and position (ICRS degrees, as
// vo/skypos reads them; 0, 0 when the row has none).
func (r *Result) Source(i int) Source {
	rec := dataset.Record{Table: r.Table, Row: i}
	s := Source{ID: rec.String(r.Columns.ID)}
	if ra, dec, ok := r.Columns.Pos.At(r.Table, i); ok {
		s.RA, s.Dec = ra, dec
	}
	return s
}

// Columns holds the indexes of the columns SCS makes mandatory.
type Columns struct {
	// ID, RA and Dec are column indexes, -1 where absent. RA and Dec are
	// the columns Pos reads (galactic l and b when Pos.Frame is
	// skypos.Galactic).
	ID, RA, Dec int
	// Pos reads the positions.
	Pos skypos.Columns
}

// The UCDs of the identifier column, UCD1 (SCS 1.03) and UCD1+ (SCS 1.1).
var ucdID = []string{"ucd:ID_MAIN", "ucd:meta.id;meta.main"}

// FindColumns locates the identifier and position columns of a cone search
// result: the identifier by its UCD1 or UCD1+ UCD (-1 when absent), the
// positions by the rule of vo/skypos (which starts with the SCS UCDs
// POS_EQ_RA_MAIN and pos.eq.ra;meta.main). It fails when the position
// columns are missing, saying what it looked for.
func FindColumns(t *votable.Table) (Columns, error) {
	c := Columns{ID: dataset.FindField(t, ucdID...), RA: -1, Dec: -1}
	pos, err := skypos.Find(t, skypos.Options{})
	if err != nil {
		return c, fmt.Errorf("cone search result: %w", err)
	}
	c.RA, c.Dec, c.Pos = pos.RA, pos.Dec, pos
	return c, nil
}
