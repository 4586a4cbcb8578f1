package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// TimingKind names a distribution of period durations (NeuroGym's timing
// spec).
type TimingKind int

const (
	// KindConstant is a fixed duration: Args = [ms].
	KindConstant TimingKind = iota
	// KindUniform is uniform on [lo, hi): Args = [lo, hi].
	KindUniform
	// KindChoice is a uniform pick among Args.
	KindChoice
	// KindTruncExp is an exponential of mean Args[0] resampled until it lies
	// in [Args[1], Args[2]) (NeuroGym's trunc_exp; when min >= max it is max).
	KindTruncExp
	// KindDerived is a duration the task computes from trial variables (the
	// production period of ReadySetGo is twice the measured interval); Note
	// says how. Sampling it panics.
	KindDerived
)

// Timing is the distribution of one period's duration in milliseconds. Its
// zero value is a constant 0 ms (an empty period, as NeuroGym's "delay": 0).
type Timing struct {
	Kind TimingKind
	Args []float64
	Note string // for KindDerived: how the task computes the duration
}

// Constant is a fixed duration of ms milliseconds.
func Constant(ms float64) Timing { return Timing{Kind: KindConstant, Args: []float64{ms}} }

// Uniform is a duration drawn uniformly from [lo, hi) milliseconds.
func Uniform(lo, hi float64) Timing { return Timing{Kind: KindUniform, Args: []float64{lo, hi}} }

// Choice is a duration drawn uniformly among ms.
func Choice(ms ...float64) Timing { return Timing{Kind: KindChoice, Args: ms} }

// TruncExp is an exponential duration of the given mean, redrawn until it
// lies in [lo, hi) (hi may be +Inf).
func TruncExp(mean, lo, hi float64) Timing {
	return Timing{Kind: KindTruncExp, Args: []float64{mean, lo, hi}}
}

// Derived marks a duration the task computes itself; note says how.
func Derived(note string) Timing { return Timing{Kind: KindDerived, Note: note} }

// Sample draws a duration and rounds it down to a multiple of dt, as
// NeuroGym's sample_time does ((t // dt) * dt). It returns whole steps.
func (t Timing) Sample(rng *rand.Rand, dt float64) int {
	return floorSteps(t.sampleMS(rng), dt)
}

func (t Timing) sampleMS(rng *rand.Rand) float64 {
	switch t.Kind {
	case KindConstant:
		if len(t.Args) == 0 {
			return 0
		}
		return t.Args[0]
	case KindUniform:
		lo, hi := t.Args[0], t.Args[1]
		return lo + (hi-lo)*rng.Float64()
	case KindChoice:
		return t.Args[rng.IntN(len(t.Args))]
	case KindTruncExp:
		mean, lo, hi := t.Args[0], t.Args[1], t.Args[2]
		if lo >= hi {
			return hi
		}
		for {
			x := rng.ExpFloat64() * mean
			if lo <= x && x < hi {
				return x
			}
		}
	case KindDerived:
		panic("tasks: a derived period duration cannot be sampled (" + t.Note + "); add the period with AddFor")
	}
	panic(fmt.Sprintf("tasks: unknown timing kind %d", t.Kind))
}

// floorSteps is the number of whole dt steps in ms (floor, with a tolerance
// for decimal dt such as 0.1 ms).
func floorSteps(ms, dt float64) int {
	if ms <= 0 {
		return 0
	}
	return int(math.Floor(ms/dt + 1e-9))
}

// Bounds returns the smallest and largest duration, in whole steps of dt,
// that Sample can return (for tests and listings). A derived timing has
// bounds (0, MaxInt).
func (t Timing) Bounds(dt float64) (lo, hi int) {
	switch t.Kind {
	case KindConstant:
		n := floorSteps(t.sampleMS(nil), dt)
		return n, n
	case KindUniform:
		return floorSteps(t.Args[0], dt), floorSteps(t.Args[1], dt)
	case KindChoice:
		lo, hi = math.MaxInt, 0
		for _, v := range t.Args {
			n := floorSteps(v, dt)
			lo, hi = min(lo, n), max(hi, n)
		}
		return lo, hi
	case KindTruncExp:
		if t.Args[1] >= t.Args[2] {
			n := floorSteps(t.Args[2], dt)
			return n, n
		}
		if math.IsInf(t.Args[2], 1) {
			return floorSteps(t.Args[1], dt), math.MaxInt
		}
		return floorSteps(t.Args[1], dt), floorSteps(t.Args[2], dt)
	}
	return 0, math.MaxInt
}

// String writes the timing as NeuroGym's spec reads: "500", "uniform(800,
// 1500)", "choice(300, 500)", "truncexp(600, 300, 3000)" or the derived note.
func (t Timing) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	join := func() string {
		s := make([]string, len(t.Args))
		for i, v := range t.Args {
			s[i] = f(v)
		}
		return strings.Join(s, ", ")
	}
	switch t.Kind {
	case KindConstant:
		return f(t.sampleMS(nil))
	case KindUniform:
		return "uniform(" + join() + ")"
	case KindChoice:
		return "choice(" + join() + ")"
	case KindTruncExp:
		return "truncexp(" + join() + ")"
	case KindDerived:
		return t.Note
	}
	return "?"
}

// validate reports a malformed timing (wrong number of arguments, negative
// or inverted bounds).
func (t Timing) validate() error {
	want := map[TimingKind]int{KindConstant: 1, KindUniform: 2, KindTruncExp: 3}
	switch t.Kind {
	case KindConstant:
		if len(t.Args) > 1 {
			return fmt.Errorf("constant takes one duration, got %v", t.Args)
		}
	case KindUniform, KindTruncExp:
		if len(t.Args) != want[t.Kind] {
			return fmt.Errorf("%v needs %d arguments", t, want[t.Kind])
		}
		if t.Kind == KindUniform && t.Args[1] < t.Args[0] {
			return fmt.Errorf("%v: upper bound below lower bound", t)
		}
	case KindChoice:
		if len(t.Args) == 0 {
			return fmt.Errorf("choice needs at least one duration")
		}
	case KindDerived:
		return nil
	default:
		return fmt.Errorf("unknown timing kind %d", t.Kind)
	}
	for _, v := range t.Args {
		if v < 0 || math.IsNaN(v) {
			return fmt.Errorf("%v: negative or NaN duration", t)
		}
	}
	return nil
}
