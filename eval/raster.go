package eval

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Spike is one spike of a raster: neuron Neuron fired at time step Step.
type Spike struct {
	Step, Neuron int
}

// Raster is one panel of [WriteRaster]: the spikes of one layer for one
// sample, say.
type Raster struct {
	// Title names the panel, e.g. "sample 3: hidden".
	Title string
	// Steps and Neurons are the extent of the panel: spikes must have
	// 0 <= Step < Steps and 0 <= Neuron < Neurons.
	Steps, Neurons int
	Spikes         []Spike
	// Dt is the length of a step in milliseconds; with 0 the time axis counts
	// steps.
	Dt float64
}

// MaxRasterSize bounds a panel's Steps and Neurons.
const MaxRasterSize = 1 << 30

// WriteRaster writes dir/raster.png: panels[i][j] is drawn in row i and
// column j of a grid (one row per sample and one column per layer, for
// instance), each panel 4.5 x 3 inches. Each spike is a dark mark filling
// most of its step-by-neuron cell, at least 1.5 pixels wide and high, so both a
// 10-neuron output layer and a 4,000-neuron network stay readable. A panel
// of no steps or neurons, of more than MaxRasterSize, or of a negative or
// non-finite Dt or duration is an error naming it (a step count that
// overflowed, say);
// it panics if a spike lies outside its panel.
func WriteRaster(dir string, panels [][]Raster) error {
	grid := make([][]*plot.Plot, len(panels))
	for i, row := range panels {
		grid[i] = make([]*plot.Plot, len(row))
		for j, r := range row {
			p, err := r.plot()
			if err != nil {
				return err
			}
			grid[i][j] = p
		}
	}
	return savePlots(filepath.Join(dir, RasterFile), grid, rasterW, rasterH)
}

func (r Raster) plot() (*plot.Plot, error) {
	if r.Steps <= 0 || r.Neurons <= 0 || r.Steps > MaxRasterSize || r.Neurons > MaxRasterSize {
		return nil, fmt.Errorf("eval: raster %q of %d steps and %d neurons: each must be 1 to %d (a duration or step count that overflowed?)", r.Title, r.Steps, r.Neurons, MaxRasterSize)
	}
	if math.IsNaN(r.Dt) || math.IsInf(r.Dt, 0) || r.Dt < 0 {
		return nil, fmt.Errorf("eval: raster %q: step length %v ms is not a finite non-negative number", r.Title, r.Dt)
	}
	if math.IsInf(float64(r.Steps)*r.Dt, 0) {
		return nil, fmt.Errorf("eval: raster %q: %d steps of %v ms overflow", r.Title, r.Steps, r.Dt)
	}
	for _, s := range r.Spikes {
		if uint(s.Step) >= uint(r.Steps) || uint(s.Neuron) >= uint(r.Neurons) {
			panic(fmt.Sprintf("eval: raster %q: spike at step %d of neuron %d outside %d steps and %d neurons",
				r.Title, s.Step, s.Neuron, r.Steps, r.Neurons))
		}
	}
	p := plot.New()
	p.Title.Text = r.Title
	dt := r.Dt
	if dt > 0 {
		p.X.Label.Text = "time (ms)"
	} else {
		dt = 1
		p.X.Label.Text = "time step"
		cellTicks(&p.X)
	}
	p.Y.Label.Text = "neuron"
	cellTicks(&p.Y)
	p.X.Min, p.X.Max = 0, float64(r.Steps)*dt
	p.Y.Min, p.Y.Max = 0, float64(r.Neurons)
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(rasterPlotter{r: r, dt: dt})
	return p, nil
}

// cellTicks labels the integer cells [v, v+1) of a at their centres.
func cellTicks(a *plot.Axis) {
	a.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		if max-1 <= min { // a single cell
			return []plot.Tick{{Value: min + 0.5, Label: strconv.FormatFloat(min, 'f', -1, 64)}}
		}
		var out []plot.Tick
		for _, t := range (plot.DefaultTicks{}).Ticks(min, max-1) {
			if t.Label == "" || t.Value != math.Trunc(t.Value) || t.Value < min || t.Value > max-1 {
				continue
			}
			out = append(out, plot.Tick{Value: t.Value + 0.5, Label: t.Label})
		}
		return out
	})
}

// rasterPlotter draws the spikes of a Raster as filled cells.
type rasterPlotter struct {
	r  Raster
	dt float64
}

var spikeColor = color.RGBA{R: 0x10, G: 0x20, B: 0x60, A: 0xff}

func (rp rasterPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	cw := trX(rp.dt) - trX(0)
	ch := trY(1) - trY(0)
	minLen := 1.5 * vg.Inch / dpi // a pixel and a half
	w, h := max(0.8*cw, minLen), max(0.8*ch, minLen)
	if cw < 3*minLen {
		w = max(cw, minLen)
	}
	if ch < 3*minLen {
		h = max(ch, minLen)
	}
	c.SetColor(spikeColor)
	for _, s := range rp.r.Spikes {
		x := trX((float64(s.Step)+0.5)*rp.dt) - w/2
		y := trY(float64(s.Neuron)+0.5) - h/2
		var path vg.Path
		path.Move(vg.Point{X: x, Y: y})
		path.Line(vg.Point{X: x + w, Y: y})
		path.Line(vg.Point{X: x + w, Y: y + h})
		path.Line(vg.Point{X: x, Y: y + h})
		path.Close()
		c.Fill(path)
	}
}

func (rp rasterPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, float64(rp.r.Steps) * rp.dt, 0, float64(rp.r.Neurons)
}
