package snn

import "github.com/braingo/braingo/kernels"

// Kernel returns what the fused LIF kernels (package kernels, and the
// device's in package gpu) take for p: the reset's kernel number and the
// surrogate's kind and parameters, with the surrogate package's defaults.
// ok is false when they cannot run p: a trainable decay, or a surrogate
// they do not evaluate.
func (p LIF) Kernel() (reset int, sur kernels.Surrogate, ok bool) {
	sur, ok = kernelSurrogate(p.sg())
	return p.kernelReset(), sur, ok && p.LearnBeta == nil
}
