package snn

import "github.com/braingo/braingo/tensor"

// Training neurons in the simulator.
//
// The neurons that networks train (LIF, ALIF, Izhikevich, AdEx, and any
// other with a tape step) run unchanged as simulation populations: a
// CellGroup hands the synaptic drive of the projections to the neuron's own
// step, evaluated without a tape (a nil tape records nothing and allocates
// no gradient). The dynamics are written once, in the neuron's Forward or
// Step, and serve both training and simulation; a trained network can be
// rebuilt in a Simulation and run with delays, conductance synapses, plasticity
// and monitors.

// Cell is one population of a training neuron (batch 1) with its state.
type Cell interface {
	// Len returns the number of neurons.
	Len() int
	// StepCell advances the state by one step under input current in and
	// writes the spikes (0 or 1) to s.
	StepCell(in, s []float32)
	// Membrane returns the membrane the synaptic outputs act on (the v of
	// a conductance-based output).
	Membrane() []float32
}

// CellGroup runs a Cell as a simulation population: the input current of
// each step is Gain·(A − B·v) from the projections' outputs (Gain 0 means 1).
type CellGroup struct {
	Cell Cell
	Gain float32
	cur  []float32
	s    []float32
}

// NewCellGroup returns a population running c.
func NewCellGroup(c Cell) *CellGroup {
	return &CellGroup{Cell: c, cur: make([]float32, c.Len()), s: make([]float32, c.Len())}
}

func (g *CellGroup) Len() int     { return g.Cell.Len() }
func (g *CellGroup) V() []float32 { return g.Cell.Membrane() }

// Update implements Neurons: one step of the cell, spikes listed in index
// order.
func (g *CellGroup) Update(t int32, in Input, spk []int32) int {
	gain := g.Gain
	if gain == 0 {
		gain = 1
	}
	v := g.Cell.Membrane()
	for i := range g.cur {
		g.cur[i] = gain * (in.A[i] - in.B[i]*v[i])
	}
	g.Cell.StepCell(g.cur, g.s)
	k := 0
	for i, x := range g.s {
		if x != 0 {
			spk[k] = int32(i)
			k++
		}
	}
	return k
}

// LIFCell is a population of the training LIF (its fused tape-free Step).
type LIFCell struct {
	LIF LIF
	U   []float32 // membrane
}

// NewLIFCell returns n LIF neurons at rest.
func NewLIFCell(n int, p LIF) *LIFCell { return &LIFCell{LIF: p, U: make([]float32, n)} }

func (c *LIFCell) Len() int                 { return len(c.U) }
func (c *LIFCell) Membrane() []float32      { return c.U }
func (c *LIFCell) StepCell(in, s []float32) { c.LIF.Step(c.U, s, in) }

// TapeCell is a population of any neuron given by its tape step, run with a
// nil tape: Forward maps the input current (1 × n) to the spikes and keeps
// the neuron's state in the closure. NewALIFCell, NewIzhikevichCell and
// NewAdExCell build one for those neurons.
type TapeCell struct {
	N       int
	Forward func(in *tensor.Tensor) (spikes *tensor.Tensor)
	// Mem returns the current membrane (for conductance outputs).
	Mem func() []float32
}

func (c *TapeCell) Len() int            { return c.N }
func (c *TapeCell) Membrane() []float32 { return c.Mem() }
func (c *TapeCell) StepCell(in, s []float32) {
	copy(s, c.Forward(tensor.New([]int{1, c.N}, in)).Data)
}

// NewALIFCell returns n ALIF neurons at rest.
func NewALIFCell(n int, p ALIF) *TapeCell {
	st := ALIFState{U: tensor.Zeros(1, n), B: tensor.Zeros(1, n), S: tensor.Zeros(1, n)}
	return &TapeCell{N: n,
		Forward: func(in *tensor.Tensor) *tensor.Tensor { st = p.Forward(nil, st, in); return st.S },
		Mem:     func() []float32 { return st.U.Data }}
}

// NewIzhikevichCell returns n Izhikevich neurons at v = c, u = b·c.
func NewIzhikevichCell(n int, p Izhikevich) *TapeCell {
	q := p.defaults()
	st := IzhikevichState{V: full(q.C, n), U: full(q.B*q.C, n)}
	return &TapeCell{N: n,
		Forward: func(in *tensor.Tensor) *tensor.Tensor {
			var s *tensor.Tensor
			st, s = p.Forward(nil, st, in)
			return s
		},
		Mem: func() []float32 { return st.V.Data }}
}

// NewAdExCell returns n AdEx neurons at V = E_L, w = 0.
func NewAdExCell(n int, p AdEx) *TapeCell {
	q := p.defaults()
	st := AdExState{V: full(q.EL, n), W: tensor.Zeros(1, n)}
	return &TapeCell{N: n,
		Forward: func(in *tensor.Tensor) *tensor.Tensor {
			var s *tensor.Tensor
			st, s = p.Forward(nil, st, in)
			return s
		},
		Mem: func() []float32 { return st.V.Data }}
}

func full(v float32, n int) *tensor.Tensor {
	t := tensor.Zeros(1, n)
	for i := range t.Data {
		t.Data[i] = v
	}
	return t
}
