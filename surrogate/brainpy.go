package surrogate

import "math"

// The surrogates of BrainPy (brainpy.math.surrogate, in BrainPy's current
// code an alias of braintools.surrogate, whose formulas these follow:
// braintools/surrogate/_impl.py at commit 57d33c23) that braingo's original
// types do not already cover. Where BrainPy 2.x's own
// brainpy/_src/math/surrogate/_one_input_new.py differs, the doc says so.
// Each doc gives the backward formula g'(x) and BrainPy's primitive g(x)
// (surrogate_fun).

// SoftSign is BrainPy's soft_sign: g'(x) = α / (2·(1 + |αx|)²), the
// derivative of g(x) = (αx/(1 + |αx|) + 1)/2. Alpha defaults to 1.
type SoftSign struct{ Alpha float32 }

func (SoftSign) Name() string { return "soft_sign" }
func (s SoftSign) Grad(x float32) float32 {
	a := def(s.Alpha, 1)
	d := 1 + abs(a*x)
	return a / 2 / (d * d)
}

// NonzeroSignLog is BrainPy's nonzero_sign_log: g'(x) = 1 / (1/α + |x|),
// the derivative of g(x) = sgn(x)·log(|αx| + 1) with sgn(0) = 1. Alpha
// defaults to 1.
type NonzeroSignLog struct{ Alpha float32 }

func (NonzeroSignLog) Name() string { return "nonzero_sign_log" }
func (s NonzeroSignLog) Grad(x float32) float32 {
	return 1 / (1/def(s.Alpha, 1) + abs(x))
}

// Erf is BrainPy's erf surrogate (Esser et al. 2015; Wu et al. 2018):
// g'(x) = (α/√π)·exp(−α²x²), the derivative of g(x) = erfc(−αx)/2. Alpha
// defaults to 1.
type Erf struct{ Alpha float32 }

func (Erf) Name() string { return "erf" }
func (s Erf) Grad(x float32) float32 {
	a := float64(def(s.Alpha, 1))
	u := a * float64(x)
	return float32(a / math.Sqrt(math.Pi) * math.Exp(-u*u))
}

// PiecewiseLeakyReLU is BrainPy's piecewise_leaky_relu (Yin et al. 2017;
// Wu et al. 2018): g'(x) = 1/(2w) for
// |x| ≤ w and c beyond, the derivative of g(x) = c·x + c·w for x < −w,
// x/(2w) + 1/2 for |x| ≤ w, c·x − c·w + 1 for x > w. Defaults: C 0.01,
// W 1 (a zero field selects its default; the registry accepts only
// positive values). BrainPy 2.x's code returned 1/w inside, twice the slope of its own
// primitive; braintools returns 1/(2w), as braingo does.
type PiecewiseLeakyReLU struct{ C, W float32 }

func (PiecewiseLeakyReLU) Name() string { return "piecewise_leaky_relu" }
func (s PiecewiseLeakyReLU) Grad(x float32) float32 {
	w := def(s.W, 1)
	if abs(x) > w {
		return def(s.C, 0.01)
	}
	return 1 / (2 * w)
}

// SquarewaveFourier is BrainPy's squarewave_fourier_series: with
// ω = 2π/T, g'(x) = (4/T)·Σ_{i=1..n} cos((2i−1)ωx), the derivative of the
// n-term Fourier series of a square wave g(x) = 1/2 + (2/π)·Σ_{i=1..n}
// sin((2i−1)ωx)/(2i−1). Defaults: N 2, Period T 8. BrainPy 2.x summed only
// n−1 terms (range(2, n)); braintools sums n, as braingo does.
type SquarewaveFourier struct {
	N      int
	Period float32
}

func (SquarewaveFourier) Name() string { return "squarewave_fourier_series" }
func (s SquarewaveFourier) Grad(x float32) float32 {
	n, t := s.N, float64(def(s.Period, 8))
	if n <= 0 {
		n = 2
	}
	w := 2 * math.Pi / t
	var sum float64
	for i := 1; i <= n; i++ {
		sum += math.Cos(float64(2*i-1) * w * float64(x))
	}
	return float32(4 / t * sum)
}

// S2NN is BrainPy's s2nn surrogate (Suetake et al. 2022, S2NN):
// g'(x) = α·σ(αx)·(1 − σ(αx)) for x < 0 and β/(x + 1) for x ≥ 0, the
// derivative of g(x) = σ(αx) for x < 0 and β·log(|x + 1| + ε) + 1/2 for
// x ≥ 0 (ε = 1e-8 guards the logarithm and does not enter g'). Defaults:
// Alpha 4, Beta 1.
type S2NN struct{ Alpha, Beta float32 }

func (S2NN) Name() string { return "s2nn" }
func (s S2NN) Grad(x float32) float32 {
	if x < 0 {
		return Sigmoid{Slope: def(s.Alpha, 4)}.Grad(x)
	}
	return def(s.Beta, 1) / (x + 1)
}

// QPseudoSpike is BrainPy's q_pseudo_spike (Herranz-Celotti and Rouat
// 2022): g'(x) = (1 + 2|x|/(α + 1))^(−α), the derivative of
// g(x) = 1/2 + sgn(x)·(α+1)/(2(1−α))·((1 + 2|x|/(α+1))^(1−α) − 1)
// (braintools' primitive; (α+1)/2·log(1 + 2|x|/(α+1)) at α = 1). Alpha,
// the tail fatness, defaults to 2.
type QPseudoSpike struct{ Alpha float32 }

func (QPseudoSpike) Name() string { return "q_pseudo_spike" }
func (s QPseudoSpike) Grad(x float32) float32 {
	a := float64(def(s.Alpha, 2))
	return float32(math.Pow(1+2/(a+1)*float64(abs(x)), -a))
}

// LeakyReLU is BrainPy's leaky_relu: g'(x) = α for x < 0 and β for x ≥ 0,
// the derivative of g(x) = αx for x < 0 and βx for x ≥ 0. Defaults: Alpha
// 0.1, Beta 1 (a zero field selects its default; for α = 0 use
// LogTailedReLU or HeavisideGrad).
type LeakyReLU struct{ Alpha, Beta float32 }

func (LeakyReLU) Name() string { return "leaky_relu" }
func (s LeakyReLU) Grad(x float32) float32 {
	if x < 0 {
		return def(s.Alpha, 0.1)
	}
	return def(s.Beta, 1)
}

// LogTailedReLU is BrainPy's log_tailed_relu (Cai et al. 2017): g'(x) = α
// for x ≤ 0, 1 for 0 < x ≤ 1 and 1/x for x > 1, the derivative of
// g(x) = αx, x, 1 + log(x) on those intervals (braintools' continuous
// primitive; BrainPy 2.x used log(x) for x > 1). Alpha defaults to 0.
type LogTailedReLU struct{ Alpha float32 }

func (LogTailedReLU) Name() string { return "log_tailed_relu" }
func (s LogTailedReLU) Grad(x float32) float32 {
	switch {
	case x > 1:
		return 1 / x
	case x > 0:
		return 1
	}
	return s.Alpha
}
