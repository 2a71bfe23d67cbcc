package sed

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/voagent/voagent/internal/lazyre"
	"github.com/voagent/voagent/vo/votable"
)

// ZeroPoints are the flux densities (Jy) of magnitude 0 in each default
// band, which turn magnitudes into flux densities for fitting. A band
// without one (a rule of --bands) is left out of fits.
var ZeroPoints = map[string]float64{
	// Vega system, Bessell, Castelli & Plez 1998, A&A 333, 231, table A2.
	"Johnson U": 1790, "Johnson B": 4063, "Johnson V": 3636, "Johnson R": 3064, "Johnson I": 2416,
	// Cohen, Wheaton & Megeath 2003, AJ 126, 1090, table 2.
	"2MASS J": 1594, "2MASS H": 1024, "2MASS K": 666.7,
	// Jarrett et al. 2011, ApJ 735, 112 (WISE Explanatory Supplement IV.4.h).
	"WISE W1": 309.540, "WISE W2": 171.787, "WISE W3": 31.674, "WISE W4": 8.363,
	// AB system (Oke & Gunn 1983): SDSS magnitudes are AB to within a few
	// hundredths, GALEX's are AB.
	"SDSS u": 3631, "SDSS g": 3631, "SDSS r": 3631, "SDSS i": 3631, "SDSS z": 3631,
	"GALEX FUV": 3631, "GALEX NUV": 3631,
	// Gaia DR3 Vega zero points, SVO Filter Profile Service (GAIA/GAIA3.G,
	// .Gbp, .Grp).
	"Gaia G": 3228.75, "Gaia BP": 3552.01, "Gaia RP": 2554.95,
}

// Physical constants (SI, CODATA 2018 exact values).
const (
	planck    = 6.62607015e-34 // J s
	boltzmann = 1.380649e-23   // J/K
	lightC    = 299792458.0    // m/s
	janskySI  = 1e-26          // W m^-2 Hz^-1
	// nu0 is the power law's reference frequency, that of 1 um.
	nu0 = lightC / 1e-6
)

// Flux is one SED point in flux density units.
type Flux struct {
	Band string
	// Wavelength in micrometres; Frequency in Hz.
	Wavelength, Frequency float64
	// Jy is the flux density; Err its 1-sigma error from the magnitude
	// error (0 when the magnitude has none).
	Jy, Err float64
}

// Fluxes turns a source's magnitudes into flux densities with zp (band
// name to the Jy of magnitude 0); points of bands without a zero point are
// left out and their bands returned in skipped.
func Fluxes(s Source, zp map[string]float64) (fl []Flux, skipped []string) {
	for _, p := range s.Points {
		z, ok := zp[p.Band]
		if !ok || !(p.Wavelength > 0) {
			skipped = append(skipped, p.Band)
			continue
		}
		f := z * math.Pow(10, -0.4*p.Mag)
		e := 0.0
		if p.MagErr > 0 {
			e = f * 0.4 * math.Ln10 * p.MagErr
		}
		fl = append(fl, Flux{Band: p.Band, Wavelength: p.Wavelength, Frequency: lightC / (p.Wavelength * 1e-6), Jy: f, Err: e})
	}
	return fl, skipped
}

// Fit is a model fitted to an SED by weighted least squares in flux
// density.
type Fit struct {
	// Model is "blackbody" (Params: temperature in K, scale in sr: the
	// solid angle pi (R/d)^2 of a sphere of radius R at distance d) or
	// "powerlaw" (Params: slope alpha of F_nu proportional to nu^alpha,
	// and F_nu at 1 um in Jy).
	Model  string
	Params [2]float64
	// Errors are the 1-sigma uncertainties of Params, the square roots of
	// Cov's diagonal (NaN when they cannot be told: two points and no
	// magnitude errors).
	Errors [2]float64
	// Cov is the covariance of Params: (J^T W J)^-1 with J the model's
	// Jacobian at the optimum and W the weights; scaled by ChiSq/DOF when
	// the weights are relative (not every magnitude had an error).
	Cov [2][2]float64
	// ChiSq is the weighted sum of squared residuals; DOF is points - 2.
	ChiSq float64
	DOF   int
	// Points is the number of flux densities fitted.
	Points int
	// Absolute is true when every point had a magnitude error and the
	// weights are 1/error^2; false when the weights are 1/F^2 (equal
	// magnitude errors) and Cov is scaled by the reduced chi-square.
	Absolute bool
}

