package snn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// The per-connection saturating synapse, simulated event-driven by the
// network, equals a naive simulation that decays every gate every step and
// sums g_j = Σ w·s over all connections, for CSR (distributed and
// homogeneous weights) and dense storage.
func TestSaturatingMatchesPerConnection(t *testing.T) {
	const pre, post, steps = 30, 12, 400
	const dt, tau, alpha = 0.1, 5.0, 0.3
	r := rand.New(rand.NewPCG(1, 2))
	fire := map[int32][]int32{}
	for s := int32(0); s < steps; s++ {
		for i := int32(0); i < pre; i++ {
			if r.Float64() < 0.08 { // bursts through the same connections saturate
				fire[s] = append(fire[s], i)
			}
		}
	}
	for _, c := range []struct {
		name string
		spec ConnSpec
	}{
		{"csr-normal", ConnSpec{Pre: pre, Post: post, Rule: FixedProb, P: 0.3, Weight: kernels.NormalWeight(0.5, 0.2), Seed: 3}},
		{"csr-homogeneous", ConnSpec{Pre: pre, Post: post, Rule: FixedInDegree, K: 5, Weight: kernels.HomogeneousWeight(0.7), Seed: 4}},
		{"dense", ConnSpec{Pre: pre, Post: post, Rule: FixedProb, P: 0.3, Weight: kernels.UniformWeight(0.1, 1), Seed: 5, Store: StoreDense}},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := c.spec.Build()
			if err != nil {
				t.Fatal(err)
			}
			// The weight matrix, read back through the connectivity.
			w := make([][]float32, pre)
			for i := range w {
				w[i] = make([]float32, post)
				conn.Scatter(w[i], []int32{int32(i)})
			}
			net := &Simulation{Dt: dt}
			pg := net.AddGroup("pre", &driven{n: pre, fire: fire, v: make([]float32, pre)})
			qg := net.AddGroup("post", &driven{n: post, v: make([]float32, post)})
			syn := &Saturating{Tau: tau, Dt: dt, Alpha: alpha}
			if _, err := net.Connect(&Projection{Pre: pg, Post: qg, Conn: conn, Syn: syn, Out: CUBA{}}); err != nil {
				t.Fatal(err)
			}
			s := make([][]float64, pre) // naive gates, one per (i, j) with w ≠ 0
			for i := range s {
				s[i] = make([]float64, post)
			}
			d := math.Exp(-dt / tau)
			var maxGate float64
			for step := int32(0); step < steps; step++ {
				net.Step()
				for i := range s {
					for j := range s[i] {
						s[i][j] *= d
					}
				}
				for _, i := range fire[step] {
					for j := range post {
						if w[i][j] != 0 {
							s[i][j] += alpha * (1 - s[i][j])
							maxGate = max(maxGate, s[i][j])
						}
					}
				}
				for j := range post {
					var g float64
					for i := range pre {
						g += float64(w[i][j]) * s[i][j]
					}
					if got := float64(syn.G()[j]); math.Abs(got-g) > 1e-4*(1+math.Abs(g)) {
						t.Fatalf("step %d post %d: g %v, per-connection reference %v", step, j, got, g)
					}
				}
			}
			if maxGate < 0.5 {
				t.Fatalf("gates reached only %.2f: the test does not exercise saturation", maxGate)
			}
		})
	}
}

// Saturation is what makes per-connection state necessary: two spikes
// through one connection add less than one spike through each of two.
func TestSaturatingSublinear(t *testing.T) {
	run := func(fire map[int32][]int32) float32 {
		net := &Simulation{Dt: 0.1}
		pg := net.AddGroup("pre", &driven{n: 2, fire: fire, v: make([]float32, 2)})
		qg := net.AddGroup("post", &driven{n: 1, v: make([]float32, 1)})
		conn, _ := ConnSpec{Pre: 2, Post: 1, Rule: AllToAll, Weight: kernels.HomogeneousWeight(1)}.Build()
		syn := &Saturating{Tau: 1e9, Dt: 0.1, Alpha: 0.5}
		if _, err := net.Connect(&Projection{Pre: pg, Post: qg, Conn: conn, Syn: syn, Out: CUBA{}}); err != nil {
			t.Fatal(err)
		}
		net.Run(3)
		return syn.G()[0]
	}
	same := run(map[int32][]int32{0: {0}, 1: {0}})
	spread := run(map[int32][]int32{0: {0}, 1: {1}})
	if math.Abs(float64(same)-0.75) > 1e-6 || math.Abs(float64(spread)-1) > 1e-6 {
		t.Fatalf("two spikes on one connection %v (want 0.75), on two %v (want 1)", same, spread)
	}
}

// A connectivity that stores nothing has no connection to keep state on.
func TestSaturatingRefusesJIT(t *testing.T) {
	net := &Simulation{Dt: 0.1}
	pg := net.AddGroup("pre", &driven{n: 10, v: make([]float32, 10)})
	qg := net.AddGroup("post", &driven{n: 10, v: make([]float32, 10)})
	conn, _ := ConnSpec{Pre: 10, Post: 10, Rule: FixedProb, P: 0.5, Weight: kernels.HomogeneousWeight(1), Store: StoreJIT}.Build()
	_, err := net.Connect(&Projection{Name: "x", Pre: pg, Post: qg, Conn: conn, Syn: &Saturating{Tau: 5, Dt: 0.1, Alpha: 0.3}, Out: CUBA{}})
	if err == nil || !strings.Contains(err.Error(), "stored connectivity") {
		t.Fatalf("JIT connectivity accepted or unclear error: %v", err)
	}
}
