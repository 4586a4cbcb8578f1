// Package losses holds the objective functions of spiking-network training,
// as snnTorch's functional losses define them, over per-step outputs of a
// network (one batch × classes tensor per time step) on a tensor tape.
package losses

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/tensor"
)

// CEMembrane is Σ_t CE(mem[t], y): cross-entropy of the output membrane at
// every step, summed over steps (the FMNIST-SNN tutorial's loss; snnTorch
// tutorial 5).
func CEMembrane(tp *tensor.Tape, mem []*tensor.Tensor, y []int) *tensor.Tensor {
	if len(mem) == 0 {
		return nil
	}
	// One op for all steps: the bits of CrossEntropy per step added in order.
	return tp.CrossEntropySteps(mem, y)
}

// CERate is snnTorch's ce_rate_loss: the spikes of each step pass through
// cross-entropy and the losses are averaged over steps, encouraging the
// correct class to fire at every step: (1/T)·Σ_t CE(s[t], y).
func CERate(tp *tensor.Tape, spikes []*tensor.Tensor, y []int) *tensor.Tensor {
	return tp.Scale(CEMembrane(tp, spikes, y), 1/float32(len(spikes)))
}

// Count returns Σ_t s[t], the spike count of each output neuron.
func Count(tp *tensor.Tape, spikes []*tensor.Tensor) *tensor.Tensor {
	checkSpikes(spikes)
	return tp.SumAxis(tp.Stack(spikes), 0)
}

// CECount is snnTorch's ce_count_loss: cross-entropy of the spike counts,
// CE(Σ_t s[t], y).
func CECount(tp *tensor.Tape, spikes []*tensor.Tensor, y []int) *tensor.Tensor {
	return tp.CrossEntropy(Count(tp, spikes), y)
}

// MSECount is snnTorch's mse_count_loss: the squared error between spike
// counts and targets of ⌊correctRate·T⌋ spikes for the correct class and
// ⌊incorrectRate·T⌋ for the others, divided by T:
// MSE(Σ_t s[t], target)/T. The targets are rounded down in float64 as
// snnTorch's int(num_steps * rate) does (0.8 of 3 steps is 2 spikes).
func MSECount(tp *tensor.Tape, spikes []*tensor.Tensor, y []int, correctRate, incorrectRate float64) *tensor.Tensor {
	count := Count(tp, spikes)
	steps := len(spikes)
	on := float32(math.Floor(float64(steps) * correctRate))
	off := float32(math.Floor(float64(steps) * incorrectRate))
	c := count.Shape[1]
	target := tensor.Zeros(count.Shape...)
	for r, lab := range y {
		for j := 0; j < c; j++ {
			target.Data[r*c+j] = off
		}
		target.Data[r*c+lab] = on
	}
	return tp.Scale(tp.MSE(count, target), 1/float32(steps))
}

// NLLMaxMembrane is the loss of the BrainPy paper's Fashion-MNIST S2 setup:
// NLL of log-softmax of the maximum over time of the output membrane,
// CE(max_t mem[t], y).
func NLLMaxMembrane(tp *tensor.Tape, mem []*tensor.Tensor, y []int) *tensor.Tensor {
	checkSpikes(mem)
	return tp.CrossEntropy(tp.MaxAxis(tp.Stack(mem), 0), y)
}

// SpikeCountL1 is λ·Σ_{t,b,i} s[t][b,i]: the total spike count of a layer
// over the batch and the steps, as SpyTorch's tutorial and the BrainPy
// paper's Fashion-MNIST S2 experiment define it (Zenke and Vogels 2021).
func SpikeCountL1(tp *tensor.Tape, spikes []*tensor.Tensor, lambda float32) *tensor.Tensor {
	return tp.Scale(tp.Sum(Count(tp, spikes)), lambda)
}

// SpikeCountL2 is λ·(1/N)·Σ_i (Σ_{t,b} s[t][b,i])²: the mean over the
// layer's N neurons of its squared spike count over batch and steps
// (SpyTorch's and the BrainPy S2 experiment's definition).
func SpikeCountL2(tp *tensor.Tape, spikes []*tensor.Tensor, lambda float32) *tensor.Tensor {
	perNeuron := tp.SumAxis(Count(tp, spikes), 0)
	return tp.Scale(tp.Sum(tp.Square(perNeuron)), lambda/float32(perNeuron.Len()))
}

// Names of the classification losses, for recipes.
var Names = []string{"ce_membrane", "ce_rate", "ce_count", "mse_count", "nll_max_membrane"}

// Valid reports whether name is a known classification loss.
func Valid(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

func checkSpikes(ts []*tensor.Tensor) {
	if len(ts) == 0 {
		panic("losses: no time steps")
	}
	for i, t := range ts {
		if t == nil {
			panic(fmt.Sprintf("losses: step %d has no output (a non-spiking layer read as spikes?)", i))
		}
	}
}
