// Package surrogate provides spike functions for gradient-based training of
// spiking networks: the forward pass is the Heaviside step S = H(x), a spike
// when x = U − θ > 0, and the backward pass replaces the step's zero-almost-
// everywhere derivative by a smooth surrogate dS/dx (Neftci, Mostafa and
// Zenke 2019).
//
// Each surrogate is a small value type whose zero value uses the documented
// defaults; New builds one by name with optional parameters, Describe lists
// the names with their parameters and defaults, and Spike applies one on a
// tensor tape.
//
// Names: braingo's own names ("atan", "triangle", ...), BrainPy's function
// names (brainpy.math.surrogate, now braintools.surrogate: "arctan",
// "soft_sign", "s2nn", ...) and snnTorch's ("spike_rate_escape", "sfs",
// ...) where they do not clash, and every reference function under a
// qualified name with that library's parameter names and defaults
// ("brainpy.sigmoid" is α = 4, "snntorch.sigmoid" is slope 25). Several
// names build the same type: BrainPy's inv_square_grad is FastSigmoid with
// slope 100.
//
// BrainPy defines each surrogate as the derivative of a smooth "primitive"
// g(x) (surrogate_fun), the function the spike would be if it were smooth;
// each type's doc gives both, and the tests check the derivative against
// the primitive by finite differences. The forward pass is braingo's and
// snnTorch's H(x) = 1 for x > 0; BrainPy spikes at x ≥ 0, which differs
// only when x is exactly 0.
package surrogate

import (
	"math"

	"github.com/braingo/braingo/tensor"
)

// Func is a surrogate derivative of the Heaviside spike function.
type Func interface {
	// Name is the registry name of the formula, e.g. "atan". Aliases
	// with other defaults (e.g. "brainpy.arctan", "inv_square_grad") build
	// the same types with their parameters set explicitly.
	Name() string
	// Grad returns dS/dx at x = U − θ.
	Grad(x float32) float32
}

// SliceGrader is an optional fast path: dst[i] = g[i]·Grad(x[i]) for all i.
type SliceGrader interface {
	GradSlice(dst, g, x []float32)
}

// Heaviside returns 1 if x > 0 and 0 otherwise (no spike at exactly 0).
func Heaviside(x float32) float32 {
	if x > 0 {
		return 1
	}
	return 0
}

// Spike returns S = H(x) elementwise on tp; the backward pass multiplies the
// upstream gradient by fn.Grad(x). It keeps only x for the backward pass.
func Spike(tp *tensor.Tape, x *tensor.Tensor, fn Func) *tensor.Tensor {
	out := tp.NewResult(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = Heaviside(v)
	}
	if out.RequiresGrad() {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			gx := tp.GradOf(x)
			tmp := tp.Alloc(len(gx))
			GradSlice(fn, tmp, out.Grad, x.Data)
			for i, v := range tmp {
				gx[i] += v
			}
		})
	}
	return out
}

// GradSlice sets dst[i] = g[i]·fn.Grad(x[i]), through fn's fast path when
// it has one.
func GradSlice(fn Func, dst, g, x []float32) {
	if len(dst) != len(g) || len(g) != len(x) {
		panic("surrogate: GradSlice length mismatch")
	}
	if sg, ok := fn.(SliceGrader); ok {
		sg.GradSlice(dst, g, x)
		return
	}
	for i, v := range x {
		dst[i] = g[i] * fn.Grad(v)
	}
}

// ATan is snnTorch's arctangent surrogate (snntorch.surrogate.atan; Fang et
// al. 2021): dS/dx = (α/2) / (1 + (π/2·α·x)²), the derivative of
// arctan(π/2·α·x)/π + 1/2. Alpha defaults to 2 (snnTorch's default; "atan",
// "snntorch.atan"); BrainPy's arctan is the same formula with α = 1
// ("arctan", "brainpy.arctan").
type ATan struct{ Alpha float32 }

