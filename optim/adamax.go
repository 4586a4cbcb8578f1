package optim

import (
	"math"

	"github.com/braingo/braingo/tensor"
)

// AdamaxConfig configures Adamax, Adam with the infinity norm (Kingma and
// Ba 2015, section 7.1), as PyTorch's torch.optim.Adamax (SpyTorch's SHD
// tutorial trains with it). Its zero value is PyTorch's default: learning
// rate 2e-3, betas (0.9, 0.999), ε 1e-8, no weight decay.
//
// With gradient g, parameter θ, learning rate γ and weight decay λ, step
// t = 1, 2, … does
//
//	g ← −g                     if Maximize
//	g ← g + λθ                 if λ ≠ 0
//	m ← m + (1−β₁)(g − m)      (m₀ = 0; PyTorch's lerp)
//	u ← max(β₂u, |g| + ε)      (u₀ = 0)
//	θ ← θ − γ/(1−β₁ᵗ) · m/u
//
// computed in float32 as PyTorch does for float32 parameters (the
// coefficients rounded from float64). The state buffers are "exp_avg" (m)
// and "exp_inf" (u).
type AdamaxConfig struct {
	// LR is the learning rate γ; zero means 2e-3.
	LR float64
	// Beta1 and Beta2 are the decay rates; zero means 0.9 and 0.999.
	Beta1, Beta2 float64
	// Eps is ε; zero means 1e-8.
	Eps float64
	// WeightDecay is the L2 penalty λ added to the gradient; default 0.
	WeightDecay float64
	// Maximize ascends the objective instead of descending; default false.
	Maximize bool
}

func (c *AdamaxConfig) algorithm() string { return "adamax" }
func (c *AdamaxConfig) lr() *float64      { return &c.LR }
func (c *AdamaxConfig) buffers() []string { return []string{"exp_avg", "exp_inf"} }

func (c *AdamaxConfig) defaults() {
	if c.LR == 0 {
		c.LR = 2e-3
	}
	adamDefaults(new(float64), &c.Beta1, &c.Beta2, &c.Eps)
}

func (c *AdamaxConfig) validate() error {
	return adamValidate(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay)
}

func (c *AdamaxConfig) hyper() map[string]float64 {
	return map[string]float64{"lr": c.LR, "beta1": c.Beta1, "beta2": c.Beta2, "eps": c.Eps,
		"weight_decay": c.WeightDecay, "maximize": b2f(c.Maximize)}
}

func (c *AdamaxConfig) setHyper(h map[string]float64) {
	*c = AdamaxConfig{LR: h["lr"], Beta1: h["beta1"], Beta2: h["beta2"], Eps: h["eps"],
		WeightDecay: h["weight_decay"], Maximize: h["maximize"] != 0}
}

func (c *AdamaxConfig) update(p *tensor.Tensor, st *paramState) {
	w, grad := p.Data, p.Grad[:len(p.Data)]
	n := len(w)
	m, _ := buffer(st, 2, 0, n)
	u, _ := buffer(st, 2, 1, n)
	m, u = m[:n], u[:n]
	b1c, b2, eps, wd := float32(1-c.Beta1), float32(c.Beta2), float32(c.Eps), float32(c.WeightDecay)
	clr := float32(c.LR / (1 - math.Pow(c.Beta1, float64(st.step))))
	for i, g := range grad {
		if c.Maximize {
			g = -g
		}
		if wd != 0 {
			g += wd * w[i]
		}
		m[i] += b1c * (g - m[i])
		u[i] = max(b2*u[i], float32(math.Abs(float64(g)))+eps)
		w[i] -= clr * (m[i] / u[i])
	}
}
