package kernels

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// lifCondNaive is the reference loop of LIFCondStep's doc comment.
func lifCondNaive(v, ge, gi []float32, last []int32, t int32, p *LIFCond, spk []int32, base int32) int {
	n := 0
	for i := range v {
		active := t-last[i] >= p.RefSteps
		if active {
			v[i] += float32(p.C * (p.El + p.I + float32(ge[i]*p.Ee) + float32(gi[i]*p.Ei) - float32((1+ge[i]+gi[i])*v[i])))
		}
		ge[i] *= p.DecE
		gi[i] *= p.DecI
		if active && v[i] > p.Vth {
			v[i], last[i] = p.Vr, t
			spk[n] = base + int32(i)
			n++
		}
	}
	return n
}

func TestLIFCondStep(t *testing.T) {
	p := &LIFCond{C: 0.005, El: -60, I: 20, Ee: 0, Ei: -80, DecE: 0.98, DecI: 0.99, Vth: -50, Vr: -60, RefSteps: 50}
	const guard = 1234.5
	for _, avx := range []bool{false, true} {
		if avx && !hasAVX512 {
			continue
		}
		for _, n := range []int{0, 1, 15, 16, 17, 33, 1023, 1024, 1040, 5000} {
			t.Run(fmt.Sprintf("avx=%v/n=%d", avx, n), func(t *testing.T) {
				saved := hasAVX512
				hasAVX512 = avx
				defer func() { hasAVX512 = saved }()
				mk := func(stream uint64, lo, hi float32) []float32 {
					s := make([]float32, n+2)
					FillUniform(s, lo, hi, 7, stream)
					s[0], s[n+1] = guard, guard
					return s
				}
				v, ge, gi := mk(1, -62, -49), mk(2, 0, 2), mk(3, 0, 3)
				last := make([]int32, n+2)
				r := NewPhilox(7, 4)
				for i := range last {
					last[i] = int32(r.Uint32()%120) - 20 + 1000 - 100
				}
				last[0], last[n+1] = -7, -7
				v2, ge2, gi2, last2 := slices.Clone(v), slices.Clone(ge), slices.Clone(gi), slices.Clone(last)
				spk := make([]int32, n+1)
				spk2 := make([]int32, n+1)
				spk[n], spk2[n] = -9, -9
				k := LIFCondStep(v[1:n+1], ge[1:n+1], gi[1:n+1], last[1:n+1], 1000, p, spk[:n], 5)
				k2 := lifCondNaive(v2[1:n+1], ge2[1:n+1], gi2[1:n+1], last2[1:n+1], 1000, p, spk2[:n], 5)
				if k != k2 || !slices.Equal(spk, spk2) {
					t.Fatalf("spikes %v, want %v", spk[:k], spk2[:k2])
				}
				for i := range v {
					if math.Float32bits(v[i]) != math.Float32bits(v2[i]) || ge[i] != ge2[i] || gi[i] != gi2[i] || last[i] != last2[i] {
						t.Fatalf("element %d: got v %v ge %v gi %v last %d, want %v %v %v %d", i, v[i], ge[i], gi[i], last[i], v2[i], ge2[i], gi2[i], last2[i])
					}
				}
				if n > 100 && (k == 0 || k == n) {
					t.Fatalf("degenerate test: %d of %d spiked", k, n)
				}
			})
		}
	}
}

func BenchmarkLIFCondStep(b *testing.B) {
	p := &LIFCond{C: 0.005, El: -60, I: 20, Ee: 0, Ei: -80, DecE: 0.98, DecI: 0.99, Vth: -50, Vr: -60, RefSteps: 50}
	for _, avx := range []bool{false, true} {
		if avx && !hasAVX512 {
			continue
		}
		b.Run(fmt.Sprintf("avx=%v/n=4000", avx), func(b *testing.B) {
			saved := hasAVX512
			hasAVX512 = avx
			defer func() { hasAVX512 = saved }()
			n := 4000
			v, ge, gi, last, spk := make([]float32, n), make([]float32, n), make([]float32, n), make([]int32, n), make([]int32, n)
			FillUniform(v, -60, -50, 1, 1)
			for i := 0; i < b.N; i++ {
				LIFCondStep(v, ge, gi, last, int32(i), p, spk, 0)
			}
		})
	}
}
