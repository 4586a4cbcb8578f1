package snn

import (
	"fmt"
	"sort"
)

// Simulation without a tape.
//
// A Simulation (a network simulated without a tape; package networks holds
// the trainable ones) holds neuron groups, the projections between them and
// monitors, and advances them in steps of Dt milliseconds. Step t (time t·Dt) runs, in
// this order (Brian2's schedule: groups, thresholds, synapses, resets):
//
//  1. every group's synaptic input is gathered from its incoming projections'
//     outputs: I_syn = A − B·v, with each output adding its part to A and B
//     (a conductance g with reversal E adds g·E to A and g to B; a current
//     adds to A only), from the synapse state left by step t−1;
//  2. every group updates its neurons (integrate, threshold, reset,
//     refractoriness), listing the neurons that fired;
//  3. every projection advances its synapse dynamics by one step and then
//     delivers the spikes emitted Delay steps ago (at step t − Delay) through
//     its connectivity into the synapse state (AlignPost: one state per
//     post-neuron; a ConnSynapse keeps one per connection and takes the
//     spikes itself); with Delay 0 a spike of step t acts on v from step
//     t+1, as in Brian2;
//  4. monitors record.
//
// Everything is deterministic given the seeds and the thread count; results
// do not depend on the thread count (parallel kernels reduce in fixed order).

// Input is a group's synaptic drive for one step: the synaptic current (in
// mV, i.e. R·I) is A − B·v, where B is a total conductance in units of the
// leak conductance.
type Input struct{ A, B []float32 }

// Neurons is a population's dynamics: explicit state and one step.
type Neurons interface {
	// Len returns the number of neurons.
	Len() int
	// Update advances every neuron by one step (t is the step number) under
	// the synaptic input in, writes the indices of the neurons that fired, in
	// increasing order, to spk (Len() entries) and returns their number.
	Update(t int32, in Input, spk []int32) int
	// V returns the membrane potentials (mV), read by conductance-based
	// outputs and monitors.
	V() []float32
}

// StateVars is implemented by models whose state variables monitors can
// sample by name.
type StateVars interface {
	State(name string) ([]float32, bool)
}

// Group is a population in a network.
type Group struct {
	Name    string
	Neurons Neurons
	// Spikes lists the neurons that fired in the last step (ascending).
	Spikes []int32
	in     Input
	spk    []int32
	incom  []*Projection
	fused  fusedCOBA
}

// Projection sends the spikes of Pre (or of its neurons PreLo..PreHi−1) to
// Post through Conn (comm), Syn (synapse dynamics) and Out (output), in that
// order (BrainPy's AlignPost projection): Conn rows are indexed from PreLo.
type Projection struct {
	Name         string
	Pre, Post    *Group
	PreLo, PreHi int // pre-neuron range; 0, 0 means all of Pre
	Conn         Conn
	Syn          Synapse
	Out          Output
	// Delay is the axonal delay in steps (a ring buffer of spike lists).
	Delay int
	// STP, when set, scales each spike's weights by the pre-neuron's
	// short-term plasticity state.
	STP *TsodyksMarkram

	ring  [][]int32
	buf   []int32
	scale []float32
	dt    float64
}

// Simulation is a set of groups, projections and monitors advanced together.
type Simulation struct {
	Dt       float64 // step in ms
	Groups   []*Group
	Projs    []*Projection
	Monitors []Monitor
	T        int32 // steps taken
	ready    bool
}

// Monitor records something at the end of every step.
type Monitor interface {
	Record(t int32)
}

// AddGroup adds a population and returns it.
func (n *Simulation) AddGroup(name string, neu Neurons) *Group {
	g := &Group{Name: name, Neurons: neu, spk: make([]int32, neu.Len())}
	n.Groups = append(n.Groups, g)
	n.ready = false
	return g
}

