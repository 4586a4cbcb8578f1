package snn

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// memExchange returns the spike exchanges of ranks ranks running as
// goroutines of one process: an allgather through shared slots and a
// barrier.
func memExchange(ranks int) []SpikeExchange {
	slots := make([][]int32, ranks)
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	arrived, gen := 0, 0
	barrier := func() {
		mu.Lock()
		g := gen
		arrived++
		if arrived == ranks {
			arrived, gen = 0, gen+1
			cond.Broadcast()
		} else {
			for g == gen {
				cond.Wait()
			}
		}
		mu.Unlock()
	}
	ex := make([]SpikeExchange, ranks)
	for r := range ex {
		ex[r] = func(dst, local []int32) []int32 {
			slots[r] = local
			barrier()
			for _, s := range slots {
				dst = append(dst, s...)
			}
			barrier()
			return dst
		}
	}
	return ex
}

// runParts simulates c split among ranks goroutines for steps steps and
// returns the whole network's spikes of every step (from rank 0's All) and
// the membranes gathered in neuron order.
func runParts(t *testing.T, c COBAConfig, hh bool, ranks, steps int) ([][]int32, []float32) {
	t.Helper()
	c = c.withDefaults()
	ex := memExchange(ranks)
	parts := make([]*Part, ranks)
	for r := range parts {
		lo, hi := r*c.N/ranks, (r+1)*c.N/ranks
		build := BuildCOBAPart
		if hh {
			build = BuildCOBAHHPart
		}
		p, err := build(c, lo, hi, ex[r])
		if err != nil {
			t.Fatal(err)
		}
		parts[r] = p
	}
	var out [][]int32
	var wg sync.WaitGroup
	for r, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := 0; s < steps; s++ {
				p.Net.Step()
				if r == 0 {
					out = append(out, slices.Clone(p.All.Spikes))
				}
			}
		}()
	}
	wg.Wait()
	var v []float32
	for _, p := range parts {
		v = append(v, p.Local.Neurons.V()...)
	}
	return out, v
}

// The spikes and membranes of a network split among 1 to 4 ranks are those
// of the whole network in one process, bit for bit, for CSR and JIT
// connectivity, COBA and CUBA, and a network of two JIT post blocks whose
// parts cut a block.
func TestCOBAPartsMatchWhole(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(2))
	for _, tc := range []struct {
		COBAConfig
		hh bool
	}{
		{COBAConfig{N: 4000, Seed: 3}, false},
		{COBAConfig{N: 4000, Seed: 3, Store: StoreJIT}, false},
		{COBAConfig{N: 4000, Seed: 5, CUBA: true}, false},
		{COBAConfig{N: 4000, Seed: 2, Store: StoreDense}, false},
		{COBAConfig{N: 2000, Seed: 4}, true},
		{COBAConfig{N: 70_001, Seed: 1, Store: StoreJIT}, false},
		{COBAConfig{N: 70_001, Seed: 1}, false},
	} {
		c := tc.COBAConfig
		steps := 400
		if c.N > 10_000 {
			steps = 60
		}
		build := BuildCOBA
		if tc.hh {
			build = BuildCOBAHH
		}
		net, g, err := build(c)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]int32
		total := 0
		for s := 0; s < steps; s++ {
			net.Step()
			want = append(want, slices.Clone(g.Spikes))
			total += len(g.Spikes)
		}
		if total == 0 {
			t.Fatalf("N %d: no spikes in %d steps; the test would prove nothing", c.N, steps)
		}
		for _, ranks := range []int{1, 2, 3, 4} {
			t.Run(fmt.Sprintf("N%d-store%d-cuba%v-hh%v-ranks%d", c.N, c.Store, c.CUBA, tc.hh, ranks), func(t *testing.T) {
				got, v := runParts(t, c, tc.hh, ranks, steps)
				for s := range want {
					if !slices.Equal(got[s], want[s]) {
						t.Fatalf("step %d: %d spikes, want %d (%v vs %v)", s, len(got[s]), len(want[s]), got[s], want[s])
					}
				}
				wv := g.Neurons.V()
				for i := range wv {
					if v[i] != wv[i] {
						t.Fatalf("neuron %d: v %v, want %v", i, v[i], wv[i])
					}
				}
			})
		}
	}
}

func TestFillAtMatchesFill(t *testing.T) {
	full := make([]float32, 103)
	kernels.FillNormal(full, -55, 5, 9, 1<<40)
	fu := make([]float32, 103)
	kernels.FillUniform(fu, -60, -50, 9, 1<<40)
	for _, off := range []int{0, 1, 2, 3, 50, 101} {
		got := make([]float32, 103-off)
		fillNormalAt(got, -55, 5, 9, 1<<40, off)
		if !slices.Equal(got, full[off:]) {
			t.Fatalf("fillNormalAt offset %d differs from FillNormal", off)
		}
		fillUniformAt(got, -60, -50, 9, 1<<40, off)
		if !slices.Equal(got, fu[off:]) {
			t.Fatalf("fillUniformAt offset %d differs from FillUniform", off)
		}
	}
}

// A JITConn restricted to the post range [Lo, Hi) scatters the columns
// [Lo, Hi) of the whole connectivity's scatter, bit for bit, for homogeneous
// and random weights, on one or several goroutines.
func TestJITConnRangeMatchesWhole(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(2))
	for _, w := range []kernels.WeightRule{kernels.HomogeneousWeight(0.6), kernels.NormalWeight(0.5, 0.2), kernels.UniformWeight(-1, 1)} {
		m := kernels.JIT{Rows: 3000, Cols: 140_000, P: 0.002, Seed: 5, Weight: w}
		active := make([]int32, 0, 600)
		for i := int32(0); i < 3000; i += 5 {
			active = append(active, i)
		}
		whole := make([]float32, m.Cols)
		NewJITConn(m).Scatter(whole, active)
		for _, r := range [][2]int{{0, 140_000}, {1000, 70_000}, {65_536, 131_072}, {139_990, 140_000}} {
			c := &JITConn{M: m, Lo: r[0], Hi: r[1]}
			if pre, post := c.Shape(); pre != 3000 || post != r[1]-r[0] {
				t.Fatalf("Shape %d×%d", pre, post)
			}
			for _, act := range [][]int32{active, active[:3]} {
				got := make([]float32, r[1]-r[0]+1)
				got[len(got)-1] = 42 // guard
				c.Scatter(got[:len(got)-1], act)
				want := make([]float32, m.Cols)
				NewJITConn(m).Scatter(want, act)
				if got[len(got)-1] != 42 || !slices.Equal(got[:len(got)-1], want[r[0]:r[1]]) {
					t.Fatalf("weights %v, range %v, %d spikes: the range's scatter differs from the whole's", w, r, len(act))
				}
			}
		}
	}
}
