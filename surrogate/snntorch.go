package surrogate

import "math"

// The surrogates of snnTorch (snntorch/surrogate.py, 0.9.4) that braingo's
// original types do not already cover. snnTorch's forward is H(x) = 1 for
// x > 0, as braingo's.

// SpikeRateEscape is snnTorch's spike_rate_escape (Gerstner and Kistler
// 2002's escape rate): dS/dx = k·exp(−β·|x − 1|), centred at x = 1, not at
// the threshold, as snnTorch's code computes; the derivative of
// (k/β)·e^{β(x−1)} for x < 1 and (k/β)·(2 − e^{−β(x−1)}) for x ≥ 1. Beta
// defaults to 1 and Slope k to 25.
type SpikeRateEscape struct{ Beta, Slope float32 }

func (SpikeRateEscape) Name() string { return "spike_rate_escape" }
func (s SpikeRateEscape) Grad(x float32) float32 {
	return def(s.Slope, 25) * float32(math.Exp(-float64(def(s.Beta, 1)*abs(x-1))))
}

// SignFlip is snnTorch's triangular surrogate as its code computes it:
// dS/dx = θ for x < 0 and −θ for x ≥ 0, the derivative of the tent −θ·|x|
// (not a triangle-shaped derivative; for that see Triangle). Threshold θ
// defaults to 1 ("snntorch.triangular").
type SignFlip struct{ Threshold float32 }

func (SignFlip) Name() string { return "snntorch.triangular" }
func (s SignFlip) Grad(x float32) float32 {
	th := def(s.Threshold, 1)
	if x >= 0 {
		return -th
	}
	return th
}

// HeavisideGrad is snnTorch's heaviside surrogate: the backward pass is the
// forward spike itself, dS/dx = H(x) (1 for x > 0, else 0), the derivative
// of max(0, x). No parameters.
type HeavisideGrad struct{}

func (HeavisideGrad) Name() string { return "heaviside" }
func (HeavisideGrad) Grad(x float32) float32 {
	return Heaviside(x)
}

// SparseFastSigmoid is snnTorch's SFS (Perez-Nieves and Goodman 2021,
// sparse spiking gradient descent): dS/dx = 1/(1 + k|x|)² for x > B and 0
// otherwise, as snnTorch's code computes (the gradient is cut below
// x = B, not outside |x| < B); the derivative of f(x) − f(B) for x > B and
// 0 otherwise, f(x) = x/(1 + k|x|). Slope k defaults to 25 and B to 1.
type SparseFastSigmoid struct {
	Slope float32
	// B is the cut; 0 selects the default 1 (set B to a tiny value for a
	// cut at 0).
	B float32
}

func (SparseFastSigmoid) Name() string { return "sfs" }
func (s SparseFastSigmoid) Grad(x float32) float32 {
	if x <= def(s.B, 1) {
		return 0
	}
	return FastSigmoid{s.Slope}.Grad(x)
}

// LeakySpikeOperator is snnTorch's LeakySpikeOperator (LSO): dS/dx = 1 for
// x > 0 and k otherwise, the derivative of x for x > 0 and kx otherwise: a
// leaky ReLU at the threshold whose kink belongs to the leaky side (BrainPy's
// leaky_relu takes β at x = 0). Slope k defaults to 0.1. snnTorch 0.9's LSO()
// wrapper calls StochasticSpikeOperator with one argument too few and fails;
// this is the LeakySpikeOperator class it was meant to apply.
type LeakySpikeOperator struct{ Slope float32 }

func (LeakySpikeOperator) Name() string { return "lso" }
func (s LeakySpikeOperator) Grad(x float32) float32 {
	if x > 0 {
		return 1
	}
	return def(s.Slope, 0.1)
}

// StochasticSpikeOperator is snnTorch's SSO: dS/dx = 1 for x > 0 and
// (u − 1/2 + μ)·σ² otherwise, u uniform on [0, 1). Mean μ defaults to 0
// and Variance σ² to 0.2, so a silent unit's gradient is uniform on
// [−0.1, 0.1). There is no smooth primitive.
//
// snnTorch draws u independently for every element and call from torch's
// global generator. Here u is a counter-based hash of (Seed, the bits of x):
// the same seed and inputs give the same gradients on any number of threads,
// but two elements with bit-identical x in one call share u.
type StochasticSpikeOperator struct {
	Mean float32
	// Variance is σ²; 0 selects the default 0.2.
	Variance float32
	Seed     uint64
}

func (StochasticSpikeOperator) Name() string { return "sso" }
func (s StochasticSpikeOperator) Grad(x float32) float32 {
	if x > 0 {
		return 1
	}
	return (s.uniform(x) - 0.5 + s.Mean) * def(s.Variance, 0.2)
}

// uniform maps (Seed, x) to [0, 1) with SplitMix64's finalizer.
func (s StochasticSpikeOperator) uniform(x float32) float32 {
	z := s.Seed*0x9e3779b97f4a7c15 + uint64(math.Float32bits(x)) + 0x632be59bd9b4e019
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float32(z>>40) / (1 << 24)
}
