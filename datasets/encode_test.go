package datasets

import (
	"math"
	"testing"
)

func TestLatencyMatchesSpikegen(t *testing.T) {
	// snnTorch docstring: latency([0.02, 0.5, 1], num_steps=5, normalize=True,
	// linear=True) fires at steps 4 (3.92 rounded), 2 and 0.
	l := Latency{Steps: 5, Normalize: true, Linear: true}
	for x, want := range map[float32]int{0.02: 4, 0.5: 2, 1: 0} {
		if got := l.SpikeStep(x); got != want {
			t.Errorf("linear normalized: x=%v fires at %d, want %d", x, got, want)
		}
	}
	// Log code, tau 1, threshold 0.01: t = ln(x/(x−0.01)).
	l = Latency{Steps: 10}
	if got := l.SpikeStep(0.02); got != 1 { // ln 2 = 0.69 → 1
		t.Errorf("x=0.02 fires at %d, want 1", got)
	}
	if got := l.SpikeStep(0); got != 9 { // saturates, capped at the last step
		t.Errorf("x=0 fires at %d, want 9", got)
	}
	l.Clip = true
	if got := l.SpikeStep(0.005); got != -1 {
		t.Errorf("clipped x below threshold fires at %d", got)
	}
	// Normalized log code: the saturated time maps to the last step; x=0.02
	// maps to ln2·99/ln(100001) = 5.96 → 6.
	l = Latency{Steps: 100, Normalize: true}
	if a, b := l.SpikeStep(0), l.SpikeStep(0.02); a != 99 || b != 6 {
		t.Errorf("normalized: x=0 → %d (want 99), x=0.02 → %d (want 6)", a, b)
	}
	// Exactly one spike per feature over the run.
	x := []float32{0, 0.01, 0.3, 1}
	counts := make([]float32, 4)
	dst := make([]float32, 4)
	for step := 0; step < 100; step++ {
		l.Encode(dst, x, []int{0}, 4, step)
		for i, v := range dst {
			counts[i] += v
		}
	}
	for i, c := range counts {
		if c != 1 {
			t.Errorf("feature %d spiked %v times", i, c)
		}
	}
	if err := (Latency{Steps: 5, Threshold: 2}).Validate(); err == nil {
		t.Error("threshold 2 accepted")
	}
}

func TestRateIsBernoulliAndOrderIndependent(t *testing.T) {
	r := Rate{Seed: 42}
	const n, steps = 200, 200
	x := make([]float32, n)
	for i := range x {
		x[i] = 0.25
	}
	dst := make([]float32, n)
	var total float64
	for step := 0; step < steps; step++ {
		r.Encode(dst, x, []int{7}, n, step)
		for _, v := range dst {
			total += float64(v)
		}
	}
	if mean := total / (n * steps); math.Abs(mean-0.25) > 0.01 {
		t.Fatalf("mean rate %v, want 0.25", mean)
	}
	// A sample's spikes do not depend on its position in the batch.
	a, b := make([]float32, 2*n), make([]float32, 2*n)
	xx := append(append([]float32(nil), x...), x...)
	r.Encode(a, xx, []int{3, 9}, n, 5)
	r.Encode(b, xx, []int{9, 3}, n, 5)
	for i := 0; i < n; i++ {
		if a[i] != b[n+i] || a[n+i] != b[i] {
			t.Fatal("rate spikes depend on batch order")
		}
	}
	r.Encode(dst, []float32{2, -1}, []int{0}, 2, 0)
	if dst[0] != 1 || dst[1] != 0 {
		t.Fatalf("probabilities not clamped: %v", dst[:2])
	}
}

func TestDelta(t *testing.T) {
	// snnTorch semantics (its code): diff with the previous step ≥ threshold.
	seq := []float32{1, 2, 0, 2, 2.9}
	run := func(d Delta) []float32 {
		var out []float32
		var prev []float32
		for _, v := range seq {
			dst := make([]float32, 1)
			d.Encode(dst, []float32{v}, prev)
			out = append(out, dst[0])
			prev = []float32{v}
		}
		return out
	}
	for name, c := range map[string]struct {
		d    Delta
		want []float32
	}{
		"on":          {Delta{Threshold: 1}, []float32{1, 1, 0, 1, 0}},
		"off":         {Delta{Threshold: 1, OffSpike: true}, []float32{1, 1, -1, 1, 0}},
		"off padding": {Delta{Threshold: 1, OffSpike: true, Padding: true}, []float32{0, 1, -1, 1, 0}},
	} {
		got := run(c.d)
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", name, got, c.want)
				break
			}
		}
	}
}

func TestDirectIsStatic(t *testing.T) {
	var e Encoder = Direct{}
	if s, ok := e.(StaticEncoder); !ok || !s.Static() {
		t.Fatal("direct encoding not static")
	}
	if _, err := NewEncoder("morse", 10, 0); err == nil {
		t.Fatal("unknown encoding accepted")
	}
}

func TestTTFSMatchesSpyTorch(t *testing.T) {
	// current2firing_time(x, tau=20, thr=0.2) then int(): x=1 → 20·ln(1.25)
	// = 4.46 → 4; x=0.25 → 20·ln 5 = 32.2 → 32; x=0.201 → 20·ln 201 = 106
	// → past 100 steps: no spike; x < 0.2 → no spike.
	e := TTFS{Steps: 100}
	for x, want := range map[float32]int{1: 4, 0.25: 32, 0.201: -1, 0.1: -1, 0: -1} {
		if got := e.SpikeStep(x); got != want {
			t.Errorf("x=%v fires at %d, want %d", x, got, want)
		}
	}
}

// TestDeltaSeries: the in-place series encoding equals Encode step by step
// on a copy, channel by channel.
func TestDeltaSeries(t *testing.T) {
	const steps, ch = 6, 3
	x := []float32{
		0, 3, 1,
		2, 3, 0,
		2, 1, 0,
		5, 0, 2,
		4, 0, 2.5,
		1, 2, 4,
	}
	for _, d := range []Delta{{Threshold: 1}, {Threshold: 1, OffSpike: true}, {Threshold: 2, OffSpike: true, Padding: true}} {
		want := make([]float32, len(x))
		for s := range steps {
			var prev []float32
			if s > 0 {
				prev = x[(s-1)*ch : s*ch]
			}
			d.Encode(want[s*ch:(s+1)*ch], x[s*ch:(s+1)*ch], prev)
		}
		got := append([]float32(nil), x...)
		d.EncodeSeries(got, steps, ch)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%+v: %v, want %v", d, got, want)
			}
		}
	}
}
