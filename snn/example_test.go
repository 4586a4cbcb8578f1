package snn_test

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// Step advances a population of LIF neurons in place: u is the membrane, s
// receives the spikes, in the input current. The reset by subtraction acts
// on the step after the spike (it is computed from the previous membrane, as
// in snnTorch).
func ExampleLIF_Step() {
	lif := snn.LIF{Beta: 0.9} // threshold 1, reset by subtraction
	u := make([]float32, 2)
	s := make([]float32, 2)
	in := []float32{0.3, 0.05}
	for t := range 5 {
		lif.Step(u, s, in)
		fmt.Printf("t=%d u=[%.3f %.3f] s=%v\n", t, u[0], u[1], s)
	}
	// Output:
	// t=0 u=[0.300 0.050] s=[0 0]
	// t=1 u=[0.570 0.095] s=[0 0]
	// t=2 u=[0.813 0.135] s=[0 0]
	// t=3 u=[1.032 0.172] s=[1 0]
	// t=4 u=[0.229 0.205] s=[0 0]
}

// Forward is the same step on a tensor tape, differentiable through the
// spikes by a surrogate gradient: the building block of BPTT.
func ExampleLIF_Forward() {
	tp := tensor.NewTape()
	in := tensor.NewParam("in", []int{1, 2}, []float32{1.5, 0.5})
	u := tensor.Zeros(1, 2)
	u, s := snn.LIF{Beta: 0.9}.Forward(tp, u, in)
	tp.Backward(tp.Sum(s))
	fmt.Println("spikes", s.Data, "membrane", u.Data)
	fmt.Printf("dspikes/din (atan surrogate) [%.4f %.4f]\n", in.Grad[0], in.Grad[1])
	// Output:
	// spikes [1 0] membrane [1.5 0.5]
	// dspikes/din (atan surrogate) [0.2884 0.2884]
}

// A cell wraps a population with its state for simulation without a tape:
// the same loop serves LIF, ALIF, Izhikevich and AdEx neurons.
func ExampleNewIzhikevichCell() {
	cell := snn.NewIzhikevichCell(1, snn.Izhikevich{}) // regular spiking, 0.5 ms steps
	in, s := []float32{10}, []float32{0}
	spikes := 0
	for range 2000 { // 1 s
		cell.StepCell(in, s)
		spikes += int(s[0])
	}
	fmt.Println("spikes in 1 s at I = 10:", spikes)
	// Output:
	// spikes in 1 s at I = 10: 23
}

// A NetSpec writes a network as data: here the COBA E/I benchmark (the
// recipe coba) at 1,000 neurons, two groups and four projections; monitors
// of Net.All record every group's spikes in the network's numbering.
func ExampleNetSpec() {
	const dt, n = 0.1, 1000
	lif := snn.LIFGroup{Tau: 20, VRest: -60, VReset: -60, VTh: -50, Ref: 5, I: 20, Dt: dt}
	v0 := []snn.VarInit{{Var: "v", Dist: kernels.WeightRule{Kind: kernels.Normal, A: -55, B: 5}}}
	lifs := func(k, _ int) (snn.Neurons, error) { return snn.NewLIFGroup(k, lif), nil }
	spec := snn.NetSpec{Dt: dt, Seed: 1, Groups: []snn.GroupSpec{
		{Name: "E", N: n * 4 / 5, New: lifs, Init: v0},
		{Name: "I", N: n / 5, New: lifs, Init: v0},
	}}
	for _, p := range []struct {
		pre, post string
		w         float32
		tau       float64
		e         float32
	}{{"E", "E", 0.6, 5, 0}, {"E", "I", 0.6, 5, 0}, {"I", "E", 6.7, 10, -80}, {"I", "I", 6.7, 10, -80}} {
		spec.Projs = append(spec.Projs, snn.ProjSpec{Name: p.pre + p.post, Pre: p.pre, Post: p.post,
			Conn: snn.ConnSpec{Rule: snn.FixedProb, P: 80.0 / n, Weight: kernels.HomogeneousWeight(p.w)},
			Syn:  func() snn.Synapse { return &snn.Exponential{Tau: p.tau, Dt: dt} }, Out: snn.COBA{E: p.e}})
	}
	net, err := spec.Build()
	if err != nil {
		panic(err)
	}
	m := snn.NewSpikeMonitor(net.All, 0, 0)
	net.Sim.Monitors = append(net.Sim.Monitors, m)
	net.Sim.Run(2000) // 200 ms at 0.1 ms
	var syn int64
	for _, p := range net.Projs {
		syn += p.Conn.Synapses()
	}
	fmt.Printf("%d neurons, %d synapses, excitatory rate %.1f Hz\n", net.N, syn, m.MeanRate(0, 800, dt))
	// Output:
	// 1000 neurons, 80066 synapses, excitatory rate 19.4 Hz
}
