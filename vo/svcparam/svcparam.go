// Package svcparam describes and formats the input parameters of VO
// services: the parameters a simple service (SIA 1, SSA) lists in answer to
// FORMAT=METADATA, the inputParams of a DataLink service descriptor, and the
// values they take: intervals, positions and shapes written the way each
// generation of protocols expects them.
//
// Old-style services (SIA 1, SSA, SCS) write a range as "lo/hi" and a
// position as "ra,dec"; new-style ones (SIA 2, SODA, DALI xtype interval,
// circle, polygon) write every value as space-separated numbers, "lo hi".
package svcparam

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/voagent/voagent/vo/votable"
)

// Param describes one input parameter of a service.
type Param struct {
	// Name is the name to send (without SSA/SIA's "INPUT:" prefix).
	Name        string
	Description string
	Datatype    string
	Arraysize   string
	XType       string
	Unit        string
	UCD         string
	Utype       string
	// Value is the PARAM's value: a default for a FORMAT=METADATA
	// parameter, a fixed value to send for a DataLink input parameter.
	Value string
	// Ref is the ID of the result column a DataLink input parameter takes
	// its value from ("" when none).
	Ref string
	// Min and Max are the VALUES bounds ("" when none).
	Min, Max string
	// Options are the allowed values, when listed.
	Options []Option
}

// Option is one allowed value of a parameter.
type Option struct{ Name, Value string }

// FromVOTable converts a VOTable PARAM, keeping the name as it is.
func FromVOTable(p *votable.Param) Param {
	out := Param{
		Name: p.Name, Description: strings.TrimSpace(p.Description), Datatype: p.Datatype.String(),
		Arraysize: p.Arraysize, XType: p.XType, Unit: p.Unit, UCD: p.UCD, Utype: p.Utype,
		Value: p.Value, Ref: p.Ref,
	}
	if v := p.Values; v != nil {
		if v.Min != nil {
			out.Min = v.Min.Value
		}
		if v.Max != nil {
			out.Max = v.Max.Value
		}
		var walk func([]*votable.Option)
		walk = func(opts []*votable.Option) {
			for _, o := range opts {
				out.Options = append(out.Options, Option{Name: o.Name, Value: o.Value})
				walk(o.Options)
			}
		}
		walk(v.Options)
	}
	return out
}

// inputPrefix marks the input parameters in a FORMAT=METADATA response.
const inputPrefix = "INPUT:"

// FromMetadata returns the input parameters a simple service (SIA 1, SSA)
// lists in its FORMAT=METADATA response: the PARAMs named "INPUT:<name>" of
// any resource, in document order, with the prefix removed. It fails when
// the document lists none.
func FromMetadata(doc *votable.Document) ([]Param, error) {
	if doc == nil {
		return nil, errors.New("service metadata: no document")
	}
	var out []Param
	seen := map[string]bool{}
	add := func(ps []*votable.Param) {
		for _, p := range ps {
			if len(p.Name) <= len(inputPrefix) || !strings.EqualFold(p.Name[:len(inputPrefix)], inputPrefix) {
				continue
			}
			q := FromVOTable(p)
			q.Name = p.Name[len(inputPrefix):]
			if key := strings.ToUpper(q.Name); !seen[key] {
				seen[key] = true
				out = append(out, q)
			}
		}
	}
	add(doc.Params)
	var walk func([]*votable.Resource)
	walk = func(rs []*votable.Resource) {
		for _, r := range rs {
			add(r.Params)
			for _, g := range r.Groups {
				add(g.Params)
			}
			for _, t := range r.Tables {
				add(t.Params)
			}
			walk(r.Resources)
		}
	}
	walk(doc.Resources)
	if len(out) == 0 {
		return nil, errors.New("service metadata lists no INPUT: parameters")
	}
	return out, nil
}

// Find returns the parameter named name (case-insensitive), or nil.
func Find(params []Param, name string) *Param {
	for i := range params {
		if strings.EqualFold(params[i].Name, name) {
			return &params[i]
		}
	}
	return nil
}

// Check reports the names in keys that params does not list (case
// insensitive), for a warning or an error about unknown parameters.
func Check(params []Param, keys []string) []string {
	var unknown []string
	for _, k := range keys {
		if Find(params, k) == nil {
			unknown = append(unknown, k)
		}
	}
	return unknown
}

