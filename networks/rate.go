package networks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/tensor"
)

// Recurrent is a network that reads one observation per time step and
// writes one output per step: the rate RNN and the recurrent SNN. Trainers
// drive it step by step, through a whole batch of trials (BPTT) or acting
// in environments (reinforcement learning).
type Recurrent interface {
	// Params lists the trainable tensors.
	Params() []*tensor.Tensor
	// Inputs and Outputs are the observation and output sizes.
	Inputs() int
	Outputs() int
	// Start begins a sequence on tp for batch columns: it computes the
	// effective (sign-constrained) weights once and starts from state st
	// (nil: the zero state). rng draws the network's own noise (nil: none).
	Start(tp *tensor.Tape, batch int, st []*tensor.Tensor, rng *rand.Rand) Stepper
}

// Stepper advances one sequence of a Recurrent network.
type Stepper interface {
	// Step reads x (batch × inputs) and returns the output (batch ×
	// outputs) and the hidden activity (rates, or spikes) of this step.
	Step(x *tensor.Tensor) (out, hidden *tensor.Tensor)
	// State is the current state; Keep multiplies every state variable of
	// column b by keep[b] (0 restarts a column from rest, as at a new
	// trial), keeping the gradient path of the other columns.
	State() []*tensor.Tensor
	Keep(keep []float32)
	// Mem is the membrane of this step's hidden units in threshold units
	// ((V − θ)/θ), for membrane regularizers; nil for rate networks.
	Mem() *tensor.Tensor
}

// Activation names the rate nonlinearities of RateRNN.
var Activations = []string{"softplus", "relu", "tanh"}

// RateRNN is the continuous-time rate network of Song, Yang and Wang (2016,
// "Training excitatory-inhibitory recurrent neural networks for cognitive
// tasks", PLoS Comput Biol 12:e1004792). With α = dt/τ,
//
//	τ dx/dt = −x + W_rec·r + W_in·u + b + √(2τ)·σ_rec·ξ
//	x[t] = (1 − α)·x[t−1] + α·(r[t−1]·W_rec + u[t]·W_in + b + √(2/α)·σ_rec·N(0, 1))
//	r[t] = f(x[t]),   z[t] = r[t]·W_out + b_out
//
// (Euler step of the SDE; the noise is drawn per unit and step from the
// stepper's source). Order per step: integrate with the previous rates,
// then rate, then readout. The state is [x]; it starts at x = 0.
//
// With Dale's law (Sign set), the effective recurrent weights are
// |W_rec|·sign(pre) — every unit's outgoing weights share its sign — and the
// readout is |W_out| from the excitatory units only, as in the paper.
// NoSelf zeroes the diagonal of the recurrent matrix. Weights are stored
// (pre, post) as in Dense.
type RateRNN struct {
	In  *Dense         // (inputs, units), with the units' bias b
	Rec *tensor.Tensor // (units, units), pre × post
	Out *Dense         // (units, outputs)
	// Alpha is dt/τ (0.2 for dt 20 ms and τ 100 ms, Song et al.'s values).
	Alpha float32
	// Activation is one of Activations ("softplus" when empty).
	Activation string
	// SigmaRec is σ_rec, the recurrent noise (0: none).
	SigmaRec float32
	// Sign is +1 for excitatory and −1 for inhibitory units when Dale's law
	// applies; nil for unconstrained weights.
	Sign []float32
	// NoSelf removes self-connections.
	NoSelf bool
}

// RateConfig configures NewRateRNN; the zero value of each field but the
// sizes is a working default.
type RateConfig struct {
	Inputs, Units, Outputs int
	// Alpha is dt/τ (default 0.2).
	Alpha float64
	// Activation (default "softplus").
	Activation string
	// SigmaRec is the recurrent noise σ_rec (default 0).
	SigmaRec float64
	// Dale splits the units into excitatory and inhibitory ones with
	// fraction EFrac excitatory (default 0.8) and constrains the signs.
	Dale  bool
	EFrac float64
	// NoSelf removes self-connections.
	NoSelf bool
	// Gain scales the initial recurrent weights (default 1 for Dale
	// networks, whose E and I inputs balance, and 0.5 otherwise).
	Gain float64
}

// NewRateRNN builds a rate network initialized from r: input and readout
// as nn.Linear; unconstrained recurrent weights N(0, gain²/N); Dale
// networks |N(0, gain²/N)| with inhibitory rows scaled by E/I so that
// excitation and inhibition balance on average.
func NewRateRNN(name string, c RateConfig, r *rand.Rand) *RateRNN {
	if c.Inputs < 1 || c.Units < 1 || c.Outputs < 1 {
		panic(fmt.Sprintf("networks: NewRateRNN sizes %d, %d, %d", c.Inputs, c.Units, c.Outputs))
	}
	if c.Alpha == 0 {
		c.Alpha = 0.2
	}
	if c.EFrac == 0 {
		c.EFrac = 0.8
	}
	n := c.Units
	net := &RateRNN{In: NewDense(name+".in", c.Inputs, n, true, r), Out: NewDense(name+".out", n, c.Outputs, true, r),
		Alpha: float32(c.Alpha), Activation: c.Activation, SigmaRec: float32(c.SigmaRec), NoSelf: c.NoSelf}
	w := make([]float32, n*n)
	gain := c.Gain
	if c.Dale {
		if gain == 0 {
			gain = 1
		}
		ne := int(math.Round(c.EFrac * float64(n)))
		net.Sign = make([]float32, n)
		for i := range net.Sign {
			net.Sign[i] = 1
			if i >= ne {
				net.Sign[i] = -1
			}
		}
		ratio := float64(ne) / math.Max(1, float64(n-ne))
		for i := range n {
			s := gain / math.Sqrt(float64(n))
			if i >= ne {
				s *= ratio
			}
			for j := range n {
				w[i*n+j] = float32(math.Abs(r.NormFloat64()) * s / 2)
			}
		}
		for i := range net.Out.W.Data {
			net.Out.W.Data[i] = float32(math.Abs(float64(net.Out.W.Data[i])))
		}
	} else {
		if gain == 0 {
			gain = 0.5
		}
		for i := range w {
			w[i] = float32(r.NormFloat64() * gain / math.Sqrt(float64(n)))
		}
	}
	net.Rec = tensor.NewParam(name+".rec", []int{n, n}, w)
	return net
}

