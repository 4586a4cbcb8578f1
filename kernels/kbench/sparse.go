package kbench

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/braingo/braingo/kernels"
)

// eventEntries benchmarks the event-driven matmul and its weight gradient
// against the dense GEMMs that compute the same results: Y = S·W (gemm_nn
// B×K×N) and dW = Sᵀ·δ (gemm_tn K×B×N, S stored B×K).
func eventEntries(cfg Config) []*entry {
	b, k, n := cfg.EventShape[0], cfg.EventShape[1], cfg.EventShape[2]
	if b == 0 {
		return nil
	}
	fwdRef := gemmEntry("gemm_nn", false, false, b, k, n)
	gradRef := gemmEntry("gemm_tn", true, false, k, b, n)
	es := []*entry{fwdRef, gradRef}
	for _, d := range cfg.Densities {
		nnz := float64(b) * float64(int(d*float64(k)+0.5))
		es = append(es,
			&entry{
				kernel: "event_matmul", shape: shape3(b, k, n), density: d,
				flops: nnz * float64(n), ref: fwdRef.name(),
				setup: func(rng *rand.Rand) func() {
					s, _ := spikes(rng, b, k, d)
					w, y := fill(rng, k*n), make([]float32, b*n)
					var ev kernels.Events
					ev.FromDense(s, b, k)
					return func() { kernels.EventMatMul(y, n, &ev, w, n, n, false) }
				},
			},
			&entry{
				// The same kernel and spike counts with every spike on one of
				// the first 16 inputs, whose rows of W stay in L1: how fast
				// the kernel adds when W need not come from L2 or L3.
				kernel: "event_matmul_w_in_l1", shape: shape3(b, k, n), density: d,
				flops: nnz * float64(n), ref: fwdRef.name(),
				setup: func(rng *rand.Rand) func() {
					s, _ := spikes(rng, b, k, d)
					w, y := fill(rng, k*n), make([]float32, b*n)
					var ev kernels.Events
					ev.FromDense(s, b, k)
					for i := range ev.Idx {
						ev.Idx[i] = int32(rng.IntN(min(16, k)))
					}
					return func() { kernels.EventMatMul(y, n, &ev, w, n, n, false) }
				},
			},
			&entry{
				kernel: "spike_matmul_auto", shape: shape3(b, k, n), density: d,
				flops: nnz * float64(n), ref: fwdRef.name(),
				setup: func(rng *rand.Rand) func() {
					s, _ := spikes(rng, b, k, d)
					w, y := fill(rng, k*n), make([]float32, b*n)
					var ev kernels.Events
					return func() { kernels.SpikeMatMul(y, n, s, b, k, w, n, n, false, &ev) }
				},
			},
			&entry{
				kernel: "event_matmul_grad", shape: shape3(b, k, n), density: d,
				flops: nnz * float64(n), ref: gradRef.name(),
				setup: func(rng *rand.Rand) func() {
					s, _ := spikes(rng, b, k, d)
					delta, dw := fill(rng, b*n), make([]float32, k*n)
					var ev, scratch kernels.Events
					ev.FromDense(s, b, k)
					return func() { kernels.EventMatMulGrad(dw, n, &ev, delta, n, n, &scratch) }
				},
			})
	}
	return es
}

