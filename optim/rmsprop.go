package optim

import (
	"math"

	"github.com/braingo/braingo/tensor"
)

// RMSpropConfig configures RMSprop (Hinton, Lecture 6e of "Neural Networks
// for Machine Learning", 2012; the centered variant from Graves, "Generating
// Sequences With Recurrent Neural Networks", 2013), as PyTorch's
// torch.optim.RMSprop. Its zero value is PyTorch's default: learning rate
// 1e-2, α 0.99, ε 1e-8, no momentum, not centered.
//
// With gradient g, parameter θ, learning rate γ, smoothing constant α,
// momentum μ and weight decay λ, each step does
//
//	g ← −g                      if Maximize
//	g ← g + λθ                  if λ ≠ 0
//	v ← αv + (1−α)g²            (v₀ = 0)
//	if Centered:
//	    a ← αa + (1−α)g         (a₀ = 0)
//	    d ← √(v − a²) + ε
//	else:
//	    d ← √v + ε
//	if μ > 0:
//	    b ← μb + g/d            (b₀ = 0)
//	    θ ← θ − γb
//	else:
//	    θ ← θ − γg/d
//
// (PyTorch's torch.optim.RMSprop documentation and implementation; ε is
// added outside the square root.) The one departure: v − a² is taken as 0
// where rounding makes it negative, which PyTorch turns into NaN. The state
// buffers are "square_avg" (v), "momentum_buffer" (b) and "grad_avg" (a).
type RMSpropConfig struct {
	// LR is the learning rate γ; zero means 1e-2.
	LR float64
	// Alpha is the smoothing constant α; zero means 0.99.
	Alpha float64
	// Eps is ε, added to the denominator; zero means 1e-8.
	Eps float64
	// WeightDecay is the L2 penalty λ added to the gradient; default 0.
	WeightDecay float64
	// Momentum is μ; default 0 (none).
	Momentum float64
	// Centered normalizes by an estimate of the gradient's variance instead
	// of its second moment; default false.
	Centered bool
	// Maximize ascends the objective instead of descending; default false.
	Maximize bool
}

func (c *RMSpropConfig) algorithm() string { return "rmsprop" }
func (c *RMSpropConfig) lr() *float64      { return &c.LR }
func (c *RMSpropConfig) buffers() []string {
	return []string{"square_avg", "momentum_buffer", "grad_avg"}
}

func (c *RMSpropConfig) defaults() {
	if c.LR == 0 {
		c.LR = 1e-2
	}
	if c.Alpha == 0 {
		c.Alpha = 0.99
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
}

func (c *RMSpropConfig) validate() error {
	return firstErr(checkNonNeg("lr", c.LR), checkBeta("alpha", c.Alpha), checkNonNeg("eps", c.Eps),
		checkNonNeg("weight_decay", c.WeightDecay), checkNonNeg("momentum", c.Momentum))
}

func (c *RMSpropConfig) hyper() map[string]float64 {
	return map[string]float64{"lr": c.LR, "alpha": c.Alpha, "eps": c.Eps, "weight_decay": c.WeightDecay,
		"momentum": c.Momentum, "centered": b2f(c.Centered), "maximize": b2f(c.Maximize)}
}

func (c *RMSpropConfig) setHyper(h map[string]float64) {
	*c = RMSpropConfig{LR: h["lr"], Alpha: h["alpha"], Eps: h["eps"], WeightDecay: h["weight_decay"],
		Momentum: h["momentum"], Centered: h["centered"] != 0, Maximize: h["maximize"] != 0}
}

func (c *RMSpropConfig) update(p *tensor.Tensor, st *paramState) {
	w, grad := p.Data, p.Grad[:len(p.Data)]
	n := len(w)
	lr, alpha, eps, wd, mu := c.LR, c.Alpha, c.Eps, c.WeightDecay, c.Momentum
	sq, _ := buffer(st, 3, 0, n)
	sq = sq[:n]
	var buf, ga []float32
	if mu > 0 {
		buf, _ = buffer(st, 3, 1, n)
		buf = buf[:n]
	}
	if c.Centered {
		ga, _ = buffer(st, 3, 2, n)
		ga = ga[:n]
	}
	for i, gi := range grad {
		g := float64(gi)
		if c.Maximize {
			g = -g
		}
		x := float64(w[i])
		if wd != 0 {
			g += wd * x
		}
		v := alpha*float64(sq[i]) + (1-alpha)*g*g
		sq[i] = float32(v)
		if c.Centered {
			a := alpha*float64(ga[i]) + (1-alpha)*g
			ga[i] = float32(a)
			v = math.Max(v-a*a, 0)
		}
		d := math.Sqrt(v) + eps
		if mu > 0 {
			b := mu*float64(buf[i]) + g/d
			buf[i] = float32(b)
			w[i] = float32(x - lr*b)
		} else {
			w[i] = float32(x - lr*g/d)
		}
	}
}
