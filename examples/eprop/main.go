// Command eprop is tutorial 8 of braingo: e-prop (Bellec et al. 2020), an
// online learning rule for recurrent spiking networks, beside BPTT on the
// same task from the same initial weights.
//
//	go run ./examples/eprop
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
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/trainer"
)

type config struct {
	task                          string
	units, epochs, batches, batch int
	evalTrials                    int
	dt                            float64
	seed                          uint64
}

// methods are the ways the tutorial trains the same network.
var methods = []string{"bptt", "eprop-symmetric", "eprop-random"}

// train trains a fresh network (the same initial weights for every method)
// by method and returns its performance after each epoch.
func train(ctx context.Context, method string, c config) ([]float64, error) {
	task, err := tasks.Lookup(c.task, nil)
	if err != nil {
		return nil, err
	}
	o := tasks.Options{Seed: c.seed, DT: c.dt}
	ds, err := tasks.NewDataset(task, o, tasks.DatasetConfig{BatchSize: c.batch})
	if err != nil {
		return nil, err
	}
	// e-prop's traces cover LIF and ALIF neurons without an input stage
	// (TauInMs 0); the triangle surrogate is Bellec et al.'s.
	net := networks.NewRSNNForTask(ds.Spec(), networks.RSNNTaskConfig{
		Units: c.units, Neuron: "alif", TauMs: 20, TauAdaptMs: 500, TauOutMs: 20,
		Surrogate: surrogate.Triangle{}, Seed: c.seed,
	})
	params := net.Params()
	var job trainer.Task
	switch method {
	case "bptt":
		seq := trainer.NewSequence(net, ds)
		seq.Steps = c.batches
		job = seq
	default:
		// An RSNNRun runs the network without a tape, its state in plain
		// slices; the rule reads them after every step and accumulates the
		// e-prop gradient into the parameters' Grad, forward in time.
		run, err := net.NewRun(c.batch)
		if err != nil {
			return nil, err
		}
		fb := trainer.FeedbackSymmetric
		if method == "eprop-random" {
			fb = trainer.FeedbackRandom
		}
		rule, err := trainer.NewEProp(run, trainer.EPropConfig{Feedback: fb, Seed: c.seed})
		if err != nil {
			return nil, err
		}
		job = &trainer.EPropSequence{Rule: rule, Data: ds, Steps: c.batches}
	}
	opt, err := optim.New(params, optim.AdamConfig{LR: 5e-3})
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
		perf = append(perf, res.Stats().Performance)
		return nil
	}}
	loop := &trainer.Loop{Task: job, Optimizer: opt, Epochs: c.epochs, Hooks: []trainer.Hook{hook}}
	return perf, loop.Run(ctx)
}

func run(ctx context.Context, w io.Writer, c config) (map[string][]float64, error) {
	fmt.Fprintf(w, "%s, %d ALIF neurons, %d epochs of %d batches of %d trials\n", c.task, c.units, c.epochs, c.batches, c.batch)
	all := map[string][]float64{}
	for _, m := range methods {
		perf, err := train(ctx, m, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		all[m] = perf
		fmt.Fprintf(w, "%-16s performance by epoch:", m)
		for _, p := range perf {
			fmt.Fprintf(w, " %.2f", p)
		}
		fmt.Fprintln(w)
	}
	return all, nil
}

func main() {
	var c config
	flag.StringVar(&c.task, "task", "PerceptualDecisionMaking", "task name (braingo tasks)")
	flag.IntVar(&c.units, "units", 64, "recurrent ALIF neurons")
	flag.IntVar(&c.epochs, "epochs", 8, "epochs")
	flag.IntVar(&c.batches, "batches", 20, "batches per epoch")
	flag.IntVar(&c.batch, "batch", 32, "trials per batch")
	flag.IntVar(&c.evalTrials, "eval", 200, "trials played after each epoch")
	flag.Float64Var(&c.dt, "dt", 20, "time step in ms")
	flag.Uint64Var(&c.seed, "seed", 1, "seed")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}
