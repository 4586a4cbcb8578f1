package surrogate

import (
	"math"
	"strings"
	"testing"
)

func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func normal(x, mu, s float64) float64 {
	return math.Exp(-(x-mu)*(x-mu)/(2*s*s)) / (math.Sqrt(2*math.Pi) * s)
}

func where(c bool, a, b float64) float64 {
	if c {
		return a
	}
	return b
}

// referenceGrads transliterates the backward code of braintools.surrogate
// (what brainpy.math.surrogate is since BrainPy 2.7) and snntorch/surrogate.py
// into float64, each with the reference's default parameters unless params
// says otherwise.
var referenceGrads = []struct {
	name   string
	params map[string]float64
	ref    func(x float64) float64
}{
	{"brainpy.sigmoid", nil, func(x float64) float64 { s := sigm(4 * x); return (1 - s) * s * 4 }},
	{"brainpy.sigmoid", map[string]float64{"alpha": 2}, func(x float64) float64 { s := sigm(2 * x); return (1 - s) * s * 2 }},
	{"brainpy.piecewise_quadratic", nil, func(x float64) float64 { return where(math.Abs(x) > 1, 0, 1-math.Abs(x)) }},
	{"brainpy.piecewise_quadratic", map[string]float64{"alpha": 2}, func(x float64) float64 {
		return where(math.Abs(x) > 0.5, 0, 2-4*math.Abs(x))
	}},
	{"brainpy.piecewise_exp", nil, func(x float64) float64 { return 0.5 * math.Exp(-math.Abs(x)) }},
	{"piecewise_exp", map[string]float64{"alpha": 3}, func(x float64) float64 { return 1.5 * math.Exp(-3*math.Abs(x)) }},
	{"brainpy.soft_sign", nil, func(x float64) float64 { return 0.5 / math.Pow(1+math.Abs(x), 2) }},
	{"soft_sign", map[string]float64{"alpha": 2}, func(x float64) float64 { return 2 * 0.5 / math.Pow(1+math.Abs(2*x), 2) }},
	{"brainpy.arctan", nil, func(x float64) float64 { return 0.5 / (1 + math.Pow(math.Pi/2*x, 2)) }},
	{"arctan", nil, func(x float64) float64 { return 0.5 / (1 + math.Pow(math.Pi/2*x, 2)) }},
	{"brainpy.nonzero_sign_log", nil, func(x float64) float64 { return 1 / (1 + math.Abs(x)) }},
	{"nonzero_sign_log", map[string]float64{"alpha": 4}, func(x float64) float64 { return 1 / (0.25 + math.Abs(x)) }},
	{"brainpy.erf", nil, func(x float64) float64 { return 1 / math.Sqrt(math.Pi) * math.Exp(-x*x) }},
	{"erf", map[string]float64{"alpha": 2}, func(x float64) float64 { return 2 / math.Sqrt(math.Pi) * math.Exp(-4*x*x) }},
	{"brainpy.piecewise_leaky_relu", nil, func(x float64) float64 { return where(math.Abs(x) > 1, 0.01, 0.5) }},
	{"piecewise_leaky_relu", map[string]float64{"c": 0.1, "w": 0.5}, func(x float64) float64 { return where(math.Abs(x) > 0.5, 0.1, 1) }},
	{"brainpy.squarewave_fourier_series", nil, func(x float64) float64 {
		w := math.Pi * 2 / 8
		dx := math.Cos(w * x)
		for i := 2; i < 2+1; i++ {
			dx += math.Cos((2*float64(i) - 1) * w * x)
		}
		return dx * 4 / 8
	}},
	{"squarewave_fourier_series", map[string]float64{"n": 4, "t_period": 5}, func(x float64) float64 {
		w := math.Pi * 2 / 5
		dx := math.Cos(w * x)
		for i := 2; i < 4+1; i++ {
			dx += math.Cos((2*float64(i) - 1) * w * x)
		}
		return dx * 4 / 5
	}},
	{"brainpy.s2nn", nil, func(x float64) float64 { s := sigm(4 * x); return where(x < 0, 4*s*(1-s), 1/(x+1)) }},
	{"s2nn", map[string]float64{"alpha": 2, "beta": 3}, func(x float64) float64 {
		s := sigm(2 * x)
		return where(x < 0, 2*s*(1-s), 3/(x+1))
	}},
	{"brainpy.q_pseudo_spike", nil, func(x float64) float64 { return math.Pow(1+2/3.0*math.Abs(x), -2) }},
	{"q_pseudo_spike", map[string]float64{"alpha": 1.5}, func(x float64) float64 { return math.Pow(1+2/2.5*math.Abs(x), -1.5) }},
	{"brainpy.leaky_relu", nil, func(x float64) float64 { return where(x < 0, 0.1, 1) }},
	{"brainpy.log_tailed_relu", nil, func(x float64) float64 { return where(x > 1, 1/x, where(x > 0, 1, 0)) }},
	{"log_tailed_relu", map[string]float64{"alpha": 0.2}, func(x float64) float64 { return where(x > 1, 1/x, where(x > 0, 1, 0.2)) }},
	{"brainpy.relu_grad", nil, func(x float64) float64 { return math.Max(0.3*1-math.Abs(x)*0.3, 0) }},
	{"relu_grad", map[string]float64{"alpha": 1, "width": 0.5}, func(x float64) float64 { return math.Max(0.5-math.Abs(x), 0) }},
	{"brainpy.gaussian_grad", nil, func(x float64) float64 {
		return 0.5 * math.Exp(-(x*x)/(2*0.25)) / (math.Sqrt(2*math.Pi) * 0.5)
	}},
	{"brainpy.inv_square_grad", nil, func(x float64) float64 { return 1 / math.Pow(100*math.Abs(x)+1, 2) }},
	{"brainpy.multi_gaussian_grad", nil, func(x float64) float64 {
		g1 := normal(x, 0, 0.5)
		g2 := normal(x, 0.5, 3)
		g3 := normal(x, -0.5, 3)
		return 0.5 * (g1*1.15 - g2*0.15 - g3*0.15)
	}},
	{"brainpy.slayer_grad", nil, func(x float64) float64 { return math.Exp(-math.Abs(x)) }},
	{"slayer_grad", map[string]float64{"alpha": 2}, func(x float64) float64 { return math.Exp(-2 * math.Abs(x)) }},

	{"snntorch.atan", nil, func(x float64) float64 { return 2.0 / 2 / (1 + math.Pow(math.Pi/2*2*x, 2)) }},
	{"snntorch.fast_sigmoid", nil, func(x float64) float64 { return 1 / math.Pow(25*math.Abs(x)+1, 2) }},
	{"snntorch.sigmoid", nil, func(x float64) float64 { e := math.Exp(-25 * x); return 25 * e / math.Pow(e+1, 2) }},
	{"snntorch.straight_through_estimator", nil, func(float64) float64 { return 1 }},
	{"snntorch.triangular", nil, func(x float64) float64 { return where(x >= 0, -1, 1) }},
	{"snntorch.triangular", map[string]float64{"threshold": 0.5}, func(x float64) float64 { return where(x >= 0, -0.5, 0.5) }},
	{"snntorch.heaviside", nil, func(x float64) float64 { return where(x > 0, 1, 0) }},
	{"spike_rate_escape", nil, func(x float64) float64 { return 25 * math.Exp(-1*math.Abs(x-1)) }},
	{"snntorch.spike_rate_escape", map[string]float64{"beta": 2, "slope": 3}, func(x float64) float64 {
		return 3 * math.Exp(-2*math.Abs(x-1))
	}},
	{"snntorch.sfs", nil, func(x float64) float64 { return 1 / math.Pow(25*math.Abs(x)+1, 2) * where(x > 1, 1, 0) }},
	{"sfs", map[string]float64{"slope": 5, "B": 0.1}, func(x float64) float64 { return 1 / math.Pow(5*math.Abs(x)+1, 2) * where(x > 0.1, 1, 0) }},
	{"snntorch.lso", nil, func(x float64) float64 { return where(x > 0, 1, 0.1) }},

	// braingo's own names keep their documented formulas.
	{"gaussian", nil, func(x float64) float64 { return normal(x, 0, 0.5) }},
	{"multi_gaussian", nil, func(x float64) float64 {
		return 1.15*normal(x, 0, 0.5) - 0.15*normal(x, 0.5, 3) - 0.15*normal(x, -0.5, 3)
	}},
}

