// Command coba is tutorial 5 of braingo: the COBA network of excitatory and
// inhibitory LIF neurons with conductance-based synapses (Vogels and Abbott
// 2005; the BrainPy paper's benchmark), built piece by piece from package
// snn's groups and projections, simulated without a tape, with a raster and
// the population rate plotted into a folder.
//
//	go run ./examples/coba -n 4000 -ms 1000 -out /tmp/coba
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
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
)

// build assembles the COBA network of n neurons (80% excitatory) with about
// k connections per neuron: one group, two projections from its two
// ranges, as the BrainPy paper's Brian2 script writes it. The recipe coba
// (recipes/builtin/coba.yaml) writes the same network as data, with groups
// E and I, and gives the same spikes (main_test.go).
func build(n int, k float64, seed uint64) (*snn.Simulation, *snn.Group, error) {
	const dt = 0.1 // ms
	net := &snn.Simulation{Dt: dt}
	// The neurons: LIF in mV and ms with a 5 ms refractory period and a
	// constant drive of 20 mV; initial membranes ~ N(−55, 5) mV.
	neu := snn.NewLIFGroup(n, snn.LIFGroup{Tau: 20, VRest: -60, VReset: -60, VTh: -50, Ref: 5, I: 20, Dt: dt})
	kernels.FillNormal(neu.Vm, -55, 5, seed, 1<<40)
	g := net.AddGroup("P", neu)

	ne := n * 4 / 5
	for i, pr := range []struct {
		name   string
		lo, hi int     // the pre-synaptic neurons of this projection
		w      float32 // conductance increment per spike
		tau    float64 // synaptic time constant, ms
		e      float32 // reversal potential, mV
	}{
		{"exc", 0, ne, 0.6, 5, 0},
		{"inh", ne, n, 6.7, 10, -80},
	} {
		// comm: random connections with probability k/n, stored as CSR.
		conn, err := snn.ConnSpec{Pre: pr.hi - pr.lo, Post: n, Rule: snn.FixedProb, P: k / float64(n),
			Weight: kernels.HomogeneousWeight(pr.w), Seed: seed*2 + uint64(i) + 1}.Build()
		if err != nil {
			return nil, nil, err
		}
		// syn: an exponential conductance per post-synaptic neuron (AlignPost);
		// out: a conductance-based current g·(E − V).
		if _, err := net.Connect(&snn.Projection{Name: pr.name, Pre: g, Post: g, PreLo: pr.lo, PreHi: pr.hi,
			Conn: conn, Syn: &snn.Exponential{Tau: pr.tau, Dt: dt}, Out: snn.COBA{E: pr.e}}); err != nil {
			return nil, nil, err
		}
	}
	return net, g, nil
}

// result is what run measured.
type result struct {
	excHz, inhHz, cv float64
	spikes           int
}

func run(w io.Writer, n int, ms float64, seed uint64, out string) (result, error) {
	net, g, err := build(n, 80, seed)
	if err != nil {
		return result{}, err
	}
	steps := int(ms / net.Dt)
	shown := min(n, 400) // neurons in the raster
	spikes := snn.NewSpikeMonitor(g, shown, 0)
	rate := &snn.RateMonitor{G: g, Dt: net.Dt}
	net.Monitors = append(net.Monitors, spikes, rate)
	fmt.Fprintf(w, "%d neurons, %d synapses, %d steps of %g ms\n", net.Neurons(), net.Synapses(), steps, net.Dt)

	start := time.Now()
	net.Run(steps)
	elapsed := time.Since(start)

	ne := n * 4 / 5
	var r result
	r.excHz = spikes.MeanRate(0, ne, net.Dt)
	r.inhHz = spikes.MeanRate(ne, n, net.Dt)
	r.cv, _ = spikes.ISICV(0, n)
	for _, c := range spikes.Count {
		r.spikes += int(c)
	}
	fmt.Fprintf(w, "simulated %g ms in %.2f s: %d spikes, excitatory %.1f Hz, inhibitory %.1f Hz, ISI CV %.2f\n",
		ms, elapsed.Seconds(), r.spikes, r.excHz, r.inhHz, r.cv)
	if out == "" {
		return r, nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return r, err
	}
	ras := eval.Raster{Title: fmt.Sprintf("first %d neurons", shown), Steps: spikes.Steps(), Neurons: shown, Dt: net.Dt}
	for s := range spikes.Steps() {
		for _, i := range spikes.Step(s) {
			ras.Spikes = append(ras.Spikes, eval.Spike{Step: s, Neuron: int(i)})
		}
	}
	if err := eval.WriteRaster(out, [][]eval.Raster{{ras}}); err != nil {
		return r, err
	}
	// The population rate, averaged over 1 ms bins.
	bin := int(1 / net.Dt)
	var x, y []float64
	for s := 0; s+bin <= len(rate.Rate); s += bin {
		sum := 0.0
		for _, v := range rate.Rate[s : s+bin] {
			sum += float64(v)
		}
		x = append(x, float64(s)*net.Dt)
		y = append(y, sum/float64(bin))
	}
	path := filepath.Join(out, "rate.png")
	if err := eval.WriteLines(path, eval.LinePlot{Title: "population rate", XLabel: "ms", YLabel: "Hz", X: x,
		Series: []eval.Series{{Name: "all neurons", Y: y}}}); err != nil {
		return r, err
	}
	fmt.Fprintln(w, "wrote", filepath.Join(out, "raster.png"), "and", path)
	return r, nil
}

func main() {
	n := flag.Int("n", 4000, "neurons (80% excitatory); about 80 connections each at every size")
	ms := flag.Float64("ms", 1000, "simulated time in ms")
	seed := flag.Uint64("seed", 1, "seed of the connections and the initial membranes")
	out := flag.String("out", "coba-out", "folder for raster.png and rate.png (empty: none)")
	flag.Parse()
	if _, err := run(os.Stdout, *n, *ms, *seed, *out); err != nil {
		log.Fatal(err)
	}
}
