package tasks

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTimingSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		tm       Timing
		dt       float64
		mean     float64 // expected mean in ms before rounding; 0 skips
		lo, hi   int
		distinct []int // if set, the only possible step counts
	}{
		{tm: Constant(100), dt: 100, lo: 1, hi: 1},
		{tm: Constant(83), dt: 80, lo: 1, hi: 1}, // NeuroGym: (83 // 80) * 80 = 80
		{tm: Constant(0), dt: 100, lo: 0, hi: 0},
		{tm: Constant(500), dt: 1, lo: 500, hi: 500},
		{tm: Uniform(800, 1500), dt: 80, mean: 1150, lo: 10, hi: 18},
		{tm: Choice(300, 500, 4000), dt: 100, lo: 3, hi: 40, distinct: []int{3, 5, 40}},
		{tm: TruncExp(600, 300, 3000), dt: 100, lo: 3, hi: 30},
		{tm: TruncExp(600, 3000, 300), dt: 100, lo: 3, hi: 3}, // min >= max: max
		{tm: Uniform(0.3, 0.5), dt: 0.1, lo: 3, hi: 5},
	} {
		lo, hi := c.tm.Bounds(c.dt)
		if lo != c.lo || hi != c.hi {
			t.Errorf("%v at dt %g: bounds [%d, %d], want [%d, %d]", c.tm, c.dt, lo, hi, c.lo, c.hi)
		}
		var sum float64
		const n = 20000
		for range n {
			s := c.tm.Sample(rng, c.dt)
			if s < lo || s > hi {
				t.Fatalf("%v: sample %d outside [%d, %d]", c.tm, s, lo, hi)
			}
			if c.distinct != nil && s != c.distinct[0] && s != c.distinct[1] && s != c.distinct[2] {
				t.Fatalf("%v: sample %d not a choice", c.tm, s)
			}
			sum += float64(s) * c.dt
		}
		// Rounding down loses dt/2 on average for a continuous duration.
		if c.mean != 0 && math.Abs(sum/n-(c.mean-c.dt/2)) > 10 {
			t.Errorf("%v: mean %.1f ms, want about %g", c.tm, sum/n, c.mean-c.dt/2)
		}
	}
}

func TestTruncExpMean(t *testing.T) {
	// The exponential of mean m truncated to [a, b): mean a + m − (b−a)/(e^{(b−a)/m} − 1).
	rng := rand.New(rand.NewPCG(3, 4))
	m, a, b := 600.0, 300.0, 3000.0
	want := a + m - (b-a)/(math.Exp((b-a)/m)-1)
	var sum float64
	const n = 50000
	for range n {
		sum += TruncExp(m, a, b).sampleMS(rng)
	}
	if got := sum / n; math.Abs(got-want) > 8 {
		t.Fatalf("truncated exponential mean %.1f, want %.1f", got, want)
	}
}

func TestTimingStringValidate(t *testing.T) {
	for tm, want := range map[*Timing]string{
		ptr(Constant(500)):            "500",
		ptr(Uniform(800, 1500)):       "uniform(800, 1500)",
		ptr(Choice(300, 500)):         "choice(300, 500)",
		ptr(TruncExp(600, 300, 3000)): "truncexp(600, 300, 3000)",
		ptr(Derived("2 × measure")):   "2 × measure",
		ptr(Timing{}):                 "0",
	} {
		if got := tm.String(); got != want {
			t.Errorf("String = %q, want %q", got, want)
		}
		if err := tm.validate(); err != nil {
			t.Errorf("%v: %v", tm, err)
		}
	}
	for _, bad := range []Timing{Uniform(5, 1), Choice(), {Kind: KindUniform, Args: []float64{1}}, Constant(-1), {Kind: 99}} {
		if bad.validate() == nil {
			t.Errorf("%v validated", bad)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("sampling a derived timing did not panic")
		}
	}()
	Derived("x").Sample(rand.New(rand.NewPCG(1, 1)), 1)
}

func ptr[T any](v T) *T { return &v }
