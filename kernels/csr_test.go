package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randCSR returns a random rows×cols matrix with connection probability p,
// in dense and CSR form.
func randCSR(r *rand.Rand, rows, cols int, p float64) ([]float32, *CSR) {
	d := make([]float32, rows*cols)
	for i := range d {
		if r.Float64() < p {
			d[i] = float32(r.NormFloat64())
		}
	}
	return d, CSRFromDense(d, rows, cols)
}

func TestNewCSR(t *testing.T) {
	m, err := NewCSR(3, 4, []int32{2, 0, 2, 1}, []int32{1, 3, 0, 2}, []float32{5, 6, 7, 8})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	d := make([]float32, 12)
	m.ToDense(d)
	want := []float32{0, 0, 0, 6, 0, 0, 8, 0, 7, 5, 0, 0}
	if fmt.Sprint(d) != fmt.Sprint(want) {
		t.Errorf("dense %v, want %v", d, want)
	}
	if fmt.Sprint(m.Ptr, m.Col) != "[0 1 2 4] [3 2 0 1]" {
		t.Errorf("Ptr/Col %v %v", m.Ptr, m.Col)
	}
	for _, tc := range []struct {
		name       string
		rows, cols int
		r, c       []int32
		v          []float32
		msg        string
	}{
		{"lengths", 2, 2, []int32{0}, []int32{0, 1}, nil, "lengths"},
		{"vals", 2, 2, []int32{0}, []int32{0}, []float32{1, 2}, "lengths"},
		{"row", 2, 2, []int32{2}, []int32{0}, nil, "outside"},
		{"col", 2, 2, []int32{0}, []int32{-1}, nil, "outside"},
		{"dup", 2, 2, []int32{1, 0, 1}, []int32{1, 0, 1}, []float32{1, 2, 3}, "both at (1, 1)"},
		{"nan", 2, 2, []int32{0}, []int32{0}, []float32{float32(math.NaN())}, "non-finite"},
		{"neg", -1, 2, nil, nil, nil, "negative"},
	} {
		if _, err := NewCSR(tc.rows, tc.cols, tc.r, tc.c, tc.v); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.msg)
		}
	}
	bad := &CSR{Rows: 1, Cols: 2, Ptr: []int64{0, 2}, Col: []int32{1, 0}, Val: []float32{1, 1}}
	if bad.Validate() == nil {
		t.Error("unsorted columns validated")
	}
	empty, err := NewCSR(0, 0, nil, nil, nil)
	if err != nil || empty.NNZ() != 0 || empty.Validate() != nil {
		t.Errorf("empty matrix: %v", err)
	}
}

func TestCSRKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	shapes := [][2]int{{0, 4}, {1, 1}, {5, 7}, {40, 33}, {300, 500}}
	if !testing.Short() {
		shapes = append(shapes, [2]int{1500, 1200})
	}
	for _, sh := range shapes {
		for _, p := range []float64{0, 0.1, 0.7} {
			rows, cols := sh[0], sh[1]
			d, m := randCSR(r, rows, cols, p)
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			x, xc := randSlice(r, rows), randSlice(r, cols)
			if rows > 2 {
				x[1] = 0
			}
			var active []int32
			for i := 0; i < rows; i++ {
				if r.Float64() < 0.3 {
					active = append(active, int32(i))
				}
			}
			if rows > 0 {
				active = append(active, 0) // a neuron may appear twice
			}
			const batch = 3
			xb, xcb := randSlice(r, batch*rows), randSlice(r, batch*cols)
			var e Events
			e.FromDense(randSpikes(r, batch, rows, 0.2), batch, rows)
			init := randSlice(r, cols)
			initB := randSlice(r, batch*cols)

			// Reference loops on the dense matrix (entry order = column order).
			wantEv, wantHomo := append([]float32(nil), init...), append([]float32(nil), init...)
			for _, i := range active {
				for j := 0; j < cols; j++ {
					if v := d[int(i)*cols+j]; v != 0 {
						wantEv[j] += v
						wantHomo[j] += 0.25
					}
				}
			}
			wantT, wantV := make([]float32, cols), make([]float32, rows)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					if v := d[i*cols+j]; v != 0 {
						wantT[j] += x[i] * v
						wantV[i] += v * xc[j]
					}
				}
			}
			wantMM, wantMMT := make([]float32, batch*cols), make([]float32, batch*rows)
			wantEM := append([]float32(nil), initB...)
			for b := 0; b < batch; b++ {
				for i := 0; i < rows; i++ {
					for j := 0; j < cols; j++ {
						if v := d[i*cols+j]; v != 0 {
							wantMM[b*cols+j] += xb[b*rows+i] * v
							wantMMT[b*rows+i] += v * xcb[b*cols+j]
						}
					}
				}
				for _, i := range e.Row(b) {
					for j := 0; j < cols; j++ {
						if v := d[int(i)*cols+j]; v != 0 {
							wantEM[b*cols+j] += v
						}
					}
				}
			}
			for _, th := range []int{1, 2} {
				prev := SetThreads(th)
				for _, tc := range []struct {
					name string
					init []float32
					want []float32
					run  func(y []float32)
				}{
					{"EventMatVec", init, wantEv, func(y []float32) { m.EventMatVec(y, active) }},
					{"EventMatVecHomo", init, wantHomo, func(y []float32) { m.EventMatVecHomo(y, active, 0.25) }},
					{"MatTVec", init, wantT, func(y []float32) { m.MatTVec(y, x) }},
					{"MatVec", randSlice(r, rows), wantV, func(y []float32) { m.MatVec(y, xc) }},
					{"MatMul", initB, wantMM, func(y []float32) { m.MatMul(y, xb, batch) }},
					{"MatMulT", randSlice(r, batch*rows), wantMMT, func(y []float32) { m.MatMulT(y, xcb, batch) }},
					{"EventMatMul", initB, wantEM, func(y []float32) { m.EventMatMul(y, cols, &e) }},
				} {
					n := len(tc.want)
					got := guardedCopy(tc.init)
					tc.run(got[guardLen : guardLen+n])
					checkGuards(t, tc.name, got, n)
					if !sameBits(got[guardLen:guardLen+n], tc.want) {
						t.Fatalf("%s %v p=%v threads=%d differs from reference", tc.name, sh, p, th)
					}
				}
				SetThreads(prev)
			}
		}
	}
}

// BenchmarkCSREventMatVec measures the event-driven scatter of a COBA-like
// network (N neurons, p = 80/N, 2% active) in synapse events per second.
func BenchmarkCSREventMatVec(b *testing.B) {
	for _, n := range []int{4000, 100000} {
		r := rand.New(rand.NewPCG(10, 10))
		j := &JIT{Rows: n, Cols: n, P: 80 / float64(n), Seed: 1, Weight: UniformWeight(0, 1)}
		m := j.ToCSR()
		var active []int32
		for i := 0; i < n; i++ {
			if r.Float64() < 0.02 {
				active = append(active, int32(i))
			}
		}
		syn := 0
		for _, i := range active {
			syn += int(m.Ptr[i+1] - m.Ptr[i])
		}
		y := make([]float32, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for range b.N {
				m.EventMatVec(y, active)
			}
			b.ReportMetric(float64(syn)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gsyn/s")
		})
	}
}
