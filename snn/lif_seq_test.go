package snn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// Sequence is Forward step by step in one op: the same spikes and the same
// gradient of the input currents, bit for bit, for every reset, surrogate
// and thread count, including layers large enough to be split across
// goroutines.
func TestLIFSequenceMatchesSteps(t *testing.T) {
	surs := []surrogate.Func{surrogate.ATan{}, surrogate.FastSigmoid{}, surrogate.Triangle{}, surrogate.Sigmoid{}}
	for _, reset := range []Reset{ResetSubtract, ResetZero, ResetNone, ResetZeroLegacy} {
		for si, sg := range surs {
			for _, size := range [][2]int{{7, 13}, {4, 2*lifGrain + 100}} {
				for _, th := range []int{1, 2} {
					name := fmt.Sprintf("reset%d/sur%d/%dx%d/threads%d", reset, si, size[0], size[1], th)
					t.Run(name, func(t *testing.T) {
						prev := kernels.SetThreads(th)
						defer kernels.SetThreads(prev)
						p := LIF{Beta: 0.9, Threshold: 0.8, Reset: reset, Surrogate: sg}
						compareSequence(t, p, size[0], size[1])
					})
				}
			}
		}
	}
}

func compareSequence(t *testing.T, p LIF, steps, m int) {
	r := rand.New(rand.NewPCG(3, uint64(m)))
	x := make([]float32, steps*m)
	gs := make([]float32, steps*m)
	for i := range x {
		x[i] = 1.2 * r.Float32()
		gs[i] = float32(r.NormFloat64())
	}
	run := func(seq bool) (spk, grad []float32) {
		cur := tensor.NewParam("cur", []int{steps, m}, append([]float32(nil), x...))
		tp := tensor.NewTape()
		var s *tensor.Tensor
		if seq {
			s = p.Sequence(tp, cur)
		} else {
			s = p.sequenceSteps(tp, cur)
		}
		tp.BackwardWith(s, gs)
		return append([]float32(nil), s.Data...), cur.Grad
	}
	s1, g1 := run(true)
	s2, g2 := run(false)
	spikes := 0
	for i := range s1 {
		if s1[i] != s2[i] {
			t.Fatalf("spike %d: Sequence %v, steps %v", i, s1[i], s2[i])
		}
		spikes += int(s1[i])
		if g1[i] != g2[i] {
			t.Fatalf("gradient %d: Sequence %v, steps %v", i, g1[i], g2[i])
		}
	}
	if spikes == 0 || spikes == len(s1) {
		t.Fatalf("%d spikes of %d: the case tests nothing", spikes, len(s1))
	}
}

// Without a recording tape Sequence computes the spikes only.
func TestLIFSequenceNoTape(t *testing.T) {
	x := tensor.New([]int{3, 2}, []float32{0.6, 1.5, 0.6, 0, 0.6, 0})
	s := LIF{Beta: 1}.Sequence(nil, x)
	want := []float32{0, 1, 1, 0, 0, 0} // U: 0.6 1.5 | 1.2 0.5 | 0.8 0.5
	for i, v := range want {
		if s.Data[i] != v {
			t.Fatalf("spikes %v, want %v", s.Data, want)
		}
	}
}

// SequenceInPlace and SequenceGradInPlace (the membranes over the currents,
// then the currents' gradient over the membranes) against Sequence: the
// same spikes and the same current gradient, bit for bit, for every reset
// and fused surrogate, with a spike gradient per element and one shared by
// every step, on layers small and large enough to be split across
// goroutines.
func TestLIFSequenceInPlaceMatchesSequence(t *testing.T) {
	surs := []surrogate.Func{surrogate.ATan{}, surrogate.FastSigmoid{}, surrogate.Triangle{}, surrogate.Sigmoid{}}
	for _, reset := range []Reset{ResetSubtract, ResetZero, ResetNone, ResetZeroLegacy} {
		for si, sg := range surs {
			for _, size := range [][2]int{{7, 13}, {3, 2*lifGrain + 100}} {
				for _, shared := range []bool{false, true} {
					for _, th := range []int{1, 2} {
						p := LIF{Beta: 0.9, Threshold: 0.8, Reset: reset, Surrogate: sg}
						name := fmt.Sprintf("reset%d/sur%d/%dx%d/shared%v/threads%d", reset, si, size[0], size[1], shared, th)
						prev := kernels.SetThreads(th)
						compareInPlace(t, name, p, size[0], size[1], shared)
						kernels.SetThreads(prev)
					}
				}
			}
		}
	}
}

func compareInPlace(t *testing.T, name string, p LIF, steps, m int, shared bool) {
	r := rand.New(rand.NewPCG(4, uint64(m)))
	x := make([]float32, steps*m)
	gs := make([]float32, steps*m)
	for i := range x {
		x[i] = 1.2 * r.Float32()
	}
	for i := range gs {
		if shared && i >= m {
			gs[i] = gs[i%m]
		} else {
			gs[i] = float32(r.NormFloat64())
		}
	}
	cur := tensor.NewParam("cur", []int{steps, m}, append([]float32(nil), x...))
	tp := tensor.NewTape()
	s := p.Sequence(tp, cur)
	tp.BackwardWith(s, gs)

	buf := append([]float32(nil), x...)
	spk := make([]float32, len(x))
	zero := make([]float32, m)
	p.SequenceInPlace(buf, spk, zero, steps)
	g := gs
	if shared {
		g = gs[:m]
	}
	p.SequenceGradInPlace(buf, g, zero, make([]float32, m), make([]float32, m), steps)
	spikes := 0
	for i := range spk {
		if spk[i] != s.Data[i] {
			t.Fatalf("%s: spike %d: in place %v, Sequence %v", name, i, spk[i], s.Data[i])
		}
		spikes += int(spk[i])
		if buf[i] != cur.Grad[i] {
			t.Fatalf("%s: gradient %d: in place %v, Sequence %v", name, i, buf[i], cur.Grad[i])
		}
	}
	if spikes == 0 || spikes == len(spk) {
		t.Fatalf("%s: %d spikes of %d: the case tests nothing", name, spikes, len(spk))
	}
}
