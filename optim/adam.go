package optim

import (
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// AdamConfig configures Adam (Kingma and Ba, "Adam: A Method for Stochastic
// Optimization", ICLR 2015) with optional AMSGrad (Reddi et al., "On the
// Convergence of Adam and Beyond", ICLR 2018), as PyTorch's torch.optim.Adam.
// Its zero value is PyTorch's default: learning rate 1e-3, betas (0.9,
// 0.999), ε 1e-8, no weight decay.
//
// With gradient g, parameter θ, learning rate γ and weight decay λ (an L2
// penalty added to the gradient; see AdamWConfig for decoupled decay), step
// t = 1, 2, … of each parameter does
//
//	g ← −g                        if Maximize
//	g ← g + λθ                    if λ ≠ 0
//	m ← β₁m + (1−β₁)g             (m₀ = 0)
//	v ← β₂v + (1−β₂)g²            (v₀ = 0)
//	v ← max(v_max, v) → v_max     if AMSGrad (v_max₀ = 0)
//	θ ← θ − γ/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)
//
// which is PyTorch's implementation of its documented pseudo-code (ε added
// after the bias correction of √v; AMSGrad keeps the maximum of the
// uncorrected v). The state buffers are "exp_avg" (m), "exp_avg_sq" (v) and
// "max_exp_avg_sq" (v_max).
//
// Unlike the other optimizers, Adam and AdamW compute in float32, as PyTorch
// does for float32 parameters, in the order of PyTorch's tensor operations
// (m by lerp, m + (1−β₁)(g − m); the coefficients rounded from float64):
// kernels.AdamStep gives the exact loop. On PyTorch's float64 trajectories
// (../shared/golden) the result stays within 1e-7 relative, the same as
// computing each element in float64 and rounding once, since the rounding of
// the stored float32 parameter dominates either way.
type AdamConfig struct {
	// LR is the learning rate γ; zero means 1e-3.
	LR float64
	// Beta1 and Beta2 are the decay rates of the moment averages; zero
	// means 0.9 and 0.999. (Set them after New for an exact 0.)
	Beta1, Beta2 float64
	// Eps is ε, added to the denominator; zero means 1e-8.
	Eps float64
	// WeightDecay is the L2 penalty λ added to the gradient; default 0.
	WeightDecay float64
	// AMSGrad selects the AMSGrad variant; default false.
	AMSGrad bool
	// Maximize ascends the objective instead of descending; default false.
	Maximize bool
}

// AdamWConfig configures AdamW, Adam with decoupled weight decay
// (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR
// 2019), as PyTorch's torch.optim.AdamW. Its zero value is PyTorch's
// default: learning rate 1e-3, betas (0.9, 0.999), ε 1e-8, weight decay
// 1e-2.
//
// Each step first shrinks the parameter, θ ← θ(1 − γλ), and then does
// Adam's update (AdamConfig) without the L2 term.
type AdamWConfig struct {
	// LR is the learning rate γ; zero means 1e-3.
	LR float64
	// Beta1 and Beta2 are the decay rates of the moment averages; zero
	// means 0.9 and 0.999. (Set them after New for an exact 0.)
	Beta1, Beta2 float64
	// Eps is ε, added to the denominator; zero means 1e-8.
	Eps float64
	// WeightDecay is the decoupled decay λ; zero means 1e-2 unless
	// NoWeightDecay is set.
	WeightDecay float64
	// NoWeightDecay sets λ to 0 (for groups such as biases that take no
	// decay).
	NoWeightDecay bool
	// AMSGrad selects the AMSGrad variant; default false.
	AMSGrad bool
	// Maximize ascends the objective instead of descending; default false.
	Maximize bool
}

// adamHyper is the resolved hyperparameters of either variant.
type adamHyper struct {
	lr, beta1, beta2, eps, wd float64
	amsgrad, maximize         bool
	decoupled                 bool
}

var adamBuffers = []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}

func (c *AdamConfig) algorithm() string { return "adam" }
func (c *AdamConfig) lr() *float64      { return &c.LR }
func (c *AdamConfig) buffers() []string { return adamBuffers }

func (c *AdamConfig) defaults() {
	adamDefaults(&c.LR, &c.Beta1, &c.Beta2, &c.Eps)
}

func (c *AdamConfig) validate() error {
	return adamValidate(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay)
}

func (c *AdamConfig) hyper() map[string]float64 {
	return map[string]float64{"lr": c.LR, "beta1": c.Beta1, "beta2": c.Beta2, "eps": c.Eps,
		"weight_decay": c.WeightDecay, "amsgrad": b2f(c.AMSGrad), "maximize": b2f(c.Maximize)}
}

func (c *AdamConfig) setHyper(h map[string]float64) {
	*c = AdamConfig{LR: h["lr"], Beta1: h["beta1"], Beta2: h["beta2"], Eps: h["eps"],
		WeightDecay: h["weight_decay"], AMSGrad: h["amsgrad"] != 0, Maximize: h["maximize"] != 0}
}

func (c *AdamConfig) update(p *tensor.Tensor, st *paramState) {
	adamUpdate(adamHyper{c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, c.AMSGrad, c.Maximize, false}, p, st)
}

