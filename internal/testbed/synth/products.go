package synth

import (
	"fmt"
	"math"
)

// Spectrum is one synthetic 1D spectrum (IRAF-style FITS: flux in the primary
// HDU, linear wavelength WCS along axis 1).
type Spectrum struct {
	File      string // file name below spectra/data
	Target    string
	RA, Dec   float64
	DateObs   string // ISO, UTC
	ExpTime   float64
	Line      float64 // centre of the absorption line, Angstrom
	Continuum float64
}

// Spectral axis of every spectrum: NPix pixels from SpecStart in steps of
// SpecStep Angstrom.
const (
	SpecNPix  = 500
	SpecStart = 4000.0
	SpecStep  = 6.0
)

// Spectra returns the synthetic spectra: one on each anchor and one far away
// from the field.
func Spectra() []Spectrum {
	dates := []string{"2020-01-15T03:00:00", "2020-01-16T03:30:00", "2020-02-01T22:10:00",
		"2021-03-05T01:00:00", "2021-03-06T02:00:00"}
	lines := []float64{6563, 4861, 5890, 6563, 4340}
	var out []Spectrum
	for i, p := range anchorPositions {
		out = append(out, Spectrum{File: fmt.Sprintf("spec%02d.fits", i+1), Target: fmt.Sprintf("VOA-%d", i+1),
			RA: p[0], Dec: p[1], DateObs: dates[i], ExpTime: 300 * float64(i+1), Line: lines[i], Continuum: 1 + 0.2*float64(i)})
	}
	out = append(out, Spectrum{File: fmt.Sprintf("spec%02d.fits", len(out)+1), Target: "VOA-FAR",
		RA: 210.0, Dec: -30.0, DateObs: "2021-06-10T05:45:00", ExpTime: 450, Line: 4340, Continuum: 2})
	return out
}

// Flux returns the spectrum's flux values.
func (s Spectrum) Flux() []float32 {
	f := make([]float32, SpecNPix)
	for i := range f {
		wl := SpecStart + SpecStep*float64(i)
		f[i] = float32(s.Continuum*(1+0.1*math.Sin(wl/300)) - 0.5*s.Continuum*math.Exp(-0.5*math.Pow((wl-s.Line)/8, 2)))
	}
	return f
}

func (s Spectrum) cards() []card {
	return []card{
		{"CTYPE1", "WAVE", ""}, {"CUNIT1", "Angstrom", ""}, {"CRPIX1", 1.0, ""},
		{"CRVAL1", SpecStart, ""}, {"CDELT1", SpecStep, ""},
		{"BUNIT", "erg.s**-1.cm**-2.Angstrom**-1", ""},
		{"OBJECT", s.Target, ""}, {"RA", s.RA, "ICRS RA of target [deg]"}, {"DEC", s.Dec, "ICRS Dec of target [deg]"},
		{"DATE-OBS", s.DateObs, ""}, {"EXPTIME", s.ExpTime, "[s]"},
		{"SPECRES", 2 * SpecStep, "FWHM spectral resolution [Angstrom]"},
	}
}

// Image is one synthetic 2D image with a TAN WCS, centred on an anchor.
type Image struct {
	File    string // file name below images/data
	Band    string // J or Ks
	RA, Dec float64
	DateObs string
	// Lambda is the band's effective wavelength in metres, and LambdaLo/Hi its
	// limits.
	Lambda, LambdaLo, LambdaHi float64
}

// Geometry of every image: ImageNPix x ImageNPix pixels of ImageScale arcsec.
const (
	ImageNPix  = 120
	ImageScale = 1.0
)

// Images returns the images: bands J and Ks on anchors 1, 2 and 4.
func Images() []Image {
	var out []Image
	for _, a := range []int{0, 1, 3} {
		p := anchorPositions[a]
		out = append(out,
			Image{File: fmt.Sprintf("img_j_%d.fits", a+1), Band: "J", RA: p[0], Dec: p[1],
				DateObs: fmt.Sprintf("2019-11-%02dT04:00:00", a+1), Lambda: 1.235e-6, LambdaLo: 1.08e-6, LambdaHi: 1.41e-6},
			Image{File: fmt.Sprintf("img_k_%d.fits", a+1), Band: "Ks", RA: p[0], Dec: p[1],
				DateObs: fmt.Sprintf("2019-11-%02dT04:30:00", a+1), Lambda: 2.159e-6, LambdaLo: 1.99e-6, LambdaHi: 2.31e-6})
	}
	return out
}

