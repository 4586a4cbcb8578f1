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

// Data-parallel workers compute the same gradients as one worker, up to
// float32 rounding, and the same bits for the same number of workers.
func TestClassifyWorkersAgree(t *testing.T) {
	mk := func() (*networks.FeedForward, *datasets.Images) {
		r := rand.New(rand.NewPCG(4, 4))
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 16, 24, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9, LearnBeta: snn.NewLearnBeta("beta", 24, 0.9)}}},
			{Proj: networks.NewDense("b", 24, 4, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		}}
		d := &datasets.Images{N: 64, Rows: 4, Cols: 4, Classes: 4, Pixels: make([]uint8, 64*16), Labels: make([]uint8, 64)}
		for i := range d.Pixels {
			d.Pixels[i] = uint8(r.IntN(256))
		}
		for i := range d.Labels {
			d.Labels[i] = uint8(i % 4)
		}
		return net, d
	}
	grads := func(workers int) ([][]float32, float64) {
		net, d := mk()
		c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 3}, Steps: 6, BatchSize: 64, Workers: workers, L1: 1e-3}
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
	g1, l1 := grads(1)
	g2, l2 := grads(2)
	g2b, l2b := grads(2)
	if math.Abs(l1-l2) > 1e-5*math.Abs(l1) {
		t.Fatalf("loss: one worker %v, two %v", l1, l2)
	}
	for i := range g1 {
		for j := range g1[i] {
			if d := math.Abs(float64(g1[i][j] - g2[i][j])); d > 1e-4*(1+math.Abs(float64(g1[i][j]))) {
				t.Fatalf("param %d[%d]: one worker %v, two %v", i, j, g1[i][j], g2[i][j])
			}
			if g2[i][j] != g2b[i][j] || l2 != l2b {
				t.Fatal("two workers are not reproducible")
			}
		}
	}
}