// Units is the number of recurrent units.
func (n *RateRNN) Units() int { return n.Rec.Shape[0] }

func (n *RateRNN) Inputs() int  { return n.In.In() }
func (n *RateRNN) Outputs() int { return n.Out.Out() }

// Params lists the trainable tensors.
func (n *RateRNN) Params() []*tensor.Tensor {
	return append(append(n.In.Params(), n.Rec), n.Out.Params()...)
}

// recMask is the constant factor of the effective recurrent weights:
// sign(pre) under Dale's law, 0 on the diagonal with NoSelf; nil if none.
func recMask(sign []float32, noSelf bool, n int) []float32 {
	if sign == nil && !noSelf {
		return nil
	}
	m := make([]float32, n*n)
	for i := range n {
		s := float32(1)
		if sign != nil {
			s = sign[i]
		}
		for j := range n {
			m[i*n+j] = s
		}
		if noSelf {
			m[i*n+i] = 0
		}
	}
	return m
}

// effective returns the weights the dynamics use: |W|·mask with Dale's law,
// W·mask with only NoSelf, W otherwise.
func effective(tp *tensor.Tape, w *tensor.Tensor, sign []float32, noSelf bool) *tensor.Tensor {
	m := recMask(sign, noSelf, w.Shape[0])
	if m == nil {
		return w
	}
	if sign != nil {
		w = tp.Abs(w)
	}
	return tp.Mul(w, tensor.New(w.Shape, m))
}

// readout returns the effective readout weights: |W_out| from excitatory
// units only under Dale's law.
func readoutWeights(tp *tensor.Tape, d *Dense, sign []float32) *tensor.Tensor {
	if sign == nil {
		return d.W
	}
	n, o := d.W.Shape[0], d.W.Shape[1]
	m := make([]float32, n*o)
	for i := range n {
		if sign[i] > 0 {
			for j := range o {
				m[i*o+j] = 1
			}
		}
	}
	return tp.Mul(tp.Abs(d.W), tensor.New(d.W.Shape, m))
}

func (n *RateRNN) activate(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	switch n.Activation {
	case "", "softplus":
		return tp.Softplus(x)
	case "relu":
		return tp.ReLU(x)
	case "tanh":
		return tp.Tanh(x)
	}
	panic("networks: unknown activation " + n.Activation)
}

// Start begins a sequence; see Recurrent.
func (n *RateRNN) Start(tp *tensor.Tape, batch int, st []*tensor.Tensor, rng *rand.Rand) Stepper {
	s := &rateStepper{net: n, tp: tp, rng: rng, batch: batch}
	s.wrec = effective(tp, n.Rec, n.Sign, n.NoSelf)
	s.wout = readoutWeights(tp, n.Out, n.Sign)
	if st == nil {
		s.x = tensor.Zeros(batch, n.Units())
	} else {
		s.x = st[0]
	}
	s.r = n.activate(tp, s.x)
	return s
}

type rateStepper struct {
	net        *RateRNN
	tp         *tensor.Tape
	rng        *rand.Rand
	batch      int
	wrec, wout *tensor.Tensor
	x, r       *tensor.Tensor
}

func (s *rateStepper) Step(u *tensor.Tensor) (out, hidden *tensor.Tensor) {
	n, tp := s.net, s.tp
	a := n.Alpha
	drive := tp.Add(tp.MatMul(s.r, s.wrec, false, false), n.In.Forward(tp, u))
	if n.SigmaRec > 0 && s.rng != nil {
		noise := tp.NewResult(drive.Shape)
		sd := float64(n.SigmaRec) * math.Sqrt(2/float64(a))
		for i := range noise.Data {
			noise.Data[i] = float32(s.rng.NormFloat64() * sd)
		}
		drive = tp.Add(drive, noise)
	}
	s.x = tp.Add(tp.Scale(s.x, 1-a), tp.Scale(drive, a))
	s.r = n.activate(tp, s.x)
	out = tp.MatMul(s.r, s.wout, false, false)
	if n.Out.B != nil {
		out = tp.Add(out, n.Out.B)
	}
	return out, s.r
}

func (s *rateStepper) State() []*tensor.Tensor { return []*tensor.Tensor{s.x} }
func (s *rateStepper) Mem() *tensor.Tensor     { return nil }

func (s *rateStepper) Keep(keep []float32) {
	k := tensor.New([]int{len(keep), 1}, keep)
	s.x = s.tp.Mul(s.x, k)
	s.r = s.net.activate(s.tp, s.x)
}
