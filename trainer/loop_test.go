package trainer

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

type fakeTask struct {
	losses []float64 // per epoch
	steps  int
}

func (f *fakeTask) Batches(int) int { return 3 }
func (f *fakeTask) TrainStep(e, b int) (StepResult, error) {
	f.steps++
	return StepResult{Loss: f.losses[e-1], Correct: 2, Samples: 4}, nil
}

type fakeOpt struct{ steps, zero int }

func (o *fakeOpt) Step() error { o.steps++; return nil }
func (o *fakeOpt) ZeroGrad()   { o.zero++ }

type recorder struct{ events []string }

func (r *recorder) Name() string             { return "rec" }
func (r *recorder) EpochStart(l *Loop) error { r.events = append(r.events, "start"); return nil }
func (r *recorder) StepEnd(l *Loop, s StepResult) error {
	r.events = append(r.events, "step")
	return nil
}
func (r *recorder) EpochEnd(l *Loop, e *Epoch) error { r.events = append(r.events, "end"); return nil }
func (r *recorder) End(l *Loop, err error)           { r.events = append(r.events, "done") }

func TestLoopRunsEpochsAndHooks(t *testing.T) {
	task, opt, rec := &fakeTask{losses: []float64{1, 0.5}}, &fakeOpt{}, &recorder{}
	l := &Loop{Task: task, Optimizer: opt, Epochs: 2, Hooks: []Hook{rec}}
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "start step step step end start step step step end done"
	if got := strings.Join(rec.events, " "); got != want {
		t.Fatalf("hook order %q, want %q", got, want)
	}
	if opt.steps != 6 || opt.zero != 6 || len(l.History) != 2 {
		t.Fatalf("steps %d zero %d history %d", opt.steps, opt.zero, len(l.History))
	}
	if e := l.History[1]; e.TrainLoss != 0.5 || e.TrainAcc != 0.5 || e.Samples != 12 {
		t.Fatalf("epoch 2 summary %+v", e)
	}
}

func TestEarlyStop(t *testing.T) {
	task := &fakeTask{losses: []float64{1, 1, 1, 1, 1, 1}}
	accs := []float64{0.5, 0.6, 0.6, 0.59, 0.6, 0.7}
	eval := EpochFunc{Label: "eval", Fn: func(l *Loop, e *Epoch) error { e.Extra["test_acc"] = accs[e.Epoch-1]; return nil }}
	l := &Loop{Task: task, Optimizer: &fakeOpt{}, Epochs: 6, Hooks: []Hook{eval, &EarlyStop{Metric: "test_acc", Patience: 2}}}
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(l.History) != 4 {
		t.Fatalf("early stop after %d epochs, want 4", len(l.History))
	}
}

func TestNaNLossStopsWithMessage(t *testing.T) {
	l := &Loop{Task: &fakeTask{losses: []float64{math.NaN()}}, Optimizer: &fakeOpt{}, Epochs: 1}
	err := l.Run(context.Background())
	if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "epoch 1 batch 0") {
		t.Fatalf("err = %v", err)
	}
}

func TestNaNGuardNamesParameter(t *testing.T) {
	w := tensor.NewParam("fc1.weight", []int{2}, []float32{1, float32(math.Inf(1))})
	l := &Loop{Task: &fakeTask{losses: []float64{1}}, Optimizer: &fakeOpt{}, Epochs: 1, Hooks: []Hook{NaNGuard{Params: []*tensor.Tensor{w}}}}
	err := l.Run(context.Background())
	if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "fc1.weight") || !strings.Contains(err.Error(), "last good") {
		t.Fatalf("err = %v", err)
	}
}

func TestProgressQuietWhenNotTerminal(t *testing.T) {
	var buf bytes.Buffer
	l := &Loop{Task: &fakeTask{losses: []float64{1}}, Optimizer: &fakeOpt{}, Epochs: 1, Hooks: []Hook{&Progress{W: &buf}}}
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Fatalf("progress wrote %q to a non-terminal", buf.String())
	}
	buf.Reset()
	l = &Loop{Task: &fakeTask{losses: []float64{1}}, Optimizer: &fakeOpt{}, Epochs: 1, Hooks: []Hook{&Progress{W: &buf, Force: true}}}
	l.Run(context.Background())
	if !strings.Contains(buf.String(), "epoch 1/1") {
		t.Fatalf("forced progress wrote %q", buf.String())
	}
}

