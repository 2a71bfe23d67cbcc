// Package ssa is a client of Simple Spectral Access services (SSA 1.1):
// queryData with POS, SIZE, BAND, TIME, FORMAT, TARGETNAME and the other
// standard parameters (old-style values: "ra,dec", "lo/hi"), discovery of
// service-specific parameters with FORMAT=METADATA, and the access metadata
// of each spectrum (utypes ssa:Access.Reference, Access.Format ...).
package ssa

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
)

// StandardID is the registry identifier of the protocol.
const StandardID = "ivo://ivoa.net/std/SSA"

// Pos is a position on the sky (ICRS degrees).
type Pos struct{ RA, Dec float64 }

// Query is an SSA queryData request. At least one of Pos, TargetName,
// Extra or another constraint should be set.
type Query struct {
	// Pos is the centre of the search (nil: none).
	Pos *Pos
	// Size is the diameter of the search region in degrees (0: service
	// default).
	Size float64
	// Band is the spectral range in metres (nil: none).
	Band *svcparam.Interval
	// Time is the observation time range (nil: none).
	Time *svcparam.TimeRange
	// Format is votable, fits, compliant, native, graphic, all, metadata
	// or a MIME type list ("" leaves the service default).
	Format string
	// TargetName is an astronomical object name.
	TargetName string
	// MaxRec limits the number of records (0: service default).
	MaxRec int
	// Extra are further standard (SPECRP, SNR, COLLECTION ...) or
	// service-specific parameters, sent by name.
	Extra url.Values
}

// Params validates q and returns its HTTP parameters.
func (q Query) Params() (url.Values, error) {
	p := url.Values{"REQUEST": {"queryData"}}
	if q.Pos != nil {
		if err := svcparam.ValidatePos(q.Pos.RA, q.Pos.Dec); err != nil {
			return nil, fmt.Errorf("SSA query: POS: %w", err)
		}
		p.Set("POS", svcparam.Num(svcparam.NormRA(q.Pos.RA))+","+svcparam.Num(q.Pos.Dec))
	}
	if q.Size != 0 {
		if math.IsNaN(q.Size) || q.Size < 0 || q.Size > 360 {
			return nil, fmt.Errorf("SSA query: SIZE %v: want 0..360 degrees", q.Size)
		}
		p.Set("SIZE", svcparam.Num(q.Size))
	}
	if q.Band != nil {
		if err := q.Band.Validate(); err != nil {
			return nil, fmt.Errorf("SSA query: BAND: %w", err)
		}
		p.Set("BAND", q.Band.Slash())
	}
	if q.Time != nil {
		if err := q.Time.Validate(); err != nil {
			return nil, fmt.Errorf("SSA query: TIME: %w", err)
		}
		p.Set("TIME", q.Time.Slash())
	}
	if q.Format != "" {
		p.Set("FORMAT", q.Format)
	}
	if t := strings.TrimSpace(q.TargetName); t != "" {
		p.Set("TARGETNAME", t)
	}
	if err := dataset.SetMaxRec(p, q.MaxRec, "SSA query"); err != nil {
		return nil, err
	}
	dataset.SetExtra(p, q.Extra)
	return p, nil
}

// Service is an SSA endpoint: Search reads the answer, Copy writes the
// service's VOTable unchanged.
type Service struct {
	*dataset.Endpoint[Query]
}

// New returns the SSA service at accessURL.
func New(accessURL string, client *dal.Client) *Service {
	return &Service{dataset.NewEndpoint[Query]("SSA query", accessURL, client)}
}

// Params asks the service for its input parameters (REQUEST=queryData
// with FORMAT=METADATA): the standard ones it supports and its own.
func (s *Service) Params(ctx context.Context) ([]svcparam.Param, error) {
	return dataset.Metadata(ctx, s.Client, s.Op, s.URL, url.Values{"REQUEST": {"queryData"}})
}

// Access returns how to get the spectrum of an SSA record: utype
// ssa:Access.Reference (or UCD meta.ref.url), ssa:Access.Format,
// ssa:Access.Size, and a file name from the title, creator DID or
// publisher DID.
func Access(r dataset.Record) dataset.Access {
	a := dataset.Access{
		URL:    r.Get("utype:ssa:Access.Reference", "ucd:meta.ref.url", "accref"),
		Format: r.Get("utype:ssa:Access.Format", "mime"),
		Size:   -1,
	}
	if v, ok := r.Float(r.Field("utype:ssa:Access.Size")); ok && v >= 0 {
		a.Size = int64(v)
	}
	format := a.Format
	if a.IsDataLink() {
		format = ""
	}
	a.Name = dataset.Filename(format, r.Get("utype:ssa:DataID.Title", "ucd:meta.title;meta.dataset"),
		r.Get("utype:ssa:DataID.CreatorDID"), r.Get("utype:ssa:Curation.PublisherDID"), a.URL)
	return a
}