// ParseAssignment splits "key=value" (as given to --param) into its parts;
// the key must be non-empty and free of spaces.
func ParseAssignment(s string) (key, value string, err error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" || strings.ContainsAny(k, " \t&") {
		return "", "", fmt.Errorf("parameter %q: want key=value", s)
	}
	return k, v, nil
}

// Num formats a number the way services read it: the shortest exact
// decimal, without exponent for ordinary magnitudes.
func Num(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e15) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Interval is a numeric range; an infinite bound leaves that side open.
type Interval struct{ Lo, Hi float64 }

// Open is an unbounded interval side: Interval{Lo: 5e-7, Hi: Open}.
var Open = math.Inf(1)

// Validate checks that the bounds are numbers in order.
func (iv Interval) Validate() error {
	if math.IsNaN(iv.Lo) || math.IsNaN(iv.Hi) {
		return errors.New("interval bound is NaN")
	}
	if iv.Lo > iv.Hi {
		return fmt.Errorf("interval %s..%s: lower bound above upper bound", Num(iv.Lo), Num(iv.Hi))
	}
	return nil
}

// Slash writes the interval old-style (SIA 1, SSA): "lo/hi", an open side
// left empty ("5e-7/" ...); a degenerate interval is one value.
func (iv Interval) Slash() string {
	if iv.Lo == iv.Hi && !math.IsInf(iv.Lo, 0) {
		return Num(iv.Lo)
	}
	side := func(v float64) string {
		if math.IsInf(v, 0) {
			return ""
		}
		return Num(v)
	}
	return side(iv.Lo) + "/" + side(iv.Hi)
}

// Space writes the interval new-style (SIA 2, SODA, DALI): "lo hi", an open
// side as -Inf or +Inf.
func (iv Interval) Space() string {
	lo, hi := iv.Lo, iv.Hi
	if math.IsInf(lo, 1) {
		lo = math.Inf(-1)
	}
	if math.IsInf(hi, -1) {
		hi = math.Inf(1)
	}
	return Num(lo) + " " + Num(hi)
}

// ParseInterval reads "lo hi", "lo/hi", "lo,hi" or a single value; an empty
// side, "-Inf", "+Inf" or "Inf" is open.
func ParseInterval(s string) (Interval, error) {
	s = strings.TrimSpace(s)
	var parts []string
	switch {
	case strings.Contains(s, "/"):
		parts = strings.SplitN(s, "/", 2)
	case strings.Contains(s, ","):
		parts = strings.SplitN(s, ",", 2)
	default:
		parts = strings.Fields(s)
	}
	if len(parts) == 1 {
		parts = append(parts, parts[0])
	}
	if len(parts) != 2 {
		return Interval{}, fmt.Errorf("interval %q: want two bounds", s)
	}
	bound := func(p string, open float64) (float64, error) {
		p = strings.TrimSpace(p)
		if p == "" {
			return open, nil
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return 0, fmt.Errorf("interval %q: bad bound %q", s, p)
		}
		if math.IsInf(v, 0) {
			return open, nil
		}
		return v, nil
	}
	lo, err := bound(parts[0], math.Inf(-1))
	if err != nil {
		return Interval{}, err
	}
	hi, err := bound(parts[1], math.Inf(1))
	if err != nil {
		return Interval{}, err
	}
	iv := Interval{lo, hi}
	return iv, iv.Validate()
}

// Circle is a cone on the sky, in degrees.
type Circle struct{ RA, Dec, Radius float64 }

// Validate checks the circle's coordinates.
func (c Circle) Validate() error {
	if err := ValidatePos(c.RA, c.Dec); err != nil {
		return err
	}
	if !(c.Radius > 0) || c.Radius > 180 {
		return fmt.Errorf("radius %v: want 0 < radius <= 180 degrees", c.Radius)
	}
	return nil
}

// Space writes "ra dec radius" (DALI circle, SODA CIRCLE).
func (c Circle) Space() string { return Num(c.RA) + " " + Num(c.Dec) + " " + Num(c.Radius) }

// Polygon is a list of vertices (ra, dec pairs in degrees).
type Polygon []float64

