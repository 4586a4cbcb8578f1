package snn

import "github.com/braingo/braingo/tensor"

// Cell is a layer of neurons advanced one step on a tape: the one
// interface through which networks train a neuron model and the simulator
// runs it. State is an ordered list of tensors (batch × neurons) whose
// meaning is the model's. Each model's file holds its adapter (LIFCell,
// SynapticCell, ALIFCell, LICell, CubaLICell, IzhikevichCell, AdExCell,
// GIFCell), a thin wrapper of the model's step.
type Cell interface {
	// Init returns the zero (resting) state of a layer of n neurons for a
	// batch, in buffers of tp (nil: allocated).
	Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor
	// Step advances the state by input current in and returns the new
	// state, the spikes (nil for non-spiking cells) and the membrane.
	Step(tp *tensor.Tape, state []*tensor.Tensor, in *tensor.Tensor) (next []*tensor.Tensor, spikes, mem *tensor.Tensor)
}

// Parameterized is implemented by cells with trainable parameters of
// their own (a learnable decay).
type Parameterized interface {
	Params() []*tensor.Tensor
}

// membraner is the optional interface of a cell that can name its
// membrane in a state it did not step yet (the simulator's conductance
// outputs read it before the first step).
type membraner interface {
	Membrane(state []*tensor.Tensor) *tensor.Tensor
}

// ZeroState returns k zero tensors of batch × n in buffers of tp (nil:
// allocated), the resting state of most cells.
func ZeroState(tp *tensor.Tape, k, batch, n int) []*tensor.Tensor {
	st := make([]*tensor.Tensor, k)
	for i := range st {
		st[i] = tp.NewResult([]int{batch, n})
		clear(st[i].Data)
	}
	return st
}

// Training neurons in the simulator.
//
// The neurons that networks train run unchanged as simulation populations:
// a CellRun steps a Cell without a tape (a nil tape records nothing and
// allocates no gradient) on one sample, and a CellGroup hands it the
// synaptic drive of the projections. The dynamics are the model's own, so
// a trained network can be rebuilt in a Simulation and run with delays,
// conductance synapses, plasticity and monitors.

// CellRun is one population (batch 1) of a Cell with its state.
type CellRun struct {
	Cell  Cell
	State []*tensor.Tensor
	n     int
	mem   []float32 // the membrane, one buffer for the run's life
}

// NewCellRun returns n neurons of c at rest.
func NewCellRun(c Cell, n int) *CellRun {
	r := &CellRun{Cell: c, State: c.Init(nil, 1, n), n: n, mem: make([]float32, n)}
	if m, ok := c.(membraner); ok {
		copy(r.mem, m.Membrane(r.State).Data)
	}
	return r
}

// NewLIFCell returns n LIF neurons at rest.
func NewLIFCell(n int, p LIF) *CellRun { return NewCellRun(LIFCell{p}, n) }

// NewALIFCell returns n ALIF neurons at rest.
func NewALIFCell(n int, p ALIF) *CellRun { return NewCellRun(ALIFCell{p}, n) }

// NewIzhikevichCell returns n Izhikevich neurons at v = c, u = b·c.
func NewIzhikevichCell(n int, p Izhikevich) *CellRun { return NewCellRun(IzhikevichCell{p}, n) }

// NewAdExCell returns n AdEx neurons at V = E_L, w = 0.
func NewAdExCell(n int, p AdEx) *CellRun { return NewCellRun(AdExCell{p}, n) }

// Len returns the number of neurons.
func (c *CellRun) Len() int { return c.n }

// Membrane returns the membrane the synaptic outputs act on (the v of a
// conductance-based output): one slice for the run's life, updated by
// every step; writing it sets the membrane of cells that name theirs.
func (c *CellRun) Membrane() []float32 { return c.mem }

// StepCell advances the state by one step under input current in and
// writes the spikes (0 or 1) to s.
func (c *CellRun) StepCell(in, s []float32) {
	if m, ok := c.Cell.(membraner); ok { // the membrane may have been set through Membrane
		copy(m.Membrane(c.State).Data, c.mem)
	}
	next, spk, mem := c.Cell.Step(nil, c.State, tensor.New([]int{1, c.n}, in))
	c.State = next
	if m, ok := c.Cell.(membraner); ok {
		mem = m.Membrane(next)
	}
	copy(c.mem, mem.Data)
	if spk == nil {
		clear(s)
		return
	}
	copy(s, spk.Data)
}

// CellGroup runs a CellRun as a simulation population: the input current
// of each step is Gain·(A − B·v) from the projections' outputs (Gain 0
// means 1).
type CellGroup struct {
	Cell *CellRun
	Gain float32
	cur  []float32
	s    []float32
}

// NewCellGroup returns a population running c.
func NewCellGroup(c *CellRun) *CellGroup {
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
