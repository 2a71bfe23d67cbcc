package sed

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotOptions tune Plot.
type PlotOptions struct {
	// Panels draws one panel per source in a grid; otherwise one overview
	// plot holds every source.
	Panels bool
	// Max bounds the number of sources drawn (default 12 for panels, 20 for
	// the overview), the first ones in order.
	Max int
	// Width and Height of the image (default 800 x 600 points).
	Width, Height vg.Length
	// Title of the overview plot.
	Title string
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
		opt.Width = 800
	}
	if opt.Height <= 0 {
		opt.Height = 600
	}
	img := vgimg.PngCanvas{Canvas: vgimg.New(opt.Width, opt.Height)}
	dc := draw.New(img)
	if opt.Panels {
		cols := int(math.Ceil(math.Sqrt(float64(len(sources)))))
		rows := (len(sources) + cols - 1) / cols
		plots := make([][]*plot.Plot, rows)
		for r := range plots {
			plots[r] = make([]*plot.Plot, cols)
		}
		for k, s := range sources {
			p, err := newSEDPlot("source "+s.ID, []Source{s}, false)
			if err != nil {
				return err
			}
			p.Title.TextStyle.Font.Size = 9
			plots[k/cols][k%cols] = p
		}
		t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter,
			PadTop: 2, PadBottom: 2, PadLeft: 2, PadRight: 2}
		canvases := plot.Align(plots, t, dc)
		for r := range plots {
			for c := range plots[r] {
				if plots[r][c] != nil {
					plots[r][c].Draw(canvases[r][c])
				}
			}
		}
	} else {
		title := opt.Title
		if title == "" {
			title = fmt.Sprintf("SEDs of %d sources", len(sources))
		}
		p, err := newSEDPlot(title, sources, len(sources) <= 12)
		if err != nil {
			return err
		}
		p.Draw(dc)
	}
	if _, err := img.WriteTo(w); err != nil {
		return fmt.Errorf("writing PNG: %w", err)
	}
	return nil
}

// newSEDPlot makes a plot of the given sources, one line with points each.
func newSEDPlot(title string, sources []Source, legend bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "wavelength (µm)"
	p.Y.Label.Text = "magnitude"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.Add(plotter.NewGrid())
	for k, s := range sources {
		xy := make(plotter.XYs, 0, len(s.Points))
		for _, pt := range s.Points {
			if pt.Wavelength > 0 {
				xy = append(xy, plotter.XY{X: pt.Wavelength, Y: pt.Mag})
			}
		}
		if len(xy) == 0 {
			continue
		}
		line, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("plotting source %s: %w", s.ID, err)
		}
		c := plotutil.Color(k)
		line.Color = c
		pts.Color = c
		pts.Shape = plotutil.Shape(k)
		pts.Radius = vg.Points(2.5)
		p.Add(line, pts)
		if legend {
			p.Legend.Add(s.ID, line, pts)
		}
		if err := addFitLines(p, s, c, legend || len(sources) == 1); err != nil {
			return nil, err
		}
	}
	p.Legend.Top = true
	p.BackgroundColor = color.White
	return p, nil
}

// addFitLines draws the magnitudes the fits of s (FitSources) predict in
// its bands: dashed for the blackbody, dotted for the power law.
func addFitLines(p *plot.Plot, s Source, c color.Color, legend bool) error {
	for _, f := range s.Fits {
		m := blackbody
		dash := []vg.Length{vg.Points(5), vg.Points(3)}
		label := fmt.Sprintf("blackbody %.0f K", f.Params[0])
		if f.Model == "powerlaw" {
			m = powerLaw
			dash = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
			label = fmt.Sprintf("power law α=%.2f", f.Params[0])
		}
		var xy plotter.XYs
		for _, pt := range s.Points {
			zp, ok := ZeroPoints[pt.Band]
			if !ok || !(pt.Wavelength > 0) {
				continue
			}
			v, _ := m(lightC/(pt.Wavelength*1e-6), f.Params)
			if mag := -2.5 * math.Log10(v/zp); v > 0 && !math.IsInf(mag, 0) {
				xy = append(xy, plotter.XY{X: pt.Wavelength, Y: mag})
			}
		}
		if len(xy) < 2 {
			continue
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("plotting the %s fit of source %s: %w", f.Model, s.ID, err)
		}
		line.Color, line.Dashes = c, dash
		p.Add(line)
		if legend {
			p.Legend.Add(label, line)
		}
	}
	return nil
}