// Validate checks that the polygon has at least three valid vertices.
func (p Polygon) Validate() error {
	if len(p) < 6 || len(p)%2 != 0 {
		return fmt.Errorf("polygon of %d numbers: want at least three ra dec pairs", len(p))
	}
	for i := 0; i < len(p); i += 2 {
		if err := ValidatePos(p[i], p[i+1]); err != nil {
			return fmt.Errorf("polygon vertex %d: %w", i/2+1, err)
		}
	}
	return nil
}

// Space writes "ra1 dec1 ra2 dec2 ..." (DALI polygon).
func (p Polygon) Space() string {
	parts := make([]string, len(p))
	for i, v := range p {
		parts[i] = Num(v)
	}
	return strings.Join(parts, " ")
}

// ParseNumbers reads numbers separated by spaces or commas.
func ParseNumbers(s string) ([]float64, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	out := make([]float64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a number", s, f)
		}
		out[i] = v
	}
	return out, nil
}

// ValidatePos checks an ICRS position in degrees.
func ValidatePos(ra, dec float64) error {
	if math.IsNaN(ra) || math.IsInf(ra, 0) || ra < -360 || ra > 360 {
		return fmt.Errorf("RA %v: want degrees in [0, 360)", ra)
	}
	if math.IsNaN(dec) || dec < -90 || dec > 90 {
		return fmt.Errorf("Dec %v: want degrees in [-90, 90]", dec)
	}
	return nil
}

// NormRA brings an RA in degrees into [0, 360).
func NormRA(ra float64) float64 {
	ra = math.Mod(ra, 360)
	if ra < 0 {
		ra += 360
	}
	return ra
}

// mjdEpoch is MJD 0 (1858-11-17T00:00:00 UTC).
var mjdEpoch = time.Date(1858, 11, 17, 0, 0, 0, 0, time.UTC)

// MJD converts a time to a Modified Julian Date (UTC, ignoring leap seconds
// as DALI timestamps do).
func MJD(t time.Time) float64 {
	return float64(t.UTC().Sub(mjdEpoch)) / float64(24*time.Hour)
}

// TimeRange is an interval of time; a zero side is open.
type TimeRange struct{ Start, End time.Time }

// Validate checks the order of the bounds.
func (r TimeRange) Validate() error {
	if !r.Start.IsZero() && !r.End.IsZero() && r.End.Before(r.Start) {
		return fmt.Errorf("time range %s..%s: end before start", r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339))
	}
	return nil
}

// Slash writes the range old-style (SSA): ISO 8601 "start/end".
func (r TimeRange) Slash() string {
	side := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02T15:04:05")
	}
	return side(r.Start) + "/" + side(r.End)
}

// Space writes the range new-style (SIA 2, SODA): "mjd1 mjd2".
func (r TimeRange) Space() string {
	iv := Interval{math.Inf(-1), math.Inf(1)}
	if !r.Start.IsZero() {
		iv.Lo = MJD(r.Start)
	}
	if !r.End.IsZero() {
		iv.Hi = MJD(r.End)
	}
	return iv.Space()
}

// ParseTime reads an ISO 8601 date or date-time (UTC unless a zone is
// given), or "MJD<number>" / a bare number as an MJD.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	// Not ISO: "MJD 51544.5" or a bare MJD number.
	num := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(s), "MJD"))
	if v, err := strconv.ParseFloat(num, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) < 1e7 {
		return mjdEpoch.Add(time.Duration(v * float64(24*time.Hour))), nil
	}
	return time.Time{}, fmt.Errorf("time %q: want ISO 8601 (2006-01-02[T15:04:05]) or an MJD", s)
}

// ParseTimeRange reads "start/end" or "start end" (either side may be
// empty when "/" is used).
func ParseTimeRange(s string) (TimeRange, error) {
	var a, b string
	if i := strings.Index(s, "/"); i >= 0 {
		a, b = s[:i], s[i+1:]
	} else {
		f := strings.Fields(s)
		switch len(f) {
		case 1:
			a, b = f[0], f[0]
		case 2:
			a, b = f[0], f[1]
		default:
			return TimeRange{}, fmt.Errorf("time range %q: want start/end", s)
		}
	}
	start, err := ParseTime(a)
	if err != nil {
		return TimeRange{}, err
	}
	end, err := ParseTime(b)
	if err != nil {
		return TimeRange{}, err
	}
	r := TimeRange{start, end}
	return r, r.Validate()
}
