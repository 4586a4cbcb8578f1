package trainer

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// plainFill hides a GradFill's FillInto: StepFill then fills the
// parameter's own gradient (the step before optim.ScratchFill).
type plainFill struct{ optim.GradFill }

// stepVariants are the variants TestFMNISTStepBench alternates: each
// one's optimizer step given the task's unfilled gradient.
var stepVariants = map[string]func(o *optim.Adam, p *tensor.Tensor, f optim.GradFill) error{
	"scratch": func(o *optim.Adam, p *tensor.Tensor, f optim.GradFill) error { return o.StepFill(p, f) },
	"grad":    func(o *optim.Adam, p *tensor.Tensor, f optim.GradFill) error { return o.StepFill(p, plainFill{f}) },
}

// TestFMNISTStepBench times fmnist-snn's training step (the recipe's
// network, batches and Adam, the loop's fill) in variants that alternate
// within one process, blocks of batches in turn, each variant on its own
// copy of the network (the same initial weights and batches): the wall
// and CPU time per batch, the median over blocks. Opt-in, it needs
// Fashion-MNIST:
//
//	BRAINGO_STEP_BENCH=scratch,grad go test ./trainer -run FMNISTStepBench -v
//
// BRAINGO_STEP_BLOCKS (default 12) blocks of BRAINGO_STEP_BATCHES (20).
func TestFMNISTStepBench(t *testing.T) {
	names := os.Getenv("BRAINGO_STEP_BENCH")
	if names == "" {
		t.Skip("set BRAINGO_STEP_BENCH=variant,variant,... to run")
	}
	env := func(k string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
			return v
		}
		return def
	}
	blocks, batches := env("BRAINGO_STEP_BLOCKS", 12), env("BRAINGO_STEP_BATCHES", 20)
	train, _, err := datasets.FashionMNIST.Load("")
	if err != nil {
		t.Skip(err)
	}
	sg, err := surrogate.New("atan", nil)
	if err != nil {
		t.Fatal(err)
	}
	lif := snn.LIF{Beta: 0.95, Threshold: 1, Surrogate: sg}
	type run struct {
		name     string
		c        *Classify
		o        *optim.Adam
		step     func(o *optim.Adam, p *tensor.Tensor, f optim.GradFill) error
		wall     []float64
		cpu      []float64
		stepMs   []float64
		done     int
		lossLast float64
	}
	var runs []*run
	for _, name := range splitComma(names) {
		step := stepVariants[name]
		if step == nil {
			t.Fatalf("unknown variant %q", name)
		}
		r := rand.New(rand.NewPCG(1, 0x1f2e3d4c))
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Name: "hidden1", Proj: networks.NewDense("fc1", 784, 1000, true, r), Cell: networks.LIFCell{LIF: lif}},
			{Name: "output", Proj: networks.NewDense("fc2", 1000, 10, true, r), Cell: networks.LIFCell{LIF: lif}},
		}}
		o, err := optim.New(net.Params(), optim.AdamConfig{LR: 5e-4})
		if err != nil {
			t.Fatal(err)
		}
		c := &Classify{Net: net, Data: train, Encoder: datasets.Direct{}, Steps: 25, BatchSize: 128, Shuffle: true, DropLast: true, Seed: 1}
		if !c.Fused() {
			t.Fatal("the network does not take the fused path")
		}
		c.Batches(0)
		runs = append(runs, &run{name: name, c: c, o: o, step: step})
	}
	nb := datasets.NumBatches(train.N, 128, true)
	for range blocks {
		for _, rn := range runs {
			t0, c0 := time.Now(), cpuTime()
			var inStep time.Duration
			for range batches {
				rn.c.SetFill(true)
				rn.o.ZeroGradExcept(rn.c.WillFill())
				res, err := rn.c.TrainStep(0, rn.done%nb)
				if err != nil {
					t.Fatal(err)
				}
				p, f := rn.c.Unfilled()
				ts := time.Now()
				if err := rn.step(rn.o, p, f); err != nil {
					t.Fatal(err)
				}
				inStep += time.Since(ts)
				rn.lossLast = res.Loss
				rn.done++
			}
			rn.wall = append(rn.wall, time.Since(t0).Seconds()*1e3/float64(batches))
			rn.cpu = append(rn.cpu, (cpuTime()-c0).Seconds()*1e3/float64(batches))
			rn.stepMs = append(rn.stepMs, inStep.Seconds()*1e3/float64(batches))
		}
	}
	for _, rn := range runs {
		fmt.Printf("%-10s wall ms/batch min %.3f median %.3f  CPU ms/batch min %.3f median %.3f  step wall ms min %.3f median %.3f  (%d batches, last loss %.6f)\n",
			rn.name, minOf(rn.wall), median(rn.wall), minOf(rn.cpu), median(rn.cpu), minOf(rn.stepMs), median(rn.stepMs), rn.done, rn.lossLast)
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	return y[len(y)/2]
}

func minOf(x []float64) float64 {
	m := x[0]
	for _, v := range x[1:] {
		m = min(m, v)
	}
	return m
}
