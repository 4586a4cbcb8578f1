package snn

import "testing"

// LIFRef by hand: a membrane exactly at θ does not fire (the strict
// threshold of every braingo neuron); a spike resets (to VReset or by
// subtraction) and freezes the membrane for RefSteps steps.
func TestLIFRefStep(t *testing.T) {
	v, s := []float32{0, 0}, []float32{0, 0}
	p := LIFRef{Beta: 0.5, Subtract: true}
	if n := p.Step(v, s, []float32{1, 1.5}, nil); n != 1 || s[0] != 0 || s[1] != 1 || v[0] != 1 || v[1] != 0.5 {
		t.Fatalf("subtract: %d spikes, s %v, v %v; want 1, [0 1], [1 0.5]", n, s, v)
	}
	q := LIFRef{Beta: 0.5, Threshold: 2, VReset: -1, RefSteps: 2}
	v, ref := []float32{0}, []int{0}
	var got []float32
	for range 5 {
		q.Step(v, s[:1], []float32{3}, ref)
		got = append(got, s[0], v[0])
	}
	// step 1: 3 > 2 fires, v −1, refractory 2; steps 2, 3 frozen;
	// step 4: 0.5·(−1) + 3 = 2.5 fires; step 5 frozen.
	want := []float32{1, -1, 0, -1, 0, -1, 1, -1, 0, -1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("reset to value with refractoriness: (s, v) per step %v, want %v", got, want)
		}
	}
}

// The two integrators of τ dV/dt = a − b·V against their formulas.
func TestLIFEulerExact(t *testing.T) {
	if got := LIFEuler(-60, 0.005, -40, 1); got != -60+0.005*20 {
		t.Errorf("LIFEuler: %v", got)
	}
	// Exact: from V∞ it stays; over a long step it reaches V∞.
	if got := LIFExact(-40, 0.005, -40, 1); got != -40 {
		t.Errorf("LIFExact at V∞: %v", got)
	}
	if got := LIFExact(-60, 100, -80, 2); got != -40 {
		t.Errorf("LIFExact after 100 τ: %v, want V∞ −40", got)
	}
}
