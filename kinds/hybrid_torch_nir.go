//go:build torch

package kinds

import (
	"fmt"

	"github.com/braingo/braingo/nir"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/torchlayer"
)

func init() {
	exportCSNN = func(net any, o nir.Options) (*nir.Node, []string, error) {
		return csnnToNIR(net.(*torchlayer.CSNN), o)
	}
}

// csnnOps describes a csnn-classify network as nir.Ops: per block its
// libtorch parts (conv, batch norm, pool, dropout) and its LIF neurons
// (nodes conv1, bn1 folded into conv1, pool1, lif1, ...), then flatten, the
// readout's projection fc (braingo's (in, out) weight transposed to
// PyTorch's (out, in), a gain folded in) and its LIF neurons readout.
func csnnOps(m *torchlayer.CSNN) ([]nir.Op, error) {
	var ops []nir.Op
	data := func(t *tensor.Tensor) []float32 {
		if t == nil {
			return nil
		}
		return t.Data
	}
	for i, b := range m.Blocks {
		for _, p := range b.Parts() {
			op := nir.Op{Kind: p.Kind, Weight: data(p.Weight), Bias: data(p.Bias), Kernel: p.Kernel, Stride: p.Stride,
				Padding: p.Padding, Dilation: p.Dilation, Groups: p.Groups, Mean: data(p.RunningMean), Var: data(p.RunningVar), Eps: p.Eps}
			if p.Weight != nil {
				op.WeightShape = p.Weight.Shape
			}
			switch p.Kind {
			case "Conv2d":
				op.Name = fmt.Sprintf("conv%d", i+1)
			case "BatchNorm2d":
				op.Name = fmt.Sprintf("bn%d", i+1)
			case "MaxPool2d", "AvgPool2d":
				op.Name = fmt.Sprintf("pool%d", i+1)
			case "Dropout":
				op.Name = fmt.Sprintf("dropout%d", i+1)
			case "Linear", "Flatten":
				// Not in today's csnn blocks; nir.FromSequential names them.
			default:
				return nil, fmt.Errorf("nir: block%d: a libtorch %s part has no NIR export", i+1, p.Kind)
			}
			ops = append(ops, op)
		}
		ops = append(ops, nir.Op{Kind: "LIF", Name: fmt.Sprintf("lif%d", i+1), LIF: m.LIF})
	}
	d := m.Readout
	in, out := d.In(), d.Out()
	w := make([]float32, in*out)
	gain := d.Gain
	if gain == 0 {
		gain = 1
	}
	for i := range in {
		for o := range out {
			w[o*in+i] = d.W.Data[i*out+o] * gain
		}
	}
	var bias []float32
	if d.B != nil {
		bias = make([]float32, out)
		for o := range bias {
			bias[o] = d.B.Data[o] * gain
		}
	}
	ops = append(ops, nir.Op{Kind: "Flatten", Name: "flatten"},
		nir.Op{Kind: "Linear", Name: "fc", Weight: w, Bias: bias, WeightShape: []int{out, in}},
		nir.Op{Kind: "LIF", Name: "readout", LIF: m.Out})
	return ops, nil
}

// csnnToNIR converts a csnn-classify network (its input shape: 28×28 gray
// images or event frames).
func csnnToNIR(m *torchlayer.CSNN, o nir.Options) (*nir.Node, []string, error) {
	ops, err := csnnOps(m)
	if err != nil {
		return nil, nil, err
	}
	return nir.FromSequential(m.InShape[:], ops, o)
}
