// Command neurons is tutorial 1 of braingo: four neuron models driven by the
// same step current, their membrane traces plotted into a folder.
//
//	go run ./examples/neurons -out /tmp/neurons
//
// See README.md beside this file for the walk-through.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/snn"
)

// model is one neuron population of one cell, its input scale and its name.
type model struct {
	name  string
	cell  *snn.CellRun
	drive float32 // the current of the step, in the model's own units
	unit  string  // the membrane's unit, for the plot
}

// trace runs a cell for steps steps, with the input on from step on to step
// off, and returns its membrane and the steps at which it spiked.
func trace(c *snn.CellRun, drive float32, steps, on, off int) (mem []float64, spikes []int) {
	in := make([]float32, c.Len())
	s := make([]float32, c.Len())
	for t := range steps {
		in[0] = 0
		if t >= on && t < off {
			in[0] = drive
		}
		c.StepCell(in, s)
		mem = append(mem, float64(c.Membrane()[0]))
		if s[0] > 0 {
			spikes = append(spikes, t)
		}
	}
	return mem, spikes
}

// models returns the four neurons of the tutorial, one neuron each.
func models() []model {
	return []model{
		// LIF: U[t] = β·U[t−1] + I[t], a spike at U ≥ θ = 1, reset by subtraction.
		{"LIF", snn.NewLIFCell(1, snn.LIF{Beta: 0.9}), 0.15, "U / θ"},
		// ALIF: each spike raises the threshold, which relaxes with ρ.
		{"ALIF", snn.NewALIFCell(1, snn.ALIF{Beta: 0.9, Rho: 0.98, BetaA: 1.8}), 0.15, "U / θ"},
		// Izhikevich regular spiking (a, b, c, d = 0.02, 0.2, −65, 8), mV, 0.5 ms steps.
		{"Izhikevich", snn.NewIzhikevichCell(1, snn.Izhikevich{}), 10, "v (mV)"},
		// AdEx regular spiking (Brette and Gerstner 2005), mV, 0.1 ms steps; I in pA.
		{"AdEx", snn.NewAdExCell(1, snn.AdEx{}), 800, "V (mV)"},
	}
}

// run simulates every model and, when dir is not empty, writes one plot per
// model into dir. It prints the spike count of each model to w.
func run(w io.Writer, dir string, steps int) error {
	on, off := steps/10, steps*8/10
	var panels []eval.LinePlot
	for _, m := range models() {
		mem, spikes := trace(m.cell, m.drive, steps, on, off)
		first := -1
		if len(spikes) > 0 {
			first = spikes[0]
		}
		fmt.Fprintf(w, "%-10s %3d spikes, first at step %d\n", m.name, len(spikes), first)
		panels = append(panels, eval.LinePlot{
			Title:  fmt.Sprintf("%s: %d spikes", m.name, len(spikes)),
			XLabel: "step", YLabel: m.unit,
			Series: []eval.Series{{Name: "membrane", Y: mem}},
		})
	}
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "neurons.png")
	if err := eval.WriteLines(path, panels...); err != nil {
		return err
	}
	fmt.Fprintln(w, "wrote", path)
	return nil
}

func main() {
	out := flag.String("out", "neurons-out", "folder for neurons.png (empty: no plot)")
	steps := flag.Int("steps", 1000, "time steps to simulate")
	flag.Parse()
	if err := run(os.Stdout, *out, *steps); err != nil {
		log.Fatal(err)
	}
}
