package kernels

import (
	"math"
	"slices"
	"testing"
)

// TestJITSkipsMatchesGo: the AVX-512 skips are the Go loop's bits (Philox
// words, the uniform, jitLog and the scaling), over many rows, seeds and
// first blocks.
func TestJITSkipsMatchesGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	var got, want [jitVecWords][jitLanes]float64
	for k := range 3000 {
		seed := uint64(k)*0x9E3779B97F4A7C15 + 7
		i := k * 7919 % 3000000
		b0 := uint64(k % 40)
		invLog := 1 / math.Log1p(-math.Pow(10, -float64(1+k%6)))
		jitSkipsGo(&want, seed, i, b0, invLog)
		jitSkipsAVX512(&jitVecArgs{out: &got, c2: uint32(jitStream(i, b0)), c3: uint32(jitStream(i, b0) >> 32),
			k0: uint32(seed), k1: uint32(seed >> 32), consts: jitVecConsts, invLog: invLog})
		for w := range want {
			for l := range want[w] {
				if math.Float64bits(got[w][l]) != math.Float64bits(want[w][l]) {
					t.Fatalf("seed %d row %d block %d: word %d lane %d: %v, want %v", seed, i, b0+uint64(l), w, l, got[w][l], want[w][l])
				}
			}
		}
	}
}

// TestAppendRowColsVecMatchesRow: rows of many post blocks, drawn 16
// blocks at a time, give the columns of the row iterator, for whole rows
// and column ranges, at densities where blocks often need more than the 8
// words drawn at once.
func TestAppendRowColsVecMatchesRow(t *testing.T) {
	for _, tc := range []struct {
		cols int
		p    float64
	}{{1_000_000, 80e-6}, {1_200_000, 2e-4}, {2_100_000, 1e-5}, {400_000, 0.002}} {
		m := JIT{Rows: 40, Cols: tc.cols, P: tc.p, Seed: 5, Weight: HomogeneousWeight(1)}
		for i := range m.Rows {
			for _, r := range [][2]int{{0, m.Cols}, {70_000, m.Cols - 3}, {JITBlock * 7, JITBlock*7 + 1}, {5, JITBlock * 9}} {
				r[0], r[1] = min(r[0], m.Cols), min(r[1], m.Cols)
				var want []int32
				it := m.RowRange(i, r[0], r[1])
				for j, _, ok := it.Next(); ok; j, _, ok = it.Next() {
					want = append(want, int32(j))
				}
				got := m.AppendRowColsRange([]int32{-1}, i, r[0], r[1])
				if got[0] != -1 || !slices.Equal(got[1:], want) {
					t.Fatalf("cols %d p %g row %d range %v: %d columns, want %d", tc.cols, tc.p, i, r, len(got)-1, len(want))
				}
			}
		}
	}
}

// BenchmarkCOBAJITBound times the pieces of a bound on a COBA step at one
// million neurons with JIT connectivity (docs/sim-results.md): the neuron
// pass over 1M neurons (per step), the scatter of one synaptic event into
// 1M post-neurons (rows of 80 sorted columns, per event) and the 16-block
// vector draw of 128 skips (per word), each on one thread.
func BenchmarkCOBAJITBound(b *testing.B) {
	const n = 1_000_000
	m := JIT{Rows: n, Cols: n, P: 80.0 / n, Seed: 1, Weight: HomogeneousWeight(0.6)}
	b.Run("neuron-pass", func(b *testing.B) {
		p := &LIFCond{C: 0.005, El: -60, I: 20, Ee: 0, Ei: -80, DecE: 0.98, DecI: 0.99, Vth: -50, Vr: -60, RefSteps: 50}
		v, ge, gi, last, spk := make([]float32, n), make([]float32, n), make([]float32, n), make([]int32, n), make([]int32, n)
		FillUniform(v, -60, -50, 1, 1)
		LIFCondStep(v, ge, gi, last, 0, p, spk, 0) // page the state in
		b.SetBytes(n * 16)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			LIFCondStep(v, ge, gi, last, int32(i), p, spk, 0)
		}
	})
	b.Run("scatter-event", func(b *testing.B) {
		var cols []int32
		for i := 0; len(cols) < 1<<20; i += 37 {
			cols = m.AppendRowCols(cols, i%n)
		}
		dst := make([]float32, n)
		b.ResetTimer()
		for k := 0; k < b.N; {
			for _, j := range cols {
				dst[j] += 0.6
			}
			k += len(cols)
		}
	})
	b.Run("draw-word", func(b *testing.B) {
		var out [jitVecWords][jitLanes]float64
		invLog := 1 / math.Log1p(-m.P)
		for k := 0; k < b.N; k += jitVecWords * jitLanes {
			jitSkips(&out, m.Seed, k%n, 0, invLog)
		}
	})
}
