package sed

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
)

// fitBands are the default bands with a zero point, one each.
func fitBands() []Band {
	seen := map[string]bool{}
	var out []Band
	for _, b := range DefaultBands {
		if _, ok := ZeroPoints[b.Name]; ok && !seen[b.Name] {
			seen[b.Name] = true
			out = append(out, b)
		}
	}
	return out
}

// synthetic is the SED a model gives in every fit band: magnitudes from
// the zero points, with Gaussian noise of sigma mag (seeded) recorded as
// the magnitude errors when sigma > 0.
func synthetic(id string, m model, p [2]float64, sigma float64, seed int64) Source {
	rng := rand.New(rand.NewSource(seed))
	s := Source{ID: id}
	for _, b := range fitBands() {
		v, _ := m(lightC/(b.Wavelength*1e-6), p)
		if !(v > 0) {
			continue
		}
		mag := -2.5*math.Log10(v/ZeroPoints[b.Name]) + sigma*rng.NormFloat64()
		s.Points = append(s.Points, Point{Wavelength: b.Wavelength, Mag: mag, MagErr: sigma, Band: b.Name})
	}
	return s
}

// TestFitRecoversModels fits SEDs made from known blackbodies and power
// laws. Stated tolerances: without noise, parameters within 1e-6
// (relative); with 0.03 mag of noise and its errors, within 4 sigma of
// the fitted uncertainty, which itself is under 10% (temperature) or
// 0.1 (slope).
func TestFitRecoversModels(t *testing.T) {
	for _, c := range []struct {
		name string
		m    model
		fit  func([]Flux) (Fit, error)
		p    [2]float64
	}{
		{"cool star", blackbody, FitBlackbody, [2]float64{3500, 2e-18}},
		{"sun-like", blackbody, FitBlackbody, [2]float64{5800, 1e-18}},
		{"A star", blackbody, FitBlackbody, [2]float64{10000, 3e-20}},
		{"hot", blackbody, FitBlackbody, [2]float64{25000, 1e-21}},
		{"dust", blackbody, FitBlackbody, [2]float64{300, 1e-14}},
		{"rising", powerLaw, FitPowerLaw, [2]float64{-2, 0.01}},
		{"flat", powerLaw, FitPowerLaw, [2]float64{0, 0.5}},
		{"steep", powerLaw, FitPowerLaw, [2]float64{1.5, 2e-3}},
		{"Rayleigh-Jeans", powerLaw, FitPowerLaw, [2]float64{2, 1e-4}},
	} {
		for seed, sigma := range []float64{0, 0.03, 0.03} {
			s := synthetic("x", c.m, c.p, sigma, int64(seed))
			fl, skipped := Fluxes(s, ZeroPoints)
			if len(skipped) > 0 || len(fl) < 10 {
				t.Fatalf("%s: %d fluxes, skipped %v", c.name, len(fl), skipped)
			}
			f, err := c.fit(fl)
			if err != nil {
				t.Errorf("%s sigma %g: %v", c.name, sigma, err)
				continue
			}
			for i, want := range c.p {
				got, e := f.Params[i], f.Errors[i]
				if sigma == 0 {
					if math.Abs(got-want) > 1e-6*math.Max(math.Abs(want), 1) {
						t.Errorf("%s noise-free: parameter %d = %.10g, want %g", c.name, i, got, want)
					}
					continue
				}
				if !(math.Abs(got-want) <= 4*e) {
					t.Errorf("%s sigma %g seed %d: parameter %d = %g ± %g, want %g (%s)", c.name, sigma, seed, i, got, e, want, f)
				}
			}
			if sigma > 0 {
				if !f.Absolute || f.DOF != len(fl)-2 {
					t.Errorf("%s: absolute %v dof %d", c.name, f.Absolute, f.DOF)
				}
				if f.Model == "blackbody" && !(f.Errors[0] < 0.1*c.p[0]) || f.Model == "powerlaw" && !(f.Errors[0] < 0.1) {
					t.Errorf("%s: uncertainty too large: %s", c.name, f)
				}
			}
		}
	}
}

