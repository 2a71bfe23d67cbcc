// Package sia is a client of Simple Image Access services: SIA 1.0 (POS,
// SIZE, FORMAT, INTERSECT, VERB; old-style parameter values such as
// "ra,dec") and SIA 2.0 (POS as CIRCLE/RANGE/POLYGON, BAND, TIME, POL, FOV
// ...; new-style values "lo hi" and ObsCore result columns).
//
// Both find images, give each record's access URL, format and a file name
// derived from its metadata, and pass service-specific parameters by name
// (Extra); SIA 1 services list those in answer to FORMAT=METADATA.
package sia

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
)

// Registry identifiers of the protocols.
const (
	StandardID  = "ivo://ivoa.net/std/SIA"
	StandardID2 = "ivo://ivoa.net/std/SIA#query-2.0"
)

// The SIA 1 INTERSECT values.
const (
	Covers   = "COVERS"
	Enclosed = "ENCLOSED"
	Center   = "CENTER"
	Overlaps = "OVERLAPS"
)

// Query is an SIA 1.0 image search.
type Query struct {
	// RA and Dec are the centre of the region (ICRS degrees).
	RA, Dec float64
	// Size is the width and height of the region in degrees: one value for
	// a square, two for RA extent and Dec extent. Zero finds images that
	// contain the position.
	Size []float64
	// Format restricts the image formats: a MIME type list, or ALL,
	// GRAPHIC, METADATA ("" leaves the service default).
	Format string
	// Intersect is how the images meet the region: COVERS, ENCLOSED,
	// CENTER or OVERLAPS (the service default when "").
	Intersect string
	// Verb is the verbosity 0..3, sent only when VerbSet is true.
	Verb    int
	VerbSet bool
	// MaxRec limits the number of records (0: service default).
	MaxRec int
	// Extra are further parameters, sent by name.
	Extra url.Values
}

// Params validates q and returns its HTTP parameters.
func (q Query) Params() (url.Values, error) {
	if err := svcparam.ValidatePos(q.RA, q.Dec); err != nil {
		return nil, fmt.Errorf("SIA query: %w", err)
	}
	if len(q.Size) == 0 || len(q.Size) > 2 {
		return nil, fmt.Errorf("SIA query: SIZE needs one or two values, got %d", len(q.Size))
	}
	sizes := make([]string, len(q.Size))
	for i, s := range q.Size {
		if math.IsNaN(s) || s < 0 || s > 360 {
			return nil, fmt.Errorf("SIA query: SIZE %v: want 0..360 degrees", s)
		}
		sizes[i] = svcparam.Num(s)
	}
	p := url.Values{
		"POS":  {svcparam.Num(svcparam.NormRA(q.RA)) + "," + svcparam.Num(q.Dec)},
		"SIZE": {strings.Join(sizes, ",")},
	}
	if q.Format != "" {
		p.Set("FORMAT", q.Format)
	}
	if q.Intersect != "" {
		in := strings.ToUpper(q.Intersect)
		switch in {
		case Covers, Enclosed, Center, Overlaps:
		default:
			return nil, fmt.Errorf("SIA query: INTERSECT %q: want COVERS, ENCLOSED, CENTER or OVERLAPS", q.Intersect)
		}
		p.Set("INTERSECT", in)
	}
	if q.VerbSet {
		if q.Verb < 0 || q.Verb > 3 {
			return nil, fmt.Errorf("SIA query: VERB %d: want 0..3", q.Verb)
		}
		p.Set("VERB", strconv.Itoa(q.Verb))
	}
	if err := dataset.SetMaxRec(p, q.MaxRec, "SIA query"); err != nil {
		return nil, err
	}
	dataset.SetExtra(p, q.Extra)
	return p, nil
}

// Service is an SIA 1.0 endpoint: Search reads the answer, Copy writes the
// service's VOTable unchanged.
type Service struct {
	*dataset.Endpoint[Query]
}

// New returns the SIA 1.0 service at accessURL.
func New(accessURL string, client *dal.Client) *Service {
	return &Service{dataset.NewEndpoint[Query]("SIA query", accessURL, client)}
}

// Params asks the service for its input parameters (FORMAT=METADATA).
func (s *Service) Params(ctx context.Context) ([]svcparam.Param, error) {
	return dataset.Metadata(ctx, s.Client, s.Op, s.URL, nil)
}

// Access returns how to get the image of an SIA 1 record: the column with
// UCD VOX:Image_AccessReference (or utype Access.Reference), its format
// (VOX:Image_Format) and size (VOX:Image_FileSize), and a file name from
// the image title.
func Access(r dataset.Record) dataset.Access {
	a := dataset.Access{
		URL:    r.Get("ucd:VOX:Image_AccessReference", "utype:Access.Reference"),
		Format: r.Get("ucd:VOX:Image_Format", "utype:Access.Format"),
		Size:   -1,
	}
	if v, ok := r.Float(r.Field("ucd:VOX:Image_FileSize", "utype:Access.Size")); ok && v >= 0 {
		a.Size = int64(v)
	}
	a.Name = dataset.Filename(a.Format, r.Get("ucd:VOX:Image_Title", "utype:DataID.Title"), a.URL)
	return a
}
