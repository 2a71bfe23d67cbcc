package datalink

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/voagent/voagent/vo/svcparam"
)

// Cutout is a SODA 1.0 request (§3.3): every set field adds its parameter,
// values written new-style ("ra dec radius", "lo hi").
type Cutout struct {
	Circle  *svcparam.Circle
	Polygon svcparam.Polygon
	// Pos is a raw SODA POS value: "CIRCLE ra dec r", "RANGE ra1 ra2 dec1
	// dec2" or "POLYGON ra1 dec1 ...".
	Pos string
	// Band is a wavelength range in metres.
	Band []svcparam.Interval
	// Time is a range of observation times (sent as MJD).
	Time []svcparam.TimeRange
	// Pol are polarization states.
	Pol []string
}

// Params validates c and returns its parameters.
func (c Cutout) Params() (url.Values, error) {
	p := url.Values{}
	if c.Circle != nil {
		if err := c.Circle.Validate(); err != nil {
			return nil, fmt.Errorf("SODA CIRCLE: %w", err)
		}
		p.Set("CIRCLE", c.Circle.Space())
	}
	if c.Polygon != nil {
		if err := c.Polygon.Validate(); err != nil {
			return nil, fmt.Errorf("SODA POLYGON: %w", err)
		}
		p.Set("POLYGON", c.Polygon.Space())
	}
	if s := strings.TrimSpace(c.Pos); s != "" {
		if err := checkPos(s); err != nil {
			return nil, err
		}
		p.Set("POS", s)
	}
	for _, b := range c.Band {
		if err := b.Validate(); err != nil {
			return nil, fmt.Errorf("SODA BAND: %w", err)
		}
		p.Add("BAND", b.Space())
	}
	for _, t := range c.Time {
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("SODA TIME: %w", err)
		}
		p.Add("TIME", t.Space())
	}
	for _, s := range c.Pol {
		p.Add("POL", s)
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("SODA cutout: no CIRCLE, POLYGON, POS, BAND, TIME or POL given")
	}
	return p, nil
}

// checkPos checks the shape keyword and the count of numbers of a POS.
func checkPos(s string) error {
	f := strings.Fields(s)
	nums, err := svcparam.ParseNumbers(strings.Join(f[1:], " "))
	if err != nil {
		return fmt.Errorf("SODA POS: %w", err)
	}
	switch strings.ToUpper(f[0]) {
	case "CIRCLE":
		if len(nums) != 3 {
			return fmt.Errorf("SODA POS %q: CIRCLE wants ra dec radius", s)
		}
	case "RANGE":
		if len(nums) != 4 {
			return fmt.Errorf("SODA POS %q: RANGE wants ra1 ra2 dec1 dec2", s)
		}
	case "POLYGON":
		if len(nums) < 6 || len(nums)%2 != 0 {
			return fmt.Errorf("SODA POS %q: POLYGON wants at least three ra dec pairs", s)
		}
	default:
		return fmt.Errorf("SODA POS %q: want CIRCLE, RANGE or POLYGON", s)
	}
	return nil
}

// ParsePolygon reads "ra1 dec1 ra2 dec2 ..." (spaces or commas).
func ParsePolygon(s string) (svcparam.Polygon, error) {
	nums, err := svcparam.ParseNumbers(s)
	if err != nil {
		return nil, err
	}
	p := svcparam.Polygon(nums)
	return p, p.Validate()
}

// ParseCircle reads "ra dec radius" (spaces or commas).
func ParseCircle(s string) (*svcparam.Circle, error) {
	nums, err := svcparam.ParseNumbers(s)
	if err != nil {
		return nil, err
	}
	if len(nums) != 3 {
		return nil, fmt.Errorf("circle %q: want ra dec radius", s)
	}
	c := &svcparam.Circle{RA: nums[0], Dec: nums[1], Radius: nums[2]}
	return c, c.Validate()
}
