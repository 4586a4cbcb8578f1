// Command newtask is tutorial 9 of braingo: a cognitive task written in Go
// (a light flashes left or right, then a delay, then the agent must look
// where it was) and a rate network trained on it, without the command line
// and without touching the library.
//
//	go run ./examples/newtask -delay 600
//
// See README.md beside this file for the walk-through.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/trainer"
)

// flashMemory is the task: a value holding its configuration only (tasks
// draw everything random from the trial's Rng).
type flashMemory struct {
	Delay float64 // ms between the flash and the go cue
	Sigma float64 // input noise
}

// Spec declares the periods with their timing, the observation channels, the
// actions, the rewards and which periods require fixation or take the
// response. The engine does the rest: stepping, fixation breaks, scoring.
func (t flashMemory) Spec() tasks.Spec {
	return tasks.Spec{
		Name:    "FlashMemory",
		Summary: "a light flashes left or right; after a delay, look where it was",
		DT:      100,
		Periods: []tasks.Period{
			{Name: "fixation", Timing: tasks.Constant(300)},
			{Name: "flash", Timing: tasks.Constant(200)},
			{Name: "delay", Timing: tasks.Constant(t.Delay)},
			{Name: "decision", Timing: tasks.Constant(200)},
		},
		Obs:     []string{"fixation", "light.left", "light.right"}, // "light" addresses both
		Actions: []string{"fixation", "left", "right"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": 0},
		Fixate:  []string{"fixation", "flash", "delay"},
		Respond: []string{"decision"},
	}
}

// NewTrial lays out one trial: periods first, then observations and the
// ground-truth action of every step.
func (t flashMemory) NewTrial(tr *tasks.Trial) {
	side := tr.Rng.IntN(2) // 0 left, 1 right
	tr.Vars["side"] = float64(side)
	tr.Add("fixation", "flash", "delay", "decision")
	for _, p := range []string{"fixation", "flash", "delay"} {
		tr.AddObs(p, "fixation", 1) // the fixation cue goes off at the decision: the go signal
	}
	tr.AddObs("flash", []string{"light.left", "light.right"}[side], 1)
	tr.AddNoise("", "light", t.Sigma)
	tr.SetGT("decision", 1+side) // fixation (action 0) elsewhere
}

type config struct {
	delay                  float64
	units, epochs, batches int
	batch, evalTrials      int
	seed                   uint64
}

func run(ctx context.Context, w io.Writer, c config) ([]float64, error) {
	task := flashMemory{Delay: c.delay, Sigma: 0.1}
	o := tasks.Options{Seed: c.seed}
	ds, err := tasks.NewDataset(task, o, tasks.DatasetConfig{BatchSize: c.batch})
	if err != nil {
		return nil, err
	}
	spec := ds.Spec()
	b := ds.Trials() // one batch, to look at: time-major (steps, columns, channels)
	fmt.Fprintf(w, "%s: %d steps of %g ms, batch %d, %d channels; column 0's ground truth:", spec.Name, b.Steps, spec.DT, b.Size, b.NObs)
	for s := range b.Steps {
		fmt.Fprint(w, " ", b.Labels[s*b.Size])
	}
	fmt.Fprintln(w)

	// A rate RNN (Song, Yang and Wang 2016) sized by the task's Spec.
	r := rand.New(rand.NewPCG(c.seed, 0))
	net := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: spec.Inputs(), Units: c.units, Outputs: spec.Outputs(),
		Alpha: 0.5, Activation: "relu"}, r)
	seq := trainer.NewSequence(net, ds)
	seq.Steps = c.batches
	seq.ResponseWeight = 5 // the two decision steps count as much as ten fixation steps
	opt, err := optim.New(net.Params(), optim.AdamConfig{LR: 5e-3})
	if err != nil {
		return nil, err
	}
	agent := trainer.NewAgent(net, task, o, c.seed+1000, 32)
	var perf []float64
	hook := trainer.EpochFunc{Label: "play", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		res, err := trainer.Play(agent, c.evalTrials, false, rand.New(rand.NewPCG(c.seed, 1)))
		if err != nil {
			return err
		}
		st := res.Stats()
		perf = append(perf, st.Performance)
		fmt.Fprintf(w, "epoch %d: loss %.4f, performance %.2f, reward per trial %.2f\n", e.Epoch, e.TrainLoss, st.Performance, st.MeanReward)
		return nil
	}}
	loop := &trainer.Loop{Task: seq, Optimizer: opt, Epochs: c.epochs, Hooks: []trainer.Hook{hook}}
	return perf, loop.Run(ctx)
}

func main() {
	var c config
	flag.Float64Var(&c.delay, "delay", 600, "delay between flash and decision (ms)")
	flag.IntVar(&c.units, "units", 64, "rate units")
	flag.IntVar(&c.epochs, "epochs", 5, "epochs")
	flag.IntVar(&c.batches, "batches", 20, "batches per epoch")
	flag.IntVar(&c.batch, "batch", 32, "trials per batch")
	flag.IntVar(&c.evalTrials, "eval", 200, "trials played after each epoch")
	flag.Uint64Var(&c.seed, "seed", 1, "seed")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}
