//go:build torch

package torchlayer

import (
	"fmt"
	"math"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/braingo/braingo/tensor"
)

// Part describes one libtorch operation of a layer, with what an exporter
// (NIR's Conv2d, SumPool2d/AvgPool2d, Affine, Flatten nodes) needs: the
// parameters in PyTorch's layouts, as braingo views of the libtorch
// variables, and the geometry.
type Part struct {
	// Kind is Conv2d, BatchNorm2d, MaxPool2d, AvgPool2d, Linear, Dropout,
	// Flatten, Activation or Module (a user-built libtorch module, opaque).
	Kind string
	// Weight and Bias: Conv2d (out, in/groups, kh, kw) and (out); Linear
	// (out, in) and (out); BatchNorm2d scale and shift (channels). Bias may
	// be nil.
	Weight, Bias *tensor.Tensor
	// Kernel, Stride, Padding and Dilation are (height, width) pairs of
	// Conv2d and the pools; Groups is Conv2d's.
	Kernel, Stride, Padding, Dilation [2]int
	Groups                            int
	// RunningMean, RunningVar and Eps are BatchNorm2d's statistics.
	RunningMean, RunningVar *tensor.Tensor
	Eps                     float64
	// P is Dropout's probability.
	P float64
}

// Parts lists the layer's operations in order (several for a Seq), for
// export. A Module part is a user-built module the bridge cannot see into.
func (l *Layer) Parts() []Part { return l.parts }

// newLayer wraps a module whose variables (if any) were just created under
// name, taking them as the layer's parameters.
// The constructors of this file make float32 variables only.
func (s *Store) newLayer(name string, m ts.ModuleT, parts ...Part) *Layer {
	l, err := s.tryLayer(name, m, parts...)
	if err != nil {
		panic(err)
	}
	return l
}

func (s *Store) tryLayer(name string, m ts.ModuleT, parts ...Part) (*Layer, error) {
	params, err := s.sync()
	if err != nil {
		return nil, err
	}
	return &Layer{Name: name, Module: m, store: s, params: params, parts: parts}, nil
}

func (s *Store) find(name string) *tensor.Tensor {
	for _, list := range [][]*tensor.Tensor{s.params, s.buffers} {
		for _, t := range list {
			if t.Name == name {
				return t
			}
		}
	}
	return nil
}

// Conv2dConfig configures Conv2d. The zero value is PyTorch's default:
// stride 1, no padding, dilation 1, one group, a bias.
type Conv2dConfig struct {
	Stride, Padding, Dilation, Groups int
	NoBias                            bool
}

// Conv2d is libtorch's 2-d convolution from in to out channels with a
// square kernel, initialized as PyTorch's nn.Conv2d (weight and bias
// uniform in ±1/√(in/groups·k²)).
func (s *Store) Conv2d(name string, in, out, kernel int, c Conv2dConfig) (*Layer, error) {
	if c.Stride == 0 {
		c.Stride = 1
	}
	if c.Dilation == 0 {
		c.Dilation = 1
	}
	if c.Groups == 0 {
		c.Groups = 1
	}
	switch {
	case in < 1 || out < 1 || kernel < 1:
		return nil, fmt.Errorf("torchlayer: Conv2d %s: channels and kernel must be positive, got in %d, out %d, kernel %d", name, in, out, kernel)
	case in%c.Groups != 0 || out%c.Groups != 0:
		return nil, fmt.Errorf("torchlayer: Conv2d %s: %d groups do not divide %d→%d channels", name, c.Groups, in, out)
	case c.Stride < 0 || c.Padding < 0 || c.Dilation < 0:
		return nil, fmt.Errorf("torchlayer: Conv2d %s: negative stride, padding or dilation", name)
	}
	bound := 1 / math.Sqrt(float64(in/c.Groups*kernel*kernel))
	cfg := nn.DefaultConv2DConfig()
	cfg.Stride = []int64{int64(c.Stride), int64(c.Stride)}
	cfg.Padding = []int64{int64(c.Padding), int64(c.Padding)}
	cfg.Dilation = []int64{int64(c.Dilation), int64(c.Dilation)}
	cfg.Groups = int64(c.Groups)
	cfg.Bias = !c.NoBias
	cfg.WsInit = nn.NewUniformInit(-bound, bound)
	cfg.BsInit = nn.NewUniformInit(-bound, bound)
	conv := nn.NewConv2D(s.Path(name), int64(in), int64(out), int64(kernel), cfg)
	l := s.newLayer(name, conv)
	p := Part{Kind: "Conv2d", Weight: s.find(name + ".weight"), Kernel: [2]int{kernel, kernel},
		Stride: [2]int{c.Stride, c.Stride}, Padding: [2]int{c.Padding, c.Padding},
		Dilation: [2]int{c.Dilation, c.Dilation}, Groups: c.Groups}
	if !c.NoBias {
		p.Bias = s.find(name + ".bias")
	}
	l.parts = []Part{p}
	return l, nil
}

