package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// BenchmarkSparseVsDense times one forward and backward pass (input and
// weight gradients) of a batch-128 projection: dense weights (MatMul, or
// SpikeMatMul for spikes) against a CSR matrix of 10% density with
// trainable values and a JIT matrix (homogeneous trained weight) of 10%.
// Inputs: "dense" real-valued 784→1000 (an FMNIST image layer), "spikes"
// binary 1000→1000 at 10% firing (a hidden layer), "spikes1000x10" a
// readout.
//
//	go test ./tensor/ -run '^$' -bench SparseVsDense -benchtime 20x
func BenchmarkSparseVsDense(b *testing.B) {
	r := rand.New(rand.NewPCG(21, 20))
	const batch = 128
	for _, c := range []struct {
		name    string
		in, out int
		spikes  bool
	}{{"dense784x1000", 784, 1000, false}, {"spikes1000x1000", 1000, 1000, true}, {"spikes1000x10", 1000, 10, true}} {
		var x *Tensor
		if c.spikes {
			x = binaryT(r, 0.1, batch, c.in)
		} else {
			x = randT(r, -1, 1, batch, c.in)
		}
		x.SetRequiresGrad(true)
		m, val := randPattern(r, c.in, c.out, 0.1)
		val.SetRequiresGrad(true)
		w := randT(r, -1, 1, c.in, c.out).SetRequiresGrad(true)
		jw := New([]int{1}, []float32{0.1}).SetRequiresGrad(true)
		jm := kernels.JIT{Rows: c.in, Cols: c.out, P: 0.1, Seed: 3, Weight: kernels.HomogeneousWeight(0)}
		up := randT(r, -1, 1, batch, c.out).Data
		ops := []struct {
			name string
			f    func(tp *Tape) *Tensor
		}{
			{"dense", func(tp *Tape) *Tensor {
				if c.spikes {
					return tp.SpikeMatMul(x, w)
				}
				return tp.MatMul(x, w, false, false)
			}},
			{"csr10", func(tp *Tape) *Tensor {
				if c.spikes {
					return tp.CSRSpikeMatMul(x, m, val)
				}
				return tp.CSRMatMul(x, m, val)
			}},
			{"jit10", func(tp *Tape) *Tensor {
				if c.spikes {
					return tp.JITSpikeMatMul(x, jm, jw)
				}
				return tp.JITMatMul(x, jm, jw)
			}},
		}
		for _, op := range ops {
			b.Run(fmt.Sprintf("%s/%s", c.name, op.name), func(b *testing.B) {
				tp := NewTape()
				for i := 0; i < b.N; i++ {
					x.Grad, val.Grad, w.Grad, jw.Grad = nil, nil, nil, nil
					y := op.f(tp)
					tp.BackwardWith(y, up)
					tp.Reset()
				}
			})
		}
	}
}
