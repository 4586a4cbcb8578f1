package eval

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var plotDir = flag.String("plotdir", "", "also write the test figures into this directory, to look at them")

// checkPNG decodes path and checks its size in pixels.
func checkPNG(t *testing.T, path string, w, h int) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s is %dx%d pixels, want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
	// Something was drawn: not every pixel is the background.
	b := img.Bounds()
	r0, g0, b0, _ := img.At(b.Min.X, b.Min.Y).RGBA()
	varied := false
	for y := b.Min.Y; y < b.Max.Y && !varied; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			if r, g, bb, _ := img.At(x, y).RGBA(); r != r0 || g != g0 || bb != b0 {
				varied = true
				break
			}
		}
	}
	if !varied {
		t.Errorf("%s is blank", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() != 0o644 {
		t.Errorf("%s has mode %v, want 0644", path, fi.Mode().Perm())
	}
	return img
}

func curveRecords(n int) []EpochRecord {
	var recs []EpochRecord
	for e := 1; e <= n; e++ {
		r := NewRecord(e)
		r.TrainLoss = 2 * math.Exp(-0.3*float64(e))
		r.TestLoss = 2.1 * math.Exp(-0.25*float64(e))
		r.TrainAcc = 1 - 0.5*math.Exp(-0.4*float64(e))
		r.TestAcc = 1 - 0.55*math.Exp(-0.35*float64(e))
		recs = append(recs, r)
	}
	return recs
}

func randomRaster(rng *rand.Rand, title string, steps, neurons int, p, dt float64) Raster {
	r := Raster{Title: title, Steps: steps, Neurons: neurons, Dt: dt}
	for s := range steps {
		for n := range neurons {
			if rng.Float64() < p {
				r.Spikes = append(r.Spikes, Spike{s, n})
			}
		}
	}
	return r
}

var fashionNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

func TestPlots(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	conf := NewConfusionMatrix(10)
	for range 10000 {
		l := rng.IntN(10)
		p := l
		if rng.Float64() < 0.15 {
			p = rng.IntN(10)
		}
		conf.Add([]int{p}, []int{l})
	}
	x := []float64{-51.2, -25.6, -12.8, -6.4, 0, 6.4, 12.8, 25.6, 51.2}
	y, e := make([]float64, len(x)), make([]float64, len(x))
	for i, v := range x {
		y[i] = 1 / (1 + math.Exp(-v/10))
		e[i] = 0.05
	}
	nan := math.NaN()
	oneEpoch := curveRecords(1)
	oneEpoch[0].TrainAcc = nan // a series with no points is left out

	for _, tc := range []struct {
		name  string
		file  string // written into the directory
		w, h  int    // pixels
		write func(dir string) error
	}{
		{"curves", CurvesFile, 1200, 350, func(dir string) error { return WriteCurves(dir, curveRecords(8)) }},
		{"curves one epoch", CurvesFile, 1200, 350, func(dir string) error { return WriteCurves(dir, oneEpoch) }},
		{"raster grid", RasterFile, 900, 600, func(dir string) error {
			return WriteRaster(dir, [][]Raster{
				{randomRaster(rng, "sample 0: hidden", 25, 1000, 0.05, 0), randomRaster(rng, "sample 0: output", 25, 10, 0.2, 0)},
				{randomRaster(rng, "sample 1: hidden", 25, 1000, 0.05, 0), randomRaster(rng, "COBA, 400 neurons", 2000, 400, 0.002, 0.1)},
			})
		}},
		{"raster ragged", RasterFile, 900, 600, func(dir string) error {
			return WriteRaster(dir, [][]Raster{
				{randomRaster(rng, "a", 10, 5, 0.3, 0)},
				{randomRaster(rng, "b", 10, 5, 0, 0), randomRaster(rng, "c", 1, 1, 1, 0)},
			})
		}},
		{"confusion", ConfusionFile, 700, 700, func(dir string) error { return WriteConfusion(dir, conf, fashionNames) }},
		{"confusion small", ConfusionFile, 500, 500, func(dir string) error { return WriteConfusion(dir, fmnistMatrix(), nil) }},
		{"lines", "lines.png", 600, 700, func(dir string) error {
			return WriteLines(filepath.Join(dir, "lines.png"),
				LinePlot{Title: "Psychometric curve", XLabel: "coherence (%)", YLabel: "P(right)", X: x, YRange: [2]float64{0, 1},
					Series: []Series{{Name: "model", Y: y, YErr: e, Style: LinePoints}, {Name: "fit", Y: y}}},
				LinePlot{Title: "Target and output", XLabel: "step",
					Series: []Series{{Name: "target", Y: []float64{1, 2, nan, 3, 2}}, {Name: "output", Y: []float64{1.1, 1.9, 2.5, 3.1, 2}, Style: Points}}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tc.write(dir); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, filepath.Join(dir, tc.file), tc.w, tc.h)
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("directory holds %d entries, want only %s", len(ents), tc.file)
			}
			if *plotDir != "" {
				data, _ := os.ReadFile(filepath.Join(dir, tc.file))
				os.WriteFile(filepath.Join(*plotDir, filepath.Base(t.Name())+".png"), data, 0o644)
			}
		})
	}
}

// A raster of an overflowed step count (a simulation whose duration
// overflowed gives a negative one), of no neurons, of absurd sizes or of a
// non-finite step length is an error naming the panel, not a panic, and
// writes nothing.
func TestRasterBadSizes(t *testing.T) {
	dir := t.TempDir()
	for _, r := range []Raster{
		{Title: "overflowed", Steps: math.MinInt, Neurons: 10},
		{Title: "negative", Steps: -5, Neurons: 10},
		{Title: "no steps", Steps: 0, Neurons: 10},
		{Title: "no neurons", Steps: 10, Neurons: 0},
		{Title: "absurd", Steps: MaxRasterSize + 1, Neurons: 10},
		{Title: "absurd neurons", Steps: 10, Neurons: math.MaxInt},
		{Title: "NaN dt", Steps: 10, Neurons: 10, Dt: math.NaN()},
		{Title: "Inf dt", Steps: 10, Neurons: 10, Dt: math.Inf(1)},
		{Title: "negative dt", Steps: 10, Neurons: 10, Dt: -0.1},
		{Title: "duration overflows", Steps: 10, Neurons: 10, Dt: math.MaxFloat64},
	} {
		good := Raster{Title: "good", Steps: 3, Neurons: 3}
		err := WriteRaster(dir, [][]Raster{{good, r}})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", r.Title)) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v", r.Title, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("refused rasters wrote %v", ents)
	}
}

func TestPlotErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"no epochs", WriteCurves(dir, nil)},
		{"no panels", WriteRaster(dir, nil)},
		{"no lines", WriteLines(filepath.Join(dir, "x.png"))},
		{"missing directory", WriteCurves(filepath.Join(dir, "nope"), curveRecords(2))},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
