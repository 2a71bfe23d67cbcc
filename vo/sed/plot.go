package sed

import (
	"cmp"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/go-analyze/charts/chartdraw"
	"github.com/go-analyze/charts/chartdraw/drawing"
)

// PlotOptions tune Plot.
type PlotOptions struct {
	// Panels draws one panel per source in a grid; otherwise one overview
	// plot holds every source.
	Panels bool
	// Max bounds the number of sources drawn (default 12 for panels, 20 for
	// the overview), the first ones in order.
	Max int
	// Width and Height of the image in pixels (default 1000 x 750).
	Width, Height int
	// Title of the overview plot.
	Title string
}

// palette colours the sources in turn (matplotlib's "tab10").
var palette = []drawing.Color{
	{R: 31, G: 119, B: 180, A: 255}, {R: 255, G: 127, B: 14, A: 255}, {R: 44, G: 160, B: 44, A: 255},
	{R: 214, G: 39, B: 40, A: 255}, {R: 148, G: 103, B: 189, A: 255}, {R: 140, G: 86, B: 75, A: 255},
	{R: 227, G: 119, B: 194, A: 255}, {R: 127, G: 127, B: 127, A: 255}, {R: 188, G: 189, B: 34, A: 255},
	{R: 23, G: 190, B: 207, A: 255},
}

// Plot draws SEDs (magnitude against wavelength, log wavelength, bright
// up) as PNG to w, with the magnitudes their fits (FitSources) predict in
// the same bands when they have been fitted.
func Plot(w io.Writer, sources []Source, opt PlotOptions) error {
	if len(sources) == 0 {
		return fmt.Errorf("no SED to plot")
	}
	if opt.Max <= 0 {
		opt.Max = 20
		if opt.Panels {
			opt.Max = 12
		}
	}
	if len(sources) > opt.Max {
		sources = sources[:opt.Max]
	}
	if opt.Width <= 0 {
		opt.Width = 1000
	}
	if opt.Height <= 0 {
		opt.Height = 750
	}
	var img image.Image
	if opt.Panels {
		cols := int(math.Ceil(math.Sqrt(float64(len(sources)))))
		rows := (len(sources) + cols - 1) / cols
		pw, ph := opt.Width/cols, opt.Height/rows
		canvas := image.NewRGBA(image.Rect(0, 0, opt.Width, opt.Height))
		draw.Draw(canvas, canvas.Bounds(), image.White, image.Point{}, draw.Src)
		for k, s := range sources {
			g, err := sedChart("source "+s.ID, []Source{s}, k, false, pw, ph)
			if err != nil {
				return err
			}
			g.TitleStyle.FontSize = 9
			panel, err := render(g)
			if err != nil {
				return err
			}
			at := image.Pt(k%cols*pw, k/cols*ph)
			draw.Draw(canvas, panel.Bounds().Add(at), panel, panel.Bounds().Min, draw.Src)
		}
		img = canvas
	} else {
		title := opt.Title
		if title == "" {
			title = fmt.Sprintf("SEDs of %d sources", len(sources))
		}
		g, err := sedChart(title, sources, 0, len(sources) <= 12, opt.Width, opt.Height)
		if err != nil {
			return err
		}
		if img, err = render(g); err != nil {
			return err
		}
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("writing PNG: %w", err)
	}
	return nil
}

// render draws g into an image.
func render(g *chartdraw.Chart) (image.Image, error) {
	var iw chartdraw.ImageWriter
	if err := g.Render(chartdraw.PNG, &iw); err != nil {
		return nil, fmt.Errorf("drawing the SED plot: %w", err)
	}
	img, err := iw.Image()
	if err != nil {
		return nil, fmt.Errorf("drawing the SED plot: %w", err)
	}
	return img, nil
}

// sedChart makes a chart of the given sources, a line with points each,
// coloured from palette[first]. The wavelength axis is logarithmic: the
// chart's x values are log10(wavelength), its ticks labelled in µm.
func sedChart(title string, sources []Source, first int, legend bool, width, height int) (*chartdraw.Chart, error) {
	g := &chartdraw.Chart{
		Title:      title,
		TitleStyle: chartdraw.Style{FontStyle: chartdraw.FontStyle{FontSize: 12}},
		Width:      width,
		Height:     height,
		Background: chartdraw.Style{Padding: chartdraw.Box{Top: 30, Left: 30, Right: 20, Bottom: 10}, FillColor: drawing.ColorWhite},
		XAxis: chartdraw.XAxis{
			Name:           "wavelength (µm)",
			NameStyle:      chartdraw.Shown(),
			Style:          chartdraw.Shown(),
			GridMajorStyle: gridStyle(),
		},
		// The magnitude axis is the "secondary" one, which chartdraw draws
		// on the left; the primary (right) is hidden.
		YAxis: chartdraw.YAxis{Style: chartdraw.Hidden(), Range: &chartdraw.ContinuousRange{Min: 0, Max: 1}},
		YAxisSecondary: chartdraw.YAxis{
			Name:           "magnitude",
			NameStyle:      chartdraw.Shown(),
			Style:          chartdraw.Shown(),
			Range:          &chartdraw.ContinuousRange{Descending: true}, // bright up
			GridMajorStyle: gridStyle(),
			ValueFormatter: func(v any) string {
				if f, ok := v.(float64); ok {
					return strconv.FormatFloat(f, 'g', 4, 64)
				}
				return fmt.Sprint(v)
			},
		},
	}
	lo, hi := math.Inf(1), math.Inf(-1)   // wavelengths
	mlo, mhi := math.Inf(1), math.Inf(-1) // magnitudes
	for k, s := range sources {
		var xs, ys []float64
		for _, pt := range byWavelength(s.Points) {
			if pt.Wavelength > 0 && !math.IsNaN(pt.Mag) && !math.IsInf(pt.Mag, 0) {
				xs = append(xs, math.Log10(pt.Wavelength))
				ys = append(ys, pt.Mag)
				lo, hi = math.Min(lo, pt.Wavelength), math.Max(hi, pt.Wavelength)
				mlo, mhi = math.Min(mlo, pt.Mag), math.Max(mhi, pt.Mag)
			}
		}
		if len(xs) == 0 {
			continue
		}
		c := palette[(first+k)%len(palette)]
		g.Series = append(g.Series, chartdraw.ContinuousSeries{
			Name: s.ID, XValues: xs, YValues: ys, YAxis: chartdraw.YAxisSecondary,
			Style: chartdraw.Style{StrokeColor: c, StrokeWidth: 1.5, DotColor: c, DotWidth: 3.5},
		})
		fits := fitSeries(s, c)
		for _, f := range fits {
			for _, m := range f.YValues {
				mlo, mhi = math.Min(mlo, m), math.Max(mhi, m)
			}
			g.Series = append(g.Series, f)
		}
	}
	if len(g.Series) == 0 {
		return nil, fmt.Errorf("no photometric point with a wavelength to plot")
	}
	g.XAxis.Ticks = logTicks(lo, hi)
	g.YAxisSecondary.Ticks = linearTicks(mlo, mhi)
	if legend || len(sources) == 1 {
		g.Elements = []chartdraw.Renderable{chartdraw.Legend(g)}
	}
	return g, nil
}

