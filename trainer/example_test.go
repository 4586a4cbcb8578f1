package trainer_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/trainer"
)

// bands is a tiny image data set: class c lights rows 2c..2c+3 of an 8×8
// image.
func bands(n int) *datasets.Images {
	d := &datasets.Images{Name: "bands", N: n, Rows: 8, Cols: 8, Classes: 3,
		Pixels: make([]uint8, n*64), Labels: make([]uint8, n)}
	for i := range n {
		c := i % 3
		d.Labels[i] = uint8(c)
		for p := 16 * c; p < 16*c+16; p++ {
			d.Pixels[i*64+p] = 200
		}
	}
	return d
}

// Loop drives a Task (here BPTT classification of a feed-forward SNN) with an
// optimizer for a number of epochs, calling its hooks; Evaluate measures the
// trained network.
func ExampleLoop() {
	data := bands(96)
	net := networks.NewFeedForward(networks.FeedForwardConfig{Sizes: []int{64, 16, 3}, Seed: 1})
	task := &trainer.Classify{Net: net, Data: data, Encoder: datasets.Direct{}, Steps: 10, BatchSize: 16,
		Shuffle: true, Seed: 1, Workers: 1}
	opt, err := optim.New(net.Params(), optim.AdamConfig{LR: 1e-2})
	if err != nil {
		panic(err)
	}
	report := trainer.EpochFunc{Label: "report", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		fmt.Printf("epoch %d: %d samples, train accuracy above 90%%: %v\n", e.Epoch, e.Samples, e.TrainAcc > 0.9)
		return nil
	}}
	loop := &trainer.Loop{Task: task, Optimizer: opt, Epochs: 3, Hooks: []trainer.Hook{report}}
	if err := loop.Run(context.Background()); err != nil {
		panic(err)
	}
	ev := trainer.Evaluate(net, data, datasets.Direct{}, 10, 32, 0)
	fmt.Printf("accuracy %.2f\n", ev.Accuracy())
	// Output:
	// epoch 1: 96 samples, train accuracy above 90%: false
	// epoch 2: 96 samples, train accuracy above 90%: true
	// epoch 3: 96 samples, train accuracy above 90%: true
	// accuracy 1.00
}

// NewSequence trains a recurrent network on a task's batches by BPTT;
// NewAgent and Play measure it on fresh trials, and Stats gives the
// figures as fields.
func ExampleNewSequence() {
	task, _ := tasks.Lookup("PerceptualDecisionMaking", nil)
	o := tasks.Options{Seed: 1}
	ds, err := tasks.NewDataset(task, o, tasks.DatasetConfig{BatchSize: 16})
	if err != nil {
		panic(err)
	}
	spec := ds.Spec()
	net := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: spec.Inputs(), Units: 32, Outputs: spec.Outputs()},
		rand.New(rand.NewPCG(1, 0)))
	seq := trainer.NewSequence(net, ds)
	seq.Steps = 5 // batches per epoch
	opt, _ := optim.New(net.Params(), optim.AdamConfig{LR: 1e-2})
	loop := &trainer.Loop{Task: seq, Optimizer: opt, Epochs: 2}
	if err := loop.Run(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println("epochs", len(loop.History), "loss finite:", !math.IsNaN(loop.History[1].TrainLoss))

	agent := trainer.NewAgent(net, task, o, 99, 8)
	res, err := trainer.Play(agent, 40, false, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	st := res.Stats() // res.Performance() and res.MeanReward() are methods
	fmt.Println("trials at least 40:", st.Trials >= 40, "performance in [0, 1]:", st.Performance >= 0 && st.Performance <= 1)
	// Output:
	// epochs 2 loss finite: true
	// trials at least 40: true performance in [0, 1]: true
}

// NewFORCE trains a network's linear readout online by recursive least
// squares, one Step per network step.
func ExampleNewFORCE() {
	net, err := networks.NewForceRNN(networks.ForceConfig{Units: 200, Seed: 1})
	if err != nil {
		panic(err)
	}
	rule := trainer.NewFORCE(net, trainer.FORCEConfig{Every: 2})
	target := []float32{0}
	var se float64
	for s := range 6000 {
		target[0] = float32(math.Sin(2 * math.Pi * float64(s) / 600))
		net.Step(nil)
		learn := s < 5000 // then test with the weights fixed
		if err := rule.Step(trainer.Signal{Target: target, Learn: learn}); err != nil {
			panic(err)
		}
		if !learn {
			d := float64(net.Z[0] - target[0])
			se += d * d
		}
	}
	fmt.Println("updates", rule.RLS.Updates(), "test MSE below 0.01:", se/1000 < 0.01)
	// Output:
	// updates 2500 test MSE below 0.01: true
}

// NewRidge fits a linear readout offline, batch by batch: Add accumulates
// XᵀX and XᵀY, Solve solves by Cholesky.
func ExampleNewRidge() {
	r := trainer.NewRidge(2, 1)
	x := []float32{1, 0, 0, 1, 1, 1, 2, 1} // four samples of two features
	y := []float32{2, -1, 1, 3}            // y = 2·x₀ − x₁
	r.Add(x[:4], y[:2], 2)
	r.Add(x[4:], y[2:], 2)
	w, err := r.Solve(0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d samples, W = [%.3f %.3f]\n", r.Samples(), w[0], w[1])
	// Output:
	// 4 samples, W = [2.000 -1.000]
}
