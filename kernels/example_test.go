package kernels_test

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// Gemm multiplies row-major matrices: C = alpha·op(A)·op(B) + beta·C.
func ExampleGemm() {
	a := []float32{ // 2×3
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{ // 3×2
		1, 0,
		0, 1,
		1, 1,
	}
	c := make([]float32, 4)
	kernels.Gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c)
	// Output:
	// [4 5 10 11]
}

// SpikeMatMul multiplies binary spikes by weights: for sparse spikes it adds
// the weight rows of the neurons that fired (the event path), whose work
// follows the spike count.
func ExampleSpikeMatMul() {
	s := []float32{ // 2 samples × 4 neurons
		0, 1, 0, 0,
		1, 0, 0, 1,
	}
	w := []float32{ // 4 neurons × 2 outputs
		1, 2,
		3, 4,
		5, 6,
		7, 8,
	}
	y := make([]float32, 4)
	var e kernels.Events
	kernels.SpikeMatMul(y, 2, s, 2, 4, w, 2, 2, false, &e)
	fmt.Println(y, "spikes:", e.NNZ())
	// Output:
	// [3 4 8 10] spikes: 3
}

// A CSR connectivity matrix: the event-driven product of spiking
// pre-synaptic neurons reads one contiguous row each.
func ExampleCSR_EventMatMul() {
	m, err := kernels.NewCSR(3, 4, []int32{0, 0, 2}, []int32{1, 3, 0}, []float32{0.5, -1, 2})
	if err != nil {
		panic(err)
	}
	var e kernels.Events
	e.FromDense([]float32{1, 0, 1}, 1, 3) // neurons 0 and 2 fired
	y := make([]float32, 4)
	m.EventMatMul(y, 4, &e)
	fmt.Println(y)
	// Output:
	// [2 0.5 0 -1]
}

// A JIT matrix is never stored: each row is regenerated from (seed, row)
// when needed, the same on every machine.
func ExampleJIT() {
	m := kernels.JIT{Rows: 1000, Cols: 1000, P: 0.01, Seed: 42, Weight: kernels.HomogeneousWeight(0.5)}
	row := m.AppendRowCols(nil, 7)
	again := m.AppendRowCols(nil, 7)
	fmt.Println("row 7 has", len(row), "connections; regenerated identically:", fmt.Sprint(row) == fmt.Sprint(again))
	fmt.Printf("expected synapses %.0f\n", m.ExpectedSynapses())
	csr := m.ToCSR() // materialize it when memory allows
	fmt.Println("CSR row 7 length", csr.Ptr[8]-csr.Ptr[7])
	// Output:
	// row 7 has 12 connections; regenerated identically: true
	// expected synapses 10000
	// CSR row 7 length 12
}

// Philox streams are keyed by (seed, stream): parallel work draws from
// (seed, index), never from a shared generator.
func ExampleNewPhilox() {
	a := kernels.NewPhilox(1, 0)
	b := kernels.NewPhilox(1, 1)
	x, y := a.Uint32(), b.Uint32()
	a.Reset(1, 0)
	fmt.Println(x != y, a.Uint32() == x)
	// Output:
	// true true
}
