package snn_test

import (
	"fmt"

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

// BuildCOBA assembles the COBA E/I benchmark network; monitors record it
// while it runs.
func ExampleBuildCOBA() {
	net, g, err := snn.BuildCOBA(snn.COBAConfig{N: 1000, Seed: 1})
	if err != nil {
		panic(err)
	}
	m := snn.NewSpikeMonitor(g, 0, 0)
	net.Monitors = append(net.Monitors, m)
	net.Run(2000) // 200 ms at 0.1 ms
	fmt.Printf("%d neurons, %d synapses, excitatory rate %.1f Hz\n", net.Neurons(), net.Synapses(), m.MeanRate(0, 800, net.Dt))
	// Output:
	// 1000 neurons, 80066 synapses, excitatory rate 19.4 Hz
}