func (ATan) Name() string { return "atan" }
func (s ATan) Grad(x float32) float32 {
	a := def(s.Alpha, 2)
	u := math.Pi / 2 * a * x
	return a / 2 / (1 + u*u)
}
func (s ATan) GradSlice(dst, g, x []float32) {
	a := def(s.Alpha, 2)
	c, h := float32(math.Pi/2)*a, a/2
	for i, v := range x {
		u := c * v
		dst[i] = g[i] * h / (1 + u*u)
	}
}

// FastSigmoid is SuperSpike's surrogate (Zenke and Ganguli 2018;
// snntorch.surrogate.fast_sigmoid): dS/dx = 1 / (1 + k·|x|)², the
// derivative of x / (1 + k·|x|). Slope k defaults to 25 (snnTorch's
// default; "fast_sigmoid", "snntorch.fast_sigmoid"); BrainPy's
// inv_square_grad is the same formula with k = α = 100 ("inv_square_grad",
// "brainpy.inv_square_grad").
type FastSigmoid struct{ Slope float32 }

func (FastSigmoid) Name() string { return "fast_sigmoid" }
func (s FastSigmoid) Grad(x float32) float32 {
	d := 1 + def(s.Slope, 25)*abs(x)
	return 1 / (d * d)
}
func (s FastSigmoid) GradSlice(dst, g, x []float32) {
	k := def(s.Slope, 25)
	for i, v := range x {
		d := 1 + k*abs(v)
		dst[i] = g[i] / (d * d)
	}
}

// Sigmoid is the logistic surrogate (snntorch.surrogate.sigmoid; BrainPy's
// sigmoid): dS/dx = k·σ(kx)·(1 − σ(kx)), the derivative of σ(kx) =
// 1/(1 + exp(−kx)). Slope k defaults to 25 (snnTorch's default; "sigmoid",
// "snntorch.sigmoid"); BrainPy's default is k = α = 4 ("brainpy.sigmoid").
type Sigmoid struct{ Slope float32 }

func (Sigmoid) Name() string { return "sigmoid" }
func (s Sigmoid) Grad(x float32) float32 {
	k := def(s.Slope, 25)
	e := math.Exp(-math.Abs(float64(k * x)))
	sg := e / ((1 + e) * (1 + e)) // σ(kx)(1−σ(kx)), symmetric in x
	return k * float32(sg)
}

// Triangle is the BrainPy paper's ReluGrad / triangle surrogate (Bellec et
// al. 2018's pseudo-derivative): dS/dx = max(0, α·(w − |x|)), the
// derivative of α·(w·x − x|x|/2) clipped to |x| ≤ w. Alpha defaults to 0.3
// and Width w to 1, BrainPy's relu_grad defaults ("triangle", "relu_grad",
// "brainpy.relu_grad"). snnTorch's triangular is a different function: see
// SignFlip.
type Triangle struct{ Alpha, Width float32 }

func (Triangle) Name() string { return "triangle" }
func (s Triangle) Grad(x float32) float32 {
	return max(0, def(s.Alpha, 0.3)*(def(s.Width, 1)-abs(x)))
}

// Gaussian is the Gaussian surrogate (Yin et al. 2021; BrainPy's
// GaussianGrad): dS/dx = α·exp(−x²/(2σ²)) / (√(2π)·σ), α times the normal
// density; its primitive is α·Φ(x/σ), Φ the standard normal CDF. Sigma σ
// defaults to 0.5 and Alpha α to 1 ("gaussian"); BrainPy's gaussian_grad
// uses α = 0.5. BrainPy 2.x's code wrote exp(−x²/2·σ²), a precedence slip
// that braintools (BrainPy's current backend) has fixed; braingo follows the
// fixed formula.
type Gaussian struct{ Sigma, Alpha float32 }

func (Gaussian) Name() string { return "gaussian" }
func (s Gaussian) Grad(x float32) float32 {
	return def(s.Alpha, 1) * gauss(x, 0, def(s.Sigma, 0.5))
}

