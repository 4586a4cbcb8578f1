package snn

import (
	"slices"
	"sync"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// eiConfig is an E/I benchmark network of the tests: N neurons (80%
// excitatory), about K connections per neuron, COBA (CUBA with CUBA,
// COBA-HH with HH) as in the recipes coba, cuba and coba-hh.
type eiConfig struct {
	N      int
	K      float64 // default 80
	Dt     float64 // default 0.1
	Method Method
	Store  Storage
	Seed   uint64
	CUBA   bool
}

// eiSpec writes the network of c as a NetSpec: groups E and I, four
// projections.
func eiSpec(c eiConfig, hh bool) NetSpec {
	if c.K == 0 {
		c.K = 80
	}
	if c.Dt == 0 {
		c.Dt = 0.1
	}
	ne := c.N * 4 / 5
	s := NetSpec{Dt: c.Dt, Seed: c.Seed}
	lif := LIFGroup{Tau: 20, VRest: -60, VReset: -60, VTh: -50, Ref: 5, I: 20, Dt: c.Dt, Method: c.Method}
	v0 := kernels.WeightRule{Kind: kernels.Normal, A: -55, B: 5}
	we, wi := float32(0.6), float32(6.7)
	var oe, oi Output = COBA{E: 0}, COBA{E: -80}
	synM := c.Method
	if c.CUBA {
		lif.VRest, lif.I = -49, 0
		v0 = kernels.WeightRule{Kind: kernels.Uniform, A: -60, B: -50}
		we, wi = 1.62, -9
		oe, oi = CUBA{}, CUBA{}
	}
	newN := func(n, _ int) (Neurons, error) { return NewLIFGroup(n, lif), nil }
	var g0e, g0i *kernels.WeightRule
	if hh {
		p := TraubMiles(c.Dt)
		p.Method = c.Method
		newN = func(n, _ int) (Neurons, error) { return NewHHGroup(n, p), nil }
		v0 = kernels.WeightRule{Kind: kernels.Normal, A: float32(p.EL - 5), B: 5}
		we, wi = 6, 67
		synM = Exact
		g0e = &kernels.WeightRule{Kind: kernels.Normal, A: 40, B: 15}
		g0i = &kernels.WeightRule{Kind: kernels.Normal, A: 200, B: 120}
	}
	for _, g := range []struct {
		name string
		n    int
	}{{"E", ne}, {"I", c.N - ne}} {
		s.Groups = append(s.Groups, GroupSpec{Name: g.name, N: g.n, New: newN, Init: []VarInit{{"v", v0}}})
	}
	p := c.K / float64(c.N)
	for _, pr := range []struct {
		pre, post string
		w         float32
		tau       float64
		out       Output
		g0        *kernels.WeightRule
	}{{"E", "E", we, 5, oe, g0e}, {"E", "I", we, 5, oe, g0e}, {"I", "E", wi, 10, oi, g0i}, {"I", "I", wi, 10, oi, g0i}} {
		tau := pr.tau
		s.Projs = append(s.Projs, ProjSpec{Name: pr.pre + pr.post, Pre: pr.pre, Post: pr.post,
			Conn: ConnSpec{Rule: FixedProb, P: p, Weight: kernels.HomogeneousWeight(pr.w), Store: c.Store},
			Syn:  func() Synapse { return &Exponential{Tau: tau, Dt: c.Dt, Method: synM} }, Out: pr.out, G0: pr.g0})
	}
	return s
}

// runNet steps the parts of a network (one part: the whole) together and
// returns the whole network's spikes of every step.
func runNet(t *testing.T, s NetSpec, ranks, steps int) [][]int32 {
	t.Helper()
	var ex []SpikeExchange
	if ranks > 1 {
		ex = memExchange(ranks)
	} else {
		ex = []SpikeExchange{nil}
	}
	nets := make([]*Net, ranks)
	for r := range nets {
		n, err := s.BuildPart(r, ranks, ex[r])
		if err != nil {
			t.Fatal(err)
		}
		nets[r] = n
	}
	var out [][]int32
	var wg sync.WaitGroup
	for r, n := range nets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range steps {
				n.Sim.Step()
				if r == 0 {
					out = append(out, slices.Clone(n.All.Spikes))
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// buildEI builds the E/I network of c in one process.
func buildEI(t testing.TB, c eiConfig, hh bool) *Net {
	t.Helper()
	s := eiSpec(c, hh)
	net, err := s.Build()
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// The spikes of a network split among 2 to 4 ranks are those of the whole
// network in one process, bit for bit, for CSR, dense and JIT connectivity,
// COBA, CUBA and COBA-HH, and a network of two JIT post blocks whose parts
// cut a block. (Before the E/I networks were data, the same test held
// these networks' spikes equal to those of the Go code that built them.)
func TestNetPartsMatchWhole(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(2))
	for _, tc := range []struct {
		name string
		c    eiConfig
		hh   bool
	}{
		{"coba-csr", eiConfig{N: 1000, Seed: 3}, false},
		{"coba-jit", eiConfig{N: 1000, Seed: 3, Store: StoreJIT}, false},
		{"coba-dense", eiConfig{N: 600, Seed: 2, Store: StoreDense}, false},
		{"coba-exact", eiConfig{N: 600, Seed: 2, Method: Exact}, false},
		{"cuba", eiConfig{N: 1000, Seed: 5, CUBA: true}, false},
		{"coba-hh", eiConfig{N: 500, Seed: 4, Method: ExpEuler}, true},
		{"coba-jit-2blocks", eiConfig{N: 70_001, Seed: 1, Store: StoreJIT}, false},
		{"coba-csr-2blocks", eiConfig{N: 70_001, Seed: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := 300
			if tc.c.N > 10_000 {
				steps = 40
			}
			want := runNet(t, eiSpec(tc.c, tc.hh), 1, steps)
			total := 0
			for _, s := range want {
				total += len(s)
			}
			if total == 0 {
				t.Fatal("no spikes: the test would prove nothing")
			}
			for _, ranks := range []int{2, 3, 4} {
				got := runNet(t, eiSpec(tc.c, tc.hh), ranks, steps)
				for s := range want {
					if !slices.Equal(got[s], want[s]) {
						t.Fatalf("%d ranks: step %d: spikes %v, one process %v", ranks, s, got[s], want[s])
					}
				}
			}
		})
	}
}
