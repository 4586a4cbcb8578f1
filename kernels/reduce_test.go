package kernels

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func fmtInt(prefix string, n int) string { return prefix + strconv.Itoa(n) }

func TestSumDot(t *testing.T) {
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range append(testSizes, 4099) {
			x, y := randSlice(r, n), randSlice(r, n)
			var s, d, sa, da float64
			for i := range x {
				s += float64(x[i])
				d += float64(x[i]) * float64(y[i])
				sa += math.Abs(float64(x[i]))
				da += math.Abs(float64(x[i]) * float64(y[i]))
			}
			if g := Sum(x); math.Abs(float64(g)-s) > 1e-6*sa+1e-6 {
				t.Errorf("Sum n=%d = %v, want %v", n, g, s)
			}
			if g := Dot(x, y); math.Abs(float64(g)-d) > 1e-6*da+1e-6 {
				t.Errorf("Dot n=%d = %v, want %v", n, g, d)
			}
		}
	})
}

func TestRowReductions(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, sz := range [][2]int{{0, 3}, {1, 1}, {3, 10}, {5, 17}, {4, 0}} {
		rows, cols := sz[0], sz[1]
		x := randSlice(r, rows*cols)
		if rows*cols > 2 {
			x[1] = 300 // large logits must not overflow
		}
		mx := guarded(rows)
		RowMax(mx[guardLen:guardLen+rows], x, rows, cols)
		checkGuards(t, "RowMax", mx, rows)
		am := make([]int, rows)
		RowArgMax(am, x, rows, cols)
		sm := guarded(rows * cols)
		SoftmaxRows(sm[guardLen:guardLen+rows*cols], x, rows, cols)
		checkGuards(t, "SoftmaxRows", sm, rows*cols)
		ls := guarded(rows * cols)
		LogSoftmaxRows(ls[guardLen:guardLen+rows*cols], x, rows, cols)
		checkGuards(t, "LogSoftmaxRows", ls, rows*cols)
		for i := 0; i < rows; i++ {
			row := x[i*cols : (i+1)*cols]
			m, best := float32(math.Inf(-1)), 0
			for j, v := range row {
				if v > m {
					m = v
				}
				if v > row[best] {
					best = j
				}
			}
			if mx[guardLen+i] != m || am[i] != best {
				t.Errorf("row %d: max %v argmax %d, want %v %d", i, mx[guardLen+i], am[i], m, best)
			}
			var z float64
			for _, v := range row {
				z += math.Exp(float64(v) - float64(m))
			}
			var tot float64
			for j, v := range row {
				p := math.Exp(float64(v)-float64(m)) / z
				tot += float64(sm[guardLen+i*cols+j])
				if !closeRel(sm[guardLen+i*cols+j], float32(p), 1e-6) {
					t.Errorf("softmax [%d,%d] = %v, want %v", i, j, sm[guardLen+i*cols+j], p)
				}
				if lp := float64(v) - float64(m) - math.Log(z); !closeRel(ls[guardLen+i*cols+j], float32(lp), 1e-6) {
					t.Errorf("logsoftmax [%d,%d] = %v, want %v", i, j, ls[guardLen+i*cols+j], lp)
				}
			}
			if cols > 0 && math.Abs(tot-1) > 1e-5 {
				t.Errorf("softmax row %d sums to %v", i, tot)
			}
		}
		// Column sums accumulate.
		init := randSlice(r, cols)
		cs := guardedCopy(init)
		AddColSums(cs[guardLen:guardLen+cols], x, rows, cols)
		checkGuards(t, "AddColSums", cs, cols)
		for j := 0; j < cols; j++ {
			s := init[j]
			for i := 0; i < rows; i++ {
				s += x[i*cols+j]
			}
			if cs[guardLen+j] != s {
				t.Errorf("AddColSums [%d] = %v, want %v", j, cs[guardLen+j], s)
			}
		}
	}
}

func BenchmarkSum(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		x := make([]float32, n)
		b.Run(fmtInt("naive/n=", n), func(b *testing.B) {
			var s float32
			for range b.N {
				for _, v := range x {
					s += v
				}
			}
			_ = s
			b.ReportMetric(float64(4*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		b.Run(fmtInt("fast/n=", n), func(b *testing.B) {
			for range b.N {
				Sum(x)
			}
			b.ReportMetric(float64(4*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