// Linear is libtorch's affine map y = x·Wᵀ + b over the last axis, W of
// shape (out, in), initialized as PyTorch's nn.Linear.
func (s *Store) Linear(name string, in, out int) (*Layer, error) {
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("torchlayer: Linear %s: sizes must be positive, got %d→%d", name, in, out)
	}
	bound := 1 / math.Sqrt(float64(in))
	lin := nn.NewLinear(s.Path(name), int64(in), int64(out), &nn.LinearConfig{
		WsInit: nn.NewUniformInit(-bound, bound), BsInit: nn.NewUniformInit(-bound, bound), Bias: true})
	l := s.newLayer(name, lin)
	l.parts = []Part{{Kind: "Linear", Weight: s.find(name + ".weight"), Bias: s.find(name + ".bias")}}
	return l, nil
}

// BatchNorm2d is libtorch's batch normalization over the channels of
// (batch, channels, height, width) input: scale 1, shift 0, momentum 0.1,
// eps 1e-5 as PyTorch's. In training (Store.Train) it normalizes by batch
// statistics and updates the running ones; otherwise it uses the running
// statistics.
func (s *Store) BatchNorm2d(name string, channels int) (*Layer, error) {
	if channels < 1 {
		return nil, fmt.Errorf("torchlayer: BatchNorm2d %s: channels must be positive, got %d", name, channels)
	}
	cfg := nn.DefaultBatchNormConfig()
	cfg.CudnnEnable = false
	cfg.WsInit = nn.NewConstInit(1)
	cfg.BsInit = nn.NewConstInit(0)
	bn := nn.BatchNorm2D(s.Path(name), int64(channels), cfg)
	l := s.newLayer(name, bn)
	l.parts = []Part{{Kind: "BatchNorm2d", Weight: s.find(name + ".weight"), Bias: s.find(name + ".bias"),
		RunningMean: s.find(name + ".running_mean"), RunningVar: s.find(name + ".running_var"), Eps: cfg.Eps}}
	return l, nil
}

func pool2(name string, kernel, stride int) ([2]int, [2]int, error) {
	if stride == 0 {
		stride = kernel
	}
	if kernel < 1 || stride < 1 {
		return [2]int{}, [2]int{}, fmt.Errorf("torchlayer: %s: kernel and stride must be positive, got %d and %d", name, kernel, stride)
	}
	return [2]int{kernel, kernel}, [2]int{stride, stride}, nil
}

// MaxPool2d is libtorch's max pooling with a square window; stride 0
// means the kernel size (PyTorch's default).
func (s *Store) MaxPool2d(kernel, stride int) (*Layer, error) {
	k, st, err := pool2("MaxPool2d", kernel, stride)
	if err != nil {
		return nil, err
	}
	m := nn.ForwardTWith(func(x *ts.Tensor, train bool) *ts.Tensor {
		return x.MustMaxPool2d([]int64{int64(k[0]), int64(k[1])}, []int64{int64(st[0]), int64(st[1])}, []int64{0, 0}, []int64{1, 1}, false, false)
	})
	return s.newLayer(fmt.Sprintf("maxpool%d", kernel), m, Part{Kind: "MaxPool2d", Kernel: k, Stride: st, Dilation: [2]int{1, 1}}), nil
}

