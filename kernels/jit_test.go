package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestJITMatchesMaterialized(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	for _, tc := range []struct {
		rows, cols int
		p          float64
		rule       WeightRule
	}{
		{0, 5, 0.5, HomogeneousWeight(1)},
		{4, 0, 0.5, HomogeneousWeight(1)},
		{5, 1, 0.5, HomogeneousWeight(0.5)},
		{6, 2, 1, UniformWeight(1, 2)},
		{7, 9, 0, HomogeneousWeight(1)},
		{30, 40, 1, NormalWeight(1, 0.1)},
		{50, 70, 0.1, UniformWeight(-1, 2)},
		{80, 300, 0.02, NormalWeight(0.5, 0.2)},
		{200, 150, 0.7, HomogeneousWeight(-0.25)},
	} {
		m := &JIT{Rows: tc.rows, Cols: tc.cols, P: tc.p, Seed: 77, Weight: tc.rule}
		name := fmt.Sprintf("%dx%d p=%v %v", tc.rows, tc.cols, tc.p, tc.rule.Kind)
		rows, cols := tc.rows, tc.cols
		d := make([]float32, rows*cols)
		m.Materialize(d)
		c := m.ToCSR()
		if err := c.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cd := make([]float32, rows*cols)
		c.ToDense(cd)
		if !sameBits(cd, d) {
			t.Fatalf("%s: ToCSR and Materialize differ", name)
		}
		switch {
		case tc.p == 0 && c.NNZ() != 0, tc.p == 1 && c.NNZ() != rows*cols:
			t.Fatalf("%s: %d connections", name, c.NNZ())
		}
		// Every kernel against the reference loop on the materialized
		// matrix (weights here are never 0, so nonzero = connected).
		x, xc := randSlice(r, rows), randSlice(r, cols)
		if rows > 1 {
			x[0] = 0
		}
		active := []int32{}
		for i := 0; i < rows; i++ {
			if r.Float64() < 0.4 {
				active = append(active, int32(i))
			}
		}
		const batch = 3
		xb, xcb := randSlice(r, batch*rows), randSlice(r, batch*cols)
		if len(xb) > 0 {
			xb[0] = 0
		}
		var e Events
		e.FromDense(randSpikes(r, batch, rows, 0.3), batch, rows)
		init, initB := randSlice(r, cols), randSlice(r, batch*cols)
		wantEv := append([]float32(nil), init...)
		for _, i := range active {
			for j := 0; j < cols; j++ {
				if v := d[int(i)*cols+j]; v != 0 {
					wantEv[j] += v
				}
			}
		}
		wantT, wantV := make([]float32, cols), make([]float32, rows)
		wantMM, wantMMT := make([]float32, batch*cols), make([]float32, batch*rows)
		wantEM := append([]float32(nil), initB...)
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				if v := d[i*cols+j]; v != 0 {
					if x[i] != 0 {
						wantT[j] += x[i] * v
					}
					wantV[i] += v * xc[j]
				}
			}
		}
		for b := 0; b < batch; b++ {
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					if v := d[i*cols+j]; v != 0 {
						if a := xb[b*rows+i]; a != 0 {
							wantMM[b*cols+j] += a * v
						}
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
		for _, th := range []int{1, 2, 3} {
			prev := SetThreads(th)
			for _, k := range []struct {
				name string
				init []float32
				want []float32
				run  func(y []float32)
			}{
				{"EventMatVec", init, wantEv, func(y []float32) { m.EventMatVec(y, active) }},
				{"MatTVec", init, wantT, func(y []float32) { m.MatTVec(y, x) }},
				{"MatVec", randSlice(r, rows), wantV, func(y []float32) { m.MatVec(y, xc) }},
				{"MatMul", initB, wantMM, func(y []float32) { m.MatMul(y, xb, batch) }},
				{"MatMulT", randSlice(r, batch*rows), wantMMT, func(y []float32) { m.MatMulT(y, xcb, batch) }},
				{"EventMatMul", initB, wantEM, func(y []float32) { m.EventMatMul(y, cols, &e) }},
			} {
				n := len(k.want)
				got := guardedCopy(k.init)
				k.run(got[guardLen : guardLen+n])
				checkGuards(t, k.name, got, n)
				if !sameBits(got[guardLen:guardLen+n], k.want) {
					t.Fatalf("%s: %s threads=%d differs from the materialized reference", name, k.name, th)
				}
			}
			SetThreads(prev)
		}
	}
}

