package sia

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/xmatch"
)

// Footprint is the part of the sky an image covers, as its record says:
// a polygon (ObsCore s_region), a circle (s_region, or s_fov around the
// centre), or a box of Width x Height degrees centred on RA, Dec along the
// axes of RA and Dec (SIA 1: pixel scale times number of pixels).
type Footprint struct {
	// RA, Dec is the centre (ICRS degrees).
	RA, Dec float64
	// Polygon are the vertices (RA, Dec pairs in degrees), nil for a
	// circle or a box.
	Polygon [][2]float64
	// Radius (degrees) makes the footprint a circle when positive.
	Radius float64
	// Width and Height (degrees) make it a box when there is no polygon
	// and no radius.
	Width, Height float64
}

// ErrNoFootprint is the error of a record that says neither where its
// image lies nor how large it is.
var ErrNoFootprint = errors.New("the record gives no footprint (no s_region, no centre with a size)")

// RecordFootprint returns the footprint of an image record: its ObsCore
// s_region when it is a polygon or circle, else its centre (s_ra, s_dec,
// or the SIA 1 main RA/Dec columns) with its size (s_fov as a diameter, or
// SIA 1's VOX:Image_Scale times VOX:Image_Naxis).
func RecordFootprint(r dataset.Record) (Footprint, error) {
	ra, okRA := r.Float(r.Field("s_ra", "ucd:POS_EQ_RA_MAIN", "ucd:pos.eq.ra;meta.main"))
	dec, okDec := r.Float(r.Field("s_dec", "ucd:POS_EQ_DEC_MAIN", "ucd:pos.eq.dec;meta.main"))
	if s := r.Get("s_region", "utype:obscore:Char.SpatialAxis.Coverage.Support.Area"); s != "" {
		f, err := ParseRegion(s)
		if err == nil {
			return f, nil
		}
		if !okRA || !okDec {
			return Footprint{}, err
		}
	}
	if !okRA || !okDec {
		return Footprint{}, ErrNoFootprint
	}
	if fov, ok := r.Float(r.Field("s_fov", "utype:obscore:Char.SpatialAxis.Coverage.Bounds.Extent.Diameter")); ok && fov > 0 {
		return Footprint{RA: ra, Dec: dec, Radius: fov / 2}, nil
	}
	scale := numbers(r.Get("ucd:VOX:Image_Scale"))
	naxis := numbers(r.Get("ucd:VOX:Image_Naxis"))
	if len(scale) >= 1 && len(naxis) >= 2 {
		sx, sy := math.Abs(scale[0]), math.Abs(scale[0])
		if len(scale) >= 2 {
			sy = math.Abs(scale[1])
		}
		if w, h := sx*naxis[0], sy*naxis[1]; w > 0 && h > 0 {
			return Footprint{RA: ra, Dec: dec, Width: w, Height: h}, nil
		}
	}
	return Footprint{}, ErrNoFootprint
}

// numbers parses the space-separated numbers of s (nil when one is not).
func numbers(s string) []float64 {
	var out []float64
	for _, w := range strings.Fields(s) {
		v, err := strconv.ParseFloat(w, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		out = append(out, v)
	}
	return out
}

// ParseRegion reads an s_region: STC-S "Polygon [frame] ra dec ..." or
// "Circle [frame] ra dec r", or DALI's bare polygon (an even number of
// numbers, at least 6). Frames other than ICRS (or none, or UNKNOWNFrame)
// are refused.
func ParseRegion(s string) (Footprint, error) {
	w := strings.Fields(s)
	if len(w) == 0 {
		return Footprint{}, errors.New("empty region")
	}
	shape := strings.ToLower(w[0])
	if _, err := strconv.ParseFloat(w[0], 64); err == nil {
		shape = "polygon" // DALI xtype="polygon": numbers only
	} else {
		w = w[1:]
		if len(w) > 0 {
			if _, err := strconv.ParseFloat(w[0], 64); err != nil {
				switch strings.ToUpper(w[0]) {
				case "ICRS", "J2000", "FK5", "UNKNOWNFRAME":
				default:
					return Footprint{}, fmt.Errorf("region %q: frame %s not supported", s, w[0])
				}
				w = w[1:]
			}
		}
	}
	v := numbers(strings.Join(w, " "))
	if len(v) != len(w) {
		return Footprint{}, fmt.Errorf("region %q: bad numbers", s)
	}
	switch shape {
	case "circle":
		if len(v) != 3 || v[2] <= 0 {
			return Footprint{}, fmt.Errorf("region %q: a circle needs ra dec radius", s)
		}
		return Footprint{RA: v[0], Dec: v[1], Radius: v[2]}, nil
	case "polygon":
		if len(v) < 6 || len(v)%2 != 0 {
			return Footprint{}, fmt.Errorf("region %q: a polygon needs at least 3 vertices", s)
		}
		f := Footprint{}
		// The centre: the normalised mean of the vertices' unit vectors.
		var x, y, z float64
		for i := 0; i < len(v); i += 2 {
			f.Polygon = append(f.Polygon, [2]float64{v[i], v[i+1]})
			a, d := v[i]*math.Pi/180, v[i+1]*math.Pi/180
			x += math.Cos(d) * math.Cos(a)
			y += math.Cos(d) * math.Sin(a)
			z += math.Sin(d)
		}
		f.RA = math.Mod(math.Atan2(y, x)*180/math.Pi+360, 360)
		f.Dec = math.Atan2(z, math.Hypot(x, y)) * 180 / math.Pi
		return f, nil
	}
	return Footprint{}, fmt.Errorf("region %q: shape %s not supported (polygon or circle)", s, shape)
}

// Contains reports whether the position (ICRS degrees) lies in the
// footprint. Polygons and boxes are tested on the tangent plane at the
// footprint's centre (exact for great-circle edges).
func (f Footprint) Contains(ra, dec float64) bool {
	if f.Radius > 0 {
		return xmatch.Separation(f.RA, f.Dec, ra, dec) <= f.Radius
	}
	xi, eta, ok := tangent(f.RA, f.Dec, ra, dec)
	if !ok {
		return false
	}
	if len(f.Polygon) == 0 {
		return math.Abs(xi) <= f.Width/2 && math.Abs(eta) <= f.Height/2
	}
	inside := false
	n := len(f.Polygon)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		xi1, eta1, ok1 := tangent(f.RA, f.Dec, f.Polygon[i][0], f.Polygon[i][1])
		xi2, eta2, ok2 := tangent(f.RA, f.Dec, f.Polygon[j][0], f.Polygon[j][1])
		if !ok1 || !ok2 {
			return false
		}
		if (eta1 > eta) != (eta2 > eta) && xi < (xi2-xi1)*(eta-eta1)/(eta2-eta1)+xi1 {
			inside = !inside
		}
	}
	return inside
}

// tangent is the gnomonic projection (degrees) of ra, dec about ra0, dec0;
// ok is false for a position 90 degrees or more away.
func tangent(ra0, dec0, ra, dec float64) (xi, eta float64, ok bool) {
	const d2r = math.Pi / 180
	a, d, a0, d0 := ra*d2r, dec*d2r, ra0*d2r, dec0*d2r
	cosc := math.Sin(d0)*math.Sin(d) + math.Cos(d0)*math.Cos(d)*math.Cos(a-a0)
	if cosc <= 0 {
		return 0, 0, false
	}
	xi = math.Cos(d) * math.Sin(a-a0) / cosc / d2r
	eta = (math.Cos(d0)*math.Sin(d) - math.Sin(d0)*math.Cos(d)*math.Cos(a-a0)) / cosc / d2r
	return xi, eta, true
}
