package snn

import (
	"fmt"
	"testing"
)

// BenchmarkCOBA reports the time per simulated second (10,000 steps of
// 0.1 ms) of the COBA benchmark network after 100 ms of warm-up.
func BenchmarkCOBA(b *testing.B) {
	for _, n := range []int{4000, 16000, 64000} {
		for _, st := range []Storage{StoreCSR, StoreJIT} {
			b.Run(fmt.Sprintf("N=%d/%s", n, []string{"csr", "dense", "jit"}[st]), func(b *testing.B) {
				net := buildEI(b, eiConfig{N: n, Seed: 1, Store: st}, false).Sim
				net.Run(1000)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					net.Run(10000)
				}
			})
		}
	}
}

// BenchmarkHHStep is one exponential-Euler step of 4,000 Traub-Miles
// neurons with COBA-HH-like input.
func BenchmarkHHStep(b *testing.B) {
	g := NewHHGroup(4000, TraubMiles(0.1))
	in := Input{A: make([]float32, 4000), B: make([]float32, 4000)}
	for i := range in.A {
		in.B[i] = 100 + float32(i%50)
		in.A[i] = -4000 + float32(i%97)*10
	}
	spk := make([]int32, 4000)
	for i := 0; i < b.N; i++ {
		g.update(0, 4000, int32(i), in, spk)
	}
}
