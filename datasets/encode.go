package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Encoder turns a batch of static feature vectors (rows of x, values in
// [0, 1] for images) into the input of each time step of a spiking network.
type Encoder interface {
	// Name identifies the encoding ("direct", "rate", "latency", ...).
	Name() string
	// Encode writes the input of step t for the rows of x into dst (same
	// length as x). ids are the samples' dataset indices, so that random
	// encodings depend on (seed, sample, step) only, never on batch order.
	Encode(dst, x []float32, ids []int, features, t int)
	// Binary reports whether the encoded values are 0/1 spikes.
	Binary() bool
}

// FirstSpikeEncoder is implemented by encoders in which each feature fires
// at most once, at a step that depends on its value alone (latency codes):
// callers may compute the steps once per batch instead of every step.
type FirstSpikeEncoder interface {
	// SpikeStep returns the step at which a feature of value x fires, or
	// −1 if it never does.
	SpikeStep(x float32) int
}

// StaticEncoder is implemented by encoders whose every step equals the
// input itself (direct current injection): networks then project the input
// once per batch instead of once per step.
type StaticEncoder interface {
	Static() bool
}

// Direct presents the features as an input current at every step (direct
// or current encoding), scaled by Gain (default 1).
type Direct struct{ Gain float32 }

func (Direct) Name() string   { return "direct" }
func (Direct) Binary() bool   { return false }
func (d Direct) Static() bool { return true }
func (d Direct) Encode(dst, x []float32, ids []int, features, t int) {
	g := d.Gain
	if g == 0 {
		g = 1
	}
	for i, v := range x {
		dst[i] = g * v
	}
}

// Rate is snnTorch's spikegen.rate: at every step each feature spikes with
// probability clamp(Gain·x + Offset, 0, 1) (Bernoulli; a Poisson process in
// the limit of small probabilities). Gain defaults to 1.
type Rate struct {
	Gain, Offset float32
	Seed         uint64
}

func (Rate) Name() string { return "rate" }
func (Rate) Binary() bool { return true }
func (r Rate) Encode(dst, x []float32, ids []int, features, t int) {
	g := r.Gain
	if g == 0 {
		g = 1
	}
	for row, id := range ids {
		rng := stepRand(r.Seed, id, t)
		for j := 0; j < features; j++ {
			i := row*features + j
			p := min(max(g*x[i]+r.Offset, 0), 1)
			if rng.Float32() < p {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	}
}

// Poisson draws spikes at MaxRateHz·x per second with step DtMs: each step
// spikes with probability min(1, rate·dt) (a Bernoulli approximation of a
// Poisson process, exact as dt → 0).
type Poisson struct {
	MaxRateHz, DtMs float32
	Seed            uint64
}

func (Poisson) Name() string { return "poisson" }
func (Poisson) Binary() bool { return true }
func (p Poisson) Encode(dst, x []float32, ids []int, features, t int) {
	Rate{Gain: p.MaxRateHz * p.DtMs / 1000, Seed: p.Seed}.Encode(dst, x, ids, features, t)
}

func stepRand(seed uint64, id, t int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(id)<<20|uint64(t)))
}

// Latency is time-to-first-spike coding, snnTorch's spikegen.latency: each
// feature fires once, stronger features earlier. A LIF neuron with time
// constant Tau driven by a constant current x from rest crosses threshold θ
// at
//
//	t = Tau·ln(x / (x − θ))          (x clamped to θ + ε; Linear false)
//	t = −Tau·(x − 1), capped at −Tau·(θ − 1)          (Linear true)
//
// which is also the BrainPy paper's current-to-firing-time conversion. With
// Normalize the times are scaled so the latest possible spike falls on step
// Steps−1 (for the log code the latest is Tau·ln((θ+ε)/ε); snnTorch divides
// by the batch's largest time instead, which equals it whenever a batch has
// a feature below threshold, as every MNIST-family batch does; for the
// linear code Tau becomes Steps−1). Times are rounded half-to-even (as
// torch.round) and capped at Steps−1; with Clip, features below θ do not
// fire at all. Defaults: Tau 1, Threshold 0.01, Epsilon 1e-7.
type Latency struct {
	Steps                   int
	Tau, Threshold, Epsilon float64
	Linear, Normalize, Clip bool
}

func (Latency) Name() string { return "latency" }
func (Latency) Binary() bool { return true }

func (l Latency) defaults() Latency {
	if l.Tau == 0 {
		l.Tau = 1
	}
	if l.Threshold == 0 {
		l.Threshold = 0.01
	}
	if l.Epsilon == 0 {
		l.Epsilon = 1e-7
	}
	return l
}

// Validate checks the parameters as snnTorch does.
func (l Latency) Validate() error {
	l = l.defaults()
	switch {
	case l.Steps < 1:
		return fmt.Errorf("latency encoding: steps must be at least 1, got %d", l.Steps)
	case l.Threshold <= 0 || l.Threshold >= 1:
		return fmt.Errorf("latency encoding: threshold must be in (0, 1), got %v", l.Threshold)
	case l.Tau <= 0:
		return fmt.Errorf("latency encoding: tau must be positive, got %v", l.Tau)
	}
	return nil
}

// SpikeStep returns the step at which a feature of value x fires, or −1
// when it does not fire (Clip and x below threshold).
func (l Latency) SpikeStep(x float32) int {
	l = l.defaults()
	v := float64(x)
	if l.Clip && v < l.Threshold {
		return -1
	}
	var t float64
	if !l.Linear {
		v = math.Max(v, l.Threshold+l.Epsilon)
		t = l.Tau * math.Log(v/(v-l.Threshold))
		if l.Normalize {
			tmax := l.Tau * math.Log((l.Threshold+l.Epsilon)/l.Epsilon)
			t *= float64(l.Steps-1) / tmax
		}
	} else {
		tau := l.Tau
		if l.Normalize {
			tau = float64(l.Steps - 1)
		}
		t = math.Min(-tau*(v-1), -tau*(l.Threshold-1))
	}
	s := int(math.RoundToEven(t))
	return min(max(s, 0), l.Steps-1)
}

func (l Latency) Encode(dst, x []float32, ids []int, features, t int) {
	for i, v := range x {
		if l.SpikeStep(v) == t {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

// TTFS is the current-to-firing-time code of SpyTorch (Zenke), used by the
// BrainPy paper's Fashion-MNIST S2 experiment: a feature x is the constant
// current of a LIF neuron with time constant Tau steps and threshold θ,
// which fires once at step
//
//	t = ⌊Tau·ln(x / (x − θ))⌋      (x > θ; dimmer features never fire)
//
// and not at all when t ≥ Steps. Defaults: Tau 20 steps (20 ms at 1 ms
// steps), Threshold 0.2, Epsilon 1e-7 (x is clipped to θ + ε).
type TTFS struct {
	Steps                   int
	Tau, Threshold, Epsilon float64
}

func (TTFS) Name() string { return "ttfs" }
func (TTFS) Binary() bool { return true }

// SpikeStep returns the step a feature fires at, or −1.
func (e TTFS) SpikeStep(x float32) int {
	tau, th, eps := e.Tau, e.Threshold, e.Epsilon
	if tau == 0 {
		tau = 20
	}
	if th == 0 {
		th = 0.2
	}
	if eps == 0 {
		eps = 1e-7
	}
	v := float64(x)
	if v < th {
		return -1
	}
	v = math.Max(v, th+eps)
	t := math.Floor(tau * math.Log(v/(v-th)))
	if t >= float64(e.Steps) {
		return -1
	}
	return int(t)
}

func (e TTFS) Encode(dst, x []float32, ids []int, features, t int) {
	for i, v := range x {
		if e.SpikeStep(v) == t {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

// Delta is snnTorch's spikegen.delta for time-varying data: a spike (+1)
// when a feature rises by at least Threshold since the previous step, and
// with OffSpike a −1 when it falls by at least Threshold. The first step
// compares with zero (or with itself when Padding).
type Delta struct {
	Threshold         float32
	OffSpike, Padding bool
}

// Encode writes the delta spikes of the current step given the previous
// step's values (nil at the first step).
func (d Delta) Encode(dst, cur, prev []float32) {
	for i, v := range cur {
		var p float32
		switch {
		case prev != nil:
			p = prev[i]
		case d.Padding:
			p = v
		}
		switch {
		case v-p >= d.Threshold:
			dst[i] = 1
		case d.OffSpike && v-p <= -d.Threshold:
			dst[i] = -1
		default:
			dst[i] = 0
		}
	}
}

// EncodeSeries rewrites a [steps][channels] series in place into its delta
// spikes, step t compared with step t−1 of the original series (and step 0
// with zero, or with itself when Padding): snnTorch's spikegen.delta on a
// time-major tensor.
func (d Delta) EncodeSeries(x []float32, steps, channels int) {
	if len(x) != steps*channels {
		panic(fmt.Sprintf("datasets: Delta.EncodeSeries: %d values for %d steps of %d channels", len(x), steps, channels))
	}
	// Backwards, so that row t−1 still holds the original values.
	for t := steps - 1; t >= 0; t-- {
		cur := x[t*channels : (t+1)*channels]
		var prev []float32
		if t > 0 {
			prev = x[(t-1)*channels : t*channels]
		}
		d.Encode(cur, cur, prev)
	}
}

// NewEncoder builds an image encoder by name for a run of steps.
func NewEncoder(name string, steps int, seed uint64) (Encoder, error) {
	switch name {
	case "direct":
		return Direct{}, nil
	case "rate":
		return Rate{Seed: seed}, nil
	case "latency":
		l := Latency{Steps: steps, Normalize: true}
		return l, l.Validate()
	case "ttfs":
		return TTFS{Steps: steps}, nil
	case "poisson":
		// Pixel intensity 1 fires at 100 Hz in 1-ms steps (BrainPy's
		// PoissonEncoder and Brian2's PoissonGroup convention).
		return Poisson{MaxRateHz: 100, DtMs: 1, Seed: seed}, nil
	}
	return nil, fmt.Errorf("unknown encoding %q (valid: direct, rate, latency, ttfs, poisson)", name)
}
