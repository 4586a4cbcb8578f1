// Package surrogate provides spike functions for gradient-based training of
// spiking networks: the forward pass is the Heaviside step S = H(x), a spike
// when x = U − θ > 0, and the backward pass replaces the step's zero-almost-
// everywhere derivative by a smooth surrogate dS/dx (Neftci, Mostafa and
// Zenke 2019).
//
// Each surrogate is a small value type whose zero value uses the documented
// defaults; New builds one by name with optional parameters, and Spike applies
// one on a tensor tape.
package surrogate

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/braingo/braingo/tensor"
)

// Func is a surrogate derivative of the Heaviside spike function.
type Func interface {
	// Name is the registry name, e.g. "atan".
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
// al. 2021): dS/dx = (α/2) / (1 + (π/2·α·x)²). Alpha defaults to 2.
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
// snntorch.surrogate.fast_sigmoid): dS/dx = 1 / (1 + k·|x|)². Slope k
// defaults to 25.
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

// Sigmoid is the logistic surrogate (snntorch.surrogate.sigmoid):
// dS/dx = k·σ(kx)·(1 − σ(kx)). Slope k defaults to 25.
type Sigmoid struct{ Slope float32 }

func (Sigmoid) Name() string { return "sigmoid" }
func (s Sigmoid) Grad(x float32) float32 {
	k := def(s.Slope, 25)
	e := math.Exp(-math.Abs(float64(k * x)))
	sg := e / ((1 + e) * (1 + e)) // σ(kx)(1−σ(kx)), symmetric in x
	return k * float32(sg)
}

// Triangle is the BrainPy paper's ReluGrad / triangle surrogate (Bellec et
// al. 2018's pseudo-derivative): dS/dx = max(0, α·(w − |x|)). Alpha defaults
// to 0.3 and Width w to 1.
type Triangle struct{ Alpha, Width float32 }

func (Triangle) Name() string { return "triangle" }
func (s Triangle) Grad(x float32) float32 {
	return max(0, def(s.Alpha, 0.3)*(def(s.Width, 1)-abs(x)))
}

// Gaussian is the Gaussian surrogate (BrainPy's GaussianGrad; Yin et al.
// 2021): dS/dx = exp(−x²/(2σ²)) / (√(2π)·σ). Sigma defaults to 0.5.
type Gaussian struct{ Sigma float32 }

func (Gaussian) Name() string             { return "gaussian" }
func (s Gaussian) Grad(x float32) float32 { return gauss(x, 0, def(s.Sigma, 0.5)) }

// MultiGaussian is the multi-Gaussian surrogate of Yin, Corradi and Bohté
// (2021, Nature Machine Intelligence; BrainPy's MultiGaussianGrad):
// dS/dx = (1+h)·G(x; 0, σ) − h·G(x; s, s·σ) − h·G(x; −s, s·σ), G a normal
// density. Defaults: Height h 0.15, Scale s 6, Sigma σ 0.5.
type MultiGaussian struct{ Height, Scale, Sigma float32 }

func (MultiGaussian) Name() string { return "multi_gaussian" }
func (s MultiGaussian) Grad(x float32) float32 {
	h, sc, sg := def(s.Height, 0.15), def(s.Scale, 6), def(s.Sigma, 0.5)
	return (1+h)*gauss(x, 0, sg) - h*gauss(x, sc, sc*sg) - h*gauss(x, -sc, sc*sg)
}

// PiecewiseQuadratic is the piecewise quadratic surrogate (Esser et al.
// 2016; Wu et al. 2018; BrainPy's PiecewiseQuadratic): dS/dx = −α²|x| + α
// for |x| ≤ 1/α and 0 beyond. Alpha defaults to 1.
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
// dS/dx = 1.
type StraightThrough struct{}

func (StraightThrough) Name() string         { return "straight_through" }
func (StraightThrough) Grad(float32) float32 { return 1 }

// Exponential is SLAYER's spike-escape-rate surrogate (Shrestha and Orchard
// 2018): dS/dx = α·exp(−β·|x|); SLAYER's scaleRho and tauRho map to
// α = scaleRho/tauRho and β = 1/(tauRho·θ). Alpha and Beta default to 1.
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

// Ctor builds a surrogate from named parameters; unknown keys are errors.
type Ctor func(params map[string]float64) (Func, error)

var (
	regMu    sync.RWMutex
	registry = map[string]Ctor{}
)

// Register makes a surrogate constructor available by name to New. It
// panics if the name is taken (database/sql.Register's contract).
func Register(name string, ctor Ctor) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("surrogate: Register called twice for " + name)
	}
	registry[name] = ctor
}

// Names lists the registered surrogates in sorted order.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the surrogate registered under name, configured by params
// (nil for the defaults). An unknown name or parameter is an error listing
// the valid choices.
func New(name string, params map[string]float64) (Func, error) {
	regMu.RLock()
	ctor, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("surrogate: unknown surrogate %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	return ctor(params)
}

// paramCtor builds a Ctor from a list of parameter names and a function
// taking their values in that order (0 for absent: the type's default).
func paramCtor(name string, keys []string, mk func(v []float32) Func) Ctor {
	return func(params map[string]float64) (Func, error) {
		v := make([]float32, len(keys))
	next:
		for k, x := range params {
			for i, key := range keys {
				if k == key {
					if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
						return nil, fmt.Errorf("surrogate %s: parameter %s must be a positive finite number, got %v", name, k, x)
					}
					v[i] = float32(x)
					continue next
				}
			}
			valid := "none"
			if len(keys) > 0 {
				valid = strings.Join(keys, ", ")
			}
			return nil, fmt.Errorf("surrogate %s: unknown parameter %q (valid: %s)", name, k, valid)
		}
		return mk(v), nil
	}
}

func init() {
	Register("atan", paramCtor("atan", []string{"alpha"}, func(v []float32) Func { return ATan{v[0]} }))
	Register("fast_sigmoid", paramCtor("fast_sigmoid", []string{"slope"}, func(v []float32) Func { return FastSigmoid{v[0]} }))
	Register("sigmoid", paramCtor("sigmoid", []string{"slope"}, func(v []float32) Func { return Sigmoid{v[0]} }))
	Register("triangle", paramCtor("triangle", []string{"alpha", "width"}, func(v []float32) Func { return Triangle{v[0], v[1]} }))
	Register("gaussian", paramCtor("gaussian", []string{"sigma"}, func(v []float32) Func { return Gaussian{v[0]} }))
	Register("multi_gaussian", paramCtor("multi_gaussian", []string{"height", "scale", "sigma"}, func(v []float32) Func { return MultiGaussian{v[0], v[1], v[2]} }))
	Register("piecewise_quadratic", paramCtor("piecewise_quadratic", []string{"alpha"}, func(v []float32) Func { return PiecewiseQuadratic{v[0]} }))
	Register("straight_through", paramCtor("straight_through", nil, func(v []float32) Func { return StraightThrough{} }))
	Register("exponential", paramCtor("exponential", []string{"alpha", "beta"}, func(v []float32) Func { return Exponential{v[0], v[1]} }))
}
