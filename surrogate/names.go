package surrogate

// The registry: braingo's names, BrainPy's and snnTorch's unqualified names
// where they do not clash, and every reference function under a qualified
// name ("brainpy.x", "snntorch.x") with that library's parameter names and
// defaults.

func pos(name string, def float64, doc string) Param {
	return Param{Name: name, Default: def, Domain: Positive, Doc: doc}
}

func f32(v float64) float32 { return float32(v) }

func init() {
	// braingo's names (the keys recipes use; unchanged parameters).
	Define(Info{Name: "atan", Doc: "α/2 / (1 + (π/2·α·x)²) (snnTorch atan)", Scale: "alpha",
		Params: []Param{pos("alpha", 2, "sharpness α")}},
		func(v []float64) Func { return ATan{f32(v[0])} })
	Define(Info{Name: "fast_sigmoid", Doc: "1 / (1 + k|x|)² (SuperSpike; snnTorch fast_sigmoid)", Scale: "slope",
		Params: []Param{pos("slope", 25, "slope k")}},
		func(v []float64) Func { return FastSigmoid{f32(v[0])} })
	Define(Info{Name: "sigmoid", Doc: "k·σ(kx)·(1 − σ(kx)) (snnTorch sigmoid)", Scale: "slope",
		Params: []Param{pos("slope", 25, "slope k")}},
		func(v []float64) Func { return Sigmoid{f32(v[0])} })
	Define(Info{Name: "triangle", Doc: "max(0, α·(w − |x|)) (Bellec et al. 2018; BrainPy relu_grad)", Scale: "alpha",
		Params: []Param{pos("alpha", 0.3, "height per unit distance α"), pos("width", 1, "half-width w")}},
		func(v []float64) Func { return Triangle{f32(v[0]), f32(v[1])} })
	Define(Info{Name: "gaussian", Doc: "α·N(x; 0, σ²) (Yin et al. 2021)", Scale: "sigma",
		Params: []Param{pos("sigma", 0.5, "standard deviation σ"), pos("alpha", 1, "gradient scale α")}},
		func(v []float64) Func { return Gaussian{f32(v[0]), f32(v[1])} })
	Define(Info{Name: "multi_gaussian", Doc: "γ·[(1+h)N(x;0,σ²) − hN(x;σ,(sσ)²) − hN(x;−σ,(sσ)²)] (Yin et al. 2021)", Scale: "sigma",
		Params: []Param{pos("height", 0.15, "side-lobe weight h"), pos("scale", 6, "side-lobe width factor s"),
			pos("sigma", 0.5, "standard deviation σ"), pos("gain", 1, "gradient scale γ")}},
		func(v []float64) Func { return MultiGaussian{f32(v[0]), f32(v[1]), f32(v[2]), f32(v[3])} })
	Define(Info{Name: "piecewise_quadratic", Doc: "α − α²|x| for |x| ≤ 1/α, else 0 (Esser et al. 2016)", Scale: "alpha",
		Params: []Param{pos("alpha", 1, "sharpness α")}},
		func(v []float64) Func { return PiecewiseQuadratic{f32(v[0])} })
	Define(Info{Name: "straight_through", Doc: "1 (Bengio et al. 2013)"},
		func([]float64) Func { return StraightThrough{} })
	Define(Info{Name: "exponential", Doc: "α·exp(−β|x|) (SLAYER)", Scale: "beta",
		Params: []Param{pos("alpha", 1, "height α"), pos("beta", 1, "decay β")}},
		func(v []float64) Func { return Exponential{f32(v[0]), f32(v[1])} })

	// BrainPy (brainpy.math.surrogate = braintools.surrogate), under its
	// own names and under "brainpy.<name>".
	both := func(info Info, mk func(v []float64) Func) {
		if _, taken := Lookup(info.Name); !taken {
			Define(info, mk)
		}
		info.Name = "brainpy." + info.Name
		Define(info, mk)
	}
	alpha := func(d float64) []Param { return []Param{pos("alpha", d, "sharpness α")} }
	both(Info{Name: "sigmoid", Doc: "α·σ(αx)·(1 − σ(αx))", Scale: "alpha", Params: alpha(4)},
		func(v []float64) Func { return Sigmoid{f32(v[0])} })
	both(Info{Name: "piecewise_quadratic", Doc: "α − α²|x| for |x| ≤ 1/α, else 0", Scale: "alpha", Params: alpha(1)},
		func(v []float64) Func { return PiecewiseQuadratic{f32(v[0])} })
	both(Info{Name: "piecewise_exp", Doc: "(α/2)·exp(−α|x|)", Scale: "alpha", Params: alpha(1)},
		func(v []float64) Func { return Exponential{f32(v[0] / 2), f32(v[0])} })
	both(Info{Name: "soft_sign", Doc: "α / (2(1 + |αx|)²)", Scale: "alpha", Params: alpha(1)},
		func(v []float64) Func { return SoftSign{f32(v[0])} })
	both(Info{Name: "arctan", Doc: "α/2 / (1 + (π/2·α·x)²)", Scale: "alpha", Params: alpha(1)},
		func(v []float64) Func { return ATan{f32(v[0])} })
	both(Info{Name: "nonzero_sign_log", Doc: "1 / (1/α + |x|)", Scale: "alpha", Params: alpha(1)},
		func(v []float64) Func { return NonzeroSignLog{f32(v[0])} })
	both(Info{Name: "erf", Doc: "(α/√π)·exp(−α²x²)", Scale: "alpha", Params: alpha(1)},
		func(v []float64) Func { return Erf{f32(v[0])} })
	both(Info{Name: "piecewise_leaky_relu", Doc: "1/(2w) for |x| ≤ w, else c", Scale: "w",
		Params: []Param{pos("c", 0.01, "slope outside c"), pos("w", 1, "half-width w")}},
		func(v []float64) Func { return PiecewiseLeakyReLU{f32(v[0]), f32(v[1])} })
	both(Info{Name: "squarewave_fourier_series", Doc: "(4/T)·Σ_{i=1..n} cos((2i−1)·2πx/T)", Scale: "t_period",
		Params: []Param{{Name: "n", Default: 2, Domain: Count, Doc: "number of terms n"}, pos("t_period", 8, "period T")}},
		func(v []float64) Func { return SquarewaveFourier{int(v[0]), f32(v[1])} })
	both(Info{Name: "s2nn", Doc: "α·σ(αx)(1 − σ(αx)) for x < 0, β/(x + 1) for x ≥ 0", Scale: "alpha",
		Params: []Param{pos("alpha", 4, "slope for x < 0"), pos("beta", 1, "scale for x ≥ 0")}},
		func(v []float64) Func { return S2NN{f32(v[0]), f32(v[1])} })
	both(Info{Name: "q_pseudo_spike", Doc: "(1 + 2|x|/(α + 1))^(−α)", Scale: "alpha",
		Params: []Param{pos("alpha", 2, "tail fatness α")}},
		func(v []float64) Func { return QPseudoSpike{f32(v[0])} })
	both(Info{Name: "leaky_relu", Doc: "α for x < 0, β for x ≥ 0",
		Params: []Param{pos("alpha", 0.1, "slope for x < 0"), pos("beta", 1, "slope for x ≥ 0")}},
		func(v []float64) Func { return LeakyReLU{f32(v[0]), f32(v[1])} })
	both(Info{Name: "log_tailed_relu", Doc: "α for x ≤ 0, 1 for 0 < x ≤ 1, 1/x for x > 1",
		Params: []Param{{Name: "alpha", Default: 0, Domain: NonNegative, Doc: "slope for x ≤ 0"}}},
		func(v []float64) Func { return LogTailedReLU{f32(v[0])} })
	both(Info{Name: "relu_grad", Doc: "max(0, α·(w − |x|))", Scale: "alpha",
		Params: []Param{pos("alpha", 0.3, "height per unit distance α"), pos("width", 1, "half-width w")}},
		func(v []float64) Func { return Triangle{f32(v[0]), f32(v[1])} })
	both(Info{Name: "gaussian_grad", Doc: "α·N(x; 0, σ²)", Scale: "sigma",
		Params: []Param{pos("sigma", 0.5, "standard deviation σ"), pos("alpha", 0.5, "gradient scale α")}},
		func(v []float64) Func { return Gaussian{f32(v[0]), f32(v[1])} })
	both(Info{Name: "inv_square_grad", Doc: "1 / (α|x| + 1)²", Scale: "alpha", Params: alpha(100)},
		func(v []float64) Func { return FastSigmoid{f32(v[0])} })
	both(Info{Name: "multi_gaussian_grad", Doc: "scale·[(1+h)N(x;0,σ²) − hN(x;σ,(sσ)²) − hN(x;−σ,(sσ)²)]", Scale: "sigma",
		Params: []Param{pos("h", 0.15, "side-lobe weight h"), pos("s", 6, "side-lobe width factor s"),
			pos("sigma", 0.5, "standard deviation σ"), pos("scale", 0.5, "gradient scale")}},
		func(v []float64) Func { return MultiGaussian{f32(v[0]), f32(v[1]), f32(v[2]), f32(v[3])} })
	both(Info{Name: "slayer_grad", Doc: "exp(−α|x|)", Scale: "alpha", Params: alpha(1)},
		func(v []float64) Func { return Exponential{1, f32(v[0])} })

	// snnTorch (snntorch.surrogate), under "snntorch.<name>" and, where
	// free, its own name.
	snn := func(short string, info Info, mk func(v []float64) Func) {
		if short != "" {
			i := info
			i.Name = short
			Define(i, mk)
		}
		info.Name = "snntorch." + info.Name
		Define(info, mk)
	}
	snn("", Info{Name: "atan", Doc: "α/2 / (1 + (π/2·α·x)²)", Scale: "alpha", Params: []Param{pos("alpha", 2, "sharpness α")}},
		func(v []float64) Func { return ATan{f32(v[0])} })
	snn("", Info{Name: "fast_sigmoid", Doc: "1 / (1 + k|x|)²", Scale: "slope", Params: []Param{pos("slope", 25, "slope k")}},
		func(v []float64) Func { return FastSigmoid{f32(v[0])} })
	snn("", Info{Name: "sigmoid", Doc: "k·σ(kx)·(1 − σ(kx))", Scale: "slope", Params: []Param{pos("slope", 25, "slope k")}},
		func(v []float64) Func { return Sigmoid{f32(v[0])} })
	snn("", Info{Name: "straight_through_estimator", Doc: "1"},
		func([]float64) Func { return StraightThrough{} })
	snn("", Info{Name: "triangular", Doc: "θ for x < 0, −θ for x ≥ 0 (what snnTorch's code computes)",
		Params: []Param{pos("threshold", 1, "magnitude θ")}},
		func(v []float64) Func { return SignFlip{f32(v[0])} })
	snn("heaviside", Info{Name: "heaviside", Doc: "H(x): 1 for x > 0, else 0"},
		func([]float64) Func { return HeavisideGrad{} })
	snn("spike_rate_escape", Info{Name: "spike_rate_escape", Doc: "k·exp(−β|x − 1|)", Scale: "beta",
		Params: []Param{pos("beta", 1, "decay β"), pos("slope", 25, "height k")}},
		func(v []float64) Func { return SpikeRateEscape{f32(v[0]), f32(v[1])} })
	snn("sfs", Info{Name: "sfs", Doc: "1 / (1 + k|x|)² for x > B, else 0 (sparse fast sigmoid)", Scale: "slope",
		Params: []Param{pos("slope", 25, "slope k"), pos("B", 1, "cut B")}},
		func(v []float64) Func { return SparseFastSigmoid{f32(v[0]), f32(v[1])} })
	snn("lso", Info{Name: "lso", Doc: "1 for x > 0, else k (leaky spike operator)",
		Params: []Param{pos("slope", 0.1, "slope k below threshold")}},
		func(v []float64) Func { return LeakySpikeOperator{f32(v[0])} })
	snn("sso", Info{Name: "sso", Doc: "1 for x > 0, else (u − 1/2 + μ)·σ², u uniform from a hash of (seed, x)",
		Params: []Param{{Name: "mean", Default: 0, Domain: Real, Doc: "mean μ"}, pos("variance", 0.2, "variance σ²"),
			{Name: "seed", Default: 0, Domain: Whole, Doc: "noise seed"}}},
		func(v []float64) Func { return StochasticSpikeOperator{f32(v[0]), f32(v[1]), uint64(v[2])} })
}