// tanProject returns the pixel coordinates (1-based, FITS convention) of a
// position on the image (gnomonic projection, RA increasing to the left).
func (im Image) tanProject(ra, dec float64) (x, y float64) {
	const d2r = math.Pi / 180
	a, d, a0, d0 := ra*d2r, dec*d2r, im.RA*d2r, im.Dec*d2r
	cosc := math.Sin(d0)*math.Sin(d) + math.Cos(d0)*math.Cos(d)*math.Cos(a-a0)
	xi := math.Cos(d) * math.Sin(a-a0) / cosc / d2r
	eta := (math.Cos(d0)*math.Sin(d) - math.Sin(d0)*math.Cos(d)*math.Cos(a-a0)) / cosc / d2r
	crpix := float64(ImageNPix)/2 + 0.5
	return crpix - xi*3600/ImageScale, crpix + eta*3600/ImageScale
}

// Pixels paints the 2MASS-like catalogue's sources (J or Ks magnitudes) as
// Gaussians on a flat background.
func (im Image) Pixels(twomass *Catalog) []float32 {
	const bg, sigma = 100.0, 1.2
	pix := make([]float32, ImageNPix*ImageNPix)
	for i := range pix {
		pix[i] = bg
	}
	magCol := twomass.ColumnIndex("j_m")
	if im.Band != "J" {
		magCol = twomass.ColumnIndex("k_m")
	}
	half := float64(ImageNPix) / 2 * ImageScale / 3600 * 1.5
	for _, k := range twomass.Cone(im.RA, im.Dec, half) {
		x, y := im.tanProject(twomass.RA[k], twomass.Dec[k])
		m, _ := twomass.Rows[k][magCol].(float64)
		flux := math.Pow(10, -0.4*(m-25)) / (2 * math.Pi * sigma * sigma)
		for py := int(y) - 5; py <= int(y)+5; py++ {
			for px := int(x) - 5; px <= int(x)+5; px++ {
				if px < 1 || py < 1 || px > ImageNPix || py > ImageNPix {
					continue
				}
				r2 := (float64(px)-x)*(float64(px)-x) + (float64(py)-y)*(float64(py)-y)
				pix[(py-1)*ImageNPix+px-1] += float32(flux * math.Exp(-r2/(2*sigma*sigma)))
			}
		}
	}
	return pix
}

func (im Image) cards() []card {
	crpix := float64(ImageNPix)/2 + 0.5
	return []card{
		{"CTYPE1", "RA---TAN", ""}, {"CTYPE2", "DEC--TAN", ""},
		{"CRPIX1", crpix, ""}, {"CRPIX2", crpix, ""},
		{"CRVAL1", im.RA, ""}, {"CRVAL2", im.Dec, ""},
		{"CDELT1", -ImageScale / 3600, ""}, {"CDELT2", ImageScale / 3600, ""},
		{"CUNIT1", "deg", ""}, {"CUNIT2", "deg", ""},
		{"RADESYS", "ICRS", ""}, {"EQUINOX", 2000.0, ""},
		{"DATE-OBS", im.DateObs, ""}, {"EXPTIME", 7.8, "[s]"},
		{"FILTER", im.Band, ""}, {"INSTRUME", "VOA-CAM", ""},
		{"OBJECT", fmt.Sprintf("VOA field %.3f%+.3f", im.RA, im.Dec), ""},
		{"BUNIT", "adu", ""},
		{"WLEFF", im.Lambda, "effective wavelength [m]"},
		{"WLMIN", im.LambdaLo, "[m]"}, {"WLMAX", im.LambdaHi, "[m]"},
	}
}

// Granule is one EPN-TAP granule (a tiny FITS image of a solar-system body).
type Granule struct {
	UID         string
	Target      string
	TargetClass string
	// ProductType is an EPN-TAP dataproduct_type: im, sp, ...
	ProductType string
	// TimeMin and TimeMax are Julian dates.
	TimeMin, TimeMax float64
	// C1..C3 are body-fixed longitude, latitude (deg) and altitude (km);
	// C3 is unset (NaN) for surface images.
	C1Min, C1Max, C2Min, C2Max, C3Min, C3Max float64
	InstrumentHost, Instrument               string
	// SpectralMin/Max are in Hz.
	SpectralMin, SpectralMax float64
	ProcessingLevel          int
}

