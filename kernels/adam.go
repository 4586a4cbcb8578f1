package kernels

import "math"

// AdamHyper is the hyperparameters and step number of one AdamStep, as
// PyTorch's torch.optim.Adam and AdamW hold them (in float64; AdamStep
// rounds the per-step coefficients to float32 as PyTorch does when it
// applies them to float32 tensors).
type AdamHyper struct {
	// LR is the learning rate γ.
	LR float64
	// Beta1 and Beta2 are the decay rates of the moment averages.
	Beta1, Beta2 float64
	// Eps is ε, added to the denominator.
	Eps float64
	// WeightDecay is λ: an L2 term added to the gradient, or with
	// Decoupled AdamW's shrinking of the parameter.
	WeightDecay float64
	// Decoupled selects AdamW's decoupled weight decay.
	Decoupled bool
	// Maximize ascends instead of descending.
	Maximize bool
	// Step is the step number t ≥ 1 (after counting this step).
	Step int
}

// adamCoef is the float32 coefficients of one step, computed in float64 and
// rounded as PyTorch's Python code and its scalar arguments are.
type adamCoef struct {
	sign    uint32  // 0x80000000 to negate the gradient (Maximize), else 0
	l2      bool    // add wd·w to the gradient
	wd      float32 // λ of the L2 term
	decay   float32 // 1 − γλ (AdamW), else 1
	c1      float32 // lerp weight 1 − β₁
	lerpG   bool    // the weight is ≥ 0.5: lerp from g (see AdamStep)
	beta2   float32 // β₂
	c2      float32 // 1 − β₂
	bc2Sqrt float32 // √(1 − β₂ᵗ)
	eps     float32 // ε
	negStep float32 // −γ/(1 − β₁ᵗ)
}

// AdamCoef is a step's float32 coefficients as AdamStep computes them
// from AdamHyper (see adamCoef's fields), for other engines running the same
// step (package gpu's kernel): Sign, L2, WD, Decay, C1, LerpG, Beta2, C2,
// BC2Sqrt, Eps, NegStep.
type AdamCoef struct {
	Sign                 uint32
	L2, LerpG            bool
	WD, Decay, C1, Beta2 float32
	C2, BC2Sqrt, Eps     float32
	NegStep              float32
}

// Coef returns the step's coefficients.
func (h *AdamHyper) Coef() AdamCoef {
	c := h.coef()
	return AdamCoef{Sign: c.sign, L2: c.l2, LerpG: c.lerpG, WD: c.wd, Decay: c.decay, C1: c.c1, Beta2: c.beta2,
		C2: c.c2, BC2Sqrt: c.bc2Sqrt, Eps: c.eps, NegStep: c.negStep}
}

func (h *AdamHyper) coef() adamCoef {
	t := float64(h.Step)
	c := adamCoef{
		decay:   1,
		c1:      float32(1 - h.Beta1),
		beta2:   float32(h.Beta2),
		c2:      float32(1 - h.Beta2),
		bc2Sqrt: float32(math.Sqrt(1 - math.Pow(h.Beta2, t))),
		eps:     float32(h.Eps),
		negStep: float32(-(h.LR / (1 - math.Pow(h.Beta1, t)))),
	}
	c.lerpG = !(math.Abs(float64(c.c1)) < 0.5)
	if h.Maximize {
		c.sign = 1 << 31
	}
	if h.WeightDecay != 0 {
		if h.Decoupled {
			c.decay = float32(1 - h.LR*h.WeightDecay)
		} else {
			c.l2, c.wd = true, float32(h.WeightDecay)
		}
	}
	return c
}

