// Package snn holds spiking neuron and synapse dynamics: each model is a pure
// step function over explicit state and parameters, usable without a tape
// for simulation and as a fused, differentiable op on a tensor.Tape for
// training with surrogate gradients.
//
// Conventions. Time is discrete with step dt; a model's doc comment gives
// its ODE, its discretization and the order of update, spike and reset.
// Spikes are float32 0/1. Membrane potentials of the training models are in
// units of the threshold (θ = 1 by default), as in snnTorch.
package snn

// Reset selects how a membrane is reset after a spike.
type Reset int

const (
	// ResetSubtract subtracts the threshold: U ← U − θ (snnTorch "subtract").
	ResetSubtract Reset = iota
	// ResetZero sets the membrane to zero (snnTorch "zero").
	ResetZero
	// ResetNone leaves the membrane unchanged (snnTorch "none").
	ResetNone
)

var resetNames = map[string]Reset{"subtract": ResetSubtract, "zero": ResetZero, "none": ResetNone}

// ParseReset maps "subtract", "zero" or "none" to a Reset.
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
