package optim

import (
	"errors"

	"github.com/braingo/braingo/tensor"
)

// SGDConfig configures stochastic gradient descent with optional momentum,
// dampening, Nesterov momentum and (coupled, L2) weight decay, as PyTorch's
// torch.optim.SGD. Its zero value is PyTorch's default: plain SGD with
// learning rate 1e-3.
//
// With gradient g, parameter θ, learning rate γ, momentum μ, dampening τ and
// weight decay λ, each step t = 1, 2, … does
//
//	g ← −g                 if Maximize
//	g ← g + λθ             if λ ≠ 0
//	if μ ≠ 0:
//	    b ← g              at the first step (no dampening)
//	    b ← μb + (1−τ)g    after it
//	    g ← g + μb         if Nesterov
//	    g ← b              otherwise
//	θ ← θ − γg
//
// (PyTorch's torch.optim.SGD documentation; Nesterov momentum after
// Sutskever et al., "On the importance of initialization and momentum in
// deep learning", ICML 2013.) The momentum buffer b is state "momentum_buffer".
type SGDConfig struct {
	// LR is the learning rate γ; zero means 1e-3.
	LR float64
	// Momentum is μ; zero (the default) means no momentum.
	Momentum float64
	// Dampening is τ; default 0.
	Dampening float64
	// WeightDecay is the L2 penalty λ added to the gradient; default 0.
	WeightDecay float64
	// Nesterov selects Nesterov momentum; it needs Momentum > 0 and
	// Dampening 0. Default false.
	Nesterov bool
	// Maximize ascends the objective instead of descending; default false.
	Maximize bool
}

func (c *SGDConfig) algorithm() string { return "sgd" }
func (c *SGDConfig) lr() *float64      { return &c.LR }
func (c *SGDConfig) buffers() []string { return []string{"momentum_buffer"} }

func (c *SGDConfig) defaults() {
	if c.LR == 0 {
		c.LR = 1e-3
	}
}

func (c *SGDConfig) validate() error {
	if err := firstErr(checkNonNeg("lr", c.LR), checkNonNeg("momentum", c.Momentum),
		checkNonNeg("weight_decay", c.WeightDecay)); err != nil {
		return err
	}
	if c.Dampening != c.Dampening {
		return errors.New("invalid dampening NaN")
	}
	if c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0) {
		return errors.New("Nesterov momentum requires a momentum and zero dampening")
	}
	return nil
}

func (c *SGDConfig) hyper() map[string]float64 {
	return map[string]float64{"lr": c.LR, "momentum": c.Momentum, "dampening": c.Dampening,
		"weight_decay": c.WeightDecay, "nesterov": b2f(c.Nesterov), "maximize": b2f(c.Maximize)}
}

func (c *SGDConfig) setHyper(h map[string]float64) {
	*c = SGDConfig{LR: h["lr"], Momentum: h["momentum"], Dampening: h["dampening"],
		WeightDecay: h["weight_decay"], Nesterov: h["nesterov"] != 0, Maximize: h["maximize"] != 0}
}

func (c *SGDConfig) update(p *tensor.Tensor, st *paramState) {
	w, grad := p.Data, p.Grad[:len(p.Data)]
	lr, mu, damp, wd := c.LR, c.Momentum, c.Dampening, c.WeightDecay
	var buf []float32
	first := false
	if mu != 0 {
		buf, first = buffer(st, 1, 0, len(w))
		buf = buf[:len(w)]
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
		if mu != 0 {
			b := g
			if !first {
				b = mu*float64(buf[i]) + (1-damp)*g
			}
			buf[i] = float32(b)
			if c.Nesterov {
				g += mu * b
			} else {
				g = b
			}
		}
		w[i] = float32(x - lr*g)
	}
}
