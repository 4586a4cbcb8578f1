package nir

import (
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
)

// A CSR projection exports as NIR's dense Affine, zeros off its structure.
func TestExportSparse(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	s := networks.NewSparse("fc1", 6, 5, networks.SparseConfig{P: 0.4, Seed: 9, Bias: true}, r)
	net := &networks.FeedForward{Blocks: []networks.Block{{Name: "hidden1", Conn: s, Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1, Reset: snn.ResetZero}}}}}
	g, _, err := FromFeedForward(net, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := g.Nodes["fc1"].Params["weight"]
	d := s.Dense() // (in, out); NIR stores (out, in)
	for i := 0; i < 6; i++ {
		for j := 0; j < 5; j++ {
			if w.F32[j*6+i] != d[i*5+j] {
				t.Fatalf("weight (%d, %d): %v, want %v", j, i, w.F32[j*6+i], d[i*5+j])
			}
		}
	}
	if _, _, err := FromFeedForward(&networks.FeedForward{Blocks: []networks.Block{{Name: "h", Conn: networks.NewJITProj("fc1", 3, 2, 0.5, 1, 0, []float32{1}, false), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1, Reset: snn.ResetZero}}}}}, Options{}); err == nil {
		t.Fatal("JIT projection exported without error")
	}
}
