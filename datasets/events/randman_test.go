package events

import (
	"math"
	"reflect"
	"testing"
)

func TestRandmanStructure(t *testing.T) {
	cfg := RandmanConfig{Classes: 4, Units: 20, Steps: 50, SamplesPerClass: 30, Seed: 7}
	r := NewRandman(cfg)
	if r.Len() != 120 || len(r.Classes()) != 4 || r.Sensor() != (Sensor{20, 1, 1}) {
		t.Fatalf("len %d", r.Len())
	}
	perClass := map[int]int{}
	for i := 0; i < r.Len(); i++ {
		ev, label, err := r.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		perClass[label]++
		// One spike per unit per sample (nb_spikes = 1).
		seen := make([]int, 20)
		for _, e := range ev {
			seen[e.X]++
			if e.T < 0 || e.T >= 50*StepMicros {
				t.Fatalf("spike at %d µs outside the %d steps", e.T, 50)
			}
		}
		for u, c := range seen {
			if c != 1 {
				t.Fatalf("sample %d unit %d spikes %d times", i, u, c)
			}
		}
		bins := r.Bins(i, nil)
		if !reflect.DeepEqual(bins, ToBins(ev, r.Sensor(), BinSpec{Steps: 50, Duration: 50 * StepMicros}, nil)) {
			t.Fatalf("sample %d: Bins differs from ToBins of Sample", i)
		}
		if sum(bins) != 20 {
			t.Fatal("bins do not hold one spike per unit")
		}
	}
	for k := 0; k < 4; k++ {
		if perClass[k] != 30 {
			t.Fatalf("class %d has %d samples", k, perClass[k])
		}
	}
	// Standardization: per class and unit, the times span [0, Steps).
	for k := 0; k < 4; k++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < r.Len(); i++ {
			if r.Label(i) == k {
				lo, hi = math.Min(lo, r.Times(i)[3]), math.Max(hi, r.Times(i)[3])
			}
		}
		if lo != 0 || hi < 49.99 || hi >= 50 {
			t.Fatalf("class %d unit 3 times span [%v, %v]", k, lo, hi)
		}
	}
	// Determinism by seed.
	if b := NewRandman(cfg); !reflect.DeepEqual(b.times, r.times) || !reflect.DeepEqual(b.labels, r.labels) {
		t.Fatal("same seed, other data")
	}
	cfg.Seed = 8
	if c := NewRandman(cfg); reflect.DeepEqual(c.times, r.times) {
		t.Fatal("other seed, same data")
	}
	// Several spikes per unit, class order kept.
	m := NewRandman(RandmanConfig{Classes: 2, Units: 5, Spikes: 3, SamplesPerClass: 4, NoShuffle: true})
	if len(m.Times(0)) != 15 || m.Label(3) != 0 || m.Label(4) != 1 {
		t.Fatal("nb_spikes 3 or NoShuffle")
	}
}

// The classes are separable: a nearest-centroid classifier on the spike
// time vectors, fitted on the first half and tested on the second, is far
// above chance.
func TestRandmanSeparable(t *testing.T) {
	cfg := RandmanConfig{Classes: 10, Units: 100, Steps: 100, SamplesPerClass: 100, Seed: 1}
	r := NewRandman(cfg)
	n := r.Len()
	train := n / 2
	cent := make([][]float64, cfg.Classes)
	cnt := make([]int, cfg.Classes)
	for k := range cent {
		cent[k] = make([]float64, cfg.Units)
	}
	for i := 0; i < train; i++ {
		for u, v := range r.Times(i) {
			cent[r.Label(i)][u] += v
		}
		cnt[r.Label(i)]++
	}
	for k := range cent {
		for u := range cent[k] {
			cent[k][u] /= float64(cnt[k])
		}
	}
	right := 0
	for i := train; i < n; i++ {
		best, bestD := -1, math.Inf(1)
		for k := range cent {
			d := 0.0
			for u, v := range r.Times(i) {
				d += (v - cent[k][u]) * (v - cent[k][u])
			}
			if d < bestD {
				best, bestD = k, d
			}
		}
		if best == r.Label(i) {
			right++
		}
	}
	acc := float64(right) / float64(n-train)
	t.Logf("nearest-centroid test accuracy %.3f (chance 0.1)", acc)
	if acc < 0.5 {
		t.Fatalf("nearest-centroid accuracy %.3f, want well above chance (0.1)", acc)
	}
}
