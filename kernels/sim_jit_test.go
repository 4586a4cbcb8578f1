package kernels

import (
	"slices"
	"testing"
)

func TestAppendRowColsMatchesRow(t *testing.T) {
	for _, p := range []float64{0, 1e-4, 0.02, 0.3, 0.999, 1} {
		m := JIT{Rows: 50, Cols: 3000, P: p, Seed: 11, Weight: HomogeneousWeight(0.6)}
		for i := 0; i < m.Rows; i++ {
			var want []int32
			r := m.Row(i)
			for j, _, ok := r.Next(); ok; j, _, ok = r.Next() {
				want = append(want, int32(j))
			}
			got := m.AppendRowCols([]int32{-5}, i)
			if got[0] != -5 || !slices.Equal(got[1:], want) {
				t.Fatalf("p %g row %d: %d columns, want %d", p, i, len(got)-1, len(want))
			}
		}
	}
}

func BenchmarkJITRowCols(b *testing.B) {
	m := JIT{Rows: 1000, Cols: 1000000, P: 80e-6, Seed: 1, Weight: HomogeneousWeight(1)}
	buf := make([]int32, 0, 1024)
	b.Run("Row", func(b *testing.B) {
		for k := 0; k < b.N; k++ {
			buf = buf[:0]
			r := m.Row(k % m.Rows)
			for j, _, ok := r.Next(); ok; j, _, ok = r.Next() {
				buf = append(buf, int32(j))
			}
		}
	})
	b.Run("AppendRowCols", func(b *testing.B) {
		for k := 0; k < b.N; k++ {
			buf = m.AppendRowCols(buf[:0], k%m.Rows)
		}
	})
	// The same without the 16-block AVX-512 draws (one word at a time).
	b.Run("AppendRowColsScalar", func(b *testing.B) {
		defer func(v bool) { vecAVX512 = v }(vecAVX512)
		vecAVX512 = false
		for k := 0; k < b.N; k++ {
			buf = m.AppendRowCols(buf[:0], k%m.Rows)
		}
	})
}
