package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func traubMilesParams() *HHParams {
	return &HHParams{C: 200, GL: 10, EL: -60, GNa: 20000, ENa: 50, GK: 6000, EK: -90, VT: -63, Dt: 0.1}
}

// hhStates returns n neurons' states spread over the range a simulation
// visits, with membranes exactly at and next to the rate functions'
// removable singularities (x/(e^x − 1) at x = 0), and synaptic inputs.
func hhStates(r *rand.Rand, n int) (v, m, h, nn, a, b []float32) {
	v, m, h, nn, a, b = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	special := []float32{-50, -23, -48, -50.0001, -22.9999, -48.00002, -60, 40, -95}
	for i := range v {
		v[i] = -95 + 145*r.Float32()
		if i < len(special) {
			v[i] = special[i]
		}
		m[i], h[i], nn[i] = r.Float32(), r.Float32(), r.Float32()
		b[i] = 200 * r.Float32()
		a[i] = -b[i]*70 + 2000*(r.Float32()-0.5)
	}
	return
}

// TestHHExpEuler checks the AVX-512 step against the Go loop bit for bit
// (tails of 1-7 neurons included), over ten steps, and one step against a
// float64 evaluation with math.Exp.
func TestHHExpEuler(t *testing.T) {
	p := traubMilesParams()
	for _, n := range []int{1, 7, 8, 13, 64, 1000} {
		r := rand.New(rand.NewPCG(uint64(n), 9))
		v, m, h, nn, a, b := hhStates(r, n)
		gv, gm, gh, gn := clone32(v), clone32(m), clone32(h), clone32(nn)
		for step := 0; step < 10; step++ {
			HHExpEuler(p, v, m, h, nn, a, b)
			hhExpEulerGo(p, gv, gm, gh, gn, a, b)
			for i := range v {
				if math.Float32bits(v[i]) != math.Float32bits(gv[i]) || math.Float32bits(m[i]) != math.Float32bits(gm[i]) ||
					math.Float32bits(h[i]) != math.Float32bits(gh[i]) || math.Float32bits(nn[i]) != math.Float32bits(gn[i]) {
					t.Fatalf("n=%d step %d neuron %d: (%v %v %v %v), Go loop (%v %v %v %v)", n, step, i,
						v[i], m[i], h[i], nn[i], gv[i], gm[i], gh[i], gn[i])
				}
			}
		}
	}
	// One step against the textbook formulas in float64 with math.Exp.
	r := rand.New(rand.NewPCG(3, 3))
	v, m, h, nn, a, b := hhStates(r, 256)
	v0, m0, h0, n0 := clone32(v), clone32(m), clone32(h), clone32(nn)
	HHExpEuler(p, v, m, h, nn, a, b)
	exprel := func(x float64) float64 {
		if x == 0 {
			return 1
		}
		return x / math.Expm1(x)
	}
	for i := range v {
		x, vt := float64(v0[i]), p.VT
		am, bm := 0.32*4*exprel((13-x+vt)/4), 0.28*5*exprel((x-vt-40)/5)
		ah, bh := 0.128*math.Exp((17-x+vt)/18), 4/(1+math.Exp((40-x+vt)/5))
		an, bn := 0.032*5*exprel((15-x+vt)/5), 0.5*math.Exp((10-x+vt)/40)
		gna := p.GNa * math.Pow(float64(m0[i]), 3) * float64(h0[i])
		gk := p.GK * math.Pow(float64(n0[i]), 4)
		av := (p.GL*p.EL + gna*p.ENa + gk*p.EK + float64(a[i])) / p.C
		bv := (p.GL + gna + gk + float64(b[i])) / p.C
		want := []float64{av/bv + (x-av/bv)*math.Exp(-bv*p.Dt),
			am/(am+bm) + (float64(m0[i])-am/(am+bm))*math.Exp(-(am+bm)*p.Dt),
			ah/(ah+bh) + (float64(h0[i])-ah/(ah+bh))*math.Exp(-(ah+bh)*p.Dt),
			an/(an+bn) + (float64(n0[i])-an/(an+bn))*math.Exp(-(an+bn)*p.Dt)}
		got := []float32{v[i], m[i], h[i], nn[i]}
		for j := range want {
			if math.Abs(float64(got[j])-want[j]) > 1e-6*(1+math.Abs(want[j])) {
				t.Fatalf("neuron %d (v %v) variable %d: %v, want %v", i, x, j, got[j], want[j])
			}
		}
	}
}

// FastExp is within 1e-9 of math.Exp over its range, 0 below it and +Inf
// above.
func TestFastExp(t *testing.T) {
	for x := -699.0; x < 699; x += 0.0137 {
		got, want := FastExp(x), math.Exp(x)
		if math.Abs(got-want) > 1e-9*want {
			t.Fatalf("FastExp(%v) = %v, want %v", x, got, want)
		}
	}
	if FastExp(-800) != 0 || !math.IsInf(FastExp(800), 1) {
		t.Fatal("FastExp out of range")
	}
}

func clone32(x []float32) []float32 { return append([]float32(nil), x...) }

func BenchmarkHHExpEuler(b *testing.B) {
	p := traubMilesParams()
	r := rand.New(rand.NewPCG(1, 1))
	v, m, h, nn, a, bb := hhStates(r, 4000)
	b.Run("avx512", func(b *testing.B) {
		for range b.N {
			HHExpEuler(p, v, m, h, nn, a, bb)
		}
	})
	b.Run("go", func(b *testing.B) {
		for range b.N {
			hhExpEulerGo(p, v, m, h, nn, a, bb)
		}
	})
}
