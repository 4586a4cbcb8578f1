//go:build torch

package torchlayer

import (
	"fmt"
	"math/rand/v2"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// CSNNConfig describes a convolutional spiking network of square images
// or event frames (CSNN). The zero value is no network: Channels, Kernel,
// Side, Classes and Steps must be set.
type CSNNConfig struct {
	Seed uint64 // initialization: libtorch's blocks and the readout
	Side int    // the input's side (28 for Fashion-MNIST)
	// InChannels is the input's channels (0: 1, gray images; 2 for event
	// frames' polarities). Dynamic says the input changes at every step
	// (event frames): Run then takes Steps·batch frames, step-major.
	InChannels int
	Dynamic    bool
	Channels   []int // output channels of each block
	Kernel     int   // convolution kernel side (no padding, stride 1)
	// BatchNorm adds batch normalization after each convolution; Pool is
	// "max" (default) or "avg" 2×2 pooling; Dropout > 0 adds dropout
	// after the last block.
	BatchNorm bool
	Pool      string
	Dropout   float64
	Classes   int     // readout neurons
	Steps     int     // time steps per image
	LIF       snn.LIF // the blocks' neurons
	Out       snn.LIF // the readout's neurons
}

// CSNN is a convolutional spiking network: libtorch blocks (conv,
// optional batch norm, 2×2 pool, optional dropout) each driving braingo
// LIF neurons, then a braingo spiking linear readout. With a static input
// (images) the first block sees the image and runs once per batch; the
// later blocks, and the first with a dynamic input (event frames), run
// once on all time steps, batched as steps × batch images.
type CSNN struct {
	InShape [3]int // the input's (channels, height, width) at one step
	Dynamic bool   // a new input at every step (event frames)
	Store   *Store
	Blocks  []*Layer
	Shapes  [][3]int // (channels, height, width) after each block
	LIF     snn.LIF  // the blocks' neurons
	Out     snn.LIF  // the readout's neurons
	Readout *networks.Dense
	Steps   int
}

// NewCSNN builds the network of cfg, initialized from its seed.
func NewCSNN(cfg CSNNConfig) (*CSNN, error) {
	if len(cfg.Channels) == 0 || cfg.Kernel < 1 || cfg.Side < 1 || cfg.Classes < 1 || cfg.Steps < 1 {
		return nil, fmt.Errorf("torchlayer: CSNN needs channels, a kernel, a side, classes and steps (got %+v)", cfg)
	}
	in, side := max(cfg.InChannels, 1), cfg.Side
	m := &CSNN{InShape: [3]int{in, side, side}, Dynamic: cfg.Dynamic, Store: NewStore(cfg.Seed), Steps: cfg.Steps, LIF: cfg.LIF, Out: cfg.Out}
	s := m.Store
	for i, ch := range cfg.Channels {
		side = (side - cfg.Kernel + 1) / 2
		if side < 1 {
			return nil, fmt.Errorf("torchlayer: CSNN block %d: a %d-pixel kernel and 2×2 pooling leave no image", i+1, cfg.Kernel)
		}
		conv, err := s.Conv2d(fmt.Sprintf("conv%d", i+1), in, ch, cfg.Kernel, Conv2dConfig{})
		if err != nil {
			return nil, err
		}
		parts := []*Layer{conv}
		if cfg.BatchNorm {
			bn, err := s.BatchNorm2d(fmt.Sprintf("bn%d", i+1), ch)
			if err != nil {
				return nil, err
			}
			parts = append(parts, bn)
		}
		pool, err := s.MaxPool2d(2, 0)
		if cfg.Pool == "avg" {
			pool, err = s.AvgPool2d(2, 0)
		}
		if err != nil {
			return nil, err
		}
		parts = append(parts, pool)
		if cfg.Dropout > 0 && i == len(cfg.Channels)-1 {
			d, err := s.Dropout(cfg.Dropout)
			if err != nil {
				return nil, err
			}
			parts = append(parts, d)
		}
		b, err := s.Seq(fmt.Sprintf("block%d", i+1), parts...)
		if err != nil {
			return nil, err
		}
		m.Blocks = append(m.Blocks, b)
		m.Shapes = append(m.Shapes, [3]int{ch, side, side})
		in = ch
	}
	last := m.Shapes[len(m.Shapes)-1]
	r := rand.New(rand.NewPCG(cfg.Seed, 0xc5aa))
	m.Readout = networks.NewDense("fc", last[0]*last[1]*last[2], cfg.Classes, true, r)
	return m, nil
}

// Params lists the trained tensors: libtorch's, then the readout's.
func (m *CSNN) Params() []*tensor.Tensor {
	return append(append([]*tensor.Tensor(nil), m.Store.Params()...), m.Readout.Params()...)
}

// Saved lists what a checkpoint holds: the parameters and batch norm's
// running statistics.
func (m *CSNN) Saved() []*tensor.Tensor { return append(m.Params(), m.Store.Buffers()...) }

// Run simulates a batch x for Steps steps on tp and returns the readout's
// spikes and membranes per step and the spikes of each block summed over
// neurons, samples and steps. x is (batch, InShape...) for a static input,
// (Steps·batch, InShape...) step-major for a dynamic one.
func (m *CSNN) Run(tp *tensor.Tape, x *tensor.Tensor) (spk, mem []*tensor.Tensor, hidden []float64) {
	b, T := x.Shape[0], m.Steps
	if m.Dynamic {
		b = x.Shape[0] / T
	}
	hidden = make([]float64, len(m.Blocks))
	var spikes []*tensor.Tensor // of the previous block, per step
	for i, blk := range m.Blocks {
		var cur func(t int) *tensor.Tensor
		switch {
		case i == 0 && !m.Dynamic:
			c := blk.Forward(tp, x) // the same current at every step
			cur = func(int) *tensor.Tensor { return c }
		case i == 0:
			c := blk.Forward(tp, x) // all steps' frames at once
			cur = func(t int) *tensor.Tensor { return tp.Narrow(c, t*b, (t+1)*b) }
		default:
			sh := m.Shapes[i-1]
			in := tp.Reshape(tp.Stack(spikes), T*b, sh[0], sh[1], sh[2])
			c := blk.Forward(tp, in)
			cur = func(t int) *tensor.Tensor { return tp.Narrow(c, t*b, (t+1)*b) }
		}
		var u *tensor.Tensor
		for t := range T {
			ct := cur(t)
			if u == nil {
				u = tensor.Zeros(ct.Shape...)
			}
			var s *tensor.Tensor
			u, s = m.LIF.Forward(tp, u, ct)
			if t == 0 {
				spikes = make([]*tensor.Tensor, T)
			}
			spikes[t] = s
			hidden[i] += float64(kernels.Sum(s.Data))
		}
	}
	var v *tensor.Tensor
	for t := range T {
		flat := tp.Reshape(spikes[t], b, -1)
		c := m.Readout.ForwardSpikes(tp, flat)
		if v == nil {
			v = tensor.Zeros(c.Shape...)
		}
		var s *tensor.Tensor
		v, s = m.Out.Forward(tp, v, c)
		spk, mem = append(spk, s), append(mem, v)
	}
	return spk, mem, hidden
}

// Predict returns the class of each row of a run's readout: most spikes,
// ties broken by the larger membrane summed over steps.
func Predict(spk, mem []*tensor.Tensor) []int {
	rows, c := spk[0].Shape[0], spk[0].Shape[1]
	score := make([]float64, rows*c)
	msum := make([]float64, rows*c)
	for t := range spk {
		for i, v := range spk[t].Data {
			score[i] += float64(v)
			msum[i] += float64(mem[t].Data[i])
		}
	}
	pred := make([]int, rows)
	for r := range pred {
		best := 0
		for j := 1; j < c; j++ {
			a, b := r*c+j, r*c+best
			if score[a] > score[b] || score[a] == score[b] && msum[a] > msum[b] {
				best = j
			}
		}
		pred[r] = best
	}
	return pred
}
