package snn

import (
	"testing"

	"github.com/braingo/braingo/tensor"
)

// A BPTT pass keeps memory proportional to steps × state: per step the LIF
// layer holds its membrane, spikes and their gradients, a handful of
// buffers of the layer size, and nothing that grows otherwise.
func TestBPTTMemoryGrowsWithStepsTimesState(t *testing.T) {
	const batch, n = 8, 256
	state := batch * n * 4 // bytes of one state tensor
	p := LIF{Beta: 0.9}
	w := tensor.NewParam("w", []int{n, n}, make([]float32, n*n))
	for i := range w.Data {
		w.Data[i] = float32(i%7) * 0.01
	}
	x := tensor.New([]int{batch, n}, make([]float32, batch*n))
	for i := range x.Data {
		x.Data[i] = 0.2
	}
	perStep := func(steps int) int {
		tp := tensor.NewTape()
		u := tensor.Zeros(batch, n)
		var acc *tensor.Tensor
		for range steps {
			var s *tensor.Tensor
			u, s = p.Forward(tp, u, tp.MatMul(x, w, false, false))
			l := tp.Sum(s)
			if acc == nil {
				acc = l
			} else {
				acc = tp.Add(acc, l)
			}
		}
		tp.Backward(acc)
		b := tp.Bytes()
		tp.Reset()
		return b
	}
	b100, b200 := perStep(100), perStep(200)
	growth := float64(b200-b100) / 100 / float64(state)
	if growth > 8 {
		t.Fatalf("each step keeps %.1f state-sized buffers alive (forward and backward); want at most 8", growth)
	}
	if growth < 2 {
		t.Fatalf("implausibly low accounting: %.1f buffers per step", growth)
	}
	t.Logf("%.1f state-sized buffers per step (%d bytes at 200 steps)", growth, b200)
}

func BenchmarkLIFBPTT100Steps(b *testing.B) {
	const batch, n = 128, 1000
	p := LIF{Beta: 0.95}
	in := tensor.NewParam("in", []int{batch, n}, make([]float32, batch*n))
	for i := range in.Data {
		in.Data[i] = float32(i%13) * 0.02
	}
	tp := tensor.NewTape()
	for b.Loop() {
		u := tensor.Zeros(batch, n)
		var acc *tensor.Tensor
		for range 100 {
			var s *tensor.Tensor
			u, s = p.Forward(tp, u, in)
			l := tp.Sum(s)
			if acc == nil {
				acc = l
			} else {
				acc = tp.Add(acc, l)
			}
		}
		tp.Backward(acc)
		tp.Reset()
	}
}