// byWavelength is pts in order of wavelength, for the lines between them.
func byWavelength(pts []Point) []Point {
	pts = slices.Clone(pts)
	slices.SortStableFunc(pts, func(a, b Point) int { return cmp.Compare(a.Wavelength, b.Wavelength) })
	return pts
}

func gridStyle() chartdraw.Style {
	return chartdraw.Style{StrokeColor: drawing.Color{R: 220, G: 220, B: 220, A: 255}, StrokeWidth: 0.8}
}

// logTicks are the 1-2-5 wavelengths (µm) from the largest at or below lo
// to the smallest at or above hi, at their log10 on the axis.
func logTicks(lo, hi float64) []chartdraw.Tick {
	var ticks []chartdraw.Tick
	e := math.Floor(math.Log10(lo))
	start := math.Pow(10, e)
	for _, m := range []float64{5, 2, 1} {
		if m*math.Pow(10, e) <= lo {
			start = m * math.Pow(10, e)
			break
		}
	}
	for d := e; ; d++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, d)
			if v < start*(1-1e-9) {
				continue
			}
			ticks = append(ticks, chartdraw.Tick{Value: math.Log10(v), Label: strconv.FormatFloat(v, 'g', 3, 64)})
			if v >= hi*(1-1e-9) {
				if len(ticks) == 1 { // a single wavelength: one tick either side
					ticks = append([]chartdraw.Tick{{Value: math.Log10(v / 2), Label: strconv.FormatFloat(v/2, 'g', 3, 64)}}, ticks...)
					ticks = append(ticks, chartdraw.Tick{Value: math.Log10(v * 2), Label: strconv.FormatFloat(v*2, 'g', 3, 64)})
				}
				return ticks
			}
		}
	}
}

// linearTicks are about eight round values (steps of 1, 2 or 5 times a
// power of ten) covering [lo, hi].
func linearTicks(lo, hi float64) []chartdraw.Tick {
	if hi-lo < 1e-9 {
		lo, hi = lo-0.5, hi+0.5
	}
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/8)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (hi-lo)/(m*step) <= 8 {
			step *= m
			break
		}
	}
	var ticks []chartdraw.Tick
	for v := math.Floor(lo/step) * step; v < hi+step*(1-1e-9); v += step {
		v = math.Round(v/step) * step
		ticks = append(ticks, chartdraw.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', max(0, -int(math.Floor(math.Log10(step)))), 64)})
	}
	return ticks
}

// fitSeries are the magnitudes the fits of s (FitSources) predict in its
// bands: dashed for the blackbody, dotted for the power law.
func fitSeries(s Source, c drawing.Color) []chartdraw.ContinuousSeries {
	var out []chartdraw.ContinuousSeries
	for _, f := range s.Fits {
		m := blackbody
		dash := []float64{6, 4}
		label := fmt.Sprintf("%s blackbody %.0f K", s.ID, f.Params[0])
		if f.Model == "powerlaw" {
			m = powerLaw
			dash = []float64{2, 3}
			label = fmt.Sprintf("%s power law α=%.2f", s.ID, f.Params[0])
		}
		var xs, ys []float64
		for _, pt := range byWavelength(s.Points) {
			zp, ok := ZeroPoints[pt.Band]
			if !ok || !(pt.Wavelength > 0) {
				continue
			}
			v, _ := m(lightC/(pt.Wavelength*1e-6), f.Params)
			if mag := -2.5 * math.Log10(v/zp); v > 0 && !math.IsInf(mag, 0) && !math.IsNaN(mag) {
				xs = append(xs, math.Log10(pt.Wavelength))
				ys = append(ys, mag)
			}
		}
		if len(xs) < 2 {
			continue
		}
		out = append(out, chartdraw.ContinuousSeries{
			Name: label, XValues: xs, YValues: ys, YAxis: chartdraw.YAxisSecondary,
			Style: chartdraw.Style{StrokeColor: c, StrokeWidth: 1.2, StrokeDashArray: dash},
		})
	}
	return out
}
