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

// mixedSpec is a network of every part a NetSpec offers: a Poisson source,
// fixed_in, one_to_one and all_to_all connectivity, random weights,
// per-synapse delays, alpha and dual-exponential synapses, CUBA and COBA
// outputs, an AdEx group.
func mixedSpec(store Storage) NetSpec {
	const dt = 0.1
	lif := LIFGroup{Tau: 20, VRest: -60, VReset: -60, VTh: -50, Ref: 2, I: 8, Dt: dt}
	v0 := []VarInit{{"v", kernels.WeightRule{Kind: kernels.Uniform, A: -60, B: -50}}}
	s := NetSpec{Dt: dt, Seed: 11, Groups: []GroupSpec{
		{Name: "X", N: 300, New: func(n, off int) (Neurons, error) {
			return &PoissonGroup{Rate: 30, Dt: dt, Seed: 11, Off: off, N: n}, nil
		}},
		{Name: "E", N: 700, New: func(n, _ int) (Neurons, error) { return NewLIFGroup(n, lif), nil }, Init: v0},
		{Name: "A", N: 300, New: func(n, _ int) (Neurons, error) {
			return NewAdExGroup(n, AdExGroup{Tau: 20, EL: -70, VT: -50, DeltaT: 2, VCut: 0, VReset: -58, Ref: 2, I: 15, Dt: dt, TauW: 100, B: 2, Method: RK2}), nil
		}},
	}}
	exp := func(tau float64) func() Synapse { return func() Synapse { return &Exponential{Tau: tau, Dt: dt} } }
	s.Projs = []ProjSpec{
		{Name: "XE", Pre: "X", Post: "E", Conn: ConnSpec{Rule: FixedInDegree, K: 15, Weight: kernels.WeightRule{Kind: kernels.Normal, A: 0.3, B: 0.1}}, Syn: exp(5), Out: COBA{E: 0}},
		{Name: "XA", Pre: "X", Post: "A", Conn: ConnSpec{Rule: OneToOne, Weight: kernels.HomogeneousWeight(2)}, Syn: exp(5), Out: CUBA{}},
		{Name: "EE", Pre: "E", Post: "E", Conn: ConnSpec{Rule: FixedProb, P: 0.05, Weight: kernels.WeightRule{Kind: kernels.Uniform, A: 0.1, B: 0.4}, Store: store},
			Syn: func() Synapse { return Alpha(3, dt) }, Out: COBA{E: 0}, Delay: 10, MaxDelay: 30},
		{Name: "EA", Pre: "E", Post: "A", Conn: ConnSpec{Rule: FixedProb, P: 0.05, Weight: kernels.HomogeneousWeight(0.5), Store: store}, Syn: exp(5), Out: COBA{E: 0}, Delay: 5},
		{Name: "AE", Pre: "A", Post: "E", Conn: ConnSpec{Rule: AllToAll, Weight: kernels.HomogeneousWeight(0.02), Store: store},
			Syn: func() Synapse { return &DualExponential{TauRise: 1, TauDecay: 8, Dt: dt} }, Out: COBA{E: -80}},
	}
	if store == StoreDense {
		s.Projs[2].MaxDelay = 0
	}
	return s
}

// A network of every part gives the same spikes whole and split among 2 to
// 4 ranks.
func TestMixedNetPartsMatchWhole(t *testing.T) {
	for _, st := range []Storage{StoreCSR, StoreJIT} {
		want := runNet(t, mixedSpec(st), 1, 400)
		groups := map[int]int{}
		for _, s := range want {
			for _, i := range s {
				switch {
				case i < 300:
					groups[0]++
				case i < 1000:
					groups[1]++
				default:
					groups[2]++
				}
			}
		}
		if groups[0] == 0 || groups[1] == 0 || groups[2] == 0 {
			t.Fatalf("storage %d: spikes per group %v: every group must fire for the test to mean something", st, groups)
		}
		for _, ranks := range []int{2, 4} {
			got := runNet(t, mixedSpec(st), ranks, 400)
			for s := range want {
				if !slices.Equal(got[s], want[s]) {
					t.Fatalf("storage %d, %d ranks: step %d: spikes %v, one process %v", st, ranks, s, got[s], want[s])
				}
			}
		}
	}
}

