package nir_test

import (
	"fmt"
	"slices"
	"sort"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/nir"
	"github.com/braingo/braingo/snn"
)

// FromFeedForward exports a trained network as a NIR graph; Encode writes
// the HDF5 bytes of a .nir file (WriteFile writes the file), which
// snnTorch, Norse, Lava and the other NIR tools read.
func ExampleFromFeedForward() {
	lif := networks.LIFCell{LIF: snn.LIF{Beta: 0.9, Reset: snn.ResetZero}} // NIR resets to v_reset
	net := networks.NewFeedForward(networks.FeedForwardConfig{Sizes: []int{4, 3, 2}, Hidden: lif, Seed: 1})
	g, warnings, err := nir.FromFeedForward(net, nir.Options{DT: 1e-3})
	if err != nil {
		panic(err)
	}
	var names []string
	for name, n := range g.Nodes {
		names = append(names, name+":"+n.Type)
	}
	sort.Strings(names)
	fmt.Println(names, "warnings:", len(warnings))
	var edges []string
	for _, e := range g.Edges {
		edges = append(edges, e.From+"->"+e.To)
	}
	fmt.Println(edges)
	tau := g.Nodes["hidden1"].Params["tau"]
	fmt.Println("hidden1 tau shape", tau.Shape)

	// Read the bytes back into a braingo network: the same weights.
	b, err := nir.Encode(g)
	if err != nil {
		panic(err)
	}
	back, version, err := nir.Decode(b)
	if err != nil {
		panic(err)
	}
	again, err := nir.ToFeedForward(back, nir.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("NIR", version, again, slices.Equal(again.Params()[0].Data, net.Params()[0].Data))
	// Output:
	// [fc1:Affine fc2:Affine hidden1:LIF input:Input output:Output readout:LIF] warnings: 0
	// [input->fc1 fc1->hidden1 hidden1->fc2 fc2->readout readout->output]
	// hidden1 tau shape [3]
	// NIR 1.0.7 4-3(snn.LIFCell)-2(snn.LIFCell) true
}

// Reset by subtraction (snnTorch's default) has no NIR node: the export
// refuses it, or with Lossy writes the nearest node and says what it dropped.
func ExampleOptions_lossy() {
	net := networks.NewFeedForward(networks.FeedForwardConfig{Sizes: []int{4, 3, 2}, Seed: 1}) // reset by subtraction
	_, _, err := nir.FromFeedForward(net, nir.Options{})
	fmt.Println(err != nil)
	_, warnings, err := nir.FromFeedForward(net, nir.Options{Lossy: true})
	fmt.Println(err, len(warnings) > 0)
	// Output:
	// true
	// <nil> true
}
