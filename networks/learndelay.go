package networks

import (
	"fmt"
	"math/rand/v2"

	"github.com/braingo/braingo/tensor"
)

// A HistoryProjection maps a block's recent inputs, not only the current
// one, to its input current: a projection with per-synapse delays.
// FeedForward.RunFrom keeps each such block's last Taps() inputs and, once
// per run, asks Prepare for the step function (so work shared by the steps,
// such as building a delay kernel, is done once per tape).
type HistoryProjection interface {
	Projection
	// Taps is the number of inputs the projection reads: the current one
	// and Taps()−1 before it.
	Taps() int
	// Prepare returns the run's step function on tp: given the inputs
	// hist[k] of k steps ago (nil before the run's first step; at least one
	// present), the input current.
	Prepare(tp *tensor.Tape) func(hist []*tensor.Tensor) *tensor.Tensor
}

// LearnedDelay is a dense projection whose every synapse i → j has a
// trainable weight W[i][j] and a trainable delay Pos[i][j] in steps, in
// [0, taps−1], learned by Gaussian interpolation over the taps as in
// Hammouamri et al. (ICLR 2024; tensor.DelayKernel): the current at step t
// is Σ_k x(t−k)·K_k + b, K_k = W ⊙ h_k(Pos) with h a Gaussian of standard
// deviation *Sigma normalized over the taps. Training shrinks *Sigma (the
// recipe's schedule) so that each synapse ends with one delay.
type LearnedDelay struct {
	W, Pos *tensor.Tensor // in × out
	B      *tensor.Tensor // (out), or nil
	N      int            // taps: delays 0 … N−1 steps
	// Sigma is the Gaussian's width in steps, shared with the shadows of
	// data-parallel workers (set it between batches, never during one).
	Sigma *float32
	Gain  float32
}

// NewLearnedDelay returns a projection with per-synapse learnable delays
// from the weights and bias of d (taken over, not copied) and delays drawn
// uniformly in [0, taps−1] from r; its delay tensor is name.delay.
func NewLearnedDelay(name string, d *Dense, taps int, sigma float32, r *rand.Rand) *LearnedDelay {
	if taps < 1 || !(sigma > 0) {
		panic(fmt.Sprintf("networks: NewLearnedDelay(%d taps, sigma %v)", taps, sigma))
	}
	pos := make([]float32, len(d.W.Data))
	for i := range pos {
		pos[i] = float32(r.Float64() * float64(taps-1))
	}
	s := sigma
	return &LearnedDelay{W: d.W, B: d.B, Pos: tensor.NewParam(name+".delay", d.W.Shape, pos), N: taps, Sigma: &s, Gain: d.Gain}
}

// In and Out are the projection's sizes.
func (l *LearnedDelay) In() int  { return l.W.Shape[0] }
func (l *LearnedDelay) Out() int { return l.W.Shape[1] }

// Taps is the number of delays, 0 … Taps()−1 steps.
func (l *LearnedDelay) Taps() int { return l.N }

// Params lists the trainable tensors: weights, delays, bias.
func (l *LearnedDelay) Params() []*tensor.Tensor {
	if l.B == nil {
		return []*tensor.Tensor{l.W, l.Pos}
	}
	return []*tensor.Tensor{l.W, l.Pos, l.B}
}

// Prepare builds the delay kernel once for the run on tp.
func (l *LearnedDelay) Prepare(tp *tensor.Tape) func(hist []*tensor.Tensor) *tensor.Tensor {
	k := tp.DelayKernel(l.W, l.Pos, l.N, *l.Sigma)
	return func(hist []*tensor.Tensor) *tensor.Tensor {
		y := tp.DelayedMatMul(hist, k)
		if l.B != nil {
			y = tp.Add(y, l.B)
		}
		if l.Gain == 0 || l.Gain == 1 {
			return y
		}
		return tp.Scale(y, l.Gain)
	}
}

// Forward maps x as the first step of a run (no earlier inputs).
func (l *LearnedDelay) Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	return l.Prepare(tp)([]*tensor.Tensor{x})
}

// ForwardSpikes is Forward.
func (l *LearnedDelay) ForwardSpikes(tp *tensor.Tape, s *tensor.Tensor) *tensor.Tensor {
	return l.Forward(tp, s)
}

// Rounded returns the delays in whole steps, as a network with σ → 0 uses
// them (Pos clamped to [0, taps−1] and rounded).
func (l *LearnedDelay) Rounded() []int {
	out := make([]int, len(l.Pos.Data))
	for i, p := range l.Pos.Data {
		p = min(max(p, 0), float32(l.N-1))
		out[i] = int(p + 0.5)
	}
	return out
}

// Shadow returns a copy sharing the parameters' values and Sigma, with
// gradients of its own.
func (l *LearnedDelay) Shadow() Projection {
	return &LearnedDelay{W: shadowParam(l.W), Pos: shadowParam(l.Pos), B: shadowParam(l.B), N: l.N, Sigma: l.Sigma, Gain: l.Gain}
}