func TestFitErrors(t *testing.T) {
	one := []Flux{{Band: "2MASS J", Wavelength: 1.235, Frequency: lightC / 1.235e-6, Jy: 1}}
	if _, err := FitBlackbody(one); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("blackbody, 1 point: %v", err)
	}
	if _, err := FitPowerLaw(one); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("power law, 1 point: %v", err)
	}
	same := append(one, one[0])
	if _, err := FitPowerLaw(same); err == nil || !strings.Contains(err.Error(), "one wavelength") {
		t.Errorf("power law, one wavelength: %v", err)
	}
	// Two points without errors: an exact fit whose uncertainty cannot be told.
	two := append(one, Flux{Band: "2MASS K", Wavelength: 2.159, Frequency: lightC / 2.159e-6, Jy: 0.5})
	f, err := FitPowerLaw(two)
	if err != nil || !math.IsNaN(f.Errors[0]) || f.Absolute {
		t.Errorf("two points: %v %v", f, err)
	}
	// A band without zero point is left out.
	fl, skipped := Fluxes(Source{Points: []Point{{Band: "mine", Wavelength: 1, Mag: 3}}}, ZeroPoints)
	if len(fl) != 0 || len(skipped) != 1 {
		t.Errorf("unknown band: %v %v", fl, skipped)
	}
}

// TestFitSourcesParams: the fits reach the SED table as PARAMs (suffixed
// with the source when there are several) and the report.
func TestFitSourcesParams(t *testing.T) {
	srcs := []Source{synthetic("a 1", blackbody, [2]float64{5000, 1e-18}, 0.02, 1), synthetic("b", powerLaw, [2]float64{-1, 0.1}, 0, 2)}
	var rep bytes.Buffer
	if err := FitSources(srcs, &rep); err != nil {
		t.Fatal(err)
	}
	if len(srcs[0].Fits) != 2 || len(srcs[1].Fits) != 2 {
		t.Fatalf("fits: %+v", srcs)
	}
	for _, want := range []string{"source a 1: blackbody T = ", "source b: power law", "reddening-free", "weights from magnitude errors", "equal relative weights"} {
		if !strings.Contains(rep.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, rep.String())
		}
	}
	tab, err := Table(srcs)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for _, p := range tab.Params {
		params[p.Name] = p.Value
	}
	if len(params) != 24 || params["bb_temperature_a_1"] != formatG(srcs[0].Fits[0].Params[0]) ||
		params["pl_slope_b"] != formatG(srcs[1].Fits[1].Params[0]) || params["bb_dof_a_1"] != strconv.Itoa(srcs[0].Fits[0].DOF) {
		t.Errorf("params: %v", params)
	}
	one, _ := Table(srcs[:1])
	if one.Params[0].Name != "bb_temperature" || !strings.Contains(one.Params[0].Description, "reddening-free") {
		t.Errorf("single source param: %+v", one.Params[0])
	}
}

