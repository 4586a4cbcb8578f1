package networks

import (
	"fmt"
	"math/rand/v2"

	"github.com/braingo/braingo/snn"
)

// FeedForwardConfig configures NewFeedForward; the zero value of every field
// but Sizes is the documented default.
type FeedForwardConfig struct {
	// Sizes are the layer widths from the input to the output, e.g.
	// {784, 1000, 10}: at least two.
	Sizes []int
	// Hidden is the cell of every hidden layer (nil: LIFCell with β 0.95,
	// θ 1, reset by subtraction, the atan surrogate: the FMNIST-SNN
	// protocol).
	Hidden Cell
	// Output is the cell of the output layer (nil: the same as Hidden).
	Output Cell
	// NoBias leaves the biases out of the projections.
	NoBias bool
	// Seed draws the initial weights: uniform ±1/√fan_in with biases alike
	// (PyTorch's nn.Linear), layer by layer.
	Seed uint64
}

// NewFeedForward returns a feed-forward spiking network of dense
// projections into cells, with blocks named hidden1, hidden2, ..., output
// and projections fc1, fc2, ... (the names of the snn-classify recipes'
// checkpoints). With the default cells and the same seed it draws the same
// initial weights as the recipe fmnist-snn with that seed and sizes. It
// panics for fewer than two sizes or a size below 1.
func NewFeedForward(c FeedForwardConfig) *FeedForward {
	if len(c.Sizes) < 2 {
		panic(fmt.Sprintf("networks: NewFeedForward needs at least an input and an output size, got %v", c.Sizes))
	}
	for _, n := range c.Sizes {
		if n < 1 {
			panic(fmt.Sprintf("networks: NewFeedForward: layer sizes must be positive, got %v", c.Sizes))
		}
	}
	hidden := c.Hidden
	if hidden == nil {
		hidden = LIFCell{LIF: snn.LIF{Beta: 0.95}}
	}
	out := c.Output
	if out == nil {
		out = hidden
	}
	r := rand.New(rand.NewPCG(c.Seed, 0x1f2e3d4c))
	net := &FeedForward{}
	last := len(c.Sizes) - 1
	for i := 1; i <= last; i++ {
		name, cell := fmt.Sprintf("hidden%d", i), hidden
		if i == last {
			name, cell = "output", out
		}
		proj := NewDense(fmt.Sprintf("fc%d", i), c.Sizes[i-1], c.Sizes[i], !c.NoBias, r)
		net.Blocks = append(net.Blocks, Block{Name: name, Proj: proj, Cell: cell})
	}
	return net
}
