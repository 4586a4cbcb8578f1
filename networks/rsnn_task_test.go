package networks

import (
	"math"
	"testing"
)

type shape struct {
	in, out int
	dt      float64
}

func (s shape) Inputs() int     { return s.in }
func (s shape) Outputs() int    { return s.out }
func (s shape) StepMs() float64 { return s.dt }

func TestNewRSNNForTask(t *testing.T) {
	net := NewRSNNForTask(shape{3, 2, 10}, RSNNTaskConfig{Units: 20, Neuron: "alif", TauMs: 20, TauAdaptMs: 100, Inhibitory: 0.2, Seed: 4})
	if net.Inputs() != 3 || net.Outputs() != 2 || net.Units() != 20 || net.Neuron != "alif" {
		t.Fatalf("sizes %d-%d-%d %s", net.Inputs(), net.Units(), net.Outputs(), net.Neuron)
	}
	if b := float64(net.ALIF.Beta); math.Abs(b-math.Exp(-0.5)) > 1e-6 {
		t.Errorf("β %v, want exp(−10/20)", b)
	}
	if r := float64(net.ALIF.Rho); math.Abs(r-math.Exp(-0.1)) > 1e-6 {
		t.Errorf("ρ %v, want exp(−10/100)", r)
	}
	if net.InBeta != 0 || math.Abs(float64(net.OutBeta)-math.Exp(-0.5)) > 1e-6 {
		t.Errorf("input stage %v, readout %v", net.InBeta, net.OutBeta)
	}
	neg := 0
	for _, s := range net.Sign {
		if s < 0 {
			neg++
		}
	}
	if neg != 4 || !net.NoSelf {
		t.Errorf("%d inhibitory units, NoSelf %v; want 4 and true", neg, net.NoSelf)
	}
	// The same seed gives the same weights.
	again := NewRSNNForTask(shape{3, 2, 10}, RSNNTaskConfig{Units: 20, Neuron: "alif", TauMs: 20, TauAdaptMs: 100, Inhibitory: 0.2, Seed: 4})
	for i, p := range net.Params() {
		q := again.Params()[i]
		for j := range p.Data {
			if p.Data[j] != q.Data[j] {
				t.Fatalf("%s differs between two builds with one seed", p.Name)
			}
		}
	}
	for _, bad := range []shape{{0, 2, 10}, {3, 0, 10}, {3, 2, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v: no panic", bad)
				}
			}()
			NewRSNNForTask(bad, RSNNTaskConfig{})
		}()
	}
}

func TestNewFeedForwardNames(t *testing.T) {
	net := NewFeedForward(FeedForwardConfig{Sizes: []int{5, 4, 3, 2}, NoBias: true})
	var names []string
	for _, b := range net.Blocks {
		names = append(names, b.Name+"/"+b.Proj.W.Name)
	}
	if got := len(net.Params()); got != 3 {
		t.Errorf("%d parameters without biases, want 3", got)
	}
	want := "[hidden1/fc1.weight hidden2/fc2.weight output/fc3.weight]"
	if got := fmtSlice(names); got != want {
		t.Errorf("blocks %s, want %s", got, want)
	}
}

func fmtSlice(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}