// TestFitAgainstScipy fits the same points with scipy.optimize.curve_fit
// (Levenberg-Marquardt, an independent implementation) from a start 30%
// off the truth: parameters agree within 1e-5 and uncertainties within
// 1e-3 (relative), with magnitude errors (absolute_sigma) and without
// (relative weights, covariance scaled by the reduced chi-square).
func TestFitAgainstScipy(t *testing.T) {
	py := peertest.PythonModule(t, "scipy.optimize")
	type scipyCase struct {
		Model    string     `json:"model"`
		Nu       []float64  `json:"nu"`
		Jy       []float64  `json:"jy"`
		Sigma    []float64  `json:"sigma"`
		Absolute bool       `json:"absolute"`
		P0       [2]float64 `json:"p0"`
	}
	var cases []scipyCase
	var ours []Fit
	for i, c := range []struct {
		m     model
		fit   func([]Flux) (Fit, error)
		p     [2]float64
		sigma float64
	}{
		{blackbody, FitBlackbody, [2]float64{5800, 1e-18}, 0.05},
		{blackbody, FitBlackbody, [2]float64{12000, 1e-20}, 0.02},
		{powerLaw, FitPowerLaw, [2]float64{-1.2, 0.03}, 0.05},
		{powerLaw, FitPowerLaw, [2]float64{0.7, 1.5}, 0.1},
	} {
		for _, withErr := range []bool{true, false} {
			s := synthetic("x", c.m, c.p, c.sigma, int64(10+i))
			if !withErr {
				for k := range s.Points {
					s.Points[k].MagErr = 0
				}
			}
			fl, _ := Fluxes(s, ZeroPoints)
			f, err := c.fit(fl)
			if err != nil {
				t.Fatal(err)
			}
			ours = append(ours, f)
			sig, abs := sigmas(fl)
			sc := scipyCase{Model: f.Model, Sigma: sig, Absolute: abs, P0: [2]float64{c.p[0] * 1.3, c.p[1] * 1.3}}
			if c.p[0] == 0 || f.Model == "powerlaw" {
				sc.P0[0] = c.p[0] + 0.3
			}
			for _, x := range fl {
				sc.Nu, sc.Jy = append(sc.Nu, x.Frequency), append(sc.Jy, x.Jy)
			}
			cases = append(cases, sc)
		}
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(py, "testdata/curve_fit.py")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curve_fit.py: %v", err)
	}
	var theirs []struct {
		Params [2]float64 `json:"params"`
		Errors [2]float64 `json:"errors"`
		Chi2   float64    `json:"chi2"`
	}
	if err := json.Unmarshal(out, &theirs); err != nil || len(theirs) != len(ours) {
		t.Fatalf("curve_fit.py answered %s (%v)", out, err)
	}
	rel := func(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300) }
	for i, f := range ours {
		th := theirs[i]
		for k := 0; k < 2; k++ {
			if rel(f.Params[k], th.Params[k]) > 1e-5 && math.Abs(f.Params[k]-th.Params[k]) > 1e-9 {
				t.Errorf("case %d %s: parameter %d = %.10g, scipy %.10g", i, f.Model, k, f.Params[k], th.Params[k])
			}
			if rel(f.Errors[k], th.Errors[k]) > 1e-3 {
				t.Errorf("case %d %s: error %d = %.6g, scipy %.6g", i, f.Model, k, f.Errors[k], th.Errors[k])
			}
		}
		if rel(f.ChiSq, th.Chi2) > 1e-6 && math.Abs(f.ChiSq-th.Chi2) > 1e-9 {
			t.Errorf("case %d %s: chi2 %.8g, scipy %.8g", i, f.Model, f.ChiSq, th.Chi2)
		}
	}
}

func formatG(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPlotFits: once fitted, the plot of an SED shows the fits' lines
// (the image differs from the unfitted one), in the overview and panels.
func TestPlotFits(t *testing.T) {
	for _, panels := range []bool{false, true} {
		srcs := []Source{synthetic("s", blackbody, [2]float64{4000, 1e-18}, 0.05, 3)}
		var before, after bytes.Buffer
		opt := PlotOptions{Panels: panels, Width: 300, Height: 200}
		if err := Plot(&before, srcs, opt); err != nil {
			t.Fatal(err)
		}
		if err := FitSources(srcs, nil); err != nil || len(srcs[0].Fits) != 2 {
			t.Fatalf("fit: %v %+v", err, srcs[0].Fits)
		}
		if err := Plot(&after, srcs, opt); err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(before.Bytes(), after.Bytes()) {
			t.Errorf("panels=%v: the plot does not change once fitted", panels)
		}
	}
}
