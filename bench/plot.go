package main

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/drainit/drainit/e2e/scenario"
)

// timeline draws one run: every request as a dot at (sent, latency),
// green when it got a 200 and red when it failed, with the stop and the
// end of the load balancer's lag as vertical lines.
func timeline(res *scenario.Result, path string) error {
	p := plot.New()
	p.Title.Text = res.Variant + ": every request, by send time"
	p.X.Label.Text = "seconds from the stop"
	p.Y.Label.Text = "latency, s (failures: time to fail)"
	var ok, failed plotter.XYs
	maxLatency := 0.1
	for _, q := range res.Requests {
		xy := plotter.XY{X: q.Sent.Sub(res.StopAt).Seconds(), Y: q.Latency.Seconds()}
		maxLatency = max(maxLatency, xy.Y)
		if q.OK() {
			ok = append(ok, xy)
		} else {
			failed = append(failed, xy)
		}
	}
	green := color.RGBA{R: 30, G: 150, B: 60, A: 255}
	red := color.RGBA{R: 210, G: 30, B: 30, A: 255}
	if err := addPoints(p, ok, green, draw.CircleGlyph{}, "ok"); err != nil {
		return err
	}
	if err := addPoints(p, failed, red, draw.CrossGlyph{}, "failed"); err != nil {
		return err
	}
	lag := res.LagEnd.Sub(res.StopAt).Seconds()
	for _, m := range []struct {
		x    float64
		name string
		dash []vg.Length
	}{{0, "stop", nil}, {lag, "load balancer stops sending", []vg.Length{vg.Points(4), vg.Points(3)}}} {
		line, err := plotter.NewLine(plotter.XYs{{X: m.x, Y: 0}, {X: m.x, Y: maxLatency * 1.05}})
		if err != nil {
			return err
		}
		line.Color = color.Gray{Y: 60}
		line.Dashes = m.dash
		p.Add(line)
		p.Legend.Add(m.name, line)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.X.Max = max(p.X.Max, lag) + 0.4 // room right of the lag line
	p.Y.Max = maxLatency * 1.25       // room above the points for the legend
	p.Add(plotter.NewGrid())
	return p.Save(9*vg.Inch, 4*vg.Inch, path)
}

func addPoints(p *plot.Plot, xys plotter.XYs, c color.Color, shape draw.GlyphDrawer, name string) error {
	if len(xys) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return err
	}
	s.GlyphStyle.Color = c
	s.GlyphStyle.Shape = shape
	s.GlyphStyle.Radius = vg.Points(2)
	p.Add(s)
	p.Legend.Add(name, s)
	return nil
}
