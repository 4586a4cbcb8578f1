package snn

import (
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
