package main

import (
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
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

// matrixPlots draws the matrix's two pictures into out/img.
func matrixPlots(cells []*matrixCell, out string) error {
	for _, c := range matrixClients {
		if err := matrixPlot(cells, c, filepath.Join(out, "img", matrixImage(c))); err != nil {
			return err
		}
	}
	return nil
}

// matrixPlot draws the matrix for one kind of client: each drain's median
// stop time by lag, the adaptive drain's goal as a dashed line, and a red
// cross on every cell that lost requests.
func matrixPlot(cells []*matrixCell, client matrixClient, path string) error {
	p := plot.New()
	p.Title.Text = "stop time by load-balancer lag: " + client.name
	p.X.Label.Text = "lag, s"
	p.Y.Label.Text = "median stop time, s"
	var goal, lost plotter.XYs
	for _, lag := range matrixLags {
		goal = append(goal, plotter.XY{X: lag.Seconds(), Y: adaptiveGoal(lag).Seconds()})
	}
	for i, d := range matrixDrains() {
		var xys plotter.XYs
		for _, c := range cells {
			if c.client != client || c.drain.name != d.name {
				continue
			}
			xy := plotter.XY{X: c.lag.Seconds(), Y: median(c.stop)}
			xys = append(xys, xy)
			if median(c.failed) > 0 {
				lost = append(lost, xy)
			}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		line.Color = plotutil.Color(i)
		points.Color, points.Shape = plotutil.Color(i), plotutil.Shape(i)
		p.Add(line, points)
		p.Legend.Add(strings.ReplaceAll(d.name, "`", ""), line, points)
	}
	line, err := plotter.NewLine(goal)
	if err != nil {
		return err
	}
	line.Color, line.Dashes = color.Gray{Y: 60}, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(line)
	p.Legend.Add("adaptive drain's goal", line)
	if len(lost) > 0 {
		crosses, err := plotter.NewScatter(lost)
		if err != nil {
			return err
		}
		crosses.GlyphStyle = draw.GlyphStyle{Color: color.RGBA{R: 210, G: 30, B: 30, A: 255}, Shape: draw.CrossGlyph{}, Radius: vg.Points(6)}
		p.Add(crosses)
		p.Legend.Add("lost requests (median)", crosses)
	}
	var ticks []plot.Tick
	for _, lag := range matrixLags {
		ticks = append(ticks, plot.Tick{Value: lag.Seconds(), Label: lag.String()})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = 0, matrixLags[len(matrixLags)-1].Seconds()+0.5
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Min = 0
	p.Y.Max *= 1.7 // room above the lines for the legend
	p.Add(plotter.NewGrid())
	return p.Save(7*vg.Inch, 4*vg.Inch, path)
}
