package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
)

// TestFMNISTSparseBench trains the FMNIST-SNN tutorial network (784-1000-10
// LIF, β 0.95, threshold 1, reset by subtraction, atan surrogate α 2,
// direct input for 25 steps, batch 128, Adam 5e-4, cross-entropy on the
// output membrane) with dense projections and with 10%-connectivity CSR
// projections (networks.Sparse), alternating the models round by round (A
// B C A B C) on the same batches, and prints the time per batch and the
// test accuracy after each model's batches. Opt-in, it needs Fashion-MNIST:
//
//	BRAINGO_SPARSE_BENCH=1 go test ./trainer/ -run FMNISTSparseBench -v -timeout 60m
//
// BRAINGO_SPARSE_BATCHES (default 60) sets the batches per model and round,
// BRAINGO_SPARSE_ROUNDS (default 2) the rounds, BRAINGO_SPARSE_MODELS the
// comma-separated models (default "dense,csr10,csr10-both"; also "jit10",
// a JIT hidden layer of probability 0.1 whose normal weight distribution's
// mean and deviation are trained), BRAINGO_SPARSE_TEST
// the number of test images evaluated (default 10000).
func TestFMNISTSparseBench(t *testing.T) {
	if os.Getenv("BRAINGO_SPARSE_BENCH") == "" {
		t.Skip("set BRAINGO_SPARSE_BENCH=1 to run")
	}
	env := func(k string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
			return v
		}
		return def
	}
	batches, rounds, ntest := env("BRAINGO_SPARSE_BATCHES", 60), env("BRAINGO_SPARSE_ROUNDS", 2), env("BRAINGO_SPARSE_TEST", 10000)
	models := strings.Split("dense,csr10,csr10-both", ",")
	if v := os.Getenv("BRAINGO_SPARSE_MODELS"); v != "" {
		models = strings.Split(v, ",")
	}
	train, test, err := datasets.FashionMNIST.Load("")
	if err != nil {
		t.Skip(err)
	}
	test = test.Limit(ntest)
	sg, err := surrogate.New("atan", nil)
	if err != nil {
		t.Fatal(err)
	}
	lif := snn.LIF{Beta: 0.95, Threshold: 1, Surrogate: sg}
	build := func(model string) *networks.FeedForward {
		r := rand.New(rand.NewPCG(1, 0x1f2e3d4c))
		var p1, p2 networks.Projection
		switch model {
		case "dense":
			p1, p2 = networks.NewDense("fc1", 784, 1000, true, r), networks.NewDense("fc2", 1000, 10, true, r)
		case "csr10":
			p1 = networks.NewSparse("fc1", 784, 1000, networks.SparseConfig{P: 0.1, Seed: 1, Bias: true}, r)
			p2 = networks.NewDense("fc2", 1000, 10, true, r)
		case "jit10": // a JIT hidden layer: only its weight distribution (and bias) is trained
			p1 = networks.NewJITProj("fc1", 784, 1000, 0.1, 1, kernels.Normal, []float32{0, float32(1 / math.Sqrt(0.1*784))}, true)
			p2 = networks.NewDense("fc2", 1000, 10, true, r)
		case "csr10-both":
			p1 = networks.NewSparse("fc1", 784, 1000, networks.SparseConfig{P: 0.1, Seed: 1, Bias: true}, r)
			p2 = networks.NewSparse("fc2", 1000, 10, networks.SparseConfig{P: 0.1, Seed: 2, Bias: true}, r)
		default:
			t.Fatalf("unknown model %q", model)
		}
		return &networks.FeedForward{Blocks: []networks.Block{
			{Name: "hidden1", Conn: p1, Cell: networks.LIFCell{LIF: lif}},
			{Name: "output", Conn: p2, Cell: networks.LIFCell{LIF: lif}},
		}}
	}
	type run struct {
		c     *Classify
		opt   *optim.Optim[optim.AdamConfig]
		spent time.Duration
		cpu   time.Duration
		done  int
	}
	runs := map[string]*run{}
	for _, m := range models {
		net := build(m)
		opt, err := optim.New(net.Params(), optim.AdamConfig{LR: 5e-4})
		if err != nil {
			t.Fatal(err)
		}
		c := &Classify{Net: net, Data: train, Encoder: datasets.Direct{}, Steps: 25, BatchSize: 128, Shuffle: true, DropLast: true, Seed: 1}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		c.Batches(0)
		runs[m] = &run{c: c, opt: opt}
	}
	for round := 0; round < rounds; round++ {
		for _, m := range models {
			rn := runs[m]
			t0, c0 := time.Now(), cpuTime()
			var loss float64
			for b := 0; b < batches; b++ {
				rn.opt.ZeroGrad()
				res, err := rn.c.TrainStep(0, rn.done)
				if err != nil {
					t.Fatal(err)
				}
				if err := rn.opt.Step(); err != nil {
					t.Fatal(err)
				}
				loss += res.Loss
				rn.done++
			}
			d, cd := time.Since(t0), cpuTime()-c0
			rn.spent += d
			rn.cpu += cd
			t1 := time.Now()
			ev := Evaluate(rn.c.Net, test, datasets.Direct{}, 25, 128, 0)
			fmt.Printf("round %d %-10s %4d batches  %6.1f ms/batch (CPU %6.1f ms)  loss %.3f  test accuracy %.2f%% (%d images, eval %.1f s)\n",
				round+1, m, rn.done, float64(d.Milliseconds())/float64(batches), float64(cd.Milliseconds())/float64(batches), loss/float64(batches), 100*ev.Accuracy(), test.N, time.Since(t1).Seconds())
		}
	}
	for _, m := range models {
		rn := runs[m]
		fmt.Printf("total %-10s %6.1f ms/batch (CPU %6.1f ms) over %d batches\n", m, float64(rn.spent.Milliseconds())/float64(rn.done), float64(rn.cpu.Milliseconds())/float64(rn.done), rn.done)
	}
}

// cpuTime is the CPU time (user and system) the process has used: on a
// shared machine it is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