// AdamStep does one step of Adam (or AdamW, with h.Decoupled) on the
// parameters w with gradient g, updating w, the first moment m and the
// second moment v in place, as PyTorch's torch.optim.Adam/AdamW does on
// float32 tensors (the single-tensor implementation): in float32, in
// PyTorch's order of operations. vmax, the running maximum of v, is nil
// except for AMSGrad. All slices need len(w) elements.
//
// The coefficients are computed in float64 from h and rounded to float32,
// as PyTorch does with its Python-float scalars:
//
//	t := float64(h.Step)
//	c1, beta2, c2 := float32(1-h.Beta1), float32(h.Beta2), float32(1-h.Beta2)
//	bc2Sqrt := float32(math.Sqrt(1 - math.Pow(h.Beta2, t)))
//	eps, negStep := float32(h.Eps), float32(-(h.LR / (1 - math.Pow(h.Beta1, t))))
//	wd, decay := float32(h.WeightDecay), float32(1-h.LR*h.WeightDecay)
//
// Reference loop (each operation rounded to float32; no fused multiply-add):
//
//	for i := range w {
//		gi, wi := g[i], w[i]
//		if h.Maximize {
//			gi = -gi
//		}
//		if h.WeightDecay != 0 && !h.Decoupled {
//			gi += wd * wi // grad.add(param, alpha=wd)
//		}
//		if h.WeightDecay != 0 && h.Decoupled {
//			wi *= decay // param.mul_(1 - lr*wd)
//		}
//		if c1 < 0.5 { // exp_avg.lerp_(grad, 1 - beta1)
//			m[i] += c1 * (gi - m[i])
//		} else {
//			m[i] = gi + (c1-1)*(gi-m[i])
//		}
//		v[i] = v[i]*beta2 + c2*gi*gi // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
//		vi := v[i]
//		if vmax != nil { // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
//			vmax[i] = max(vmax[i], vi)
//			vi = vmax[i]
//		}
//		denom := float32(math.Sqrt(float64(vi)))/bc2Sqrt + eps // (v.sqrt() / bc2Sqrt).add_(eps)
//		w[i] = wi + negStep*m[i]/denom // param.addcdiv_(exp_avg, denom, value=-step_size)
//	}
//
// PyTorch's vectorized CPU kernels fuse two of these multiply-adds (lerp's
// and the L2 term's) into FMA instructions, which its scalar tail loops do
// not, so PyTorch's own float32 results differ from this loop, and between
// elements of one tensor, by rounding in the last place of m (and of g with
// an L2 term). Without AMSGrad the AVX-512 path is bit-identical to the
// loop above; with it AdamStep runs the loop.
func AdamStep(w, m, v, vmax, g []float32, h AdamHyper) {
	n := len(w)
	if len(m) != n || len(v) != n || len(g) != n || (vmax != nil && len(vmax) != n) {
		panic("kernels: AdamStep: length mismatch")
	}
	if n == 0 {
		return
	}
	c := h.coef()
	if vecAVX512 && vmax == nil {
		a := adamArgs{w: &w[0], m: &m[0], v: &v[0], g: &g[0], n: n,
			sign: c.sign, wd: c.wd, decay: c.decay, c1: c.c1, beta2: c.beta2,
			c2: c.c2, bc2Sqrt: c.bc2Sqrt, eps: c.eps, negStep: c.negStep}
		if c.l2 {
			a.l2 = 1
		}
		if c.lerpG {
			a.lerpG = 0xffff
		}
		adamAVX512(&a)
		return
	}
	adamGo(w, m, v, vmax, g, &c)
}

// adamArgs is the argument block of adamAVX512 (field offsets are used by
// the assembly: keep the order).
type adamArgs struct {
	w, m, v, g *float32 // 0, 8, 16, 24
	n          int      // 32
	sign       uint32   // 40
	l2         uint32   // 44: 1 to add the L2 term
	lerpG      uint32   // 48: 0xffff to lerp from g (a lane mask)
	wd         float32  // 52
	decay      float32  // 56
	c1         float32  // 60
	beta2      float32  // 64
	c2         float32  // 68
	bc2Sqrt    float32  // 72
	eps        float32  // 76
	negStep    float32  // 80
}

func adamGo(w, m, v, vmax, g []float32, c *adamCoef) {
	n := len(w)
	m, v, g = m[:n], v[:n], g[:n]
	if vmax != nil {
		vmax = vmax[:n]
	}
	// lerp(m, g, c1) = base + coeff·(g − m).
	coeff := c.c1
	if c.lerpG {
		coeff = c.c1 - 1
	}
	for i, gi := range g {
		gi = math.Float32frombits(math.Float32bits(gi) ^ c.sign)
		wi := w[i]
		// The conversions keep products from being fused into the adds.
		if c.l2 {
			gi += float32(c.wd * wi)
		}
		wi *= c.decay
		mi := m[i]
		base := mi
		if c.lerpG {
			base = gi
		}
		mi = base + float32(coeff*(gi-mi))
		vi := float32(v[i]*c.beta2) + float32(c.c2*gi*gi)
		m[i], v[i] = mi, vi
		if vmax != nil {
			// Gradients are finite (optim checks them), so no NaN here.
			vi = max(vmax[i], vi)
			vmax[i] = vi
		}
		denom := float32(math.Sqrt(float64(vi)))/c.bc2Sqrt + c.eps
		w[i] = wi + c.negStep*mi/denom
	}
}
