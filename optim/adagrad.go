package optim

import (
	"math"

	"github.com/braingo/braingo/tensor"
)

// AdagradConfig configures Adagrad (Duchi, Hazan and Singer, "Adaptive
// Subgradient Methods for Online Learning and Stochastic Optimization",
// JMLR 2011), as PyTorch's torch.optim.Adagrad. Its zero value is PyTorch's
// default: learning rate 1e-2, no learning-rate decay, accumulator starting
// at 0, ε 1e-10.
//
// With gradient g, parameter θ, learning rate γ, learning-rate decay η,
// weight decay λ and initial accumulator value s₀, step t = 1, 2, … does
//
//	g ← −g                  if Maximize
//	g ← g + λθ              if λ ≠ 0
//	γ̃ ← γ / (1 + (t−1)η)
//	s ← s + g²              (s starts at s₀)
//	θ ← θ − γ̃ g / (√s + ε)
//
// (PyTorch's torch.optim.Adagrad documentation and implementation.) The
// state buffer is "sum" (s), created at a parameter's first step.
type AdagradConfig struct {
	// LR is the learning rate γ; zero means 1e-2.
	LR float64
	// LRDecay is η; default 0.
	LRDecay float64
	// WeightDecay is the L2 penalty λ added to the gradient; default 0.
	WeightDecay float64
	// InitialAccumulatorValue is s₀; default 0.
	InitialAccumulatorValue float64
	// Eps is ε, added to the denominator; zero means 1e-10.
	Eps float64
	// Maximize ascends the objective instead of descending; default false.
	Maximize bool
}

func (c *AdagradConfig) algorithm() string { return "adagrad" }
func (c *AdagradConfig) lr() *float64      { return &c.LR }
func (c *AdagradConfig) buffers() []string { return []string{"sum"} }

func (c *AdagradConfig) defaults() {
	if c.LR == 0 {
		c.LR = 1e-2
	}
	if c.Eps == 0 {
		c.Eps = 1e-10
	}
}

func (c *AdagradConfig) validate() error {
	return firstErr(checkNonNeg("lr", c.LR), checkNonNeg("lr_decay", c.LRDecay),
		checkNonNeg("weight_decay", c.WeightDecay),
		checkNonNeg("initial_accumulator_value", c.InitialAccumulatorValue), checkNonNeg("eps", c.Eps))
}

func (c *AdagradConfig) hyper() map[string]float64 {
	return map[string]float64{"lr": c.LR, "lr_decay": c.LRDecay, "weight_decay": c.WeightDecay,
		"initial_accumulator_value": c.InitialAccumulatorValue, "eps": c.Eps, "maximize": b2f(c.Maximize)}
}

func (c *AdagradConfig) setHyper(h map[string]float64) {
	*c = AdagradConfig{LR: h["lr"], LRDecay: h["lr_decay"], WeightDecay: h["weight_decay"],
		InitialAccumulatorValue: h["initial_accumulator_value"], Eps: h["eps"], Maximize: h["maximize"] != 0}
}

func (c *AdagradConfig) update(p *tensor.Tensor, st *paramState) {
	w, grad := p.Data, p.Grad[:len(p.Data)]
	n := len(w)
	sum, fresh := buffer(st, 1, 0, n)
	sum = sum[:n]
	clr := c.LR / (1 + float64(st.step-1)*c.LRDecay)
	wd, eps := c.WeightDecay, c.Eps
	for i, gi := range grad {
		g := float64(gi)
		if c.Maximize {
			g = -g
		}
		x := float64(w[i])
		if wd != 0 {
			g += wd * x
		}
		s0 := float64(sum[i])
		if fresh {
			s0 = c.InitialAccumulatorValue // exactly, not rounded to float32
		}
		s := s0 + g*g
		sum[i] = float32(s)
		w[i] = float32(x - clr*g/(math.Sqrt(s)+eps))
	}
}
