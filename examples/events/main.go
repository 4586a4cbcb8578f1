// Command events is tutorial 11 of braingo: spike-timing data (randman,
// Zenke and Vogels 2021, generated from a seed) binned into time steps, and
// a spiking network trained on it by a training loop written out by hand:
// the tape, the loss, backward and the optimizer, with no trainer.
//
//	go run ./examples/events
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
	"github.com/braingo/braingo/datasets/events"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

type config struct {
	classes, units, steps, perClass int
	hidden, epochs, batch           int
	lr, gain                        float64
	seed                            uint64
}

// batch is a time-major batch of binned spikes: x[t] is (b × units).
type batch struct {
	x []*tensor.Tensor
	y []int
}

// makeBatch bins the samples idx of r into steps × (len(idx) × units).
func makeBatch(r *events.Randman, idx []int, steps, units int) batch {
	b := batch{x: make([]*tensor.Tensor, steps), y: make([]int, len(idx))}
	for t := range steps {
		b.x[t] = tensor.Zeros(len(idx), units)
	}
	buf := make([]float32, steps*units)
	for k, i := range idx {
		buf = r.Bins(i, buf) // [steps][units] spike counts
		for t := range steps {
			copy(b.x[t].Data[k*units:(k+1)*units], buf[t*units:(t+1)*units])
		}
		b.y[k] = r.Label(i)
	}
	return b
}

// forward runs net over a batch on tp (nil: no gradient) and returns the
// readout's membrane per step.
func forward(tp *tensor.Tape, net *networks.FeedForward, b batch) []*tensor.Tensor {
	in := networks.Input{Step: func(t int) *tensor.Tensor { return b.x[t] }, Binary: true}
	return net.Run(tp, in, len(b.x)).Out()
}

// accuracy is the fraction of samples whose largest readout membrane over
// time belongs to their class.
func accuracy(out []*tensor.Tensor, y []int, classes int) float64 {
	best := make([]float32, len(y)*classes)
	for i := range best {
		best[i] = -1e30
	}
	for _, o := range out {
		for i, v := range o.Data {
			best[i] = max(best[i], v)
		}
	}
	return eval.Accuracy(eval.ArgmaxRows(nil, best, classes), y)
}

func run(w io.Writer, c config) (float64, error) {
	r := events.NewRandman(events.RandmanConfig{Classes: c.classes, Units: c.units, Steps: c.steps,
		SamplesPerClass: c.perClass, Seed: c.seed})
	n := r.Len()
	nTrain := n * 4 / 5 // the reference shuffles the samples: the first 80% train, the rest test
	fmt.Fprintf(w, "randman: %d samples, %d classes, %d units, %d steps\n", n, c.classes, c.units, c.steps)
	test := make([]int, 0, n-nTrain)
	for i := nTrain; i < n; i++ {
		test = append(test, i)
	}
	testBatch := makeBatch(r, test, c.steps, c.units)

	// Hidden LIF layer, leaky-integrator readout read at its maximum over time.
	net := networks.NewFeedForward(networks.FeedForwardConfig{
		Sizes:  []int{c.units, c.hidden, c.classes},
		Hidden: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}},
		Output: networks.LICell{LI: snn.LI{Beta: 0.9}},
		Seed:   c.seed,
	})
	// One spike per input channel is a weak drive for weights of ±1/√fan_in:
	// scale the input weights up so that the hidden neurons fire at all
	// (Zenke's tutorials scale their initial weights the same way).
	scale := float32(c.gain)
	for i := range net.Blocks[0].Proj.W.Data {
		net.Blocks[0].Proj.W.Data[i] *= scale
	}
	opt, err := optim.New(net.Params(), optim.AdamConfig{LR: c.lr})
	if err != nil {
		return 0, err
	}
	tp := tensor.NewTape()
	var acc float64
	for epoch := 1; epoch <= c.epochs; epoch++ {
		var sum float64
		var nb int
		for _, idx := range datasets.Batches(datasets.Order(nTrain, true, c.seed, epoch), c.batch, true) {
			b := makeBatch(r, idx, c.steps, c.units)
			tp.Reset()     // recycle last batch's buffers
			opt.ZeroGrad() // gradients accumulate until cleared, as in PyTorch
			loss := losses.NLLMaxMembrane(tp, forward(tp, net, b), b.y)
			tp.Backward(loss) // BPTT through the steps, surrogate gradients through the spikes
			if err := opt.Step(); err != nil {
				return 0, err
			}
			sum += float64(loss.Item())
			nb++
		}
		acc = accuracy(forward(nil, net, testBatch), testBatch.y, c.classes)
		fmt.Fprintf(w, "epoch %d: train loss %.4f, test accuracy %.2f%%\n", epoch, sum/float64(nb), 100*acc)
	}
	return acc, nil
}

func main() {
	var c config
	flag.IntVar(&c.classes, "classes", 10, "randman classes")
	flag.IntVar(&c.units, "units", 100, "input channels")
	flag.IntVar(&c.steps, "steps", 100, "time steps")
	flag.IntVar(&c.perClass, "per-class", 200, "samples per class")
	flag.IntVar(&c.hidden, "hidden", 128, "hidden LIF neurons")
	flag.IntVar(&c.epochs, "epochs", 10, "epochs")
	flag.IntVar(&c.batch, "batch", 64, "batch size")
	flag.Float64Var(&c.lr, "lr", 2e-3, "Adam learning rate")
	flag.Float64Var(&c.gain, "gain", 5, "factor on the initial input weights")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the data and the weights")
	flag.Parse()
	if _, err := run(os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}
