package surrogate

import (
	"math"
	"strings"
	"testing"

	"github.com/braingo/braingo/tensor"
)

// primitives are smooth step functions whose derivatives the surrogates are,
// checked by central differences: an independent check of each formula.
var primitives = []struct {
	fn   Func
	prim func(x float64) float64
}{
	{ATan{}, func(x float64) float64 { return math.Atan(math.Pi/2*2*x)/math.Pi + 0.5 }},
	{ATan{Alpha: 3}, func(x float64) float64 { return math.Atan(math.Pi/2*3*x)/math.Pi + 0.5 }},
	{FastSigmoid{}, func(x float64) float64 { return x / (1 + 25*math.Abs(x)) }},
	{Sigmoid{}, func(x float64) float64 { return 1 / (1 + math.Exp(-25*x)) }},
	{Sigmoid{Slope: 4}, func(x float64) float64 { return 1 / (1 + math.Exp(-4*x)) }},
	{Gaussian{}, func(x float64) float64 { return 0.5 * (1 + math.Erf(x/(0.5*math.Sqrt2))) }},
	{MultiGaussian{}, func(x float64) float64 {
		cdf := func(x, mu, s float64) float64 { return 0.5 * (1 + math.Erf((x-mu)/(s*math.Sqrt2))) }
		return 1.15*cdf(x, 0, 0.5) - 0.15*cdf(x, 0.5, 3) - 0.15*cdf(x, -0.5, 3)
	}},
	{Triangle{}, func(x float64) float64 {
		x = math.Max(-1, math.Min(1, x))
		if x < 0 {
			return 0.3 * (x + x*x/2)
		}
		return 0.3 * (x - x*x/2)
	}},
	{PiecewiseQuadratic{}, func(x float64) float64 {
		x = math.Max(-1, math.Min(1, x))
		return x - x*math.Abs(x)/2
	}},
	{StraightThrough{}, func(x float64) float64 { return x }},
	{Exponential{Beta: 2}, func(x float64) float64 {
		if x < 0 {
			return math.Exp(2*x) / 2
		}
		return 1 - math.Exp(-2*x)/2
	}},
}

func TestSurrogatesAreDerivativesOfTheirPrimitives(t *testing.T) {
	for _, p := range primitives {
		for _, x := range []float64{-2.5, -0.7, -0.31, -0.05, 0.013, 0.2, 0.45, 0.9, 3} {
			const h = 1e-6
			num := (p.prim(x+h) - p.prim(x-h)) / (2 * h)
			got := float64(p.fn.Grad(float32(x)))
			if math.Abs(got-num) > 1e-4*(1+math.Abs(num)) {
				t.Errorf("%s%+v: Grad(%v) = %v, derivative of primitive %v", p.fn.Name(), p.fn, x, got, num)
			}
		}
	}
}

func TestDocumentedFormulas(t *testing.T) {
	// Values at x = 0.1 from the formulas in the golden README, in float64.
	x := 0.1
	sig := 1 / (1 + math.Exp(-25*x))
	want := map[string]float64{
		"atan":         1 / (1 + math.Pow(math.Pi/2*2*x, 2)),
		"fast_sigmoid": 1 / math.Pow(1+25*x, 2),
		"sigmoid":      25 * sig * (1 - sig),
		"triangle":     0.3 * (1 - x),
		"gaussian":     math.Exp(-x*x/(2*0.25)) / (math.Sqrt(2*math.Pi) * 0.5),
	}
	for name, w := range want {
		fn, err := New(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(fn.Grad(float32(x))); math.Abs(got-w) > 1e-6*w {
			t.Errorf("%s: Grad(0.1) = %v, want %v", name, got, w)
		}
	}
}

func TestGradSliceMatchesGrad(t *testing.T) {
	xs := []float32{-3, -1, -0.2, 0, 0.05, 0.5, 2}
	g := []float32{1, -2, 0.5, 3, 1, 1, -1}
	for _, name := range Names() {
		fn, _ := New(name, nil)
		dst := make([]float32, len(xs))
		GradSlice(fn, dst, g, xs)
		for i := range xs {
			if want := g[i] * fn.Grad(xs[i]); math.Abs(float64(dst[i]-want)) > 1e-6*math.Abs(float64(want))+1e-12 {
				t.Errorf("%s: GradSlice[%d] = %v, want %v", name, i, dst[i], want)
			}
		}
	}
}

func TestSpikeOnTape(t *testing.T) {
	x := tensor.NewParam("x", []int{4}, []float32{-0.5, 0, 0.25, 2})
	tp := tensor.NewTape()
	fn := ATan{}
	s := Spike(tp, x, fn)
	want := []float32{0, 0, 1, 1}
	for i := range want {
		if s.Data[i] != want[i] {
			t.Fatalf("Spike forward = %v, want %v", s.Data, want)
		}
	}
	tp.BackwardWith(s, []float32{1, 2, 3, 4})
	for i, v := range x.Data {
		if w := float32(i+1) * fn.Grad(v); x.Grad[i] != w {
			t.Errorf("grad[%d] = %v, want %v", i, x.Grad[i], w)
		}
	}
	var nilTape *tensor.Tape
	if out := Spike(nilTape, x, fn); out.RequiresGrad() {
		t.Error("nil tape result requires grad")
	}
}

func TestNewErrors(t *testing.T) {
	_, err := New("relu", nil)
	if err == nil || !strings.Contains(err.Error(), "atan") || !strings.Contains(err.Error(), "fast_sigmoid") {
		t.Fatalf("unknown name error should list valid names, got %v", err)
	}
	if _, err := New("atan", map[string]float64{"slope": 2}); err == nil || !strings.Contains(err.Error(), "alpha") {
		t.Fatalf("unknown parameter error should list valid ones, got %v", err)
	}
	if _, err := New("atan", map[string]float64{"alpha": -1}); err == nil {
		t.Fatal("negative alpha accepted")
	}
	fn, err := New("fast_sigmoid", map[string]float64{"slope": 4})
	if err != nil || fn.(FastSigmoid).Slope != 4 {
		t.Fatalf("params not applied: %v %v", fn, err)
	}
	for _, name := range []string{"atan", "fast_sigmoid", "sigmoid", "triangle", "gaussian", "multi_gaussian",
		"piecewise_quadratic", "straight_through", "exponential"} {
		if _, err := New(name, nil); err != nil {
			t.Errorf("braingo's original name %s: %v", name, err)
		}
	}
}
