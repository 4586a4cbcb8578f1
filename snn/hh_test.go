package snn

import (
	"math"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// The trainable HH layer steps the simulator's model: from the same state
// under the same current, its new state is the fused kernel's (the
// benchmark population's step) bit for bit, and a current step makes it
// spike once per upward crossing.
func TestHHCellMatchesGroup(t *testing.T) {
	const n = 16
	c := HHCell{}
	st := c.Init(nil, 1, n)
	g := NewHHGroup(n, TraubMiles(0.1))
	in := tensor.Zeros(1, n)
	b := make([]float32, n)
	spikes := 0
	for step := range 300 {
		for i := range in.Data {
			in.Data[i] = float32(50 * i) // pA
		}
		var s *tensor.Tensor
		st, s = c.Forward(nil, st, in)
		p := kernels.HHParams{C: g.C, GL: g.GL, EL: g.EL, GNa: g.GNa, ENa: g.ENa, GK: g.GK, EK: g.EK, VT: g.VT, Dt: g.Dt}
		kernels.HHExpEuler(&p, g.Vm, g.M, g.H, g.N, in.Data, b)
		for k, want := range [][]float32{g.Vm, g.M, g.H, g.N} {
			for i := range want {
				if math.Float32bits(st[k].Data[i]) != math.Float32bits(want[i]) {
					t.Fatalf("step %d, variable %d, neuron %d: layer %v, kernel %v", step, k, i, st[k].Data[i], want[i])
				}
			}
		}
		for _, x := range s.Data {
			spikes += int(x)
		}
	}
	if spikes == 0 || spikes > 300*n/10 {
		t.Fatalf("%d spikes in 30 ms of 16 neurons", spikes)
	}
}

// Below threshold the HH step is smooth: its gradients through three steps
// (state and input) equal finite differences (step 3e-3: large enough for
// float32 at −65 mV, small enough for the gates' curvature).
func TestHHGradSubthreshold(t *testing.T) {
	c := HHCell{HH{Surrogate: flat{}}}
	st0 := c.Init(nil, 1, 2)
	var ps []*tensor.Tensor
	for k, x := range st0 {
		ps = append(ps, tensor.NewParam([]string{"v", "m", "h", "n"}[k], []int{1, 2}, append([]float32(nil), x.Data...)))
	}
	ps[0].Data[1] = -62
	in := tensor.NewParam("in", []int{1, 2}, []float32{20, 60})
	err := tensor.GradCheck{Eps: 3e-3}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
		st := []*tensor.Tensor{ps[0], ps[1], ps[2], ps[3]}
		for range 3 {
			st, _ = c.Forward(tp, st, in)
		}
		return tp.Add(tp.Sum(st[0]), tp.Scale(tp.Sum(tp.Add(st[1], st[3])), 100))
	}, append(ps, in)...)
	if err != nil {
		t.Fatal(err)
	}
}
