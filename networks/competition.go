package networks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/snn"
)

// CompetitionConfig configures NewCompetition. Zero fields take the
// defaults documented on them.
type CompetitionConfig struct {
	Inputs    int // input neurons (spike trains given to Step); required
	Choices   int // competing output populations; default 2
	PerChoice int // output neurons per population; default 20
	// DT is the step in ms (default 1); TauMem and TauSyn the membrane and
	// synaptic time constants in ms (defaults 20 and 5).
	DT, TauMem, TauSyn float64
	// Refractory is the refractory period in ms after a spike (default 2).
	Refractory float64
	// WMax is the largest plastic weight (default 0.02); the initial
	// weights are uniform in [InitLo, InitHi]·WMax (defaults 0.4 and 0.6).
	WMax, InitLo, InitHi float64
	// Inhibition is the weight of the inhibition every output spike sends
	// to each neuron of the other populations (lateral inhibition; default
	// 0.01, in the same units as W).
	Inhibition float64
	// NoiseRate and NoiseWeight give every output neuron independent
	// Poisson background input (defaults 0 Hz and WMax).
	NoiseRate, NoiseWeight float64
}

// Competition is a two-layer spiking decision network for reward-driven
// learning: input spike trains project through plastic excitatory weights W
// (inputs × outputs, row-major, in [0, WMax]) onto Choices populations of
// current-based LIF neurons, and every output spike inhibits the neurons of
// the other populations (winner-take-all through lateral inhibition). Per
// step of DT ms, for output neuron j of population p(j):
//
//	I_j ← α·I_j + Σ_i W_ij·x_i − Inhibition·Σ_{k: p(k) ≠ p(j)} S_k[t−1] + noise_j
//	U_j ← β·U_j + I_j              (held at 0 while refractory)
//	S_j = [U_j > 1];  on a spike U_j ← 0 and the neuron is refractory
//
// (the membranes are snn.LIFRef neurons; I is their exponential synaptic
// current)
//
// with α = exp(−DT/TauSyn), β = exp(−DT/TauMem). Counts holds each
// population's spikes since Reset: the choice is its argmax.
type Competition struct {
	Cfg CompetitionConfig
	W   []float32
	// S is the output spikes of the last step; Counts the spikes per
	// population since Reset.
	S      []float32
	Counts []float64

	i, u        []float32
	refr        []int
	alpha, beta float32
	refSteps    int
	inhib       []float32 // per population: inhibition it sends this step
}

// NewCompetition builds the network with weights drawn from r.
func NewCompetition(c CompetitionConfig, r *rand.Rand) (*Competition, error) {
	if c.Inputs < 1 {
		return nil, fmt.Errorf("networks: Competition needs at least one input, got %d", c.Inputs)
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Choices == 0 {
		c.Choices = 2
	}
	if c.PerChoice == 0 {
		c.PerChoice = 20
	}
	def(&c.DT, 1)
	def(&c.TauMem, 20)
	def(&c.TauSyn, 5)
	def(&c.Refractory, 2)
	def(&c.WMax, 0.02)
	def(&c.InitLo, 0.4)
	def(&c.InitHi, 0.6)
	def(&c.Inhibition, 0.01)
	def(&c.NoiseWeight, c.WMax)
	if c.Choices < 2 || c.PerChoice < 1 || c.InitHi < c.InitLo || c.DT < 0 || c.TauMem < 0 || c.TauSyn < 0 {
		return nil, fmt.Errorf("networks: Competition config %+v", c)
	}
	no := c.Choices * c.PerChoice
	n := &Competition{Cfg: c, W: make([]float32, c.Inputs*no), S: make([]float32, no), Counts: make([]float64, c.Choices),
		i: make([]float32, no), u: make([]float32, no), refr: make([]int, no), inhib: make([]float32, c.Choices),
		alpha: float32(math.Exp(-c.DT / c.TauSyn)), beta: float32(math.Exp(-c.DT / c.TauMem)),
		refSteps: int(math.Round(c.Refractory / c.DT))}
	for k := range n.W {
		n.W[k] = float32(c.WMax * (c.InitLo + (c.InitHi-c.InitLo)*r.Float64()))
	}
	return n, nil
}

// Outputs is the number of output neurons.
func (n *Competition) Outputs() int { return len(n.S) }

// Reset puts the neurons at rest and clears the counts; W stays.
func (n *Competition) Reset() {
	for _, s := range [][]float32{n.S, n.i, n.u} {
		clear(s)
	}
	clear(n.refr)
	clear(n.Counts)
}

// Step advances the network by one step on input spikes x (0 or 1 per
// input) with background noise drawn from r (nil: none), and returns the
// output spikes S.
func (n *Competition) Step(x []float32, r *rand.Rand) []float32 {
	c := n.Cfg
	if len(x) != c.Inputs {
		panic(fmt.Sprintf("networks: Competition.Step: %d inputs, want %d", len(x), c.Inputs))
	}
	no := len(n.S)
	// Inhibition from the previous step's spikes, per population.
	var total float32
	for p := range n.inhib {
		var s float32
		for _, v := range n.S[p*c.PerChoice : (p+1)*c.PerChoice] {
			s += v
		}
		n.inhib[p] = s
		total += s
	}
	inh := float32(c.Inhibition)
	for j := range n.i {
		p := j / c.PerChoice
		n.i[j] = n.alpha*n.i[j] - inh*(total-n.inhib[p])
	}
	for k, v := range x {
		if v == 0 {
			continue
		}
		row := n.W[k*no : (k+1)*no]
		for j, w := range row {
			n.i[j] += v * w
		}
	}
	if c.NoiseRate > 0 && r != nil {
		pr := c.NoiseRate * c.DT / 1000
		for j := range n.i {
			if r.Float64() < pr {
				n.i[j] += float32(c.NoiseWeight)
			}
		}
	}
	// The membranes: snn.LIFRef, reset to 0 and frozen while refractory.
	snn.LIFRef{Beta: n.beta, RefSteps: n.refSteps}.Step(n.u, n.S, n.i, n.refr)
	for j, s := range n.S {
		if s != 0 {
			n.Counts[j/c.PerChoice]++
		}
	}
	return n.S
}

// Normalize rescales each output neuron's input weights so that they sum
// to total (synaptic scaling; for total 0, to their initial mean sum
// InitLo+InitHi over 2 times WMax times Inputs), then clips them to
// [0, WMax]. Learning then moves weight between inputs rather than
// changing a population's total drive, so no population can fall silent
// or dominate through its overall strength alone.
func (n *Competition) Normalize(total float64) {
	c := n.Cfg
	if total == 0 {
		total = c.WMax * (c.InitLo + c.InitHi) / 2 * float64(c.Inputs)
	}
	no := len(n.S)
	for j := range no {
		var s float64
		for i := range c.Inputs {
			s += float64(n.W[i*no+j])
		}
		if s <= 0 {
			continue
		}
		f := total / s
		for i := range c.Inputs {
			k := i*no + j
			n.W[k] = float32(min(c.WMax, float64(n.W[k])*f))
		}
	}
}
