package networks

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// learnedDelayNet is input → LearnedDelay → LI (a linear readout of the
// delayed currents, Beta 0: the membrane is the current).
func learnedDelayNet(in, out, taps int, sigma float32, seed uint64) (*FeedForward, *LearnedDelay) {
	r := rand.New(rand.NewPCG(seed, 1))
	w := make([]float32, in*out)
	b := make([]float32, out)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	for i := range b {
		b[i] = float32(r.NormFloat64())
	}
	d := &Dense{W: tensor.NewParam("fc1.weight", []int{in, out}, w), B: tensor.NewParam("fc1.bias", []int{out}, b)}
	ld := NewLearnedDelay("fc1", d, taps, sigma, r)
	return &FeedForward{Blocks: []Block{{Name: "out", Conn: ld, Cell: LICell{LI: snn.LI{Beta: 0}}}}}, ld
}

// With a narrow Gaussian and whole-step delays, a run equals the naive
// per-synapse delay loop y_t[j] = b[j] + Σ_i W[i][j]·x_{t−d[i][j]}[i].
func TestLearnedDelayMatchesNaiveLoop(t *testing.T) {
	const batch, in, out, taps, steps = 2, 5, 3, 4, 7
	net, ld := learnedDelayNet(in, out, taps, 0.05, 3)
	for i := range ld.Pos.Data {
		ld.Pos.Data[i] = float32(i % taps)
	}
	r := rand.New(rand.NewPCG(9, 9))
	xs := make([]*tensor.Tensor, steps)
	for t := range xs {
		xs[t] = tensor.Zeros(batch, in)
		for i := range xs[t].Data {
			xs[t].Data[i] = float32(r.NormFloat64())
		}
	}
	tr := net.Run(tensor.NewTape(), Input{Step: func(t int) *tensor.Tensor { return xs[t] }}, steps)
	d := ld.Rounded()
	for step := 0; step < steps; step++ {
		for s := 0; s < batch; s++ {
			for j := 0; j < out; j++ {
				want := float64(ld.B.Data[j])
				for i := 0; i < in; i++ {
					if k := d[i*out+j]; step >= k {
						want += float64(ld.W.Data[i*out+j]) * float64(xs[step-k].Data[s*in+i])
					}
				}
				if got := float64(tr.Mem[0][step].Data[s*out+j]); math.Abs(got-want) > 1e-4 {
					t.Fatalf("step %d sample %d output %d: %v, naive loop %v", step, s, j, got, want)
				}
			}
		}
	}
}

// Gradients of a loss over a whole run reach weights, delays and bias, and
// agree with finite differences; a static input is fed at every step.
func TestLearnedDelayGradients(t *testing.T) {
	const batch, in, out, taps, steps = 2, 4, 3, 5, 6
	net, ld := learnedDelayNet(in, out, taps, 0.9, 4)
	r := rand.New(rand.NewPCG(5, 5))
	for i := range ld.Pos.Data {
		ld.Pos.Data[i] = float32(0.3 + r.Float64()*(taps-1.6))
	}
	x := tensor.Zeros(batch, in)
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	for _, static := range []bool{false, true} {
		in := Input{Step: func(int) *tensor.Tensor { return x }}
		if static {
			in = Input{Static: x}
		}
		f := func(tp *tensor.Tape) *tensor.Tensor {
			tr := net.Run(tp, in, steps)
			return tp.Stack(tr.Out())
		}
		gc := tensor.GradCheck{Eps: 1e-3, ATol: 3e-3, RTol: 2e-2}
		if err := gc.CheckGrad(f, ld.W, ld.Pos, ld.B, x); err != nil {
			t.Fatalf("static %v: %v", static, err)
		}
	}
}

// A shadow shares values and Sigma and keeps gradients of its own.
func TestLearnedDelayShadow(t *testing.T) {
	net, ld := learnedDelayNet(3, 2, 3, 1, 6)
	sh, ps := net.Shadow()
	if len(ps) != 3 || &ps[1].Data[0] != &ld.Pos.Data[0] {
		t.Fatalf("shadow parameters %d, delays shared %v", len(ps), len(ps) == 3 && &ps[1].Data[0] == &ld.Pos.Data[0])
	}
	*ld.Sigma = 0.25
	if s := sh.Blocks[0].Conn.(*LearnedDelay).Sigma; *s != 0.25 {
		t.Fatalf("shadow's sigma %v after the original's changed to 0.25", *s)
	}
}
