// Command cognitive is tutorial 7 of braingo: a recurrent spiking network
// trained by BPTT on a NeuroGym cognitive task (perceptual decision making:
// which of two noisy stimuli is stronger), then played trial by trial.
//
//	go run ./examples/cognitive -out /tmp/cognitive
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
	"path/filepath"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/trainer"
)

type config struct {
	task                   string
	units, epochs, batches int
	batch, evalTrials      int
	dt                     float64
	seed                   uint64
	out                    string
}

func run(ctx context.Context, w io.Writer, c config) (trainer.PlayStats, error) {
	var none trainer.PlayStats
	// A task by name (`braingo tasks` lists them), at a 20 ms step so that
	// membrane time constants of tens of ms make sense.
	task, err := tasks.Lookup(c.task, nil)
	if err != nil {
		return none, err
	}
	o := tasks.Options{Seed: c.seed, DT: c.dt}
	ds, err := tasks.NewDataset(task, o, tasks.DatasetConfig{BatchSize: c.batch})
	if err != nil {
		return none, err
	}
	spec := ds.Spec()
	fmt.Fprintf(w, "%s: %d observations %v, actions %v, dt %g ms\n", spec.Name, spec.Inputs(), spec.Obs, spec.Actions, spec.StepMs())

	// The network fits the task's sizes and step: inputs = observation
	// channels, outputs = actions.
	net := networks.NewRSNNForTask(spec, networks.RSNNTaskConfig{
		Units: c.units, Neuron: "alif", TauMs: 40, TauAdaptMs: 300, TauOutMs: 40, Seed: c.seed,
	})
	seq := trainer.NewSequence(net, ds) // BPTT on trial-aligned batches
	seq.Steps = c.batches
	seq.ResponseWeight = 5 // the decision steps count 5 times the fixation steps
	opt, err := optim.New(net.Params(), optim.AdamConfig{LR: 1e-2})
	if err != nil {
		return none, err
	}
	// Evaluation: play fresh trials greedily, on environments of their own.
	agent := trainer.NewAgent(net, task, o, c.seed+1000, 32)
	var stats trainer.PlayStats
	var last *trainer.PlayResult
	var records []eval.EpochRecord
	hook := trainer.EpochFunc{Label: "play", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		res, err := trainer.Play(agent, c.evalTrials, false, rand.New(rand.NewPCG(c.seed, 1)))
		if err != nil {
			return err
		}
		last, stats = res, res.Stats()
		fmt.Fprintf(w, "epoch %d: loss %.4f, performance %.2f over %d trials, reward %.2f\n",
			e.Epoch, e.TrainLoss, stats.Performance, stats.Trials, stats.MeanReward)
		r := eval.NewRecord(e.Epoch)
		r.TrainLoss = e.TrainLoss
		r.Extra = map[string]float64{"performance": stats.Performance}
		records = append(records, r)
		return nil
	}}
	loop := &trainer.Loop{Task: seq, Optimizer: opt, Epochs: c.epochs, Hooks: []trainer.Hook{&trainer.Progress{}, hook}}
	if err := loop.Run(ctx); err != nil {
		return none, err
	}
	if c.out == "" {
		return stats, nil
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return stats, err
	}
	// One played trial: inputs, action probabilities, ground truth, spikes.
	path := filepath.Join(c.out, eval.TrialFile)
	if err := eval.WriteTrial(path, last.Example, spec.StepMs(), spec.Obs, spec.Actions, 32); err != nil {
		return stats, err
	}
	fmt.Fprintln(w, "wrote", path)
	return stats, eval.WriteCurves(c.out, records)
}

func main() {
	var c config
	flag.StringVar(&c.task, "task", "PerceptualDecisionMaking", "task name (braingo tasks)")
	flag.IntVar(&c.units, "units", 64, "recurrent ALIF neurons")
	flag.IntVar(&c.epochs, "epochs", 10, "epochs")
	flag.IntVar(&c.batches, "batches", 20, "batches per epoch")
	flag.IntVar(&c.batch, "batch", 32, "trials per batch")
	flag.IntVar(&c.evalTrials, "eval", 200, "trials played after each epoch")
	flag.Float64Var(&c.dt, "dt", 20, "time step in ms")
	flag.Uint64Var(&c.seed, "seed", 1, "seed")
	flag.StringVar(&c.out, "out", "cognitive-out", "folder for trial.png and curves.png (empty: none)")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}