// Assumptions is said wherever fit results are shown: what the models
// leave out.
const Assumptions = "reddening-free: magnitudes are fitted as observed, with no extinction correction; " +
	"flux densities from fixed zero points (Vega for Johnson, 2MASS, WISE, Gaia; AB for SDSS, GALEX) at the bands' effective wavelengths"

// sigmas returns the 1-sigma error of each point and whether they are
// absolute (every point has a magnitude error).
func sigmas(fl []Flux) ([]float64, bool) {
	s := make([]float64, len(fl))
	abs := true
	for i, f := range fl {
		if !(f.Err > 0) {
			abs = false
		}
		s[i] = f.Err
	}
	if !abs {
		for i, f := range fl {
			s[i] = f.Jy
		}
	}
	return s, abs
}

// planckJy is B_nu(T) in Jy per sr and its derivative with respect to T.
func planckJy(nu, t float64) (b, dbdt float64) {
	x := planck * nu / (boltzmann * t)
	if x > 700 {
		return 0, 0
	}
	em1 := math.Expm1(x)
	b = 2 * planck * nu * nu * nu / (lightC * lightC) / em1 / janskySI
	dbdt = b * x * (em1 + 1) / em1 / t
	return b, dbdt
}

// model is a two-parameter SED model: value and partial derivatives with
// respect to its natural parameters at frequency nu.
type model func(nu float64, p [2]float64) (v float64, d [2]float64)

func blackbody(nu float64, p [2]float64) (float64, [2]float64) {
	b, dbdt := planckJy(nu, p[0])
	return p[1] * b, [2]float64{p[1] * dbdt, b}
}

func powerLaw(nu float64, p [2]float64) (float64, [2]float64) {
	l := math.Log(nu / nu0)
	v := p[1] * math.Exp(p[0]*l)
	return v, [2]float64{v * l, v / p[1]}
}

// FitBlackbody fits F_nu = scale * B_nu(T) to fl (at least 2 points).
// The start is the best temperature of a grid from 10 K to 10^6 K (the
// scale solved exactly at each), refined with gonum's Newton method on
// the Gauss-Newton Hessian, both parameters on a log scale.
func FitBlackbody(fl []Flux) (Fit, error) {
	if len(fl) < 2 {
		return Fit{}, fmt.Errorf("blackbody fit: %d flux densities, at least 2 needed", len(fl))
	}
	sig, _ := sigmas(fl)
	best, bestT, bestS := math.Inf(1), 0.0, 0.0
	for i := 0; i <= 500; i++ {
		t := math.Pow(10, 1+5*float64(i)/500)
		var sfb, sbb float64
		for k, f := range fl {
			b, _ := planckJy(f.Frequency, t)
			w := 1 / (sig[k] * sig[k])
			sfb += w * f.Jy * b
			sbb += w * b * b
		}
		if sbb == 0 || sfb <= 0 {
			continue
		}
		s := sfb / sbb
		chi := 0.0
		for k, f := range fl {
			b, _ := planckJy(f.Frequency, t)
			r := (f.Jy - s*b) / sig[k]
			chi += r * r
		}
		if chi < best {
			best, bestT, bestS = chi, t, s
		}
	}
	if bestT == 0 {
		return Fit{}, errors.New("blackbody fit: no temperature from 10 K to 1e6 K gives positive flux densities at these wavelengths")
	}
	return fitModel("blackbody", blackbody, fl, [2]float64{bestT, bestS})
}

