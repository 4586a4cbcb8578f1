package nir

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/internal/checked"
	"github.com/braingo/braingo/snn"
)

// Op is one operation of a sequential network for FromSequential: a
// description free of any layer library, so that package nir needs no
// libtorch (the torch build's exporter of csnn-classify runs fills it from
// torchlayer.Layer.Parts and braingo's layers).
type Op struct {
	// Kind is Conv2d, BatchNorm2d, AvgPool2d, SumPool2d, MaxPool2d,
	// Dropout, Flatten, Linear or LIF.
	Kind string
	// Name names the op's node (empty: the kind, lower case, and a count).
	Name string
	// Weight and Bias in PyTorch's layouts: Conv2d (out, in/groups, kh, kw)
	// and (out); Linear (out, in) and (out); BatchNorm2d scale γ and shift
	// β (channels). Bias may be nil.
	Weight, Bias []float32
	// WeightShape is the shape of a Conv2d or Linear Weight.
	WeightShape []int
	// Kernel, Stride, Padding and Dilation are (height, width) pairs of
	// Conv2d and the pools; Groups is Conv2d's (0: 1).
	Kernel, Stride, Padding, Dilation [2]int
	Groups                            int
	// Mean, Var and Eps are BatchNorm2d's running statistics.
	Mean, Var []float32
	Eps       float64
	// LIF is the neuron model of a LIF op.
	LIF snn.LIF
}

