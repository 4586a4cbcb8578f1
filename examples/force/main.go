// Command force is tutorial 6 of braingo: FORCE learning (Sussillo and
// Abbott 2009). A chaotic rate network with its readout fed back learns to
// produce a sum of four sines, online, by recursive least squares.
//
//	go run ./examples/force -out /tmp/force
//
// See README.md beside this file for the walk-through.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/trainer"
)

type config struct {
	units         int
	periodMs      float64 // period of the slowest sine
	trainS, testS float64 // seconds of training and of test
	seed          uint64
	out           string
}

const dtMs = 0.1 // the network's step (α = dt/τ = 0.01 with τ 10 ms)

// target is Sussillo and Abbott's sum of four sines at time t (ms).
func target(t, period float64) float32 {
	w := 2 * math.Pi / period
	s := math.Sin(w*t) + math.Sin(2*w*t)/2 + math.Sin(3*w*t)/6 + math.Sin(4*w*t)/3
	return float32(1.3 / 1.5 * s)
}

// run trains, then tests with learning off, and returns the test NMSE (the
// mean squared error over the target's variance).
func run(w io.Writer, c config) (float64, error) {
	net, err := networks.NewForceRNN(networks.ForceConfig{Units: c.units, G: 1.5, P: 0.1, Seed: c.seed})
	if err != nil {
		return 0, err
	}
	// FORCE trains the readout W_out through the trainer.Readout interface:
	// P(0) = I/α, an update every 2 steps.
	rule := trainer.NewFORCE(net, trainer.FORCEConfig{Alpha: 1, Every: 2})
	trainSteps, testSteps := int(c.trainS*1000/dtMs), int(c.testS*1000/dtMs)
	tgt := make([]float32, 1)
	var xs, ys, zs []float64
	var se, sy, syy float64
	for s := range trainSteps + testSteps {
		t := float64(s+1) * dtMs
		tgt[0] = target(t, c.periodMs)
		net.Step(nil) // no input: the network runs on its own feedback
		learn := s < trainSteps
		if err := rule.Step(trainer.Signal{Target: tgt, Learn: learn}); err != nil {
			return 0, err
		}
		z := float64(net.Z[0])
		if !learn {
			d := z - float64(tgt[0])
			se += d * d
			sy += float64(tgt[0])
			syy += float64(tgt[0]) * float64(tgt[0])
		}
		if s%10 == 0 { // plot every ms
			xs, ys, zs = append(xs, t/1000), append(ys, float64(tgt[0])), append(zs, z)
		}
		if s == trainSteps-1 {
			fmt.Fprintf(w, "trained %g s: %d updates, training MSE %.4g\n", c.trainS, rule.RLS.Updates(), rule.TrainMSE())
		}
	}
	n := float64(testSteps)
	nmse := se / n / (syy/n - (sy/n)*(sy/n))
	fmt.Fprintf(w, "tested %g s with learning off: NMSE %.4f\n", c.testS, nmse)
	if c.out == "" {
		return nmse, nil
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return nmse, err
	}
	path := filepath.Join(c.out, "force.png")
	err = eval.WriteLines(path, eval.LinePlot{
		Title:  fmt.Sprintf("FORCE: training until %g s, then test (NMSE %.3f)", c.trainS, nmse),
		XLabel: "time (s)", YLabel: "output", X: xs,
		Series: []eval.Series{{Name: "target", Y: ys}, {Name: "network", Y: zs}},
	})
	if err == nil {
		fmt.Fprintln(w, "wrote", path)
	}
	return nmse, err
}

func main() {
	var c config
	flag.IntVar(&c.units, "units", 1000, "rate units")
	flag.Float64Var(&c.periodMs, "period", 1200, "period of the target in ms")
	flag.Float64Var(&c.trainS, "train", 10, "seconds of training")
	flag.Float64Var(&c.testS, "test", 5, "seconds of test")
	flag.Uint64Var(&c.seed, "seed", 1, "seed")
	flag.StringVar(&c.out, "out", "force-out", "folder for force.png (empty: none)")
	flag.Parse()
	if _, err := run(os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}
