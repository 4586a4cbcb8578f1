package eval

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Fixed names of the figures written into a run directory.
const (
	CurvesFile    = "curves.png"    // WriteCurves
	RasterFile    = "raster.png"    // WriteRaster
	ConfusionFile = "confusion.png" // WriteConfusion
)

// dpi is the resolution of every PNG: a 6 x 3.5 inch panel is 600 x 350
// pixels.
const dpi = 100

// Panel sizes.
const (
	lineW, lineH     = 6 * vg.Inch, 3.5 * vg.Inch
	rasterW, rasterH = 4.5 * vg.Inch, 3 * vg.Inch
)

// savePlots draws plots (row-major; nil cells stay blank, rows may be
// ragged) in a grid of panels of size w x h and writes the PNG to path
// atomically: to a temporary file in the same directory, then renamed.
func savePlots(path string, plots [][]*plot.Plot, w, h vg.Length) error {
	rows, cols := len(plots), 0
	for _, r := range plots {
		cols = max(cols, len(r))
	}
	if rows == 0 || cols == 0 {
		return fmt.Errorf("eval: %s: nothing to plot", path)
	}
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
		copy(grid[i], plots[i])
	}
	c := vgimg.NewWith(vgimg.UseWH(w*vg.Length(cols), h*vg.Length(rows)), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{
		Rows: rows, Cols: cols,
		PadTop: 0.1 * vg.Inch, PadBottom: 0.1 * vg.Inch, PadLeft: 0.1 * vg.Inch, PadRight: 0.2 * vg.Inch,
		PadX: 0.2 * vg.Inch, PadY: 0.2 * vg.Inch,
	}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	return writePNG(path, c)
}

func writePNG(path string, c *vgimg.Canvas) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = vgimg.PngCanvas{Canvas: c}.WriteTo(f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("eval: writing %s: %w", path, err)
	}
	return nil
}

// Style is how a [Series] is drawn.
type Style int

const (
	Line       Style = iota // a line through the points (the default)
	Points                  // a marker at each point
	LinePoints              // both
)

// Series is one named curve of a [LinePlot].
type Series struct {
	// Name is the legend entry; an empty name has none.
	Name string
	// X holds the abscissae; nil means the LinePlot's X, or 0, 1, 2, ...
	// when that is nil too.
	X []float64
	// Y holds the ordinates. A NaN leaves a gap.
	Y []float64
	// YErr, when not nil, holds symmetric error bars (Y ± YErr).
	YErr []float64
	// Style says how to draw the series; the zero value is a line.
	Style Style
}

// LinePlot is one panel of named curves over a shared x axis: learning
// curves, psychometric curves, firing rates over time, target against output.
// The zero value of each field is a working default.
type LinePlot struct {
	Title, XLabel, YLabel string
	// X is the default abscissa of every series.
	X []float64
	// Series are drawn in order, in distinct colours (and marker shapes).
	Series []Series
	// XRange and YRange fix an axis when Min < Max; otherwise the axis fits
	// the data.
	XRange, YRange [2]float64
}

// plot builds the gonum plot of lp. It panics if a series' lengths disagree.
func (lp LinePlot) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = lp.Title
	p.X.Label.Text = lp.XLabel
	p.Y.Label.Text = lp.YLabel
	p.Add(plotter.NewGrid())
	var pts [][2]float64 // every finite point, to place the legend
	for i, s := range lp.Series {
		x := s.X
		if x == nil {
			x = lp.X
		}
		if x == nil {
			x = make([]float64, len(s.Y))
			for j := range x {
				x[j] = float64(j)
			}
		}
		if len(x) != len(s.Y) || (s.YErr != nil && len(s.YErr) != len(s.Y)) {
			panic(fmt.Sprintf("eval: series %q has %d x, %d y and %d error values", s.Name, len(x), len(s.Y), len(s.YErr)))
		}
		col := plotutil.Color(i)
		var thumbs []plot.Thumbnailer
		// Split at NaNs: each finite run is its own line.
		for start := 0; start < len(x); {
			if !finite(x[start], s.Y[start]) {
				start++
				continue
			}
			end := start
			for end < len(x) && finite(x[end], s.Y[end]) {
				end++
			}
			xy := make(plotter.XYs, end-start)
			for j := range xy {
				xy[j] = plotter.XY{X: x[start+j], Y: s.Y[start+j]}
				pts = append(pts, [2]float64{xy[j].X, xy[j].Y})
			}
			if s.Style != Points {
				l, err := plotter.NewLine(xy)
				if err != nil {
					return nil, err
				}
				l.Color, l.Width = col, vg.Points(1.5)
				p.Add(l)
				if len(thumbs) == 0 {
					thumbs = append(thumbs, l)
				}
			}
			if s.Style != Line {
				sc, err := plotter.NewScatter(xy)
				if err != nil {
					return nil, err
				}
				sc.Color, sc.Shape, sc.Radius = col, plotutil.Shape(i), vg.Points(3)
				p.Add(sc)
				if len(thumbs) < 2 {
					thumbs = append(thumbs, sc)
				}
			}
			if s.YErr != nil {
				e := errPoints{XYs: xy, YErrors: make(plotter.YErrors, len(xy))}
				for j := range xy {
					d := math.Abs(s.YErr[start+j])
					if math.IsNaN(d) {
						d = 0
					}
					e.YErrors[j].Low, e.YErrors[j].High = d, d
				}
				eb, err := plotter.NewYErrorBars(e)
				if err != nil {
					return nil, err
				}
				eb.Color = col
				p.Add(eb)
			}
			start = end
		}
		if s.Name != "" && len(thumbs) > 0 {
			p.Legend.Add(s.Name, thumbs...)
		}
	}
	if lp.XRange[0] < lp.XRange[1] {
		p.X.Min, p.X.Max = lp.XRange[0], lp.XRange[1]
	}
	if lp.YRange[0] < lp.YRange[1] {
		p.Y.Min, p.Y.Max = lp.YRange[0], lp.YRange[1]
	}
	placeLegend(p, pts)
	return p, nil
}

