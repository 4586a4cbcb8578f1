package snn

import "github.com/braingo/braingo/kernels"

// PoissonGroup is a population of independent Poisson spike sources firing
// at Rate Hz: neuron i fires at step t when u < Rate·Dt/1000, u the first
// uniform of block t of the Philox stream (Seed, 2⁴² + Off + i). The spikes
// depend on the step and the neuron's index in the network (Off is the
// index of its first neuron) only, so they are the same however a network
// is split, and a resumed run draws what an uninterrupted one would.
type PoissonGroup struct {
	Rate, Dt float64
	Seed     uint64
	Off      int
	N        int
}

func (g *PoissonGroup) Len() int     { return g.N }
func (g *PoissonGroup) V() []float32 { return nil }

// Update implements Neurons; the input is ignored.
func (g *PoissonGroup) Update(t int32, _ Input, spk []int32) int {
	p := float32(g.Rate * g.Dt / 1000)
	var r kernels.Philox
	k := 0
	for i := 0; i < g.N; i++ {
		r.Reset(g.Seed, 1<<42+uint64(g.Off+i))
		r.Seek(uint64(t))
		if kernels.Uniform32(r.Uint32()) < p {
			spk[k] = int32(i)
			k++
		}
	}
	return k
}
