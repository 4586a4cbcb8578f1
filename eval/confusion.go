package eval

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WriteConfusion writes dir/confusion.png: a heat map of m with predicted
// classes along x and true classes down y (the first class at the top, as in
// [WriteConfusionTable]), labelled with names (class numbers where names is
// nil or short). Each cell shows its count; its shade is the count's
// fraction of its true class (the row), so rare classes are as visible as
// common ones. The title gives the overall accuracy.
func WriteConfusion(dir string, m *ConfusionMatrix, names []string) error {
	k := m.Classes()
	g := confGrid{m: m}
	hm := plotter.NewHeatMap(g, blues{})
	hm.Min, hm.Max = 0, 1
	hm.NaN = color.Gray{Y: 0xee}

	p := plot.New()
	p.Title.Text = fmt.Sprintf("Confusion matrix: accuracy %s of %d", fmtPct(m.Accuracy()), m.Total())
	p.X.Label.Text = "predicted class"
	p.Y.Label.Text = "true class"
	p.Add(hm)

	xt := make(plot.ConstantTicks, k)
	yt := make(plot.ConstantTicks, k)
	for c := range k {
		xt[c] = plot.Tick{Value: float64(c), Label: className(names, c)}
		yt[c] = plot.Tick{Value: float64(k - 1 - c), Label: className(names, c)}
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	long := false
	for _, t := range xt {
		long = long || len(t.Label) > 2
	}
	if long { // slanted, so that long class names do not overlap
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	}
	p.X.Padding, p.Y.Padding = 0, 0

	lab := plotter.XYLabels{XYs: make(plotter.XYs, 0, k*k)}
	var styles []text.Style
	for t, row := range m.Counts {
		for pc, n := range row {
			lab.XYs = append(lab.XYs, plotter.XY{X: float64(pc), Y: float64(k - 1 - t)})
			lab.Labels = append(lab.Labels, fmt.Sprint(n))
		}
	}
	labels, err := plotter.NewLabels(lab)
	if err != nil {
		return fmt.Errorf("eval: WriteConfusion: %w", err)
	}
	for i, xy := range lab.XYs {
		s := labels.TextStyle[i]
		s.XAlign, s.YAlign = draw.XCenter, draw.YCenter
		s.Font.Size = vg.Points(10)
		if k > 15 {
			s.Font.Size = vg.Points(7)
		}
		if g.Z(int(xy.X), int(xy.Y)) > 0.55 {
			s.Color = color.White
		} else {
			s.Color = color.Black
		}
		styles = append(styles, s)
	}
	labels.TextStyle = styles
	p.Add(labels)

	side := max(5*vg.Inch, 1.5*vg.Inch+vg.Length(k)*0.55*vg.Inch)
	return savePlots(filepath.Join(dir, ConfusionFile), [][]*plot.Plot{{p}}, side, side)
}

// confGrid presents a confusion matrix as a heat-map grid: column c is the
// predicted class, grid row r is true class k-1-r, and the value is the
// count's fraction of its row (NaN for a class with no samples).
type confGrid struct{ m *ConfusionMatrix }

func (g confGrid) Dims() (c, r int) { k := g.m.Classes(); return k, k }
func (g confGrid) X(c int) float64  { return float64(c) }
func (g confGrid) Y(r int) float64  { return float64(r) }
func (g confGrid) Z(c, r int) float64 {
	t := g.m.Classes() - 1 - r
	n := g.m.Actual(t)
	if n == 0 {
		return math.NaN()
	}
	return float64(g.m.Counts[t][c]) / float64(n)
}

// blues is a sequential palette from white to dark blue.
type blues struct{}

func (blues) Colors() []color.Color {
	const n = 64
	out := make([]color.Color, n)
	lo := [3]float64{0xf7, 0xfb, 0xff}
	hi := [3]float64{0x08, 0x30, 0x6b}
	for i := range out {
		f := float64(i) / (n - 1)
		out[i] = color.RGBA{
			R: uint8(lo[0] + f*(hi[0]-lo[0]) + 0.5),
			G: uint8(lo[1] + f*(hi[1]-lo[1]) + 0.5),
			B: uint8(lo[2] + f*(hi[2]-lo[2]) + 0.5),
			A: 0xff,
		}
	}
	return out
}