// Granules returns the EPN-TAP granules.
func Granules() []Granule {
	nan := math.NaN()
	vis := [2]float64{4.0e14, 7.5e14}
	ir := [2]float64{1.0e14, 3.0e14}
	g := []struct {
		target, class, ptype, host, inst string
		jd                               float64
		lon, lat                         [2]float64
		alt                              [2]float64
		spec                             [2]float64
	}{
		{"Mars", "planet", "im", "Mars Express", "HRSC", 2458850.5, [2]float64{10, 40}, [2]float64{-10, 20}, [2]float64{nan, nan}, vis},
		{"Mars", "planet", "im", "Mars Express", "HRSC", 2458851.5, [2]float64{40, 70}, [2]float64{-10, 20}, [2]float64{nan, nan}, vis},
		{"Mars", "planet", "sp", "Mars Express", "OMEGA", 2458852.5, [2]float64{100, 110}, [2]float64{30, 35}, [2]float64{nan, nan}, ir},
		{"Jupiter", "planet", "im", "Juno", "JunoCam", 2459000.25, [2]float64{0, 360}, [2]float64{-90, 90}, [2]float64{nan, nan}, vis},
		{"Io", "satellite", "im", "Galileo", "SSI", 2450500.5, [2]float64{200, 260}, [2]float64{-30, 30}, [2]float64{nan, nan}, vis},
		{"Europa", "satellite", "im", "Galileo", "SSI", 2450600.5, [2]float64{0, 90}, [2]float64{-45, 45}, [2]float64{nan, nan}, vis},
		{"Titan", "satellite", "pr", "Cassini-Huygens", "VIMS", 2453380.5, [2]float64{180, 200}, [2]float64{-12, -8}, [2]float64{0, 150}, ir},
		{"Saturn", "planet", "sp", "Cassini-Huygens", "VIMS", 2453400.5, [2]float64{0, 30}, [2]float64{-5, 5}, [2]float64{nan, nan}, ir},
		{"Ceres", "dwarf_planet", "im", "Dawn", "FC", 2457100.5, [2]float64{0, 180}, [2]float64{-60, 60}, [2]float64{nan, nan}, vis},
		{"67P", "comet", "im", "Rosetta", "OSIRIS", 2457000.5, [2]float64{0, 360}, [2]float64{-90, 90}, [2]float64{nan, nan}, vis},
	}
	out := make([]Granule, len(g))
	for i, x := range g {
		out[i] = Granule{UID: fmt.Sprintf("voa_%s_%02d", sanitize(x.target), i+1), Target: x.target, TargetClass: x.class,
			ProductType: x.ptype, TimeMin: x.jd, TimeMax: x.jd + 0.01,
			C1Min: x.lon[0], C1Max: x.lon[1], C2Min: x.lat[0], C2Max: x.lat[1], C3Min: x.alt[0], C3Max: x.alt[1],
			InstrumentHost: x.host, Instrument: x.inst, SpectralMin: x.spec[0], SpectralMax: x.spec[1], ProcessingLevel: 3}
	}
	return out
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// File returns the granule's file name below planets/data.
func (g Granule) File() string { return g.UID + ".fits" }

func (g Granule) cards() []card {
	cs := []card{
		{"GRANUID", g.UID, ""}, {"TARGET", g.Target, ""}, {"TCLASS", g.TargetClass, ""},
		{"DPTYPE", g.ProductType, ""}, {"TMIN", g.TimeMin, "JD"}, {"TMAX", g.TimeMax, "JD"},
		{"C1MIN", g.C1Min, ""}, {"C1MAX", g.C1Max, ""}, {"C2MIN", g.C2Min, ""}, {"C2MAX", g.C2Max, ""},
		{"INSTHOST", g.InstrumentHost, ""}, {"INSTRUME", g.Instrument, ""},
		{"SRMIN", g.SpectralMin, "Hz"}, {"SRMAX", g.SpectralMax, "Hz"},
		{"PROCLEV", g.ProcessingLevel, ""},
	}
	if !math.IsNaN(g.C3Min) {
		cs = append(cs, card{"C3MIN", g.C3Min, ""}, card{"C3MAX", g.C3Max, ""})
	}
	return cs
}

// BigRows is the size of the big narrow catalogue (bigcat.main) used for
// streaming benchmarks.
const BigRows = 1000000

// BigRow returns row id (1-based) of bigcat.main: uniform on the sphere,
// each row computable on its own.
func BigRow(id int64) (ra, dec, mag float64) {
	r := newRNG(Seed ^ uint64(id)*0x9e3779b97f4a7c15)
	ra = round(r.uniform(0, 360), 6)
	dec = round(math.Asin(r.uniform(-1, 1))*180/math.Pi, 6)
	mag = round(r.uniform(10, 21), 2)
	return ra, dec, mag
}
