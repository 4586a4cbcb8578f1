package snn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// DelayedCSRConn against a naive per-synapse loop: at every step the
// target gains, for each synapse k whose pre-neuron was delivered D[k]
// steps ago, its weight, summed by delivery step, active order and synapse
// order, and added once.
func TestDelayedCSRConnNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 30))
	for _, homo := range []bool{false, true} {
		spec := ConnSpec{Pre: 20, Post: 15, Rule: FixedProb, P: 0.3, Seed: 5, Weight: kernels.NormalWeight(0.5, 1)}
		if homo {
			spec.Weight = kernels.HomogeneousWeight(0.7)
		}
		c, err := spec.Build()
		if err != nil {
			t.Fatal(err)
		}
		base := c.(*CSRConn)
		d := make([]uint16, base.M.NNZ())
		for k := range d {
			d[k] = uint16(r.IntN(6))
		}
		dc, err := NewDelayedCSRConn(base, d)
		if err != nil {
			t.Fatal(err)
		}
		const steps = 30
		active := make([][]int32, steps)
		for s := range active {
			for i := int32(0); i < 20; i++ {
				if r.IntN(4) == 0 {
					active[s] = append(active[s], i)
				}
			}
		}
		m := base.M
		for s := 0; s < steps; s++ {
			init := make([]float32, 15)
			for j := range init {
				init[j] = float32(r.NormFloat64())
			}
			// Naive loop over every synapse and every earlier delivery.
			acc := make([]float32, 15)
			for s0 := max(0, s-5); s0 <= s; s0++ {
				for _, i := range active[s0] {
					for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
						if s0+int(d[k]) == s {
							w := base.W
							if m.Val != nil {
								w = m.Val[k]
							}
							acc[m.Col[k]] += w
						}
					}
				}
			}
			want := append([]float32(nil), init...)
			for j := range want {
				want[j] += acc[j]
			}
			got := append([]float32(nil), init...)
			dc.Scatter(got, active[s])
			for j := range want {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
					t.Fatalf("homo %v step %d post %d: %v, naive %v", homo, s, j, got[j], want[j])
				}
			}
		}
		if _, err := NewDelayedCSRConn(base, d[1:]); err == nil {
			t.Fatal("length mismatch accepted")
		}
	}
}

// In a network: per-synapse delays reach the post-neurons at the step the
// naive schedule says, on top of the projection's own delay, and equal
// delays act as the projection's Delay.
func TestDelayedCSRConnNetwork(t *testing.T) {
	for _, c := range []struct {
		projDelay int
		d         []uint16
	}{{0, []uint16{0, 0}}, {0, []uint16{3, 3}}, {0, []uint16{1, 4}}, {2, []uint16{1, 4}}} {
		name := fmt.Sprintf("delay %d synapses %v", c.projDelay, c.d)
		net := &Simulation{Dt: 0.1}
		pre := net.AddGroup("pre", &driven{n: 2, fire: map[int32][]int32{2: {0, 1}}, v: make([]float32, 2)})
		post := &driven{n: 2, v: make([]float32, 2)}
		pg := net.AddGroup("post", post)
		conn, _ := ConnSpec{Pre: 2, Post: 2, Rule: OneToOne, Weight: kernels.HomogeneousWeight(1)}.Build()
		dc, err := NewDelayedCSRConn(conn.(*CSRConn), c.d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := net.Connect(&Projection{Pre: pre, Post: pg, Conn: dc, Syn: &Exponential{Tau: 1e9, Dt: 0.1}, Out: CUBA{}, Delay: c.projDelay}); err != nil {
			t.Fatal(err)
		}
		first := []int{-1, -1}
		for s := 0; s < 15; s++ {
			net.Step()
			for j := range first {
				if first[j] < 0 && post.input[j] > 0 {
					first[j] = s
				}
			}
		}
		// A spike of step 2 reaches the post input at step 3 + delays
		// (TestDelayAndOrder's schedule).
		for j := range first {
			if want := 3 + c.projDelay + int(c.d[j]); first[j] != want {
				t.Errorf("%s: post %d first input at step %d, want %d", name, j, first[j], want)
			}
		}
	}
	// Refused with a per-connection synapse.
	net := &Simulation{Dt: 0.1}
	g := net.AddGroup("g", &driven{n: 2, v: make([]float32, 2)})
	conn, _ := ConnSpec{Pre: 2, Post: 2, Rule: OneToOne, Weight: kernels.HomogeneousWeight(1)}.Build()
	dc, _ := NewDelayedCSRConn(conn.(*CSRConn), []uint16{1, 1})
	if _, err := net.Connect(&Projection{Pre: g, Post: g, Conn: dc, Syn: &Saturating{}, Out: CUBA{}}); err == nil {
		t.Error("per-connection synapse accepted with per-synapse delays")
	}
}
