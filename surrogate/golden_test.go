package surrogate_test

import (
	"math"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/golden"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// lifStep is snnTorch's Leaky step written with tape ops (golden README):
// r = H(U[t-1] − θ) detached; base = β·U[t-1] + I; U = base − r·θ
// (subtract) or base·(1 − r) (zero); S = spike(U − θ).
func lifStep(tp *tensor.Tape, u, in *tensor.Tensor, beta, theta float32, reset string, fn surrogate.Func) (uNew, s *tensor.Tensor) {
	r := tensor.Zeros(u.Shape...)
	for i, v := range u.Data {
		if v-theta > 0 {
			r.Data[i] = 1
		}
	}
	base := tp.Add(tp.Scale(u, beta), in)
	switch reset {
	case "subtract":
		uNew = tp.Sub(base, tp.Scale(r, theta))
	case "zero": // U = β·(1 − r)·U + I (snnTorch ≥ 0.8): the input is kept
		keep := tensor.Zeros(u.Shape...)
		for i, v := range r.Data {
			keep.Data[i] = 1 - v
		}
		uNew = tp.Add(tp.Mul(tp.Scale(u, beta), keep), in)
	default:
		panic("unknown reset " + reset)
	}
	return uNew, surrogate.Spike(tp, tp.AddScalar(uNew, -theta), fn)
}

func sumData(t *tensor.Tensor) float64 {
	var s float64
	for _, v := range t.Data {
		s += float64(v)
	}
	return s
}

func TestGoldenFeedForwardLIF(t *testing.T) {
	files := golden.Files(t, "ff_lif_*.json")
	if len(files) == 0 {
		t.Fatal("no ff_lif_*.json reference files")
	}
	for _, name := range files {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			var g golden.LIFCase
			golden.Load(t, name, &g)
			fn, err := surrogate.New(g.Surrogate, nil)
			if err != nil {
				t.Fatal(err)
			}
			b1, b2 := g.Betas()[0], g.Betas()[1]
			nin, nh, nout := g.Sizes[0], g.Sizes[1], g.Sizes[2]
			W1 := tensor.NewParam("W1", []int{nh, nin}, g.W1)
			B1 := tensor.NewParam("b1", []int{nh}, g.B1)
			W2 := tensor.NewParam("W2", []int{nout, nh}, g.W2)
			B2 := tensor.NewParam("b2", []int{nout}, g.B2)
			x := tensor.New([]int{g.Batch, nin}, g.X)

			tp := tensor.NewTape()
			u1, u2 := tensor.Zeros(g.Batch, nh), tensor.Zeros(g.Batch, nout)
			var loss *tensor.Tensor
			for step := 0; step < g.Steps; step++ {
				var s1, s2 *tensor.Tensor
				u1, s1 = lifStep(tp, u1, tp.Linear(x, W1, B1), b1, g.Threshold, g.Reset, fn)
				u2, s2 = lifStep(tp, u2, tp.Linear(s1, W2, B2), b2, g.Threshold, g.Reset, fn)
				if got, want := sumData(s1)+sumData(s2), g.SpikesPerStep[step]; got != want {
					t.Fatalf("step %d: %v spikes, reference %v", step, got, want)
				}
				ce := tp.CrossEntropy(u2, g.Y)
				if loss == nil {
					loss = ce
				} else {
					loss = tp.Add(loss, ce)
				}
			}
			if d := math.Abs(float64(loss.Item())-g.Loss) / g.Loss; d > 1e-4 {
				t.Fatalf("loss %v, reference %v (rel %.2g)", loss.Item(), g.Loss, d)
			}
			tp.Backward(loss)
			golden.Close(t, "grad_W1", W1.Grad, g.GradW1, 1e-4)
			golden.Close(t, "grad_b1", B1.Grad, g.GradB1, 1e-4)
			golden.Close(t, "grad_W2", W2.Grad, g.GradW2, 1e-4)
			golden.Close(t, "grad_b2", B2.Grad, g.GradB2, 1e-4)
		})
	}
}

func TestGoldenRecurrentLIF(t *testing.T) {
	files := golden.Files(t, "rec_lif_*.json")
	if len(files) == 0 {
		t.Fatal("no rec_lif_*.json reference files")
	}
	for _, name := range files {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			var g golden.LIFCase
			golden.Load(t, name, &g)
			fn, err := surrogate.New(g.Surrogate, nil)
			if err != nil {
				t.Fatal(err)
			}
			beta := g.Betas()[0]
			nin, nh, nout := g.Sizes[0], g.Sizes[1], g.Sizes[2]
			Win := tensor.NewParam("Win", []int{nh, nin}, g.Win)
			Wrec := tensor.NewParam("Wrec", []int{nh, nh}, g.Wrec)
			Wout := tensor.NewParam("Wout", []int{nout, nh}, g.Wout)
			tp := tensor.NewTape()
			u, s := tensor.Zeros(g.Batch, nh), tensor.Zeros(g.Batch, nh)
			o := tensor.Zeros(g.Batch, nout)
			xs := tensor.New([]int{g.Steps, g.Batch, nin}, g.Xs)
			for step := 0; step < g.Steps; step++ {
				in := tp.Add(tp.Linear(tp.Index(xs, step), Win, nil), tp.Linear(s, Wrec, nil))
				u, s = lifStep(tp, u, in, beta, g.Threshold, g.Reset, fn)
				if got, want := sumData(s), g.SpikesPerStep[step]; got != want {
					t.Fatalf("step %d: %v spikes, reference %v", step, got, want)
				}
				o = tp.Add(tp.Scale(o, g.ReadoutDecay), tp.Linear(s, Wout, nil))
			}
			loss := tp.CrossEntropy(o, g.Y)
			if d := math.Abs(float64(loss.Item())-g.Loss) / g.Loss; d > 1e-4 {
				t.Fatalf("loss %v, reference %v (rel %.2g)", loss.Item(), g.Loss, d)
			}
			tp.Backward(loss)
			golden.Close(t, "grad_Win", Win.Grad, g.GradWin, 1e-4)
			golden.Close(t, "grad_Wrec", Wrec.Grad, g.GradWrec, 1e-4)
			golden.Close(t, "grad_Wout", Wout.Grad, g.GradWout, 1e-4)
		})
	}
}