// AvgPool2d is libtorch's average pooling with a square window; stride 0
// means the kernel size.
func (s *Store) AvgPool2d(kernel, stride int) (*Layer, error) {
	k, st, err := pool2("AvgPool2d", kernel, stride)
	if err != nil {
		return nil, err
	}
	m := nn.ForwardTWith(func(x *ts.Tensor, train bool) *ts.Tensor {
		return x.MustAvgPool2d([]int64{int64(k[0]), int64(k[1])}, []int64{int64(st[0]), int64(st[1])}, []int64{0, 0}, false, true, nil, false)
	})
	return s.newLayer(fmt.Sprintf("avgpool%d", kernel), m, Part{Kind: "AvgPool2d", Kernel: k, Stride: st, Dilation: [2]int{1, 1}}), nil
}

// Dropout zeroes each value with probability p in training (scaling the
// rest by 1/(1−p)) and is the identity otherwise.
func (s *Store) Dropout(p float64) (*Layer, error) {
	if p < 0 || p >= 1 {
		return nil, fmt.Errorf("torchlayer: Dropout: probability must be in [0, 1), got %v", p)
	}
	return s.newLayer("dropout", nn.NewDropout(p), Part{Kind: "Dropout", P: p}), nil
}

// Flatten joins every axis but the first.
func (s *Store) Flatten() *Layer {
	m := nn.ForwardTWith(func(x *ts.Tensor, train bool) *ts.Tensor { return x.MustFlatten(1, -1, false) })
	return s.newLayer("flatten", m, Part{Kind: "Flatten"})
}

// Module wraps a libtorch module the caller builds: build receives the
// path under which it must create its variables (named name.*), and the
// variables it creates become the layer's parameters. The module's ForwardT
// must return a new float32 tensor and free its intermediates. Variables
// must be float32: anything else is an error.
func (s *Store) Module(name string, build func(p *nn.Path) ts.ModuleT) (*Layer, error) {
	return s.tryLayer(name, build(s.Path(name)), Part{Kind: "Module"})
}

// seq runs modules in order, freeing the intermediate results.
type seq []ts.ModuleT

func (q seq) ForwardT(x *ts.Tensor, train bool) *ts.Tensor {
	cur := x
	for i, m := range q {
		next := m.ForwardT(cur, train)
		if i > 0 {
			cur.MustDrop()
		}
		cur = next
	}
	return cur
}

// Seq composes layers of this store into one layer: the data crosses the
// bridge once in each direction instead of once per layer.
func (s *Store) Seq(name string, layers ...*Layer) (*Layer, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("torchlayer: Seq %s of no layers", name)
	}
	l := &Layer{Name: name, store: s}
	for _, c := range layers {
		if c.store != s {
			return nil, fmt.Errorf("torchlayer: Seq %s: layer %s belongs to another store", name, c.Name)
		}
		l.Module = append(asSeq(l.Module), c.Module)
		l.params = append(l.params, c.params...)
		l.parts = append(l.parts, c.parts...)
	}
	if len(layers) == 1 {
		l.Module = layers[0].Module
	}
	return l, nil
}

func asSeq(m ts.ModuleT) seq {
	if m == nil {
		return nil
	}
	return m.(seq)
}

// Activation is an elementwise libtorch nonlinearity: relu, tanh or
// sigmoid.
func (s *Store) Activation(kind string) (*Layer, error) {
	var f func(x *ts.Tensor) *ts.Tensor
	switch kind {
	case "relu":
		f = func(x *ts.Tensor) *ts.Tensor { return x.MustRelu(false) }
	case "tanh":
		f = func(x *ts.Tensor) *ts.Tensor { return x.MustTanh(false) }
	case "sigmoid":
		f = func(x *ts.Tensor) *ts.Tensor { return x.MustSigmoid(false) }
	default:
		return nil, fmt.Errorf("torchlayer: unknown activation %q (relu, tanh, sigmoid)", kind)
	}
	m := nn.ForwardTWith(func(x *ts.Tensor, train bool) *ts.Tensor { return f(x) })
	return s.newLayer(kind, m, Part{Kind: "Activation"}), nil
}
