package nir

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/snn"
)

func randF32(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 2*r.Float32() - 1
	}
	return v
}

// smallConvNet is input (1, 8, 8) -> conv 2×3×3 (+ batch norm) -> pool 2
// -> LIF -> flatten -> linear 18→3 -> LIF.
func smallConvNet(pool string, reset snn.Reset) []Op {
	r := rand.New(rand.NewPCG(3, 4))
	bnVar := []float32{0.5, 2}
	return []Op{
		{Kind: "Conv2d", Name: "conv1", Weight: randF32(r, 18), WeightShape: []int{2, 1, 3, 3}, Bias: randF32(r, 2)},
		{Kind: "BatchNorm2d", Name: "bn1", Weight: []float32{1.5, 0.5}, Bias: []float32{0.1, -0.2}, Mean: []float32{0.3, -0.1}, Var: bnVar, Eps: 1e-5},
		{Kind: pool, Name: "pool1", Kernel: [2]int{2, 2}},
		{Kind: "Dropout", Name: "drop"},
		{Kind: "LIF", Name: "lif1", LIF: snn.LIF{Beta: 0.5, Threshold: 1, Reset: reset}},
		{Kind: "Flatten", Name: "flatten"},
		{Kind: "Linear", Name: "fc", Weight: randF32(r, 54), WeightShape: []int{3, 18}, Bias: randF32(r, 3)},
		{Kind: "LIF", Name: "readout", LIF: snn.LIF{Beta: 0.8, Threshold: 1, Reset: reset}},
	}
}

// FromSequential writes a chain with every node's shapes, folds batch norm
// into the convolution by its formula, and survives a write and read.
func TestFromSequentialConv(t *testing.T) {
	ops := smallConvNet("AvgPool2d", snn.ResetZero)
	g, warn, err := FromSequential([]int{1, 8, 8}, ops, Options{})
	if err != nil || len(warn) > 0 {
		t.Fatalf("export: %v, warnings %v", err, warn)
	}
	b, err := Encode(g)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err = Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"input", "conv1", "pool1", "lif1", "flatten", "fc", "readout", "output"}
	path, err := chain(g)
	if err != nil || !slices.Equal(path, want) {
		t.Fatalf("chain %v (%v), want %v", path, err, want)
	}
	types := []string{"Input", "Conv2d", "AvgPool2d", "LIF", "Flatten", "Affine", "LIF", "Output"}
	for i, name := range want {
		if g.Nodes[name].Type != types[i] {
			t.Errorf("%s is a %s node, want %s", name, g.Nodes[name].Type, types[i])
		}
	}
	shapes := map[string][]int64{}
	shapes["conv1.input_shape"] = g.Nodes["conv1"].Params["input_shape"].I64
	shapes["flatten.input_type"] = g.Nodes["flatten"].Params["input_type"].I64
	shapes["output.shape"] = g.Nodes["output"].Params["shape"].I64
	shapes["input.shape"] = g.Nodes["input"].Params["shape"].I64
	for k, w := range map[string][]int64{"conv1.input_shape": {8, 8}, "flatten.input_type": {2, 3, 3}, "output.shape": {3}, "input.shape": {1, 8, 8}} {
		if !slices.Equal(shapes[k], w) {
			t.Errorf("%s = %v, want %v", k, shapes[k], w)
		}
	}
	if sh := g.Nodes["lif1"].Params["tau"].Shape; !slices.Equal(sh, []int{2, 3, 3}) {
		t.Errorf("lif1 parameters of shape %v, want [2 3 3]", sh)
	}
	// Folding: channel 1, weight 4 and the bias.
	conv, bn := ops[0], ops[1]
	s := float64(bn.Weight[1]) / math.Sqrt(float64(bn.Var[1])+bn.Eps)
	w := g.Nodes["conv1"].Params["weight"].F32
	if got, want := float64(w[9+4]), float64(conv.Weight[9+4])*s; math.Abs(got-want) > 1e-6 {
		t.Errorf("folded weight %v, want %v", got, want)
	}
	bias := g.Nodes["conv1"].Params["bias"].F32
	if got, want := float64(bias[1]), (float64(conv.Bias[1])-float64(bn.Mean[1]))*s+float64(bn.Bias[1]); math.Abs(got-want) > 1e-6 {
		t.Errorf("folded bias %v, want %v", got, want)
	}
	if ops[0].Weight[13] == w[13] {
		t.Error("the export changed the caller's weights or did not fold")
	}
}

// MaxPool2d, batch norm without a convolution and reset by subtraction are
// refused, naming what; a lossy export lists them.
func TestFromSequentialRefusals(t *testing.T) {
	_, _, err := FromSequential([]int{1, 8, 8}, smallConvNet("MaxPool2d", snn.ResetZero), Options{})
	if err == nil || !strings.Contains(err.Error(), "pool1: MaxPool2d") || !strings.Contains(err.Error(), "--lossy") {
		t.Errorf("max pooling: %v", err)
	}
	g, warn, err := FromSequential([]int{1, 8, 8}, smallConvNet("MaxPool2d", snn.ResetSubtract), Options{Lossy: true})
	if err != nil || len(warn) != 3 || !strings.Contains(warn[0], "MaxPool2d") || !strings.Contains(warn[1], "lif1: reset by subtraction") {
		t.Fatalf("lossy: %v, warnings %q", err, warn)
	}
	if g.Nodes["pool1"].Type != "AvgPool2d" {
		t.Errorf("lossy max pooling written as %s", g.Nodes["pool1"].Type)
	}
	ops := smallConvNet("AvgPool2d", snn.ResetZero)
	ops[0], ops[1] = ops[1], ops[0]
	if _, _, err := FromSequential([]int{1, 8, 8}, ops, Options{}); err == nil || !strings.Contains(err.Error(), "bn1: BatchNorm2d") {
		t.Errorf("batch norm first: %v", err)
	}
	ops = smallConvNet("AvgPool2d", snn.ResetZero)
	if _, _, err := FromSequential([]int{2, 8, 8}, ops, Options{}); err == nil || !strings.Contains(err.Error(), "conv1") {
		t.Errorf("two input channels for a one-channel conv: %v", err)
	}
}