// FitPowerLaw fits F_nu = norm * (nu/nu(1 um))^slope to fl (at least 2
// points), starting from the straight line through log F_nu against
// log nu.
func FitPowerLaw(fl []Flux) (Fit, error) {
	if len(fl) < 2 {
		return Fit{}, fmt.Errorf("power-law fit: %d flux densities, at least 2 needed", len(fl))
	}
	var sw, sx, sy, sxx, sxy float64
	for _, f := range fl {
		if !(f.Jy > 0) {
			return Fit{}, fmt.Errorf("power-law fit: flux density %g Jy in %s is not positive", f.Jy, f.Band)
		}
		x, y := math.Log(f.Frequency/nu0), math.Log(f.Jy)
		sw, sx, sy, sxx, sxy = sw+1, sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	den := sw*sxx - sx*sx
	if den == 0 {
		return Fit{}, errors.New("power-law fit: every point is at one wavelength")
	}
	slope := (sw*sxy - sx*sy) / den
	icpt := (sy - slope*sx) / sw
	return fitModel("powerlaw", powerLaw, fl, [2]float64{slope, math.Exp(icpt)})
}

// fitModel minimises the chi-square of m over fl from start. The second
// parameter of both models is a positive scale, optimised as its
// logarithm; the blackbody's temperature too.
func fitModel(name string, m model, fl []Flux, start [2]float64) (Fit, error) {
	sig, abs := sigmas(fl)
	logFirst := name == "blackbody"
	toNat := func(x []float64) [2]float64 {
		p := [2]float64{x[0], math.Exp(x[1])}
		if logFirst {
			p[0] = math.Exp(x[0])
		}
		return p
	}
	// residuals and the Jacobian of the model in the optimiser's variables.
	eval := func(x []float64) (r []float64, j [][2]float64) {
		p := toNat(x)
		r = make([]float64, len(fl))
		j = make([][2]float64, len(fl))
		for k, f := range fl {
			v, d := m(f.Frequency, p)
			r[k] = (f.Jy - v) / sig[k]
			j[k] = [2]float64{d[0] / sig[k], d[1] * p[1] / sig[k]}
			if logFirst {
				j[k][0] *= p[0]
			}
		}
		return r, j
	}
	problem := optimize.Problem{
		Func: func(x []float64) float64 {
			r, _ := eval(x)
			s := 0.0
			for _, v := range r {
				s += v * v
			}
			return s
		},
		Grad: func(g, x []float64) {
			r, j := eval(x)
			g[0], g[1] = 0, 0
			for k := range r {
				g[0] -= 2 * r[k] * j[k][0]
				g[1] -= 2 * r[k] * j[k][1]
			}
		},
		Hess: func(h *mat.SymDense, x []float64) {
			_, j := eval(x)
			var a, b, c float64
			for k := range j {
				a += 2 * j[k][0] * j[k][0]
				b += 2 * j[k][0] * j[k][1]
				c += 2 * j[k][1] * j[k][1]
			}
			h.SetSym(0, 0, a)
			h.SetSym(0, 1, b)
			h.SetSym(1, 1, c)
		},
	}
	x0 := []float64{start[0], math.Log(start[1])}
	if logFirst {
		x0[0] = math.Log(start[0])
	}
	res, err := optimize.Minimize(problem, x0, &optimize.Settings{GradientThreshold: 1e-12, MajorIterations: 1000}, &optimize.Newton{})
	if err != nil && res == nil {
		return Fit{}, fmt.Errorf("%s fit: %w", name, err)
	}
	p := toNat(res.X)
	fit := Fit{Model: name, Params: p, ChiSq: res.F, DOF: len(fl) - 2, Points: len(fl), Absolute: abs}
	if math.IsNaN(res.F) || math.IsInf(res.F, 0) || math.IsNaN(p[0]) || math.IsNaN(p[1]) {
		return Fit{}, fmt.Errorf("%s fit did not converge (%v)", name, res.Status)
	}
	// Covariance of the natural parameters: (J^T J)^-1 with J the Jacobian
	// of the weighted residuals.
	var a, b, c float64
	for k, f := range fl {
		_, d := m(f.Frequency, p)
		d0, d1 := d[0]/sig[k], d[1]/sig[k]
		a, b, c = a+d0*d0, b+d0*d1, c+d1*d1
	}
	det := a*c - b*b
	scale := 1.0
	if !abs {
		scale = math.NaN()
		if fit.DOF > 0 {
			scale = fit.ChiSq / float64(fit.DOF)
		}
	}
	if det <= 0 {
		scale = math.NaN()
	}
	fit.Cov = [2][2]float64{{c / det * scale, -b / det * scale}, {-b / det * scale, a / det * scale}}
	fit.Errors = [2]float64{math.Sqrt(fit.Cov[0][0]), math.Sqrt(fit.Cov[1][1])}
	return fit, nil
}

// FitSources fits a blackbody and a power law to the SED of each source
// with at least 2 points of known zero point (ZeroPoints), keeps the
// results in the sources (Table writes them as PARAMs) and, when report is
// not nil, writes one line per source and model there.
func FitSources(sources []Source, report io.Writer) error {
	for i := range sources {
		s := &sources[i]
		fl, skipped := Fluxes(*s, ZeroPoints)
		s.Fits = s.Fits[:0]
		var errs []string
		for _, f := range []func([]Flux) (Fit, error){FitBlackbody, FitPowerLaw} {
			fit, err := f(fl)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			s.Fits = append(s.Fits, fit)
		}
		if report == nil {
			continue
		}
		for _, f := range s.Fits {
			if _, err := fmt.Fprintf(report, "source %s: %s\n", s.ID, f); err != nil {
				return err
			}
		}
		for _, e := range errs {
			fmt.Fprintf(report, "source %s: %s\n", s.ID, e)
		}
		if len(skipped) > 0 {
			fmt.Fprintf(report, "source %s: not fitted (no zero point): %s\n", s.ID, strings.Join(skipped, ", "))
		}
	}
	if report != nil {
		_, err := fmt.Fprintf(report, "fits are %s\n", Assumptions)
		return err
	}
	return nil
}

// String describes a fit in one line.
func (f Fit) String() string {
	w := "equal relative weights"
	if f.Absolute {
		w = "weights from magnitude errors"
	}
	tail := fmt.Sprintf("chi2 %.4g, %d dof, %d points, %s", f.ChiSq, f.DOF, f.Points, w)
	if f.Model == "blackbody" {
		return fmt.Sprintf("blackbody T = %.6g ± %.2g K, scale = %.6g ± %.2g sr (%s)", f.Params[0], f.Errors[0], f.Params[1], f.Errors[1], tail)
	}
	return fmt.Sprintf("power law F_nu ∝ nu^alpha, alpha = %.6g ± %.2g, F_nu(1 um) = %.6g ± %.2g Jy (%s)", f.Params[0], f.Errors[0], f.Params[1], f.Errors[1], tail)
}

var notName = lazyre.New(`[^A-Za-z0-9_]+`)

// fitParams are the PARAMs of the fits of sources: names with a suffix
// _<source id> when there is more than one source.
func fitParams(sources []Source) []*votable.Param {
	var out []*votable.Param
	fitted := 0
	for _, s := range sources {
		if len(s.Fits) > 0 {
			fitted++
		}
	}
	for _, s := range sources {
		suffix := ""
		if fitted > 1 {
			suffix = "_" + strings.Trim(notName().ReplaceAllString(s.ID, "_"), "_")
		}
		add := func(name, unit, ucd, desc string, dt votable.Datatype, v float64) {
			val := strconv.FormatFloat(v, 'g', -1, 64)
			if dt == votable.Int {
				val = strconv.Itoa(int(v))
			}
			out = append(out, &votable.Param{Field: votable.Field{Name: name + suffix, Datatype: dt, Unit: unit, UCD: ucd,
				Description: desc + " (source " + s.ID + "; " + Assumptions + ")"}, Value: val})
		}
		for _, f := range s.Fits {
			if f.Model == "blackbody" {
				add("bb_temperature", "K", "phys.temperature", "Blackbody temperature fitted to the SED", votable.Double, f.Params[0])
				add("bb_temperature_err", "K", "stat.error;phys.temperature", "1-sigma error of bb_temperature", votable.Double, f.Errors[0])
				add("bb_scale", "sr", "arith.factor", "Blackbody scale: F_nu = scale * B_nu(T), the solid angle pi (R/d)^2", votable.Double, f.Params[1])
				add("bb_scale_err", "sr", "stat.error;arith.factor", "1-sigma error of bb_scale", votable.Double, f.Errors[1])
				add("bb_chi2", "", "stat.fit.chi2", "Chi-square of the blackbody fit", votable.Double, f.ChiSq)
				add("bb_dof", "", "stat.fit.dof", "Degrees of freedom of the blackbody fit", votable.Int, float64(f.DOF))
			} else {
				add("pl_slope", "", "spect.index", "Power-law slope alpha of F_nu proportional to nu^alpha fitted to the SED", votable.Double, f.Params[0])
				add("pl_slope_err", "", "stat.error;spect.index", "1-sigma error of pl_slope", votable.Double, f.Errors[0])
				add("pl_norm", "Jy", "phot.flux.density", "Power-law F_nu at 1 um", votable.Double, f.Params[1])
				add("pl_norm_err", "Jy", "stat.error;phot.flux.density", "1-sigma error of pl_norm", votable.Double, f.Errors[1])
				add("pl_chi2", "", "stat.fit.chi2", "Chi-square of the power-law fit", votable.Double, f.ChiSq)
				add("pl_dof", "", "stat.fit.dof", "Degrees of freedom of the power-law fit", votable.Int, float64(f.DOF))
			}
		}
	}
	return out
}
