// Command fmnist is tutorial 3 of braingo: a feed-forward spiking network
// (784-hidden-10 LIF) trained by backpropagation through time with a
// surrogate gradient on Fashion-MNIST, the configuration of snnTorch's
// tutorial 5.
//
//	go run ./examples/fmnist -train 6000 -epochs 1 -out /tmp/fmnist
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

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/trainer"
)

type config struct {
	data                 string // Fashion-MNIST folder ("" : the default)
	out                  string // folder for curves.png and confusion.png ("": none)
	hidden, steps, batch int
	epochs, train, test  int // train/test: how many images to use (0: all)
	lr                   float64
	seed                 uint64
}

// build returns a 784-hidden-10 network: each block is a dense projection
// into a population of LIF neurons (β 0.95, θ 1, reset by subtraction, atan
// surrogate with α 2).
func build(features, hidden, classes int, seed uint64) *networks.FeedForward {
	r := rand.New(rand.NewPCG(seed, 0))
	lif := snn.LIF{Beta: 0.95, Surrogate: surrogate.ATan{Alpha: 2}}
	return &networks.FeedForward{Blocks: []networks.Block{
		{Name: "hidden", Proj: networks.NewDense("fc1", features, hidden, true, r), Cell: networks.LIFCell{LIF: lif}},
		{Name: "output", Proj: networks.NewDense("fc2", hidden, classes, true, r), Cell: networks.LIFCell{LIF: lif}},
	}}
}

func run(ctx context.Context, w io.Writer, c config) (testAcc float64, err error) {
	train, test, err := datasets.FashionMNIST.Load(datasets.FashionMNIST.Dir(c.data))
	if err != nil {
		return 0, err
	}
	if c.train > 0 {
		train = train.Limit(c.train)
	}
	if c.test > 0 {
		test = test.Limit(c.test)
	}
	net := build(train.Features(), c.hidden, train.Classes, c.seed)
	fmt.Fprintf(w, "network %s, %d training and %d test images\n", net, train.N, test.N)

	// Direct encoding: the image is the input current at every step (the
	// first projection is then computed once per batch).
	enc := datasets.Direct{}
	task := &trainer.Classify{
		Net: net, Data: train, Encoder: enc, Steps: c.steps, BatchSize: c.batch,
		Shuffle: true, DropLast: true, Seed: c.seed,
		Loss: "ce_membrane", // cross-entropy of the output membrane, summed over steps
	}
	if err := task.Validate(); err != nil {
		return 0, err
	}
	opt, err := optim.New(net.Params(), optim.AdamConfig{LR: c.lr, Beta1: 0.9, Beta2: 0.999})
	if err != nil {
		return 0, err
	}
	var records []eval.EpochRecord
	evaluate := trainer.EpochFunc{Label: "test", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		ev := trainer.Evaluate(net, test, enc, c.steps, 256, 0)
		testAcc = ev.Accuracy()
		fmt.Fprintf(w, "epoch %d: train loss %.4f, train acc %.2f%%, test acc %.2f%% (%.0f samples/s)\n",
			e.Epoch, e.TrainLoss, 100*e.TrainAcc, 100*testAcc, e.SamplesPerS)
		r := eval.NewRecord(e.Epoch)
		r.TrainLoss, r.TrainAcc, r.TestAcc = e.TrainLoss, e.TrainAcc, testAcc
		records = append(records, r)
		if c.out == "" {
			return nil
		}
		if err := os.MkdirAll(c.out, 0o755); err != nil {
			return err
		}
		m := eval.NewConfusionMatrix(test.Classes)
		m.Add(ev.Pred, ev.Labels)
		if err := eval.WriteConfusion(c.out, m, test.ClassNames); err != nil {
			return err
		}
		return eval.WriteCurves(c.out, records)
	}}
	loop := &trainer.Loop{
		Task: task, Optimizer: opt, Epochs: c.epochs,
		Hooks: []trainer.Hook{&trainer.Progress{}, evaluate},
	}
	if err := loop.Run(ctx); err != nil {
		return 0, err
	}
	return testAcc, nil
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", "", "Fashion-MNIST folder (default $BRAINGO_FASHION_MNIST or /usr/share/datasets/fashion-mnist)")
	flag.StringVar(&c.out, "out", "fmnist-out", "folder for curves.png and confusion.png (empty: none)")
	flag.IntVar(&c.hidden, "hidden", 1000, "hidden LIF neurons")
	flag.IntVar(&c.steps, "steps", 25, "time steps per image")
	flag.IntVar(&c.batch, "batch", 128, "batch size")
	flag.IntVar(&c.epochs, "epochs", 1, "epochs")
	flag.IntVar(&c.train, "train", 6000, "training images (0: all 60,000)")
	flag.IntVar(&c.test, "test", 2000, "test images (0: all 10,000)")
	flag.Float64Var(&c.lr, "lr", 5e-4, "Adam learning rate")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the weights and the shuffling")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}