// Per-synapse delays from a NetSpec lie in [Delay, MaxDelay] steps, take
// every value, and each synapse's delay depends on its pre and post
// neurons only (the same on every rank).
func TestNetSynapseDelays(t *testing.T) {
	s := mixedSpec(StoreCSR)
	net, err := s.Build()
	if err != nil {
		t.Fatal(err)
	}
	d, ok := net.Projs[2].Conn.(*DelayedCSRConn)
	if !ok {
		t.Fatalf("EE is a %T, want a DelayedCSRConn", net.Projs[2].Conn)
	}
	if net.Projs[2].Delay != 10 {
		t.Fatalf("projection delay %d, want 10", net.Projs[2].Delay)
	}
	seen := map[uint16]bool{}
	for _, x := range d.D {
		if x > 20 {
			t.Fatalf("synapse delay %d + 10 outside [10, 30]", x)
		}
		seen[x] = true
	}
	if len(seen) != 21 {
		t.Errorf("%d distinct delays, want all 21", len(seen))
	}
	part, err := s.BuildPart(1, 2, func(dst, local []int32) []int32 { return append(dst, local...) })
	if err != nil {
		t.Fatal(err)
	}
	pd := part.Projs[2].Conn.(*DelayedCSRConn)
	lo := part.Lo[1]
	for i := 0; i < d.M.Rows; i++ {
		want := map[int32]uint16{}
		for k := d.M.Ptr[i]; k < d.M.Ptr[i+1]; k++ {
			want[d.M.Col[k]] = d.D[k]
		}
		for k := pd.M.Ptr[i]; k < pd.M.Ptr[i+1]; k++ {
			j := pd.M.Col[k] + int32(lo)
			if w, ok := want[j]; !ok || w != pd.D[k] {
				t.Fatalf("row %d, post %d: delay %d on rank 1 of 2, %d (present %v) in one process", i, j, pd.D[k], w, ok)
			}
		}
	}
}

// The CSR blocks that sibling projections build together equal those each
// builds alone, for homogeneous and random weights, whole and on a rank.
func TestSiblingCSRMatchesBlockConn(t *testing.T) {
	for _, w := range []kernels.WeightRule{kernels.HomogeneousWeight(0.6), {Kind: kernels.Uniform, A: 0.1, B: 0.5}} {
		s := eiSpec(eiConfig{N: 70_001, Seed: 3}, false)
		for k := range s.Projs {
			s.Projs[k].Conn.Weight = w
		}
		for _, part := range [][2]int{{0, 1}, {1, 3}} {
			var ex SpikeExchange
			if part[1] > 1 {
				ex = func(dst, local []int32) []int32 { return append(dst, local...) }
			}
			net, err := s.BuildPart(part[0], part[1], ex)
			if err != nil {
				t.Fatal(err)
			}
			for k, p := range net.Projs {
				kp, kq := k/2, k%2 // EE, EI, IE, II
				c := s.Projs[k].Conn
				c.Pre, c.Seed = s.Groups[kp].N, 2*s.Seed+1+uint64(kp)
				want, err := blockConn(c, s.Groups[kq].N, net.N, net.Off[kq], net.Lo[kq], net.Hi[kq])
				if err != nil {
					t.Fatal(err)
				}
				a, b := p.Conn.(*CSRConn), want.(*CSRConn)
				if a.W != b.W || a.M.Rows != b.M.Rows || a.M.Cols != b.M.Cols || !slices.Equal(a.M.Ptr, b.M.Ptr) || !slices.Equal(a.M.Col, b.M.Col) || !slices.Equal(a.M.Val, b.M.Val) {
					t.Fatalf("weights %v, part %v, projection %s: the sibling build differs from blockConn's", w.Kind, part, p.Name)
				}
			}
		}
	}
}

// Per-synapse delays with JIT storage (DelayedJITConn, nothing stored) act
// as with CSR: the network of every part gives the same spikes with either.
func TestDelayedJITMatchesCSR(t *testing.T) {
	a := runNet(t, mixedSpec(StoreCSR), 1, 400)
	b := runNet(t, mixedSpec(StoreJIT), 1, 400)
	js := mixedSpec(StoreJIT)
	n, err := js.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := n.Projs[2].Conn.(*DelayedJITConn); !ok {
		t.Fatalf("EE with jit storage and delays is a %T, want a DelayedJITConn", n.Projs[2].Conn)
	}
	for s := range a {
		if !slices.Equal(a[s], b[s]) {
			t.Fatalf("step %d: jit %v, csr %v", s, b[s], a[s])
		}
	}
}