// narrowEntries benchmarks the narrow-output products (a readout of at most
// 16 units) against the GEMMs that compute the same results: Y = A·W
// (gemm_nn B×K×N), dA = D·Wᵀ (gemm_nt B×N×K) and dW = Aᵀ·D (gemm_tn
// K×B×N); the weight gradient includes unpacking it into dW.
func narrowEntries(cfg Config) []*entry {
	b, k, n := cfg.NarrowShape[0], cfg.NarrowShape[1], cfg.NarrowShape[2]
	if b == 0 || n > kernels.NarrowMax {
		return nil
	}
	fwdRef := gemmEntry("gemm_nn", false, false, b, k, n)
	inRef := gemmEntry("gemm_nt", false, true, b, n, k)
	gradRef := gemmEntry("gemm_tn", true, false, k, b, n)
	flops := 2 * float64(b) * float64(k) * float64(n)
	packed := func(rng *rand.Rand) []float32 {
		p := make([]float32, kernels.NarrowPackLen(k, n))
		kernels.PackNarrow(p, fill(rng, k*n), n, k, n)
		return p
	}
	return []*entry{fwdRef, inRef, gradRef,
		{
			kernel: "narrow_matmul", shape: shape3(b, k, n), density: 1, flops: flops, ref: fwdRef.name(),
			setup: func(rng *rand.Rand) func() {
				a, p, y := fill(rng, b*k), packed(rng), make([]float32, b*n)
				return func() { kernels.NarrowMatMul(y, n, a, k, b, k, p, n, false) }
			},
		},
		{
			kernel: "narrow_inner", shape: shape3(b, n, k), density: 1, flops: flops, ref: inRef.name(),
			setup: func(rng *rand.Rand) func() {
				d, p, y := fill(rng, b*n), packed(rng), make([]float32, b*k)
				return func() { kernels.NarrowInnerMatMul(y, k, d, n, b, n, p, k, false) }
			},
		},
		{
			kernel: "narrow_grad", shape: shape3(k, b, n), density: 1, flops: flops, ref: gradRef.name(),
			setup: func(rng *rand.Rand) func() {
				a, d, dw := fill(rng, b*k), fill(rng, b*n), make([]float32, k*n)
				scratch := make([]float32, kernels.NarrowPackLen(k, n))
				return func() { kernels.NarrowGradMatMul(dw, n, a, k, b, k, d, n, n, scratch) }
			},
		},
	}
}

// sparseEntries benchmarks the CSR and JIT-connectivity event matvecs of a
// network of N neurons with connection probability 80/N (about 80 synapses
// per neuron) when a fraction Active of them fires, beside a dense 1×N×N
// GEMM where that fits.
func sparseEntries(cfg Config) []*entry {
	var es []*entry
	for _, nn := range cfg.NetSizes {
		p := min(1, 80/float64(nn))
		jit := &kernels.JIT{Rows: nn, Cols: nn, P: p, Seed: 7, Weight: kernels.UniformWeight(0, 1)}
		active := int(cfg.Active*float64(nn) + 0.5)
		events := float64(active) * p * float64(nn)
		shape := fmt.Sprintf("%dx%d p=%.3g", nn, nn, p)
		ref := ""
		if nn <= cfg.DenseMatvecMax {
			dense := gemmEntry("gemv_dense", false, false, 1, nn, nn)
			dense.shape = shape
			es = append(es, dense)
			ref = dense.name()
		}
		pick := func(rng *rand.Rand) []int32 {
			perm := rng.Perm(nn)[:active]
			slices.Sort(perm)
			out := make([]int32, active)
			for i, v := range perm {
				out[i] = int32(v)
			}
			return out
		}
		var csr *kernels.CSR
		getCSR := func() *kernels.CSR {
			if csr == nil {
				csr = jit.ToCSR()
			}
			return csr
		}
		es = append(es,
			&entry{
				kernel: "csr_event_matvec", shape: shape, density: cfg.Active, ref: ref,
				flops: events, events: events, bytes: 8 * events,
				setup: func(rng *rand.Rand) func() {
					m, act, y := getCSR(), pick(rng), make([]float32, nn)
					return func() { m.EventMatVec(y, act) }
				},
			},
			&entry{
				kernel: "csr_event_matvec_homo", shape: shape, density: cfg.Active, ref: ref,
				flops: events, events: events, bytes: 4 * events,
				setup: func(rng *rand.Rand) func() {
					m, act, y := getCSR(), pick(rng), make([]float32, nn)
					return func() { m.EventMatVecHomo(y, act, 0.5) }
				},
			},
			&entry{
				kernel: "jit_event_matvec", shape: shape, density: cfg.Active, ref: ref,
				flops: events, events: events,
				setup: func(rng *rand.Rand) func() {
					act, y := pick(rng), make([]float32, nn)
					return func() { jit.EventMatVec(y, act) }
				},
			})
	}
	return es
}