// Connect adds a projection (see Projection for the fields) after checking
// that its parts fit together.
func (n *Simulation) Connect(p *Projection) (*Projection, error) {
	if p.Pre == nil || p.Post == nil || p.Conn == nil || p.Syn == nil || p.Out == nil {
		return nil, fmt.Errorf("snn: projection %s: Pre, Post, Conn, Syn and Out are required", p.Name)
	}
	if p.PreHi == 0 && p.PreLo == 0 {
		p.PreHi = p.Pre.Neurons.Len()
	}
	pre, post := p.Conn.Shape()
	if p.PreLo < 0 || p.PreHi > p.Pre.Neurons.Len() || p.PreHi-p.PreLo != pre || post != p.Post.Neurons.Len() {
		return nil, fmt.Errorf("snn: projection %s: connectivity %d×%d does not fit pre range [%d, %d) and %d post-neurons",
			p.Name, pre, post, p.PreLo, p.PreHi, p.Post.Neurons.Len())
	}
	if p.Delay < 0 {
		return nil, fmt.Errorf("snn: projection %s: negative delay %d", p.Name, p.Delay)
	}
	if _, ok := p.Conn.(delayedConn); ok {
		if _, cs := p.Syn.(ConnSynapse); cs || p.STP != nil {
			return nil, fmt.Errorf("snn: projection %s: per-synapse delays work with post-synaptic (AlignPost) synapses without short-term plasticity", p.Name)
		}
	}
	p.Syn.Init(post)
	if cs, ok := p.Syn.(ConnSynapse); ok {
		if p.STP != nil {
			return nil, fmt.Errorf("snn: projection %s: short-term plasticity with a per-connection synapse is not supported", p.Name)
		}
		if err := cs.Bind(p.Conn); err != nil {
			return nil, fmt.Errorf("snn: projection %s: %w", p.Name, err)
		}
	}
	p.ring = make([][]int32, p.Delay+1)
	if p.STP != nil {
		p.STP.init(pre)
	}
	p.dt = n.Dt
	n.Projs = append(n.Projs, p)
	n.ready = false
	return p, nil
}

func (n *Simulation) prepare() {
	for _, g := range n.Groups {
		g.incom = g.incom[:0]
		k := g.Neurons.Len()
		if len(g.in.A) != k {
			g.in = Input{A: make([]float32, k), B: make([]float32, k)}
		}
	}
	for _, p := range n.Projs {
		p.Post.incom = append(p.Post.incom, p)
	}
	for _, g := range n.Groups {
		g.fused = findFused(g)
	}
	n.ready = true
}

// Step advances the network by one step (see the order above).
func (n *Simulation) Step() {
	if !n.ready {
		n.prepare()
	}
	t := n.T
	for _, g := range n.Groups {
		if g.fused.ok {
			k := g.fused.step(t, g.spk)
			g.Spikes = g.spk[:k]
			continue
		}
		if len(g.incom) > 0 { // without inputs, in stays all zero
			clear(g.in.A)
			clear(g.in.B)
			v := g.Neurons.V()
			for _, p := range g.incom {
				p.Out.Apply(g.in, p.Syn.G(), v)
			}
		}
		k := g.Neurons.Update(t, g.in, g.spk)
		g.Spikes = g.spk[:k]
	}
	for _, p := range n.Projs {
		if !p.Post.fused.ok {
			p.Syn.Step()
		}
		p.deliver(t)
	}
	for _, m := range n.Monitors {
		m.Record(t)
	}
	n.T++
}

// Run advances the network by steps steps.
func (n *Simulation) Run(steps int) {
	for s := 0; s < steps; s++ {
		n.Step()
	}
}

// deliver takes this step's spikes of the pre range into the delay ring and
// sends those of step t − Delay through the connectivity.
func (p *Projection) deliver(t int32) {
	spikes := p.Pre.Spikes
	lo := sort.Search(len(spikes), func(k int) bool { return spikes[k] >= int32(p.PreLo) })
	hi := lo + sort.Search(len(spikes)-lo, func(k int) bool { return spikes[lo+k] >= int32(p.PreHi) })
	slot := int(t) % len(p.ring)
	r := p.ring[slot][:0]
	for _, s := range spikes[lo:hi] {
		r = append(r, s-int32(p.PreLo))
	}
	p.ring[slot] = r
	out := p.ring[(int(t)+1)%len(p.ring)] // written Delay steps ago
	if dc, ok := p.Conn.(delayedConn); ok {
		// Per-synapse delays: the ring of arrivals advances every step.
		switch {
		case p.Delay == 0:
			out = r
		case int(t) < p.Delay:
			out = nil
		}
		dc.DeliverDelayed(p.Syn.Target(), out)
		return
	}
	if p.Delay == 0 {
		out = r
	} else if int(t) < p.Delay {
		return
	}
	if len(out) == 0 {
		return
	}
	if cs, ok := p.Syn.(ConnSynapse); ok {
		cs.Deliver(out, t)
		return
	}
	if p.STP != nil {
		p.scale = p.STP.spike(p.scale[:0], out, t, p.dt)
		if s, ok := p.Conn.(ScaledScatterer); ok {
			s.ScatterScaled(p.Syn.Target(), out, p.scale)
			return
		}
		panic("snn: projection " + p.Name + ": connectivity cannot scale spikes for STP")
	}
	p.Conn.Scatter(p.Syn.Target(), out)
}

// Synapses returns the number of connections of all projections.
func (n *Simulation) Synapses() int64 {
	var s int64
	for _, p := range n.Projs {
		s += p.Conn.Synapses()
	}
	return s
}

// Neurons returns the number of neurons of all groups.
func (n *Simulation) Neurons() int {
	s := 0
	for _, g := range n.Groups {
		s += g.Neurons.Len()
	}
	return s
}