func (c *AdamWConfig) algorithm() string { return "adamw" }
func (c *AdamWConfig) lr() *float64      { return &c.LR }
func (c *AdamWConfig) buffers() []string { return adamBuffers }

func (c *AdamWConfig) defaults() {
	adamDefaults(&c.LR, &c.Beta1, &c.Beta2, &c.Eps)
	switch {
	case c.NoWeightDecay:
		c.WeightDecay = 0
	case c.WeightDecay == 0:
		c.WeightDecay = 1e-2
	}
}

func (c *AdamWConfig) validate() error {
	return adamValidate(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay)
}

func (c *AdamWConfig) hyper() map[string]float64 {
	return map[string]float64{"lr": c.LR, "beta1": c.Beta1, "beta2": c.Beta2, "eps": c.Eps,
		"weight_decay": c.WeightDecay, "amsgrad": b2f(c.AMSGrad), "maximize": b2f(c.Maximize)}
}

func (c *AdamWConfig) setHyper(h map[string]float64) {
	*c = AdamWConfig{LR: h["lr"], Beta1: h["beta1"], Beta2: h["beta2"], Eps: h["eps"],
		WeightDecay: h["weight_decay"], NoWeightDecay: h["weight_decay"] == 0,
		AMSGrad: h["amsgrad"] != 0, Maximize: h["maximize"] != 0}
}

func (c *AdamWConfig) update(p *tensor.Tensor, st *paramState) {
	adamUpdate(adamHyper{c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, c.AMSGrad, c.Maximize, true}, p, st)
}

func adamDefaults(lr, beta1, beta2, eps *float64) {
	if *lr == 0 {
		*lr = 1e-3
	}
	if *beta1 == 0 {
		*beta1 = 0.9
	}
	if *beta2 == 0 {
		*beta2 = 0.999
	}
	if *eps == 0 {
		*eps = 1e-8
	}
}

func adamValidate(lr, beta1, beta2, eps, wd float64) error {
	return firstErr(checkNonNeg("lr", lr), checkBeta("beta1", beta1), checkBeta("beta2", beta2),
		checkNonNeg("eps", eps), checkNonNeg("weight_decay", wd))
}

func (c *AdamConfig) updateFill(p *tensor.Tensor, st *paramState, f GradFill) {
	adamFill(adamHyper{c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, c.AMSGrad, c.Maximize, false}, p, st, f)
}

func (c *AdamWConfig) updateFill(p *tensor.Tensor, st *paramState, f GradFill) {
	adamFill(adamHyper{c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, c.AMSGrad, c.Maximize, true}, p, st, f)
}

// adamFill is adamUpdate with p's gradient filled by f range by range,
// each range stepped right after it is filled (elements are independent:
// the bits are adamUpdate's).
func adamFill(h adamHyper, p *tensor.Tensor, st *paramState, f GradFill) {
	w, m, v, vmax, grad, kh := adamArgs(h, p, st)
	fillRanges(len(w), grad, f, func(lo, hi int, g []float32) {
		var vm []float32
		if vmax != nil {
			vm = vmax[lo:hi]
		}
		kernels.AdamStep(w[lo:hi], m[lo:hi], v[lo:hi], vm, g, kh)
	})
}

// adamArgs returns p's values, state buffers (vmax nil without AMSGrad)
// and gradient, and the step's kernel hyperparameters.
func adamArgs(h adamHyper, p *tensor.Tensor, st *paramState) (w, m, v, vmax, grad []float32, kh kernels.AdamHyper) {
	w, grad = p.Data, p.Grad[:len(p.Data)]
	n := len(w)
	m, _ = buffer(st, 3, 0, n)
	v, _ = buffer(st, 3, 1, n)
	m, v = m[:n], v[:n]
	if h.amsgrad {
		vmax, _ = buffer(st, 3, 2, n)
		vmax = vmax[:n]
	}
	kh = kernels.AdamHyper{LR: h.lr, Beta1: h.beta1, Beta2: h.beta2, Eps: h.eps, WeightDecay: h.wd,
		Decoupled: h.decoupled, Maximize: h.maximize, Step: int(st.step)}
	return w, m, v, vmax, grad, kh
}

// adamUpdate is one step of Adam or AdamW on p; st.step is already t.
func adamUpdate(h adamHyper, p *tensor.Tensor, st *paramState) {
	w, m, v, vmax, grad, kh := adamArgs(h, p, st)
	n := len(w)
	// Elements are independent: large parameters are split among goroutines
	// (each element's arithmetic is unchanged, so results do not depend on
	// the split); small ones run here without allocating.
	const grain = 1 << 15
	if n < 2*grain {
		kernels.AdamStep(w, m, v, vmax, grad, kh)
		return
	}
	kernels.Parallel(n, grain, func(lo, hi int) {
		var vm []float32
		if vmax != nil {
			vm = vmax[lo:hi]
		}
		kernels.AdamStep(w[lo:hi], m[lo:hi], v[lo:hi], vm, grad[lo:hi], kh)
	})
}
