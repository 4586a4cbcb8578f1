// Package snn holds spiking neuron and synapse dynamics: each model is a pure
// step function over explicit state and parameters, usable without a tape
// for simulation and as a fused, differentiable op on a tensor.Tape for
// training with surrogate gradients.
//
// Conventions. Time is discrete with step dt; a model's doc comment gives
// its ODE, its discretization and the order of update, spike and reset.
// Spikes are float32 0/1. Membrane potentials of the training models are in
// units of the threshold (θ = 1 by default), as in snnTorch. Every neuron
// fires when its membrane exceeds the threshold strictly (v > θ);
// networks.SpikingForce alone keeps Nicola and Clopath's v ≥ v_peak.
//
// One file per neuron model, each with its equations, update order, a
// tape-free step, its Cell adapter and presets; the networks, online rules,
// reservoirs, FORCE networks and the simulator call these steps, and the
// fused kernels behind them are tested bit-identical to them
// (model_kernels_test.go):
//
//	lif.go         LIF (snnTorch's Leaky); LIFRef, LIFEuler, LIFExact (reset in the
//	               firing step, refractoriness: BrainPy, Brian2); LIFGroup's equations
//	synaptic.go    Synaptic (snnTorch's Synaptic, NIR CubaLIF)
//	alif.go        ALIF (Bellec et al.)
//	li.go          LI, CubaLICell (leaky readouts, exponential currents)
//	izhikevich.go  Izhikevich, IzhikevichGroup
//	adex.go        AdEx, AdExGroup, ExpIFGroup
//	gif.go         GIF (the BrainPy paper's working-memory neuron)
//	hh.go          HHGroup, HH (Traub-Miles Hodgkin-Huxley, COBA-HH; HH trains)
//
// One Cell interface (sim_cells.go) serves training (networks) and
// simulation (CellRun, CellGroup).
package snn

// Reset selects how a membrane is reset after a spike.
type Reset int

const (
	// ResetSubtract subtracts the threshold: U ← U − θ (snnTorch "subtract").
	ResetSubtract Reset = iota
	// ResetZero sets the membrane to zero before the step's input is
	// integrated: U[t] = β·(1 − r)·U[t−1] + I[t] (snnTorch ≥ 0.8 "zero",
	// NIR's LIF with v_reset = 0, BrainPy). A neuron can fire on
	// consecutive steps.
	ResetZero
	// ResetNone leaves the membrane unchanged (snnTorch "none").
	ResetNone
	// ResetZeroLegacy is the zero reset of snnTorch before 0.8 and of
	// braingo before 2026-12-06: U[t] = (β·U[t−1] + I[t])·(1 − r), which
	// also discards the input of the step after a spike. Checkpoints and
	// NIR files braingo wrote with "zero" before then load with this rule
	// (and a warning); recipes can ask for it as "zero_legacy".
	ResetZeroLegacy
)

var resetNames = map[string]Reset{"subtract": ResetSubtract, "zero": ResetZero, "none": ResetNone, "zero_legacy": ResetZeroLegacy}

// ParseReset maps "subtract", "zero", "none" or "zero_legacy" to a Reset.
func ParseReset(s string) (Reset, bool) {
	r, ok := resetNames[s]
	return r, ok
}

func (r Reset) String() string {
	for k, v := range resetNames {
		if v == r {
			return k
		}
	}
	return "unknown"
}
