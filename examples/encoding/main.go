// Command encoding is tutorial 2 of braingo: one Fashion-MNIST image turned
// into spike trains by the direct, rate, latency and delta encoders.
//
//	go run ./examples/encoding -out /tmp/encoding
//
// See README.md beside this file for the walk-through.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
)

// raster collects the nonzero entries of steps of encoded input into a raster
// panel (a −1 of the delta code's off spikes counts as a spike too).
func raster(title string, enc [][]float32) (eval.Raster, int) {
	r := eval.Raster{Title: title, Steps: len(enc), Neurons: len(enc[0])}
	for t, row := range enc {
		for i, v := range row {
			if v != 0 {
				r.Spikes = append(r.Spikes, eval.Spike{Step: t, Neuron: i})
			}
		}
	}
	return r, len(r.Spikes)
}

func run(w io.Writer, dataDir, out string, steps int) error {
	// Load the test split; Dir falls back to $BRAINGO_FASHION_MNIST or the
	// Debian package's folder when dataDir is empty.
	_, test, err := datasets.FashionMNIST.Load(datasets.FashionMNIST.Dir(dataDir))
	if err != nil {
		return err
	}
	// Fill turns images into float features in [0, 1] and labels.
	nf := test.Features()
	x := make([]float32, nf)
	y := make([]int, 1)
	ids := []int{0}
	test.Fill(x, y, ids)
	fmt.Fprintf(w, "image 0: %s, %d pixels, %d steps\n", test.ClassNames[y[0]], nf, steps)

	// Static images: an Encoder gives the input of step t.
	encoders := []datasets.Encoder{
		datasets.Direct{},      // the pixel values as a current, every step
		datasets.Rate{Seed: 1}, // Bernoulli spikes with p = pixel
		datasets.Latency{Steps: steps, Linear: true, Normalize: true, Clip: true}, // one spike, brighter earlier
	}
	var panels []eval.Raster
	for _, e := range encoders {
		enc := make([][]float32, steps)
		sum := 0.0
		for t := range steps {
			enc[t] = make([]float32, nf)
			e.Encode(enc[t], x, ids, nf, t)
			for _, v := range enc[t] {
				sum += float64(v)
			}
		}
		r, n := raster(e.Name(), enc)
		fmt.Fprintf(w, "%-8s binary %-5v nonzero %5d  sum %8.1f\n", e.Name(), e.Binary(), n, sum)
		panels = append(panels, r)
	}

	// Time-varying data: delta coding of the image swept in from the left,
	// one column per step, compared with the previous frame.
	d := datasets.Delta{Threshold: 0.1, OffSpike: true}
	prev := make([]float32, nf)
	cur := make([]float32, nf)
	enc := make([][]float32, steps)
	for t := range steps {
		shift := 27 - t*28/steps // columns still hidden
		for r := range 28 {
			for c := range 28 {
				cur[r*28+c] = 0
				if c >= shift {
					cur[r*28+c] = x[r*28+c-shift]
				}
			}
		}
		enc[t] = make([]float32, nf)
		d.Encode(enc[t], cur, prev)
		copy(prev, cur)
	}
	r, n := raster("delta (image swept in)", enc)
	fmt.Fprintf(w, "%-8s on/off spikes %d\n", "delta", n)
	panels = append(panels, r)

	if out == "" {
		return nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	rows := make([][]eval.Raster, len(panels))
	for i, p := range panels {
		rows[i] = []eval.Raster{p}
	}
	if err := eval.WriteRaster(out, rows); err != nil {
		return err
	}
	fmt.Fprintln(w, "wrote", out+"/"+"raster.png")
	return nil
}

func main() {
	data := flag.String("data", "", "Fashion-MNIST folder (default $BRAINGO_FASHION_MNIST or /usr/share/datasets/fashion-mnist)")
	out := flag.String("out", "encoding-out", "folder for raster.png (empty: no plot)")
	steps := flag.Int("steps", 25, "time steps")
	flag.Parse()
	if err := run(os.Stdout, *data, *out, *steps); err != nil {
		log.Fatal(err)
	}
}