// FromSequential converts a chain of operations on input of the given shape
// (no batch axis: (channels, height, width) for images) into a NIR graph
// input -> op1 -> op2 -> ... -> output, every node holding its input and
// output shapes as NIR defines them (Conv2d's input_shape, Flatten's
// input_type, neuron parameters of the population's shape). It returns the
// warnings of a lossy export.
//
//   - Conv2d -> Conv2d with the weight in PyTorch's layout.
//   - BatchNorm2d (in inference: running statistics) right after a Conv2d
//     is folded into that convolution, as NIR has no batch norm node:
//     with s = γ/√(var+eps), w' = w·s per output channel and
//     b' = (b − mean)·s + β. Elsewhere it is refused.
//   - AvgPool2d, SumPool2d -> the same NIR nodes. MaxPool2d has no NIR
//     node: refused, or with Options.Lossy written as AvgPool2d (which
//     averages what max pooling selects) with a warning.
//   - Dropout is the identity in inference and writes no node.
//   - Flatten -> Flatten(start_dim 0, end_dim −1) of the whole sample.
//   - Linear -> Affine (Linear without bias).
//   - LIF -> LIF (IF for β = 1) by the conversion of this package's
//     documentation, reset by subtraction or no reset only with Lossy.
func FromSequential(input []int, ops []Op, o Options) (*Node, []string, error) {
	if len(ops) == 0 {
		return nil, nil, fmt.Errorf("nir: network has no layers")
	}
	for _, s := range input {
		if s < 1 {
			return nil, nil, fmt.Errorf("nir: input shape %v has a non-positive size", input)
		}
	}
	if err := o.check(); err != nil {
		return nil, nil, err
	}
	x := &exporter{o: o}
	g := NewGraph()
	g.Metadata = map[string]*Array{metaDT: Float64s(nil, []float64{o.dt()})}
	g.Add("input", NewNode("Input", map[string]*Array{"shape": ints(input...)}))
	path := []string{"input"}
	shape := append([]int(nil), input...)
	count := map[string]int{}
	var lastConv *Node // the previous node when it is a Conv2d
	for i, op := range ops {
		count[op.Kind]++
		name := op.Name
		if name == "" {
			name = fmt.Sprintf("%s%d", lower(op.Kind), count[op.Kind])
		}
		if g.Nodes[name] != nil || name == "output" {
			return nil, nil, fmt.Errorf("nir: op %d: node name %s is taken", i+1, name)
		}
		var node *Node
		var err error
		switch op.Kind {
		case "Conv2d":
			node, shape, err = conv2d(name, op, shape)
		case "BatchNorm2d":
			if lastConv == nil {
				return nil, nil, fmt.Errorf("nir: %s: BatchNorm2d not right after a Conv2d cannot be folded, and NIR has no batch norm node", name)
			}
			if err := foldBatchNorm(name, lastConv, op); err != nil {
				return nil, nil, err
			}
			continue
		case "MaxPool2d":
			if err := x.lossy("%s: MaxPool2d (kernel %v, stride %v) has no NIR node; exported as AvgPool2d", name, op.Kernel, op.Stride); err != nil {
				return nil, nil, err
			}
			if node, shape, err = pool2d(name, "AvgPool2d", op, shape); err == nil {
				node.Metadata = map[string]*Array{"braingo_pool": Text("max")}
			}
		case "AvgPool2d", "SumPool2d":
			node, shape, err = pool2d(name, op.Kind, op, shape)
		case "Dropout":
			continue
		case "Flatten":
			n, ok := checked.Product(shape, MaxUnits)
			if !ok {
				return nil, nil, fmt.Errorf("nir: %s: input of shape %v has more than %d values", name, shape, MaxUnits)
			}
			node = NewNode("Flatten", map[string]*Array{"start_dim": Int64s(nil, []int64{0}), "end_dim": Int64s(nil, []int64{-1}),
				"input_type": ints(shape...)})
			shape = []int{n}
		case "Linear":
			if len(op.WeightShape) != 2 || len(shape) != 1 || op.WeightShape[1] != shape[0] || len(op.Weight) != op.WeightShape[0]*op.WeightShape[1] {
				return nil, nil, fmt.Errorf("nir: %s: Linear weight of shape %v (%d values) on input of shape %v (flatten first)", name, op.WeightShape, len(op.Weight), shape)
			}
			p := map[string]*Array{"weight": Float32s(op.WeightShape, append([]float32(nil), op.Weight...))}
			if op.Bias == nil {
				node = NewNode("Linear", p)
			} else {
				if len(op.Bias) != op.WeightShape[0] {
					return nil, nil, fmt.Errorf("nir: %s: bias of %d values for %d outputs", name, len(op.Bias), op.WeightShape[0])
				}
				p["bias"] = Float32s(op.WeightShape[:1], append([]float32(nil), op.Bias...))
				node = NewNode("Affine", p)
			}
			shape = op.WeightShape[:1:1]
		case "LIF":
			n, ok := checked.Product(shape, MaxUnits)
			if !ok {
				return nil, nil, fmt.Errorf("nir: %s: input of shape %v has more than %d values", name, shape, MaxUnits)
			}
			if node, err = x.lif(name, n, op.LIF, false, 0); err != nil {
				return nil, nil, err
			}
			for _, a := range node.Params {
				a.Shape = append([]int(nil), shape...)
			}
		default:
			return nil, nil, fmt.Errorf("nir: %s: %s has no NIR node (known: Conv2d, BatchNorm2d, AvgPool2d, SumPool2d, MaxPool2d, Dropout, Flatten, Linear, LIF)", name, op.Kind)
		}
		if err != nil {
			return nil, nil, err
		}
		lastConv = nil
		if op.Kind == "Conv2d" {
			lastConv = node
		}
		g.Add(name, node)
		path = append(path, name)
	}
	g.Add("output", NewNode("Output", map[string]*Array{"shape": ints(shape...)}))
	g.Connect(append(path, "output")...)
	return g, x.warn, nil
}