func TestJITStatistics(t *testing.T) {
	rows, cols := 400, 1000
	if testing.Short() {
		rows = 100
	}
	for _, p := range []float64{0.003, 0.05, 0.5, 0.97} {
		m := &JIT{Rows: rows, Cols: cols, P: p, Seed: 5, Weight: UniformWeight(2, 3)}
		c := m.ToCSR()
		n, mean := float64(c.NNZ()), m.ExpectedSynapses()
		if sd := math.Sqrt(mean * (1 - p)); math.Abs(n-mean) > 5*sd+1 {
			t.Errorf("p=%v: %v connections, expected %v ± %v", p, n, mean, sd)
		}
		// Columns are hit uniformly: the first and last thirds of the
		// columns get about the same share (the skip chain starts at 0).
		var first, last float64
		for _, j := range c.Col {
			switch {
			case int(j) < cols/3:
				first++
			case int(j) >= cols-cols/3:
				last++
			}
		}
		if sd := math.Sqrt(n / 3); math.Abs(first-last) > 6*sd+1 {
			t.Errorf("p=%v: %v connections in the first third, %v in the last", p, first, last)
		}
		for _, v := range c.Val {
			if v < 2 || v >= 3 {
				t.Fatalf("uniform weight %v outside [2, 3)", v)
			}
		}
	}
	m := &JIT{Rows: rows, Cols: cols, P: 0.2, Seed: 6, Weight: NormalWeight(1, 0.5)}
	var s, s2 float64
	c := m.ToCSR()
	for _, v := range c.Val {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	n := float64(c.NNZ())
	if mu, sd := s/n, math.Sqrt(s2/n-(s/n)*(s/n)); math.Abs(mu-1) > 0.02 || math.Abs(sd-0.5) > 0.02 {
		t.Errorf("normal weights: mean %v sd %v", mu, sd)
	}
	// Different seeds give different matrices; rows differ from each other.
	a, b := (&JIT{Rows: 2, Cols: 500, P: 0.1, Seed: 1}).ToCSR(), (&JIT{Rows: 2, Cols: 500, P: 0.1, Seed: 2}).ToCSR()
	if fmt.Sprint(a.Col) == fmt.Sprint(b.Col) || fmt.Sprint(a.Col[:a.Ptr[1]]) == fmt.Sprint(a.Col[a.Ptr[1]:]) {
		t.Error("seeds or rows do not change the connections")
	}
}

// BenchmarkJIT measures the JIT kernels on COBA-like networks (N neurons,
// p = 80/N, 2% of the rows active), in synapse events per second, beside
// the CSR event scatter on the same matrix.
func BenchmarkJIT(b *testing.B) {
	for _, n := range []int{4000, 100000} {
		r := rand.New(rand.NewPCG(12, 12))
		m := &JIT{Rows: n, Cols: n, P: 80 / float64(n), Seed: 3, Weight: HomogeneousWeight(0.6)}
		var active []int32
		for i := 0; i < n; i++ {
			if r.Float64() < 0.02 {
				active = append(active, int32(i))
			}
		}
		c := m.ToCSR()
		syn := 0
		for _, i := range active {
			syn += int(c.Ptr[i+1] - c.Ptr[i])
		}
		y := make([]float32, n)
		rate := func(b *testing.B, events float64) {
			b.ReportMetric(events*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gsyn/s")
		}
		b.Run(fmt.Sprintf("jit-event/N=%d", n), func(b *testing.B) {
			for range b.N {
				m.EventMatVec(y, active)
			}
			rate(b, float64(syn))
		})
		b.Run(fmt.Sprintf("csr-event/N=%d", n), func(b *testing.B) {
			for range b.N {
				c.EventMatVec(y, active)
			}
			rate(b, float64(syn))
		})
		b.Run(fmt.Sprintf("csr-event-homo/N=%d", n), func(b *testing.B) {
			for range b.N {
				c.EventMatVecHomo(y, active, 0.6)
			}
			rate(b, float64(syn))
		})
		x := randSlice(r, n)
		yv := make([]float32, n)
		b.Run(fmt.Sprintf("jit-matvec/N=%d", n), func(b *testing.B) {
			for range b.N {
				m.MatVec(yv, x)
			}
			rate(b, float64(c.NNZ()))
		})
		b.Run(fmt.Sprintf("csr-matvec/N=%d", n), func(b *testing.B) {
			for range b.N {
				c.MatVec(yv, x)
			}
			rate(b, float64(c.NNZ()))
		})
	}
}

func TestJITLog(t *testing.T) {
	for _, u := range []float64{1, 0.5, 0x1p-32, 0.7071, 0.70711, 0.9999999, 1e-5, 0.3, 2.3283064365386963e-10} {
		if g, w := jitLog(u), math.Log(u); math.Abs(g-w) > 1e-9*math.Abs(w)+1e-15 {
			t.Errorf("jitLog(%v) = %v, want %v", u, g, w)
		}
	}
	p := NewPhilox(1, 1)
	for i := 0; i < 100000; i++ {
		u := UniformOpen64(p.Uint32())
		if g, w := jitLog(u), math.Log(u); math.Abs(g-w) > 1e-9*math.Abs(w)+1e-15 {
			t.Fatalf("jitLog(%v) = %v, want %v", u, g, w)
		}
	}
}