// MultiGaussian is the multi-Gaussian surrogate of Yin, Corradi and Bohté
// (2021, Nature Machine Intelligence; their code's mu = ±lens; BrainPy's
// MultiGaussianGrad):
// dS/dx = γ·[(1+h)·N(x; 0, σ²) − h·N(x; σ, (sσ)²) − h·N(x; −σ, (sσ)²)],
// N a normal density; the side lobes are centred at ±σ with standard
// deviation s·σ. Defaults: Height h 0.15, Scale s 6, Sigma σ 0.5, Gain γ 1
// ("multi_gaussian"); BrainPy's multi_gaussian_grad and Yin et al. use
// γ = 0.5 (BrainPy's parameter "scale", Yin's "gamma"). Before 2026-12 braingo
// centred the side lobes at ±s, which no reference does.
type MultiGaussian struct{ Height, Scale, Sigma, Gain float32 }

func (MultiGaussian) Name() string { return "multi_gaussian" }
func (s MultiGaussian) Grad(x float32) float32 {
	h, sc, sg := def(s.Height, 0.15), def(s.Scale, 6), def(s.Sigma, 0.5)
	return def(s.Gain, 1) * ((1+h)*gauss(x, 0, sg) - h*gauss(x, sg, sc*sg) - h*gauss(x, -sg, sc*sg))
}

// PiecewiseQuadratic is the piecewise quadratic surrogate (Esser et al.
// 2016; Wu et al. 2018; BrainPy's piecewise_quadratic): dS/dx = −α²|x| + α
// for |x| ≤ 1/α and 0 beyond, the derivative of −α²·x|x|/2 + α·x + 1/2
// clipped to [0, 1]. Alpha defaults to 1 ("piecewise_quadratic",
// "brainpy.piecewise_quadratic"). BrainPy 2.x's code computed α − (αx)²,
// which is not the derivative of its own primitive; braintools (BrainPy's
// current backend) computes α − α²|x|, as braingo does.
type PiecewiseQuadratic struct{ Alpha float32 }

func (PiecewiseQuadratic) Name() string { return "piecewise_quadratic" }
func (s PiecewiseQuadratic) Grad(x float32) float32 {
	a := def(s.Alpha, 1)
	if abs(x) > 1/a {
		return 0
	}
	return a - a*a*abs(x)
}

// StraightThrough is the straight-through estimator (Bengio, Léonard and
// Courville 2013; snntorch.surrogate.straight_through_estimator):
// dS/dx = 1, the derivative of x ("straight_through",
// "snntorch.straight_through_estimator").
type StraightThrough struct{}

func (StraightThrough) Name() string         { return "straight_through" }
func (StraightThrough) Grad(float32) float32 { return 1 }

// Exponential is SLAYER's spike-escape-rate surrogate (Shrestha and Orchard
// 2018): dS/dx = α·exp(−β·|x|), the derivative of (α/β)·e^{βx}/2 for x < 0
// and (α/β)·(1 − e^{−βx}/2) for x ≥ 0; SLAYER's scaleRho and tauRho map to
// α = scaleRho/tauRho and β = 1/(tauRho·θ). Alpha and Beta default to 1
// ("exponential"). BrainPy's slayer_grad(alpha) is α = 1, β = alpha
// ("slayer_grad", "brainpy.slayer_grad"); its piecewise_exp(alpha) is
// α = alpha/2, β = alpha ("piecewise_exp", "brainpy.piecewise_exp").
type Exponential struct{ Alpha, Beta float32 }

func (Exponential) Name() string { return "exponential" }
func (s Exponential) Grad(x float32) float32 {
	return def(s.Alpha, 1) * float32(math.Exp(-float64(def(s.Beta, 1)*abs(x))))
}

func def(v, d float32) float32 {
	if v == 0 {
		return d
	}
	return v
}

func abs(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func gauss(x, mu, sigma float32) float32 {
	d := float64(x-mu) / float64(sigma)
	return float32(math.Exp(-d*d/2) / (math.Sqrt(2*math.Pi) * float64(sigma)))
}