func ints(v ...int) *Array {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return Int64s([]int{len(v)}, out)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func one(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

// outSide is PyTorch's output size of a convolution or pooling window.
func outSide(in, k, s, p, d int) int { return (in+2*p-d*(k-1)-1)/s + 1 }

func conv2d(name string, op Op, shape []int) (*Node, []int, error) {
	ws := op.WeightShape
	groups := one(op.Groups)
	if len(shape) != 3 {
		return nil, nil, fmt.Errorf("nir: %s: Conv2d on input of shape %v, want (channels, height, width)", name, shape)
	}
	if len(ws) != 4 || ws[1]*groups != shape[0] || ws[0]%groups != 0 || len(op.Weight) != ws[0]*ws[1]*ws[2]*ws[3] {
		return nil, nil, fmt.Errorf("nir: %s: Conv2d weight of shape %v (%d values, %d groups) on input of shape %v", name, ws, len(op.Weight), groups, shape)
	}
	st, dl := [2]int{one(op.Stride[0]), one(op.Stride[1])}, [2]int{one(op.Dilation[0]), one(op.Dilation[1])}
	h := outSide(shape[1], ws[2], st[0], op.Padding[0], dl[0])
	w := outSide(shape[2], ws[3], st[1], op.Padding[1], dl[1])
	if h < 1 || w < 1 {
		return nil, nil, fmt.Errorf("nir: %s: a %d×%d kernel leaves nothing of a %d×%d input", name, ws[2], ws[3], shape[1], shape[2])
	}
	bias := make([]float32, ws[0])
	if op.Bias != nil {
		if len(op.Bias) != ws[0] {
			return nil, nil, fmt.Errorf("nir: %s: bias of %d values for %d channels", name, len(op.Bias), ws[0])
		}
		copy(bias, op.Bias)
	}
	node := NewNode("Conv2d", map[string]*Array{
		"weight": Float32s(ws, append([]float32(nil), op.Weight...)), "bias": Float32s(ws[:1], bias),
		"stride": ints(st[:]...), "padding": ints(op.Padding[:]...), "dilation": ints(dl[:]...),
		"groups": Int64s(nil, []int64{int64(groups)}), "input_shape": ints(shape[1], shape[2])})
	return node, []int{ws[0], h, w}, nil
}

func pool2d(name, typ string, op Op, shape []int) (*Node, []int, error) {
	if len(shape) != 3 {
		return nil, nil, fmt.Errorf("nir: %s: pooling on input of shape %v, want (channels, height, width)", name, shape)
	}
	if op.Kernel[0] < 1 || op.Kernel[1] < 1 {
		return nil, nil, fmt.Errorf("nir: %s: pooling kernel %v", name, op.Kernel)
	}
	st := [2]int{op.Stride[0], op.Stride[1]}
	for i := range st {
		if st[i] == 0 {
			st[i] = op.Kernel[i]
		}
	}
	h := outSide(shape[1], op.Kernel[0], st[0], op.Padding[0], 1)
	w := outSide(shape[2], op.Kernel[1], st[1], op.Padding[1], 1)
	if h < 1 || w < 1 {
		return nil, nil, fmt.Errorf("nir: %s: a %v window leaves nothing of a %d×%d input", name, op.Kernel, shape[1], shape[2])
	}
	node := NewNode(typ, map[string]*Array{"kernel_size": ints(op.Kernel[:]...), "stride": ints(st[:]...), "padding": ints(op.Padding[:]...)})
	return node, []int{shape[0], h, w}, nil
}

// foldBatchNorm folds inference batch norm into the Conv2d node c:
// s = γ/√(var+eps), w' = w·s, b' = (b − mean)·s + β per output channel.
func foldBatchNorm(name string, c *Node, op Op) error {
	w, b := c.Params["weight"], c.Params["bias"]
	ch := w.Shape[0]
	if len(op.Mean) != ch || len(op.Var) != ch || (op.Weight != nil && len(op.Weight) != ch) || (op.Bias != nil && len(op.Bias) != ch) {
		return fmt.Errorf("nir: %s: BatchNorm2d statistics of %d channels after a Conv2d of %d", name, len(op.Mean), ch)
	}
	per := len(w.F32) / ch
	for o := range ch {
		gamma, beta := 1.0, 0.0
		if op.Weight != nil {
			gamma = float64(op.Weight[o])
		}
		if op.Bias != nil {
			beta = float64(op.Bias[o])
		}
		v := float64(op.Var[o]) + op.Eps
		if !(v > 0) {
			return fmt.Errorf("nir: %s: channel %d: variance %v + eps %v is not positive", name, o, op.Var[o], op.Eps)
		}
		s := gamma / math.Sqrt(v)
		for k := range per {
			w.F32[o*per+k] = float32(float64(w.F32[o*per+k]) * s)
		}
		b.F32[o] = float32((float64(b.F32[o])-float64(op.Mean[o]))*s + beta)
	}
	if c.Metadata == nil {
		c.Metadata = map[string]*Array{}
	}
	c.Metadata["braingo_folded"] = Text(name)
	return nil
}
