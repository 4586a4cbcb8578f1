package nir

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"

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
}

// A trained JIT projection exports as a dense Affine whose weights are the
// matrix its products use: x·W from the file equals the projection's
// forward pass, for each weight rule.
func TestExportJIT(t *testing.T) {
	const in, out = 40, 7
	x := make([]float32, 3*in)
	r := rand.New(rand.NewPCG(3, 3))
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for _, tc := range []struct {
		kind kernels.WeightKind
		w    []float32
	}{{kernels.Homogeneous, []float32{0.3}}, {kernels.Uniform, []float32{-0.2, 0.5}}, {kernels.Normal, []float32{0.1, 0.4}}} {
		j := networks.NewJITProj("fc1", in, out, 0.3, 11, tc.kind, tc.w, true)
		for k := range j.B.Data {
			j.B.Data[k] = float32(k) / 10
		}
		net := &networks.FeedForward{Blocks: []networks.Block{{Name: "hidden1", Conn: j, Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1, Reset: snn.ResetZero}}}}}
		g, warn, err := FromFeedForward(net, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(warn) != 1 || !strings.Contains(warn[0], "JIT") {
			t.Fatalf("warnings %q, want one about the JIT layer", warn)
		}
		w, b := g.Nodes["fc1"].Params["weight"].F32, g.Nodes["fc1"].Params["bias"].F32 // (out, in)
		want := j.Forward(tensor.NewTape(), tensor.New([]int{3, in}, x)).Data
		nonzero := 0
		for s := 0; s < 3; s++ {
			for o := 0; o < out; o++ {
				sum := float64(b[o])
				for i := 0; i < in; i++ {
					sum += float64(w[o*in+i]) * float64(x[s*in+i])
					if s == 0 && w[o*in+i] != 0 {
						nonzero++
					}
				}
				if got := want[s*out+o]; math.Abs(sum-float64(got)) > 1e-5*(1+math.Abs(sum)) {
					t.Fatalf("rule %v: sample %d output %d: file gives %v, the projection %v", tc.kind, s, o, sum, got)
				}
			}
		}
		if nonzero == 0 || nonzero == in*out {
			t.Fatalf("rule %v: %d of %d weights nonzero at p 0.3", tc.kind, nonzero, in*out)
		}
	}
}
