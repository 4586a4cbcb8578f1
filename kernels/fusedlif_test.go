package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// fusedCase is a random one-sample problem of the fused LIF kernels.
type fusedCase struct {
	h, steps, k        int
	beta, theta, c, hh float32
	xp, w2b, g, gx, gw []float32
}

func newFusedCase(r *rand.Rand, h, steps, k int) *fusedCase {
	hp := FusedBlocks(h) * FusedLanes
	fc := &fusedCase{h: h, steps: steps, k: k, beta: 0.95, theta: 1,
		c: float32(math.Pi/2) * 2, hh: 1}
	fc.xp = make([]float32, hp)
	for i := range h {
		fc.xp[i] = 0.4 * float32(r.NormFloat64())
	}
	w := make([]float32, h*k)
	for i := range w {
		w[i] = 0.3 * float32(r.NormFloat64())
	}
	fc.w2b = make([]float32, hp*k)
	PackFusedReadout(fc.w2b, w, h, k)
	fc.g = make([]float32, steps*FusedLanes)
	for t := range steps {
		for o := range k {
			fc.g[t*FusedLanes+o] = float32(r.NormFloat64())
		}
	}
	fc.gx = make([]float32, h)
	for i := range fc.gx {
		fc.gx[i] = 0.1 * float32(r.NormFloat64())
	}
	fc.gw = make([]float32, hp*k)
	for blk := range FusedBlocks(h) {
		for q := range k {
			for i := range FusedLanes {
				if blk*FusedLanes+i < h {
					fc.gw[(blk*k+q)*FusedLanes+i] = 0.1 * float32(r.NormFloat64())
				}
			}
		}
	}
	return fc
}

// naiveFused runs the fused kernels' definition with the one LIF step
// (LIFForward's and LIFBackward's reference loops, atan surrogate) on the
// whole layer step by step: the readout current (partial sums per lane,
// reduced as documented), the spike bits, the input's and the readout
// weights' gradients. It also returns the readout current summed in
// float64.
func naiveFused(fc *fusedCase) (o []float32, bits []int32, gx, gw []float32, o64 []float64) {
	h, steps, k := fc.h, fc.steps, fc.k
	nb := FusedBlocks(h)
	w := func(j, q int) float32 { return fc.w2b[((j/FusedLanes)*k+q)*FusedLanes+j%FusedLanes] }
	o = make([]float32, steps*FusedLanes)
	o64 = make([]float64, steps*FusedLanes)
	bits = make([]int32, nb*steps)
	mem := make([][]float32, steps+1)
	spk := make([][]float32, steps)
	mem[0] = make([]float32, h)
	x := fc.xp[:h]
	for t := range steps {
		mem[t+1], spk[t] = make([]float32, h), make([]float32, h)
		naiveLIFForward(mem[t+1], spk[t], mem[t], x, fc.beta, fc.theta, LIFResetSubtract)
		var acc [FusedMaxOut][FusedLanes]float32
		for j, s := range spk[t] {
			if s != 0 {
				bits[(j/FusedLanes)*steps+t] |= 1 << (j % FusedLanes)
				for q := range k {
					acc[q][j%FusedLanes] += w(j, q)
					o64[t*FusedLanes+q] += float64(w(j, q))
				}
			}
		}
		for q := range k {
			v := acc[q]
			var a [8]float32
			for i := range a {
				a[i] = v[i] + v[i+8]
			}
			o[t*FusedLanes+q] = (float32(a[0]+a[4]) + float32(a[2]+a[6])) + (float32(a[1]+a[5]) + float32(a[3]+a[7]))
		}
	}
	gx = append([]float32(nil), fc.gx...)
	gw = append([]float32(nil), fc.gw...)
	carry, next := make([]float32, h), make([]float32, h)
	gs := make([]float32, h)
	dw := make([][FusedMaxOut]float32, h)
	for t := steps - 1; t >= 0; t-- {
		for j := range h {
			v := fc.g[t*FusedLanes] * w(j, 0)
			for q := 1; q < k; q++ {
				v += float32(fc.g[t*FusedLanes+q] * w(j, q))
			}
			gs[j] = v
		}
		g := LIFGrad{U: mem[t], UNew: mem[t+1], GS: gs, Gin: gx, Gu: next, WriteU: true}
		if t < steps-1 {
			g.GU = carry
		}
		lifBackwardGo(g, fc.beta, fc.theta, LIFResetSubtract, SurrogateATan, fc.c, fc.hh)
		carry, next = next, carry
		for j, s := range spk[t] {
			if s != 0 {
				for q := range k {
					dw[j][q] += fc.g[t*FusedLanes+q]
				}
			}
		}
	}
	for j := range h {
		for q := range k {
			gw[((j/FusedLanes)*k+q)*FusedLanes+j%FusedLanes] += dw[j][q]
		}
	}
	return o, bits, gx, gw, o64
}