// The sharded batch (Shards) has the gradient of the whole batch, up to
// float32 rounding, the L1 and L2 spike-count regularizers included, and
// the same bits for any number of workers.
func TestClassifyShardsMatchWholeBatch(t *testing.T) {
	mk := func() (*networks.FeedForward, *datasets.Images) {
		r := rand.New(rand.NewPCG(4, 4))
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 16, 24, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9, LearnBeta: snn.NewLearnBeta("beta", 24, 0.9)}}},
			{Proj: networks.NewDense("b", 24, 4, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		}}
		d := &datasets.Images{N: 70, Rows: 4, Cols: 4, Classes: 4, Pixels: make([]uint8, 70*16), Labels: make([]uint8, 70)}
		for i := range d.Pixels {
			d.Pixels[i] = uint8(r.IntN(256))
		}
		for i := range d.Labels {
			d.Labels[i] = uint8(i % 4)
		}
		return net, d
	}
	const l1, l2 = 1e-3, 1e-3
	grads := func(workers int) ([][]float32, float64) {
		net, d := mk()
		c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 3}, Steps: 6, BatchSize: 70, Workers: workers, L1: l1, L2: l2}
		c.Batches(1)
		for _, p := range net.Params() {
			p.ZeroGrad()
		}
		res, err := c.TrainStep(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		var g [][]float32
		for _, p := range net.Params() {
			g = append(g, append([]float32(nil), p.Grad...))
		}
		return g, res.Loss
	}
	// The whole batch on one tape.
	net, d := mk()
	c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 3}, Steps: 6, BatchSize: 70, L1: l1}
	c.Batches(1)
	x, y := make([]float32, 70*16), make([]int, 70)
	d.Fill(x, y, c.order)
	tp := tensor.NewTape()
	tr := net.Run(tp, input(tp, c.Encoder, tensor.New([]int{70, 16}, x), c.order), 6)
	loss := tp.Add(c.loss(tp, tr, y, 1), losses.SpikeCountL2(tp, tr.Spikes[0], l2))
	refLoss := float64(loss.Item())
	tp.Backward(loss)
	var ref [][]float32
	for _, p := range net.Params() {
		ref = append(ref, p.Grad)
	}

	g1, loss1 := grads(1)
	if math.Abs(loss1-refLoss) > 1e-5*math.Abs(refLoss) {
		t.Fatalf("loss: shards %v, whole batch %v", loss1, refLoss)
	}
	for i := range g1 {
		for j := range g1[i] {
			if d := math.Abs(float64(g1[i][j] - ref[i][j])); d > 1e-4*(1+math.Abs(float64(ref[i][j]))) {
				t.Fatalf("param %d[%d]: shards %v, whole batch %v", i, j, g1[i][j], ref[i][j])
			}
		}
	}
	for _, w := range []int{2, 3, 8} {
		g, l := grads(w)
		if l != loss1 {
			t.Fatalf("%d workers: loss %v, one worker %v", w, l, loss1)
		}
		for i := range g1 {
			for j := range g1[i] {
				if g[i][j] != g1[i][j] {
					t.Fatalf("%d workers: param %d[%d] %v, one worker %v", w, i, j, g[i][j], g1[i][j])
				}
			}
		}
	}
}

// Truncated BPTT through shards with a static input (the first
// projection's gradient gathered over the windows, then one product) has
// the gradient of truncated BPTT over the whole batch on one tape, up to
// float32 rounding.
func TestClassifyShardsTruncatedMatchWholeBatch(t *testing.T) {
	mk := func() (*networks.FeedForward, *datasets.Images) {
		r := rand.New(rand.NewPCG(5, 6))
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 16, 24, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
			{Proj: networks.NewDense("b", 24, 4, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		}}
		net.Blocks[0].Proj.Gain = 1.5
		d := &datasets.Images{N: 50, Rows: 4, Cols: 4, Classes: 4, Pixels: make([]uint8, 50*16), Labels: make([]uint8, 50)}
		for i := range d.Pixels {
			d.Pixels[i] = uint8(r.IntN(256))
		}
		for i := range d.Labels {
			d.Labels[i] = uint8(i % 4)
		}
		return net, d
	}
	const steps, window = 7, 3
	net, d := mk()
	c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 3}, Steps: steps, BatchSize: 50, Truncate: window, Workers: 3}
	c.Batches(1)
	if _, err := c.TrainStep(1, 0); err != nil {
		t.Fatal(err)
	}
	ref, rd := mk()
	rc := &Classify{Net: ref, Data: rd, Encoder: datasets.Direct{Gain: 3}, Steps: steps, BatchSize: 50}
	rc.Batches(1)
	x, y := make([]float32, 50*16), make([]int, 50)
	rd.Fill(x, y, rc.order)
	tp := tensor.NewTape()
	var st networks.State
	for t0 := 0; t0 < steps; t0 += window {
		t1 := min(t0+window, steps)
		tr, next := ref.RunFrom(tp, input(tp, rc.Encoder, tensor.New([]int{50, 16}, x), rc.order), st, t0, t1)
		tp.Backward(rc.loss(tp, tr, y, 1))
		st = next.Detach()
		tp.Reset()
	}
	got, want := net.Params(), ref.Params()
	for i := range got {
		for j := range got[i].Grad {
			g, w := got[i].Grad[j], want[i].Grad[j]
			if math.Abs(float64(g-w)) > 1e-4*(1+math.Abs(float64(w))) {
				t.Fatalf("%s[%d]: shards %v, whole batch %v", got[i].Name, j, g, w)
			}
		}
	}
}
