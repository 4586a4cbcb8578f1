package snn

import (
	"math"
	"testing"

	"github.com/braingo/braingo/tensor"
)

func TestSynapticMatchesHandComputed(t *testing.T) {
	// α 0.5, β 0.8, θ 1, subtract; input 0.6 each step.
	p := Synaptic{Alpha: 0.5, LIF: LIF{Beta: 0.8}}
	syn, u, s := []float32{0}, []float32{0}, []float32{0}
	var wantSyn, wantU float64
	for step := 0; step < 8; step++ {
		r := 0.0
		if wantU > 1 {
			r = 1
		}
		wantSyn = 0.5*wantSyn + 0.6
		wantU = 0.8*wantU + wantSyn - r
		p.Step(syn, u, s, []float32{0.6})
		if math.Abs(float64(syn[0])-wantSyn) > 1e-6 || math.Abs(float64(u[0])-wantU) > 1e-5 {
			t.Fatalf("step %d: syn %v u %v, want %v %v", step, syn[0], u[0], wantSyn, wantU)
		}
		if (s[0] == 1) != (wantU > 1) {
			t.Fatalf("step %d: spike %v with u %v", step, s[0], wantU)
		}
	}
	// Forward on a nil tape agrees with Step.
	st, ut := tensor.Zeros(1), tensor.Zeros(1)
	syn2, u2, s2 := []float32{0}, []float32{0}, []float32{0}
	for range 8 {
		var sp *tensor.Tensor
		st, ut, sp = p.Forward(nil, st, ut, tensor.New([]int{1}, []float32{0.6}))
		p.Step(syn2, u2, s2, []float32{0.6})
		if st.Data[0] != syn2[0] || ut.Data[0] != u2[0] || sp.Data[0] != s2[0] {
			t.Fatal("Synaptic Forward and Step disagree")
		}
	}
}

func TestALIFThresholdAdapts(t *testing.T) {
	p := ALIF{Beta: 0.9, Rho: 0.95, BetaA: 1.8}
	st := ALIFState{U: tensor.Zeros(1), B: tensor.Zeros(1), S: tensor.Zeros(1)}
	var spikes []int
	for step := 0; step < 200; step++ {
		prevB := st.B.Data[0]
		prevS := st.S.Data[0]
		st = p.Forward(nil, st, tensor.New([]int{1}, []float32{0.5}))
		if want := 0.95*prevB + 0.05*prevS; math.Abs(float64(st.B.Data[0]-want)) > 1e-6 {
			t.Fatalf("b = %v, want %v", st.B.Data[0], want)
		}
		if st.S.Data[0] == 1 {
			spikes = append(spikes, step)
		}
	}
	if len(spikes) < 4 {
		t.Fatalf("constant drive gave only %d spikes", len(spikes))
	}
	// Adaptation: inter-spike intervals lengthen.
	first, last := spikes[1]-spikes[0], spikes[len(spikes)-1]-spikes[len(spikes)-2]
	if last <= first {
		t.Fatalf("intervals did not lengthen: first %d last %d (%v)", first, last, spikes)
	}
}

func TestIzhikevichMatchesEulerReference(t *testing.T) {
	p := Izhikevich{}.defaults()
	st := IzhikevichState{V: tensor.New([]int{1}, []float32{-65}), U: tensor.New([]int{1}, []float32{-13})}
	v, u := -65.0, -13.0
	nsp := 0
	for step := 0; step < 2000; step++ { // 1 s at dt 0.5 ms
		var s *tensor.Tensor
		st, s = p.Forward(nil, st, tensor.New([]int{1}, []float32{10}))
		dv := 0.04*v*v + 5*v + 140 - u + 10
		du := 0.02 * (0.2*v - u)
		v += 0.5 * dv
		u += 0.5 * du
		fired := v > 30
		if fired {
			v, u = -65, u+8
			nsp++
		}
		if (s.Data[0] == 1) != fired {
			t.Fatalf("step %d: spike %v, reference %v", step, s.Data[0], fired)
		}
		if math.Abs(float64(st.V.Data[0])-v) > 1e-2*math.Max(1, math.Abs(v)) {
			t.Fatalf("step %d: v %v, reference %v", step, st.V.Data[0], v)
		}
	}
	if nsp < 5 || nsp > 40 {
		t.Fatalf("regular spiking cell at I=10 fired %d times in 1 s", nsp)
	}
}

func TestAdExMatchesEulerReference(t *testing.T) {
	p := AdEx{}.defaults()
	st := AdExState{V: tensor.New([]int{1}, []float32{-70.6}), W: tensor.Zeros(1)}
	v, w := -70.6, 0.0
	nsp := 0
	for step := 0; step < 3000; step++ { // 300 ms at dt 0.1 ms, 1 nA
		var s *tensor.Tensor
		st, s = p.Forward(nil, st, tensor.New([]int{1}, []float32{1000}))
		ex := 30 * 2 * math.Exp((math.Min(v, 20)+50.4)/2)
		dv := (-30*(v+70.6) + ex - w + 1000) / 281
		dw := (4*(v+70.6) - w) / 144
		v += 0.1 * dv
		w += 0.1 * dw
		fired := v > 20
		if fired {
			v, w = -70.6, w+80.5
			nsp++
		}
		if (s.Data[0] == 1) != fired {
			t.Fatalf("step %d: spike %v, reference %v (v %v)", step, s.Data[0], fired, v)
		}
	}
	if nsp < 3 {
		t.Fatalf("AdEx at 1 nA fired %d times in 300 ms", nsp)
	}
}
