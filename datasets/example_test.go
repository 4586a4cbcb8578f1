package datasets_test

import (
	"bytes"
	"fmt"

	"github.com/braingo/braingo/datasets"
)

// EncodeIDX and DecodeIDX write and read LeCun's IDX format, the format of
// the MNIST-family files.
func ExampleDecodeIDX() {
	var b bytes.Buffer
	if err := datasets.EncodeIDX(&b, []int{2, 2, 3}, []uint8{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}); err != nil {
		panic(err)
	}
	idx, err := datasets.DecodeIDX(&b)
	if err != nil {
		panic(err)
	}
	fmt.Printf("type 0x%02x dims %v data %v\n", idx.Type, idx.Dims, idx.Data)
	// Output:
	// type 0x08 dims [2 2 3] data [0 1 2 3 4 5 6 7 8 9 10 11]
}

// Order and Batches give an epoch's batches: the shuffle depends on (seed,
// epoch) only, so a resumed run sees the same batches.
func ExampleBatches() {
	order := datasets.Order(10, true, 1, 1)
	for i, idx := range datasets.Batches(order, 4, true) { // the last partial batch is dropped
		fmt.Println(i, len(idx))
	}
	same := datasets.Order(10, true, 1, 1)
	fmt.Println("repeatable:", fmt.Sprint(order) == fmt.Sprint(same))
	// Output:
	// 0 4
	// 1 4
	// repeatable: true
}

// NewEncoder builds the static-image encoders by name, as recipes name them;
// Encode gives the input of one time step for a batch of feature rows. (The
// named latency code does not clip: a zero feature fires on the last step.)
func ExampleNewEncoder() {
	x := []float32{0, 0.25, 0.5, 1} // one sample, four features
	for _, name := range []string{"direct", "rate", "latency"} {
		enc, err := datasets.NewEncoder(name, 4, 1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-8s binary=%-5v", name, enc.Binary())
		dst := make([]float32, 4)
		for t := range 4 {
			enc.Encode(dst, x, []int{0}, 4, t)
			fmt.Print(" ", dst)
		}
		fmt.Println()
	}
	// Output:
	// direct   binary=false [0 0.25 0.5 1] [0 0.25 0.5 1] [0 0.25 0.5 1] [0 0.25 0.5 1]
	// rate     binary=true  [0 1 0 1] [0 0 1 1] [0 0 0 1] [0 1 1 1]
	// latency  binary=true  [0 1 1 1] [0 0 0 0] [0 0 0 0] [1 0 0 0]
}

// A latency code fires each feature once, brighter features earlier.
func ExampleLatency_SpikeStep() {
	l := datasets.Latency{Steps: 10, Linear: true, Normalize: true, Clip: true}
	for _, x := range []float32{1, 0.75, 0.5, 0.25, 0} {
		fmt.Printf("x=%.2f fires at step %d\n", x, l.SpikeStep(x))
	}
	// Output:
	// x=1.00 fires at step 0
	// x=0.75 fires at step 2
	// x=0.50 fires at step 4
	// x=0.25 fires at step 7
	// x=0.00 fires at step -1
}

// Delta turns a time-varying signal into on (+1) and off (−1) spikes when a
// feature changes by at least the threshold since the previous frame.
func ExampleDelta_Encode() {
	d := datasets.Delta{Threshold: 0.5, OffSpike: true}
	frames := [][]float32{{0, 1}, {1, 1}, {1, 0.2}, {0.1, 0.9}}
	prev := make([]float32, 2)
	dst := make([]float32, 2)
	for _, f := range frames {
		d.Encode(dst, f, prev)
		fmt.Println(dst)
		copy(prev, f)
	}
	// Output:
	// [0 1]
	// [1 0]
	// [0 -1]
	// [-1 1]
}
