package kernels

import (
	"math"
	"slices"
	"testing"
)

// jitBlockRef is row i of m by the post-block definition, built from
// single-block matrices: block b is row i + b·2³² of a JIT of the block's
// width, its columns shifted by b·JITBlock.
func jitBlockRef(m *JIT, i int) (cols []int32, ws []float32) {
	for b := 0; b*JITBlock < m.Cols; b++ {
		sub := JIT{Rows: 1 << 40, Cols: min(JITBlock, m.Cols-b*JITBlock), P: m.P, Seed: m.Seed, Weight: m.Weight}
		var r JITRow
		sub.initRow(&r, int(jitStream(i, uint64(b))))
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			cols = append(cols, int32(b*JITBlock+j))
			ws = append(ws, w)
		}
	}
	return cols, ws
}

func TestJITPostBlocks(t *testing.T) {
	for _, tc := range []struct {
		cols int
		p    float64
		w    WeightRule
	}{
		{JITBlock, 0.001, HomogeneousWeight(1)},
		{3*JITBlock + 1234, 80.0 / (3*JITBlock + 1234), HomogeneousWeight(0.5)},
		{2*JITBlock + 7, 0.0005, UniformWeight(-1, 1)},
		{JITBlock + 5, 1e-4, NormalWeight(0, 1)},
		{JITBlock + 3, 1, UniformWeight(0, 1)},
		{1_000_000, 80e-6, HomogeneousWeight(0.6)},
	} {
		m := &JIT{Rows: 50, Cols: tc.cols, P: tc.p, Seed: 11, Weight: tc.w}
		for i := 0; i < m.Rows; i++ {
			want, wantW := jitBlockRef(m, i)
			var got []int32
			var gotW []float32
			r := m.Row(i)
			for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
				got, gotW = append(got, int32(j)), append(gotW, w)
			}
			if !slices.Equal(got, want) || !slices.Equal(gotW, wantW) {
				t.Fatalf("cols %d p %g row %d: Row gives %d connections, the block definition %d", tc.cols, tc.p, i, len(got), len(want))
			}
			// Ranges cut anywhere (inside blocks, on block edges) give the
			// row's connections there, from RowRange and AppendRowColsRange.
			for _, cut := range [][2]int{{0, tc.cols}, {0, 1}, {5, JITBlock - 1}, {JITBlock - 3, JITBlock + 2}, {JITBlock, tc.cols}, {tc.cols / 3, 2 * tc.cols / 3}, {tc.cols, tc.cols}} {
				lo, hi := cut[0], min(cut[1], tc.cols)
				var sub []int32
				var subW []float32
				for k, j := range want {
					if int(j) >= lo && int(j) < hi {
						sub, subW = append(sub, j), append(subW, wantW[k])
					}
				}
				var rg []int32
				var rgW []float32
				r := m.RowRange(i, lo, hi)
				for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
					rg, rgW = append(rg, int32(j)), append(rgW, w)
				}
				if !slices.Equal(rg, sub) || !slices.Equal(rgW, subW) {
					t.Fatalf("cols %d row %d: RowRange(%d, %d) gives %v, want %v", tc.cols, i, lo, hi, rg, sub)
				}
				if tc.w.Kind == Homogeneous {
					guard := []int32{-7}
					ac := m.AppendRowColsRange(guard, i, lo, hi)
					if ac[0] != -7 || !slices.Equal(ac[1:], sub) {
						t.Fatalf("cols %d row %d: AppendRowColsRange(%d, %d) gives %v, want %v", tc.cols, i, lo, hi, ac[1:], sub)
					}
				}
			}
		}
	}
}

// A matrix of at most JITBlock columns is one block: its row i is drawn
// from the stream (Seed, i) alone, as before post blocks.
func TestJITOneBlockStream(t *testing.T) {
	m := &JIT{Rows: 3, Cols: 4000, P: 0.02, Seed: 3, Weight: HomogeneousWeight(1)}
	ph := NewPhilox(3, 2)
	var want []int32
	j := -1
	inv := 1 / math.Log1p(-0.02)
	for {
		s := jitLog(UniformOpen64(ph.Uint32())) * inv
		if s >= 4000 {
			break
		}
		j += 1 + int(s)
		if j >= 4000 {
			break
		}
		want = append(want, int32(j))
	}
	if got := m.AppendRowCols(nil, 2); !slices.Equal(got, want) {
		t.Fatalf("row 2: %v, want %v", got, want)
	}
}
