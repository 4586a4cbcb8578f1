package networks

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A single LIF output neuron driven by one input spiking every step: the
// membrane follows I ← α·I + w, U ← β·U + I by hand until it crosses 1,
// then resets and stays at 0 for the refractory steps.
func TestCompetitionStepByHand(t *testing.T) {
	n, err := NewCompetition(CompetitionConfig{Inputs: 1, Choices: 2, PerChoice: 1, Refractory: 2, Inhibition: 0.5}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	n.W[0], n.W[1] = 0.2, 0 // input → population 0 only
	alpha, beta := math.Exp(-1.0/5), math.Exp(-1.0/20)
	var i, u float64
	fired := -1
	for step := range 20 {
		s := n.Step([]float32{1}, nil)
		i = alpha*i + 0.2
		u = beta*u + i
		if u > 1 {
			fired = step
			if s[0] != 1 {
				t.Fatalf("step %d: U %v by hand, no spike", step, u)
			}
			break
		}
		if s[0] != 0 || math.Abs(float64(n.u[0])-u) > 1e-5 {
			t.Fatalf("step %d: U %v spike %v, by hand %v", step, n.u[0], s[0], u)
		}
	}
	if fired < 0 || n.Counts[0] != 1 {
		t.Fatalf("no spike by step 20 (counts %v)", n.Counts)
	}
	// The spike inhibits population 1 at the next step; population 0 is
	// refractory for 2 steps.
	n.Step([]float32{1}, nil)
	if n.i[1] >= 0 || n.u[0] != 0 {
		t.Fatalf("after the spike: I of population 1 %v (want < 0), U of the spiker %v (want 0)", n.i[1], n.u[0])
	}
	n.Step([]float32{1}, nil)
	if n.u[0] != 0 {
		t.Fatalf("second refractory step: U %v", n.u[0])
	}
	n.Step([]float32{1}, nil)
	if n.u[0] == 0 {
		t.Fatal("still clamped after the refractory period")
	}
}

// Normalize restores every output neuron's total input weight and keeps
// weights within [0, WMax].
func TestCompetitionNormalize(t *testing.T) {
	n, _ := NewCompetition(CompetitionConfig{Inputs: 10, PerChoice: 3}, rand.New(rand.NewPCG(2, 2)))
	no := n.Outputs()
	want := n.Cfg.WMax * (n.Cfg.InitLo + n.Cfg.InitHi) / 2 * 10
	for k := range n.W {
		n.W[k] *= 1.3
	}
	n.Normalize(0)
	for j := range no {
		var s float64
		for i := range 10 {
			w := n.W[i*no+j]
			if w < 0 || float64(w) > n.Cfg.WMax {
				t.Fatalf("w[%d,%d] = %v outside [0, %v]", i, j, w, n.Cfg.WMax)
			}
			s += float64(w)
		}
		if math.Abs(s-want) > 1e-5 {
			t.Fatalf("neuron %d: total %v, want %v", j, s, want)
		}
	}
	if _, err := NewCompetition(CompetitionConfig{}, nil); err == nil {
		t.Fatal("no error without inputs")
	}
}
