package snn

import (
	"math"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// Projections sharing the rows of one JIT matrix scatter what their own
// JITConns scatter, bit for bit, for homogeneous and random weights, on one
// and several goroutines, when the spike list changes and when it repeats.
func TestSharedJITRowsMatchJITConn(t *testing.T) {
	for _, threads := range []int{1, 3} {
		prev := kernels.SetThreads(threads)
		for _, w := range []kernels.WeightRule{kernels.HomogeneousWeight(0.7), {Kind: kernels.Normal, A: 0.5, B: 0.2}} {
			m := kernels.JIT{Rows: 3000, Cols: 70_001, P: 0.01, Seed: 5, Weight: w}
			ranges := [][2]int{{0, 50_000}, {50_000, 66_000}, {66_000, 70_001}}
			rows := &jitRows{M: m, Lo: 0, Hi: m.Cols}
			var r kernels.Philox
			r.Reset(9, 0)
			for step := range 4 {
				var active []int32
				for i := 0; i < m.Rows; i++ {
					if r.Uint32()%5 == 0 {
						active = append(active, int32(i))
					}
				}
				for rep := range 2 { // the second time from the cache
					for _, rg := range ranges {
						want := make([]float32, rg[1]-rg[0])
						(&JITConn{M: m, Lo: rg[0], Hi: rg[1]}).Scatter(want, active)
						got := make([]float32, rg[1]-rg[0])
						(&sharedJITConn{rows: rows, Lo: rg[0], Hi: rg[1]}).Scatter(got, active)
						for j := range want {
							if math.Float32bits(want[j]) != math.Float32bits(got[j]) {
								t.Fatalf("threads %d, weights %v, step %d, pass %d, range %v: column %d: %v, JITConn %v", threads, w.Kind, step, rep, rg, j, got[j], want[j])
							}
						}
					}
				}
			}
		}
		kernels.SetThreads(prev)
	}
}
