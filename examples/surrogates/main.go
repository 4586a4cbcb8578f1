// Command surrogates is tutorial 4 of braingo: surrogate gradients. It lists
// the registered surrogates, plots a few derivatives, and trains the same
// small spiking network on Fashion-MNIST with each of them.
//
//	go run ./examples/surrogates -out /tmp/surrogates
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

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/trainer"
)

// compared are the surrogates the program plots and trains with, by
// registry name (surrogate.New takes any name surrogate.Describe lists).
var compared = []string{"atan", "fast_sigmoid", "sigmoid", "triangle", "gaussian"}

type config struct {
	data, out           string
	train, test, hidden int
	steps, epochs       int
	seed                uint64
}

// accuracy trains a features-hidden-10 LIF network whose spikes use sg and
// returns its test accuracy.
func accuracy(ctx context.Context, sg surrogate.Func, train, test *datasets.Images, c config) (float64, error) {
	r := rand.New(rand.NewPCG(c.seed, 0)) // the same initial weights for every surrogate
	lif := snn.LIF{Beta: 0.95, Surrogate: sg}
	net := &networks.FeedForward{Blocks: []networks.Block{
		{Name: "hidden", Proj: networks.NewDense("fc1", train.Features(), c.hidden, true, r), Cell: networks.LIFCell{LIF: lif}},
		{Name: "output", Proj: networks.NewDense("fc2", c.hidden, train.Classes, true, r), Cell: networks.LIFCell{LIF: lif}},
	}}
	task := &trainer.Classify{Net: net, Data: train, Encoder: datasets.Direct{}, Steps: c.steps,
		BatchSize: 64, Shuffle: true, DropLast: true, Seed: c.seed}
	opt, err := optim.New(net.Params(), optim.AdamConfig{LR: 2e-3})
	if err != nil {
		return 0, err
	}
	loop := &trainer.Loop{Task: task, Optimizer: opt, Epochs: c.epochs}
	if err := loop.Run(ctx); err != nil {
		return 0, err
	}
	return trainer.Evaluate(net, test, datasets.Direct{}, c.steps, 256, 0).Accuracy(), nil
}

func run(ctx context.Context, w io.Writer, c config) error {
	all := surrogate.Describe()
	fmt.Fprintf(w, "%d registered surrogates; the ones compared here:\n", len(all))
	for _, name := range compared {
		info, _ := surrogate.Lookup(name)
		fmt.Fprintf(w, "  %-13s %s\n", name, info.Doc)
	}

	// The derivatives dS/dx over x = U − θ, with their default parameters.
	var xs []float64
	for i := -200; i <= 200; i++ {
		xs = append(xs, float64(i)/100)
	}
	plot := eval.LinePlot{Title: "surrogate derivatives dS/dx", XLabel: "x = U − θ", YLabel: "dS/dx", X: xs}
	fns := make([]surrogate.Func, len(compared))
	for i, name := range compared {
		fn, err := surrogate.New(name, nil)
		if err != nil {
			return err
		}
		fns[i] = fn
		s := eval.Series{Name: name}
		for _, x := range xs {
			s.Y = append(s.Y, float64(fn.Grad(float32(x))))
		}
		plot.Series = append(plot.Series, s)
	}

	train, test, err := datasets.FashionMNIST.Load(datasets.FashionMNIST.Dir(c.data))
	if err != nil {
		return err
	}
	train, test = train.Limit(c.train), test.Limit(c.test)
	bar := eval.LinePlot{Title: "test accuracy", YLabel: "%", YRange: [2]float64{0, 100}}
	for i, fn := range fns {
		acc, err := accuracy(ctx, fn, train, test, c)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-13s dS/dx(0) %.3f  test accuracy %.2f%%\n", compared[i], fn.Grad(0), 100*acc)
		bar.Series = append(bar.Series, eval.Series{Name: compared[i], X: []float64{float64(i)}, Y: []float64{100 * acc}, Style: eval.Points})
	}
	if c.out == "" {
		return nil
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(c.out, "surrogates.png")
	if err := eval.WriteLines(path, plot, bar); err != nil {
		return err
	}
	fmt.Fprintln(w, "wrote", path)
	return nil
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", "", "Fashion-MNIST folder (default $BRAINGO_FASHION_MNIST or /usr/share/datasets/fashion-mnist)")
	flag.StringVar(&c.out, "out", "surrogates-out", "folder for surrogates.png (empty: none)")
	flag.IntVar(&c.train, "train", 3000, "training images")
	flag.IntVar(&c.test, "test", 1000, "test images")
	flag.IntVar(&c.hidden, "hidden", 200, "hidden LIF neurons")
	flag.IntVar(&c.steps, "steps", 15, "time steps per image")
	flag.IntVar(&c.epochs, "epochs", 1, "epochs per surrogate")
	flag.Uint64Var(&c.seed, "seed", 1, "seed")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}