type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func finite(x, y float64) bool {
	return !math.IsNaN(x) && !math.IsNaN(y) && !math.IsInf(x, 0) && !math.IsInf(y, 0)
}

// placeLegend puts the legend in the corner of p whose quarter of the data
// area holds the fewest points (top right on a tie).
func placeLegend(p *plot.Plot, pts [][2]float64) {
	p.Legend.Top = true
	if len(pts) == 0 {
		return
	}
	xmin, xmax, ymin, ymax := p.X.Min, p.X.Max, p.Y.Min, p.Y.Max
	type corner struct{ top, left bool }
	best, bestN := corner{true, false}, math.MaxInt
	for _, c := range []corner{{true, false}, {true, true}, {false, false}, {false, true}} {
		n := 0
		for _, q := range pts {
			fx := (q[0] - xmin) / (xmax - xmin)
			fy := (q[1] - ymin) / (ymax - ymin)
			if xmax == xmin {
				fx = 0.5
			}
			if ymax == ymin {
				fy = 0.5
			}
			inX := fx >= 0.6
			if c.left {
				inX = fx <= 0.4
			}
			inY := fy >= 0.6
			if !c.top {
				inY = fy <= 0.4
			}
			if inX && inY {
				n++
			}
		}
		if n < bestN {
			best, bestN = c, n
		}
	}
	p.Legend.Top, p.Legend.Left = best.top, best.left
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(4)
	if best.left {
		p.Legend.XOffs = vg.Points(4)
	}
	if !best.top {
		p.Legend.YOffs = vg.Points(4)
	}
}

// WriteLines draws panels one above the other, each 6 x 3.5 inches, and
// writes the PNG to path. It is the helper behind [WriteCurves] and the
// figures of later analyses.
func WriteLines(path string, panels ...LinePlot) error {
	grid := make([][]*plot.Plot, len(panels))
	for i, lp := range panels {
		p, err := lp.plot()
		if err != nil {
			return fmt.Errorf("eval: %s: %w", path, err)
		}
		grid[i] = []*plot.Plot{p}
	}
	return savePlots(path, grid, lineW, lineH)
}

// WriteCurves writes dir/curves.png: the loss (train and test) on the left
// and the accuracy in percent (train and test) on the right, over epochs. A
// series that is NaN in every record is left out of the legend, and NaN
// points leave gaps.
func WriteCurves(dir string, recs []EpochRecord) error {
	if len(recs) == 0 {
		return errors.New("eval: WriteCurves: no epochs")
	}
	x := make([]float64, len(recs))
	get := func(f func(EpochRecord) float64, scale float64) []float64 {
		y := make([]float64, len(recs))
		for i, r := range recs {
			y[i] = f(r) * scale
		}
		return y
	}
	for i, r := range recs {
		x[i] = float64(r.Epoch)
	}
	// An all-NaN series draws nothing and has no legend entry, but keeps
	// its colour: train and test look the same in every figure.
	series := func(names []string, ys ...[]float64) []Series {
		out := make([]Series, len(ys))
		for i, y := range ys {
			out[i] = Series{Name: names[i], Y: y, Style: LinePoints}
		}
		return out
	}
	loss := LinePlot{Title: "Loss", XLabel: "epoch", YLabel: "loss", X: x,
		Series: series([]string{"train", "test"},
			get(func(r EpochRecord) float64 { return r.TrainLoss }, 1),
			get(func(r EpochRecord) float64 { return r.TestLoss }, 1))}
	acc := LinePlot{Title: "Accuracy", XLabel: "epoch", YLabel: "accuracy (%)", X: x,
		Series: series([]string{"train", "test"},
			get(func(r EpochRecord) float64 { return r.TrainAcc }, 100),
			get(func(r EpochRecord) float64 { return r.TestAcc }, 100))}
	var row []*plot.Plot
	for _, lp := range []LinePlot{loss, acc} {
		p, err := lp.plot()
		if err != nil {
			return fmt.Errorf("eval: WriteCurves: %w", err)
		}
		integerTicks(&p.X)
		row = append(row, p)
	}
	return savePlots(filepath.Join(dir, CurvesFile), [][]*plot.Plot{row}, lineW, lineH)
}

// integerTicks keeps only the integer major ticks of a (epochs, classes).
func integerTicks(a *plot.Axis) {
	a.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var out []plot.Tick
		for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
			if t.Label != "" && t.Value != math.Trunc(t.Value) {
				continue
			}
			out = append(out, t)
		}
		if len(out) == 0 || countMajor(out) == 0 {
			for v := math.Ceil(min); v <= max; v++ {
				out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
			}
		}
		return out
	})
}

func countMajor(ts []plot.Tick) int {
	n := 0
	for _, t := range ts {
		if t.Label != "" {
			n++
		}
	}
	return n
}
