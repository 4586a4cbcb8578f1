package networks

import (
	"math"
	"testing"
)

// TestSpikingForceLIFRate: without recurrence and with the decoder at 0
// (so no feedback), every neuron is a LIF neuron under a constant current
// I, firing with period τ_ref + τ_m·ln((I − v_reset)/(I − v_peak)).
func TestSpikingForceLIFRate(t *testing.T) {
	net, err := NewSpikingForce(SpikingForceConfig{Units: 50, G: 1e-12, Bias: -30, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	period := 2 + 10*math.Log((-30+65)/(-30+40.0)) // ms
	want := 1000 / period
	for range 2000 { // 100 ms: past the random initial state
		net.Step()
	}
	net.ResetRate()
	for range 40000 { // 2 s
		net.Step()
	}
	if got := net.RateHz(); math.Abs(got-want) > 0.02*want {
		t.Errorf("rate %.2f Hz, LIF theory %.2f Hz", got, want)
	}
	// The filtered rate r of a regular spike train averages its rate (the
	// double exponential kernel has unit area).
	var mean float64
	for _, r := range net.R {
		mean += float64(r)
	}
	mean /= float64(net.N)
	if math.Abs(mean-want) > 0.15*want {
		t.Errorf("mean filtered rate %.2f, want about %.2f", mean, want)
	}
}

// TestSpikingForceZeroMean: every neuron's static input weights sum to 0.
func TestSpikingForceZeroMean(t *testing.T) {
	for _, kind := range []string{ConnDense, ConnCSR} {
		net, err := NewSpikingForce(SpikingForceConfig{Units: 100, Conn: kind, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		d := make([]float32, 100*100)
		if kind == ConnDense {
			copy(d, net.Omega.Dense)
		} else {
			net.Omega.CSR.ToDense(d)
		}
		for j := range 100 {
			var s, a float64
			for i := range 100 {
				s += float64(d[i*100+j])
				a += math.Abs(float64(d[i*100+j]))
			}
			if a == 0 || math.Abs(s) > 1e-5*a {
				t.Fatalf("%s: inputs of neuron %d sum to %g (|w| sum %g)", kind, j, s, a)
			}
		}
	}
	if _, err := NewSpikingForce(SpikingForceConfig{Conn: ConnJIT}); err == nil {
		t.Error("jit storage was accepted")
	}
}
