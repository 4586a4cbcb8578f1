package networks

import (
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
)

// TaskShape is what a network needs to know of a task to fit it: the sizes
// of its observations and outputs and its time step in ms. tasks.Spec
// satisfies it (use a Dataset's or an Env's Spec, whose step is the
// effective one).
type TaskShape interface {
	Inputs() int
	Outputs() int
	StepMs() float64
}

// RSNNTaskConfig configures NewRSNNForTask; the zero value of every field is
// the documented default. Time constants are in ms and become decays per
// step exp(−dt/τ) at the task's step.
type RSNNTaskConfig struct {
	Units  int    // recurrent neurons (default 64)
	Neuron string // "lif" (default) or "alif"
	// TauMs is the membrane time constant (default 20 ms).
	TauMs float64
	// TauAdaptMs and BetaA set ALIF's adaptation (defaults 200 ms and 1.8).
	TauAdaptMs, BetaA float64
	// TauInMs and TauOutMs are the input stage's and the readout's time
	// constants (0: no input stage; readout default 20 ms).
	TauInMs, TauOutMs float64
	// Threshold θ (0 means 1).
	Threshold float64
	// Surrogate of the spikes (nil: the neuron's default).
	Surrogate surrogate.Func
	// Inhibitory is the fraction of inhibitory units under Dale's law
	// (0: no sign constraint; 0.2 is the usual 80/20 split).
	Inhibitory float64
	// InitScale scales the Kaiming-normal initial weights (default 1).
	InitScale float64
	// Seed drives the initial weights.
	Seed uint64
}

// NewRSNNForTask returns a recurrent spiking network sized for a task: as
// many inputs as the task has observation channels and as many outputs as it
// has actions (or continuous targets), with its neurons' decays computed
// from the time constants of c at the task's step. It is NewRSNN with the
// sizes and parameters filled in; the input projection is dense, so any
// observation (spikes or not) works.
//
//	ds, _ := tasks.NewDataset(task, tasks.Options{Seed: 1}, tasks.DatasetConfig{})
//	net := networks.NewRSNNForTask(ds.Spec(), networks.RSNNTaskConfig{Units: 128})
func NewRSNNForTask(t TaskShape, c RSNNTaskConfig) *RSNN {
	if t.Inputs() < 1 || t.Outputs() < 1 {
		panic("networks: NewRSNNForTask: the task has no observations or no outputs")
	}
	dt := t.StepMs()
	if !(dt > 0) {
		panic("networks: NewRSNNForTask: the task's time step must be positive")
	}
	or := func(v, d float64) float64 {
		if v == 0 {
			return d
		}
		return v
	}
	units := c.Units
	if units == 0 {
		units = 64
	}
	neuron := c.Neuron
	if neuron == "" {
		neuron = "lif"
	}
	if neuron != "lif" && neuron != "alif" {
		panic("networks: NewRSNNForTask: neuron must be lif or alif, got " + neuron)
	}
	decay := func(tau float64) float32 {
		if tau <= 0 {
			return 0
		}
		return float32(math.Exp(-dt / tau))
	}
	inh := int(math.Round(c.Inhibitory * float64(units)))
	r := rand.New(rand.NewPCG(c.Seed, 0x7a5c))
	net := NewRSNN("rsnn", RSNNConfig{Inputs: t.Inputs(), Units: units, Outputs: t.Outputs(), Neuron: neuron,
		Inhibitory: inh, NoSelf: inh > 0, InitScale: c.InitScale}, r)
	beta := decay(or(c.TauMs, 20))
	net.LIF = snn.LIF{Beta: beta, Threshold: float32(c.Threshold), Surrogate: c.Surrogate}
	net.ALIF = snn.ALIF{Beta: beta, Rho: decay(or(c.TauAdaptMs, 200)), BetaA: float32(or(c.BetaA, 1.8)),
		Threshold: float32(c.Threshold), Surrogate: c.Surrogate}
	net.InBeta = decay(c.TauInMs)
	net.OutBeta = decay(or(c.TauOutMs, 20))
	return net
}