// runFused runs the fused kernels on fc with guard values around every
// output and checks them.
func runFused(t *testing.T, fc *fusedCase, vec bool) (o []float32, bits []int32, gx, gw []float32) {
	t.Helper()
	defer func(v bool) { vecAVX512 = v }(vecAVX512)
	vecAVX512 = vec
	const guard = 8
	h, steps := fc.h, fc.steps
	nb := FusedBlocks(h)
	hp := nb * FusedLanes
	oG := fusedGuarded(steps*FusedLanes, guard)
	bG := make([]int32, nb*steps+2*guard)
	for i := range bG {
		bG[i] = -7
	}
	u := fusedGuarded(hp, guard)
	FusedLIFForward(oG[guard:len(oG)-guard], bG[guard:len(bG)-guard], fc.xp, fc.w2b, u[guard:len(u)-guard], h, steps, fc.k, fc.beta, fc.theta)
	gxG := fusedGuarded(h, guard)
	copy(gxG[guard:], fc.gx)
	gwG := fusedGuarded(hp*fc.k, guard)
	copy(gwG[guard:], fc.gw)
	scratch := fusedGuarded(steps*hp, guard)
	FusedLIFBackward(gxG[guard:len(gxG)-guard], gwG[guard:len(gwG)-guard], scratch[guard:len(scratch)-guard],
		fc.xp, fc.w2b, fc.g, bG[guard:len(bG)-guard], h, steps, fc.k, fc.beta, fc.theta, fc.c, fc.hh)
	for _, b := range [][]float32{oG, gxG, gwG, scratch, u} {
		for i := range guard {
			if b[i] != 1234.5 || b[len(b)-1-i] != 1234.5 {
				t.Fatalf("vec=%v: write outside the buffer", vec)
			}
		}
	}
	for i := range guard {
		if bG[i] != -7 || bG[len(bG)-1-i] != -7 {
			t.Fatalf("vec=%v: bits written outside the buffer", vec)
		}
	}
	return oG[guard : len(oG)-guard], bG[guard : len(bG)-guard], gxG[guard : len(gxG)-guard], gwG[guard : len(gwG)-guard]
}

func fusedGuarded(n, guard int) []float32 {
	b := make([]float32, n+2*guard)
	for i := range guard {
		b[i], b[len(b)-1-i] = 1234.5, 1234.5
	}
	return b
}

// TestFusedLIF checks the fused kernels against the step-by-step LIF
// kernels' reference loops (equal values: the same operations in the same
// order) and the AVX-512 path against the Go loops bit for bit.
func TestFusedLIF(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][3]int{{1, 1, 1}, {16, 5, 10}, {17, 25, 10}, {40, 7, 3}, {1000, 25, 10}, {33, 30, 2}, {5, 3, 1}, {64, 9, 7}} {
		h, steps, k := sz[0], sz[1], sz[2]
		t.Run(fmt.Sprintf("h%d_t%d_k%d", h, steps, k), func(t *testing.T) {
			fc := newFusedCase(r, h, steps, k)
			no, nbits, ngx, ngw, o64 := naiveFused(fc)
			for i, v := range o64 {
				if math.Abs(float64(no[i])-v) > 1e-5*(1+math.Abs(v)) {
					t.Fatalf("o[%d] = %v, float64 sum %v", i, no[i], v)
				}
			}
			impls := []bool{false}
			if hasAVX512 {
				impls = append(impls, true)
			}
			var ref [4]any
			for _, vec := range impls {
				o, bits, gx, gw := runFused(t, fc, vec)
				for i := range no {
					if o[i] != no[i] {
						t.Fatalf("vec=%v: o[%d] = %v, reference %v", vec, i, o[i], no[i])
					}
				}
				for i := range nbits {
					if bits[i] != nbits[i] {
						t.Fatalf("vec=%v: bits[%d] = %x, reference %x", vec, i, bits[i], nbits[i])
					}
				}
				for i := range ngx {
					if gx[i] != ngx[i] {
						t.Fatalf("vec=%v: gx[%d] = %v, reference %v", vec, i, gx[i], ngx[i])
					}
				}
				for i := range ngw {
					if gw[i] != ngw[i] {
						t.Fatalf("vec=%v: gw2p[%d] = %v, reference %v", vec, i, gw[i], ngw[i])
					}
				}
				if !vec {
					ref = [4]any{o, bits, gx, gw}
					continue
				}
				// Bit for bit against the Go loops (signs of zeros included).
				for q, pair := range [][2][]float32{{o, ref[0].([]float32)}, {gx, ref[2].([]float32)}, {gw, ref[3].([]float32)}} {
					for i := range pair[0] {
						if math.Float32bits(pair[0][i]) != math.Float32bits(pair[1][i]) {
							t.Fatalf("output %d [%d]: AVX-512 %v, Go %v", q, i, pair[0][i], pair[1][i])
						}
					}
				}
			}
		})
	}
}

// BenchmarkFusedLIF times the two kernels at the hidden rate of a trained
// fmnist-snn network (about 0.2 spikes per neuron and step).
func BenchmarkFusedLIF(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	fc := newFusedCase(r, 1000, 25, 10)
	for i := range fc.h {
		fc.xp[i] = 0.35 * r.Float32()
	}
	nb := FusedBlocks(fc.h)
	hp := nb * FusedLanes
	o, bits := make([]float32, fc.steps*FusedLanes), make([]int32, nb*fc.steps)
	u, scratch := make([]float32, hp), make([]float32, fc.steps*hp)
	for _, vec := range []bool{false, true} {
		if vec && !hasAVX512 {
			continue
		}
		defer func(v bool) { vecAVX512 = v }(vecAVX512)
		vecAVX512 = vec
		FusedLIFForward(o, bits, fc.xp, fc.w2b, u, fc.h, fc.steps, fc.k, fc.beta, fc.theta)
		n := 0
		for _, m := range bits {
			n += popcount(uint32(m))
		}
		b.Run(fmt.Sprintf("forward/vec=%v", vec), func(b *testing.B) {
			b.ReportMetric(float64(n)/float64(fc.h*fc.steps), "rate")
			for b.Loop() {
				FusedLIFForward(o, bits, fc.xp, fc.w2b, u, fc.h, fc.steps, fc.k, fc.beta, fc.theta)
			}
		})
		b.Run(fmt.Sprintf("backward/vec=%v", vec), func(b *testing.B) {
			for b.Loop() {
				FusedLIFBackward(fc.gx, fc.gw, scratch, fc.xp, fc.w2b, fc.g, bits, fc.h, fc.steps, fc.k, fc.beta, fc.theta, fc.c, fc.hh)
			}
		})
	}
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
