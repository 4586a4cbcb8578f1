package networks_test

import (
	"fmt"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
)

// NewFeedForward builds a feed-forward SNN from its layer sizes; Run
// simulates it for a number of steps (on a tape for training, or a nil tape
// for inference) and returns every block's spikes and membranes.
func ExampleNewFeedForward() {
	net := networks.NewFeedForward(networks.FeedForwardConfig{Sizes: []int{784, 100, 10}, Seed: 1})
	fmt.Println(net, "parameters:", len(net.Params()))
	for _, p := range net.Params() {
		fmt.Println(" ", p.Name, p.Shape)
	}
	x := tensor.Zeros(2, 784) // a batch of two images: horizontal ramps
	for i := range x.Data {
		x.Data[i] = float32(i%28) / 28
	}
	tr := net.Run(nil, networks.Input{Static: x}, 25) // nil tape: no gradient
	counts := make([]float32, 2*10)
	for _, s := range tr.OutSpikes() {
		for i, v := range s.Data {
			counts[i] += v
		}
	}
	fmt.Println("steps", len(tr.Out()), "output spikes of sample 0:", counts[:10])
	// Output:
	// 784-100(snn.LIFCell)-10(snn.LIFCell) parameters: 4
	//   fc1.weight [784 100]
	//   fc1.bias [100]
	//   fc2.weight [100 10]
	//   fc2.bias [10]
	// steps 25 output spikes of sample 0: [0 4 0 0 0 0 0 0 0 3]
}

// NewRSNNForTask sizes a recurrent SNN for a task: inputs from its
// observation channels, outputs from its actions, decays from time
// constants in ms at its step.
func ExampleNewRSNNForTask() {
	task, _ := tasks.Lookup("PerceptualDecisionMaking", nil)
	ds, err := tasks.NewDataset(task, tasks.Options{Seed: 1, DT: 20}, tasks.DatasetConfig{BatchSize: 8})
	if err != nil {
		panic(err)
	}
	spec := ds.Spec()
	net := networks.NewRSNNForTask(spec, networks.RSNNTaskConfig{Units: 32, Neuron: "alif", TauMs: 20})
	fmt.Printf("%s: %d observations, %d actions, dt %g ms\n", spec.Name, spec.Inputs(), spec.Outputs(), spec.StepMs())
	fmt.Printf("network: %d inputs, %d units, %d outputs, β %.4f\n", net.Inputs(), net.Units(), net.Outputs(), net.ALIF.Beta)
	// Output:
	// PerceptualDecisionMaking: 3 observations, 3 actions, dt 20 ms
	// network: 3 inputs, 32 units, 3 outputs, β 0.3679
}

// NewForceRNN is Sussillo and Abbott's chaotic rate network; trainer.FORCE
// trains its readout online.
func ExampleNewForceRNN() {
	net, err := networks.NewForceRNN(networks.ForceConfig{Units: 200, Seed: 1})
	if err != nil {
		panic(err)
	}
	for range 100 {
		net.Step(nil)
	}
	fmt.Println(net.N, "units; readout", net.Z, "(W_out starts at zero)")
	// Output:
	// 200 units; readout [0] (W_out starts at zero)
}