var probeX = []float64{-3, -1.2, -1, -0.6, -0.31, -0.05, 0, 0.013, 0.2, 0.45, 0.5, 0.9, 1, 1.3, 2.5, 4}

func TestReferenceFormulas(t *testing.T) {
	for _, c := range referenceGrads {
		fn, err := New(c.name, c.params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, x := range probeX {
			want := c.ref(x)
			got := float64(fn.Grad(float32(x)))
			if math.Abs(got-want) > 2e-6*(1+math.Abs(want)) {
				t.Errorf("%s%v: Grad(%v) = %v, reference %v", c.name, c.params, x, got, want)
			}
		}
	}
}

// newPrimitives are BrainPy's smooth primitives (braintools surrogate_fun)
// and the integrals of snnTorch's backward formulas, against which the new
// surrogates are checked by central differences away from their kinks.
var newPrimitives = []struct {
	fn   Func
	prim func(x float64) float64
}{
	{Sigmoid{Slope: 4}, func(x float64) float64 { return sigm(4 * x) }},
	{Exponential{Alpha: 0.5, Beta: 1}, func(x float64) float64 { // piecewise_exp
		return where(x < 0, math.Exp(x)/2, 1-math.Exp(-x)/2)
	}},
	{SoftSign{}, func(x float64) float64 { return x/(2/1.0+2*math.Abs(x)) + 0.5 }},
	{SoftSign{Alpha: 3}, func(x float64) float64 { return x/(2/3.0+2*math.Abs(x)) + 0.5 }},
	{ATan{Alpha: 1}, func(x float64) float64 { return math.Atan(math.Pi/2*x)/math.Pi + 0.5 }},
	{NonzeroSignLog{}, func(x float64) float64 { return where(x < 0, -1, 1) * math.Log(math.Abs(x)+1) }},
	{NonzeroSignLog{Alpha: 2}, func(x float64) float64 { return where(x < 0, -1, 1) * math.Log(math.Abs(2*x)+1) }},
	{Erf{}, func(x float64) float64 { return 0.5 * (1 - math.Erf(-x)) }},
	{Erf{Alpha: 2.5}, func(x float64) float64 { return 0.5 * (1 - math.Erf(-2.5*x)) }},
	{PiecewiseLeakyReLU{}, func(x float64) float64 {
		c, w := 0.01, 1.0
		return where(x < -w, c*x+c*w, where(x > w, c*x-c*w+1, 0.5*x/w+0.5))
	}},
	{PiecewiseLeakyReLU{C: 0.2, W: 0.4}, func(x float64) float64 {
		c, w := 0.2, 0.4
		return where(x < -w, c*x+c*w, where(x > w, c*x-c*w+1, 0.5*x/w+0.5))
	}},
	{SquarewaveFourier{}, func(x float64) float64 {
		w := math.Pi * 2 / 8
		ret := math.Sin(w * x)
		for i := 2; i < 2+1; i++ {
			c := 2*float64(i) - 1
			ret += math.Sin(c*w*x) / c
		}
		return 0.5 + 2/math.Pi*ret
	}},
	{SquarewaveFourier{N: 5, Period: 3}, func(x float64) float64 {
		w := math.Pi * 2 / 3
		ret := math.Sin(w * x)
		for i := 2; i < 5+1; i++ {
			c := 2*float64(i) - 1
			ret += math.Sin(c*w*x) / c
		}
		return 0.5 + 2/math.Pi*ret
	}},
	{S2NN{}, func(x float64) float64 { return where(x < 0, sigm(4*x), math.Log(math.Abs(x+1)+1e-8)+0.5) }},
	{QPseudoSpike{}, func(x float64) float64 {
		a := 2.0
		base := 1 + 2/(a+1)*math.Abs(x)
		return 0.5 + math.Copysign(1, x)*(a+1)/(2*(1-a))*(math.Pow(base, 1-a)-1)
	}},
	{QPseudoSpike{Alpha: 1}, func(x float64) float64 {
		return 0.5 + math.Copysign(1, x)*(1+1)/2*math.Log(1+2/2.0*math.Abs(x))
	}},
	{LeakyReLU{}, func(x float64) float64 { return where(x < 0, 0.1*x, x) }},
	{LogTailedReLU{Alpha: 0.3}, func(x float64) float64 { return where(x > 1, 1+math.Log(math.Max(x, 1)), where(x > 0, x, 0.3*x)) }},
	{Gaussian{Alpha: 0.5}, func(x float64) float64 { return 0.5 * 0.5 * (1 + math.Erf(x/(0.5*math.Sqrt2))) }},
	{MultiGaussian{Gain: 0.5, Sigma: 0.3}, func(x float64) float64 {
		cdf := func(x, mu, s float64) float64 { return 0.5 * (1 + math.Erf((x-mu)/(s*math.Sqrt2))) }
		return 0.5 * (1.15*cdf(x, 0, 0.3) - 0.15*cdf(x, 0.3, 1.8) - 0.15*cdf(x, -0.3, 1.8))
	}},
	{SpikeRateEscape{}, func(x float64) float64 {
		return where(x < 1, 25*math.Exp(x-1), 25*(2-math.Exp(-(x-1))))
	}},
	{SpikeRateEscape{Beta: 3, Slope: 2}, func(x float64) float64 {
		return where(x < 1, 2.0/3*math.Exp(3*(x-1)), 2.0/3*(2-math.Exp(-3*(x-1))))
	}},
	{SignFlip{Threshold: 0.7}, func(x float64) float64 { return -0.7 * math.Abs(x) }},
	{HeavisideGrad{}, func(x float64) float64 { return math.Max(0, x) }},
	{SparseFastSigmoid{}, func(x float64) float64 {
		g := func(x float64) float64 { return x / (1 + 25*math.Abs(x)) }
		return where(x > 1, g(x)-g(1), 0)
	}},
	{LeakySpikeOperator{}, func(x float64) float64 { return where(x > 0, x, 0.1*x) }},
}

func TestNewSurrogatesAreDerivativesOfTheirPrimitives(t *testing.T) {
	for _, p := range newPrimitives {
		for _, x := range []float64{-2.5, -0.7, -0.31, -0.05, 0.013, 0.2, 0.45, 0.9, 1.3, 3} {
			const h = 1e-6
			num := (p.prim(x+h) - p.prim(x-h)) / (2 * h)
			got := float64(p.fn.Grad(float32(x)))
			if math.Abs(got-num) > 1e-4*(1+math.Abs(num)) {
				t.Errorf("%s%+v: Grad(%v) = %v, derivative of primitive %v", p.fn.Name(), p.fn, x, got, num)
			}
		}
	}
}

func TestEveryReferenceFunctionHasAQualifiedName(t *testing.T) {
	brainpy := []string{"sigmoid", "piecewise_quadratic", "piecewise_exp", "soft_sign", "arctan", "nonzero_sign_log",
		"erf", "piecewise_leaky_relu", "squarewave_fourier_series", "s2nn", "q_pseudo_spike", "leaky_relu",
		"log_tailed_relu", "relu_grad", "gaussian_grad", "inv_square_grad", "multi_gaussian_grad", "slayer_grad"}
	snntorch := []string{"atan", "fast_sigmoid", "sigmoid", "straight_through_estimator", "triangular", "heaviside",
		"spike_rate_escape", "sso", "lso", "sfs"}
	for _, n := range brainpy {
		if _, ok := Lookup("brainpy." + n); !ok {
			t.Errorf("brainpy.%s is not registered", n)
		}
		if _, ok := Lookup(n); !ok {
			t.Errorf("%s is not registered", n)
		}
	}
	for _, n := range snntorch {
		if _, ok := Lookup("snntorch." + n); !ok {
			t.Errorf("snntorch.%s is not registered", n)
		}
	}
	// Unqualified names that clash keep braingo's (snnTorch's) meaning.
	for _, n := range []string{"sigmoid", "atan", "fast_sigmoid"} {
		a, _ := New(n, nil)
		b, _ := New("snntorch."+n, nil)
		if a != b {
			t.Errorf("%s = %+v, snntorch.%s = %+v", n, a, n, b)
		}
	}
	// Unqualified BrainPy names are the qualified ones.
	for _, n := range brainpy {
		if n == "sigmoid" || n == "piecewise_quadratic" {
			continue
		}
		a, _ := New(n, nil)
		b, _ := New("brainpy."+n, nil)
		if a != b {
			t.Errorf("%s = %+v, brainpy.%s = %+v", n, a, n, b)
		}
	}
}

func TestDescribe(t *testing.T) {
	infos := Describe()
	if len(infos) != len(Names()) {
		t.Fatalf("Describe lists %d surrogates, Names %d", len(infos), len(Names()))
	}
	for i, info := range infos {
		if i > 0 && infos[i-1].Name >= info.Name {
			t.Errorf("Describe not sorted at %s", info.Name)
		}
		if info.Doc == "" {
			t.Errorf("%s has no Doc", info.Name)
		}
		defaults := map[string]float64{}
		for _, p := range info.Params {
			if !p.Domain.ok(p.Default) {
				t.Errorf("%s: default %s = %v outside its domain %v", info.Name, p.Name, p.Default, p.Domain)
			}
			if p.Doc == "" {
				t.Errorf("%s.%s has no Doc", info.Name, p.Name)
			}
			defaults[p.Name] = p.Default
		}
		a, err := New(info.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := New(info.Name, defaults)
		if err != nil {
			t.Fatalf("%s with its listed defaults: %v", info.Name, err)
		}
		for _, x := range probeX {
			if ga, gb := a.Grad(float32(x)), b.Grad(float32(x)); ga != gb {
				t.Errorf("%s: Grad(%v) = %v by default, %v with the listed defaults", info.Name, x, ga, gb)
			}
		}
		if info.Scale != "" {
			s, err := WithScale(info.Name, 0.37)
			if err != nil {
				t.Errorf("%s: WithScale: %v", info.Name, err)
				continue
			}
			if s == a && a.Grad(0.2) == s.Grad(0.2) && a.Grad(-0.6) == s.Grad(-0.6) && a.Grad(1.4) == s.Grad(1.4) {
				t.Errorf("%s: WithScale(0.37) changed nothing", info.Name)
			}
		} else if _, err := WithScale(info.Name, 2); err == nil {
			t.Errorf("%s has no scale parameter, WithScale accepted one", info.Name)
		}
	}
	info, ok := Lookup("brainpy.multi_gaussian_grad")
	if !ok || len(info.Params) != 4 || info.Params[3].Name != "scale" || info.Params[3].Default != 0.5 {
		t.Errorf("Lookup(brainpy.multi_gaussian_grad) = %+v, %v", info, ok)
	}
}

func TestParameterDomains(t *testing.T) {
	for _, c := range []struct {
		name   string
		params map[string]float64
		ok     bool
	}{
		{"log_tailed_relu", map[string]float64{"alpha": 0}, true},
		{"log_tailed_relu", map[string]float64{"alpha": -1}, false},
		{"squarewave_fourier_series", map[string]float64{"n": 3}, true},
		{"squarewave_fourier_series", map[string]float64{"n": 2.5}, false},
		{"squarewave_fourier_series", map[string]float64{"n": 0}, false},
		{"sso", map[string]float64{"mean": -0.3}, true},
		{"sso", map[string]float64{"variance": 0}, false},
		{"sso", map[string]float64{"seed": 3}, true},
		{"sso", map[string]float64{"seed": 1.5}, false},
		{"erf", map[string]float64{"alpha": math.Inf(1)}, false},
		{"erf", map[string]float64{"alpha": math.NaN()}, false},
		{"heaviside", map[string]float64{"alpha": 1}, false},
	} {
		_, err := New(c.name, c.params)
		if (err == nil) != c.ok {
			t.Errorf("New(%s, %v) error = %v, want ok %v", c.name, c.params, err, c.ok)
		}
	}
	_, err := New("heaviside", map[string]float64{"alpha": 1})
	if err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("a parameterless surrogate's error should say so: %v", err)
	}
	_, err = New("sfs", map[string]float64{"b": 1})
	if err == nil || !strings.Contains(err.Error(), "slope, B") {
		t.Errorf("unknown parameter error should list slope, B: %v", err)
	}
	if _, err := WithScale("nonesuch", 1); err == nil || !strings.Contains(err.Error(), "valid") {
		t.Errorf("WithScale of an unknown name: %v", err)
	}
}

func TestStochasticSpikeOperator(t *testing.T) {
	s := StochasticSpikeOperator{Seed: 7}
	if s.Grad(0.3) != 1 {
		t.Fatalf("Grad above threshold = %v, want 1", s.Grad(0.3))
	}
	var sum, sumSq float64
	const n = 20000
	for i := range n {
		x := -float32(i+1) * 1e-4
		g := s.Grad(x)
		if g != s.Grad(x) {
			t.Fatal("Grad is not a function of (seed, x)")
		}
		if g < -0.1 || g >= 0.1 {
			t.Fatalf("Grad(%v) = %v outside [-0.1, 0.1)", x, g)
		}
		sum += float64(g)
		sumSq += float64(g) * float64(g)
	}
	mean, variance := sum/n, sumSq/n-(sum/n)*(sum/n)
	// Uniform on [-0.1, 0.1): mean 0, variance 0.2²/12.
	if math.Abs(mean) > 0.002 || math.Abs(variance-0.04/12) > 0.0002 {
		t.Errorf("mean %v, variance %v; want 0, %v", mean, variance, 0.04/12)
	}
	other := StochasticSpikeOperator{Seed: 8}
	same := 0
	for i := range 100 {
		x := -float32(i) * 0.01
		if s.Grad(x) == other.Grad(x) {
			same++
		}
	}
	if same > 2 {
		t.Errorf("seeds 7 and 8 agree on %d of 100 draws", same)
	}
	shifted := StochasticSpikeOperator{Seed: 7, Mean: 0.5, Variance: 1}
	if g := shifted.Grad(-1); g < 0 || g >= 1 {
		t.Errorf("mean 0.5 variance 1: Grad = %v, want in [0, 1)", g)
	}
}
