package sia

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
)

// Range is an RA/Dec box for SIA 2 POS=RANGE (degrees; infinite bounds
// are open).
type Range struct{ RA, Dec svcparam.Interval }

// Query2 is an SIA 2.0 search. Each list is sent as repeated parameters,
// which the service ORs; different parameters are ANDed.
type Query2 struct {
	Circles  []svcparam.Circle
	Ranges   []Range
	Polygons []svcparam.Polygon
	// Band is the wavelength in metres.
	Band []svcparam.Interval
	Time []svcparam.TimeRange
	// Pol are polarization states (I, Q, U, V, RR, LL ...).
	Pol []string
	// FOV, SpatRes (arcsec), ExpTime (s), TimeRes (s), SpecRP are ranges.
	FOV, SpatRes, ExpTime, TimeRes, SpecRP []svcparam.Interval
	// ID, Collection, Facility, Instrument, DPType, Target, Format are
	// exact-match strings.
	ID, Collection, Facility, Instrument, DPType, Target, Format []string
	// Calib are calibration levels (0..4).
	Calib []int
	// MaxRec limits the number of records (0: service default).
	MaxRec int
	// Extra are further parameters, sent by name.
	Extra url.Values
}

// Params validates q and returns its HTTP parameters, values written
// new-style ("lo hi", open bounds as -Inf/+Inf).
func (q Query2) Params() (url.Values, error) {
	p := url.Values{}
	for _, c := range q.Circles {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("SIA2 query: CIRCLE: %w", err)
		}
		p.Add("POS", "CIRCLE "+c.Space())
	}
	for _, r := range q.Ranges {
		if err := r.RA.Validate(); err != nil {
			return nil, fmt.Errorf("SIA2 query: RANGE: %w", err)
		}
		if err := r.Dec.Validate(); err != nil {
			return nil, fmt.Errorf("SIA2 query: RANGE: %w", err)
		}
		p.Add("POS", "RANGE "+r.RA.Space()+" "+r.Dec.Space())
	}
	for _, poly := range q.Polygons {
		if err := poly.Validate(); err != nil {
			return nil, fmt.Errorf("SIA2 query: POLYGON: %w", err)
		}
		p.Add("POS", "POLYGON "+poly.Space())
	}
	intervals := []struct {
		name string
		ivs  []svcparam.Interval
	}{{"BAND", q.Band}, {"FOV", q.FOV}, {"SPATRES", q.SpatRes}, {"EXPTIME", q.ExpTime}, {"TIMERES", q.TimeRes}, {"SPECRP", q.SpecRP}}
	for _, in := range intervals {
		for _, iv := range in.ivs {
			if err := iv.Validate(); err != nil {
				return nil, fmt.Errorf("SIA2 query: %s: %w", in.name, err)
			}
			p.Add(in.name, iv.Space())
		}
	}
	for _, tr := range q.Time {
		if err := tr.Validate(); err != nil {
			return nil, fmt.Errorf("SIA2 query: TIME: %w", err)
		}
		p.Add("TIME", tr.Space())
	}
	strs := []struct {
		name string
		vs   []string
	}{{"POL", q.Pol}, {"ID", q.ID}, {"COLLECTION", q.Collection}, {"FACILITY", q.Facility}, {"INSTRUMENT", q.Instrument},
		{"DPTYPE", q.DPType}, {"TARGET", q.Target}, {"FORMAT", q.Format}}
	for _, s := range strs {
		for _, v := range s.vs {
			if strings.TrimSpace(v) == "" {
				return nil, fmt.Errorf("SIA2 query: empty %s value", s.name)
			}
			p.Add(s.name, v)
		}
	}
	for _, c := range q.Calib {
		if c < 0 || c > 4 {
			return nil, fmt.Errorf("SIA2 query: CALIB %d: want 0..4", c)
		}
		p.Add("CALIB", strconv.Itoa(c))
	}
	if err := dataset.SetMaxRec(p, q.MaxRec, "SIA2 query"); err != nil {
		return nil, err
	}
	dataset.SetExtra(p, q.Extra)
	if len(p) == 0 {
		return nil, fmt.Errorf("SIA2 query: no constraint given")
	}
	return p, nil
}

// Service2 is an SIA 2.0 query endpoint (the URL of the sync query
// resource, e.g. ".../sia2/query"); its answers have ObsCore columns.
type Service2 struct {
	*dataset.Endpoint[Query2]
}

// New2 returns the SIA 2.0 service at accessURL.
func New2(accessURL string, client *dal.Client) *Service2 {
	return &Service2{dataset.NewEndpoint[Query2]("SIA2 query", accessURL, client)}
}

// ObsCoreAccess returns how to get the dataset of an ObsCore record (SIA 2,
// TAP ivoa.obscore): access_url, access_format, access_estsize (kB), and a
// file name from obs_title, obs_publisher_did or obs_id. A DataLink
// access_format (IsDataLink) means the URL is a links document.
func ObsCoreAccess(r dataset.Record) dataset.Access {
	a := dataset.Access{
		URL:    r.Get("access_url", "utype:obscore:Access.Reference"),
		Format: r.Get("access_format", "utype:obscore:Access.Format"),
		Size:   -1,
	}
	if v, ok := r.Float(r.Field("access_estsize", "utype:obscore:Access.Size")); ok && v >= 0 {
		a.Size = int64(v * 1024)
	}
	format := a.Format
	if a.IsDataLink() {
		format = "" // the dataset's own format is only known after DataLink
	}
	a.Name = dataset.Filename(format, r.Get("obs_title"), r.Get("obs_publisher_did"), r.Get("obs_id"), a.URL)
	return a
}
