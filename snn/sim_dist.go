package snn

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// Distributed simulation: a network's neurons split among processes
// (ranks) in contiguous blocks, rank r owning neurons [Lo, Hi).
//
// Each rank builds its share of the network: its neurons' state (the
// initial values drawn from the same per-neuron Philox streams as the
// whole network's, so neuron i starts the same whatever the split), and
// the connections onto them: the columns [Lo, Hi) of every projection's
// pre×post connectivity (CSR: those columns only; JIT: regenerated in the
// post blocks that meet [Lo, Hi), see kernels.JIT). Each step, after its
// neurons have updated, a rank exchanges spikes (SpikeExchange: an
// allgather) and every rank then delivers all of the step's spikes, in
// ascending order, into its own neurons' synapses. Sums at each post-neuron
// are therefore taken in the same order as in one process, and the spikes
// are the same bits for any number of ranks.
//
// The exchanged spikes form a group of all N neurons (Part.All): its
// Spikes are the whole network's at every step, so spike and rate monitors
// attached to it record what they would record in one process.

// SpikeExchange gathers one step's spikes of all ranks: given this rank's
// spikes in the network's numbering (ascending), it appends every rank's, in
// rank order, to dst and returns it. Ranks own contiguous blocks in rank
// order, so the result is ascending.
type SpikeExchange func(dst, local []int32) []int32

// Part is a rank's share of a distributed network.
type Part struct {
	Net *Simulation
	// Local holds the rank's neurons [Lo, Hi), numbered from 0.
	Local *Group
	// All is the whole network's spikes (N neurons, no state): after each
	// step its Spikes lists every neuron that fired, in ascending order.
	All    *Group
	Lo, Hi int
	N      int
}

// allSpikes is the Neurons of Part.All: its update gathers the local
// group's spikes of this step from every rank.
type allSpikes struct {
	n     int
	local *Group
	lo    int32
	ex    SpikeExchange
	buf   []int32
}

func (a *allSpikes) Len() int     { return a.n }
func (a *allSpikes) V() []float32 { return nil }
func (a *allSpikes) Update(_ int32, _ Input, spk []int32) int {
	a.buf = a.buf[:0]
	for _, i := range a.local.Spikes {
		a.buf = append(a.buf, i+a.lo)
	}
	return len(a.ex(spk[:0], a.buf))
}

// BuildCOBAPart returns the share [lo, hi) of the network BuildCOBA(c)
// builds (COBA or, with c.CUBA, CUBA), its spikes exchanged by ex.
// BuildCOBAPart(c, 0, N, ex) with an ex that returns local simulates the
// whole network with the spikes of BuildCOBA(c).
func BuildCOBAPart(c COBAConfig, lo, hi int, ex SpikeExchange) (*Part, error) {
	c = c.withDefaults()
	if err := c.check(); err != nil {
		return nil, err
	}
	if lo < 0 || hi > c.N || lo >= hi {
		return nil, fmt.Errorf("snn: COBA network of %d neurons: bad part [%d, %d)", c.N, lo, hi)
	}
	net, g, err := buildCOBA(c, lo, hi, ex)
	if err != nil {
		return nil, err
	}
	return &Part{Net: net, Local: g, All: net.Groups[1], Lo: lo, Hi: hi, N: c.N}, nil
}

// fillNormalAt sets dst[k] to element off+k of kernels.FillNormal's
// sequence (mean, std, seed, stream).
func fillNormalAt(dst []float32, mean, std float32, seed, stream uint64, off int) {
	var r kernels.Philox
	r.Reset(seed, stream)
	for k := range dst {
		i := off + k
		r.Seek(uint64(i / 2))
		z0, z1 := kernels.Normal32Pair(r.Uint32(), r.Uint32())
		z := z0
		if i%2 == 1 {
			z = z1
		}
		dst[k] = mean + std*z
	}
}

// fillUniformAt sets dst[k] to element off+k of kernels.FillUniform's
// sequence (lo, hi, seed, stream).
func fillUniformAt(dst []float32, lo, hi float32, seed, stream uint64, off int) {
	var r kernels.Philox
	r.Reset(seed, stream)
	scale := hi - lo
	for k := range dst {
		i := off + k
		r.Seek(uint64(i / 4))
		var u uint32
		for w := 0; w <= i%4; w++ {
			u = r.Uint32()
		}
		dst[k] = lo + scale*kernels.Uniform32(u)
	}
}

// buildPartConn returns the connectivity of s restricted to the post
// columns [lo, hi), renumbered from 0 (FixedProb and AllToAll, the rules
// drawn per JIT row).
func buildPartConn(s ConnSpec, lo, hi int) (Conn, error) {
	if s.Rule != FixedProb && s.Rule != AllToAll {
		return nil, fmt.Errorf("snn: connectivity: only fixed_prob and all_to_all can be split among ranks")
	}
	p := s.P
	if s.Rule == AllToAll {
		p = 1
	}
	if !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("snn: connectivity: probability %g outside [0, 1]", p)
	}
	j := kernels.JIT{Rows: s.Pre, Cols: s.Post, P: p, Seed: s.Seed, Weight: s.Weight}
	homo := s.Weight.Kind == kernels.Homogeneous && s.W == nil
	switch s.Store {
	case StoreJIT:
		return &JITConn{M: j, Lo: lo, Hi: hi}, nil
	case StoreDense:
		d := &DenseConn{Pre: s.Pre, Post: hi - lo, W: make([]float32, s.Pre*(hi-lo))}
		for i := 0; i < s.Pre; i++ {
			r := j.RowRange(i, lo, hi)
			for c, w, ok := r.Next(); ok; c, w, ok = r.Next() {
				d.W[i*(hi-lo)+c-lo] = w
			}
		}
		return d, nil
	}
	m := &kernels.CSR{Rows: s.Pre, Cols: hi - lo, Ptr: make([]int64, s.Pre+1)}
	for i := 0; i < s.Pre; i++ {
		k := len(m.Col)
		if homo {
			m.Col = j.AppendRowColsRange(m.Col, i, lo, hi)
			for t := k; t < len(m.Col); t++ {
				m.Col[t] -= int32(lo)
			}
		} else {
			r := j.RowRange(i, lo, hi)
			for c, w, ok := r.Next(); ok; c, w, ok = r.Next() {
				m.Col = append(m.Col, int32(c-lo))
				m.Val = append(m.Val, w)
			}
		}
		m.Ptr[i+1] = int64(len(m.Col))
	}
	return &CSRConn{M: m, W: s.Weight.A}, nil
}

// State lists the rank's share of the state Simulation.State lists for the
// whole network, under the same names: its neurons' and their synapses'
// arrays, which gathered in rank order make the whole network's.
func (p *Part) State() ([]StateArray, error) {
	sub := &Simulation{Groups: []*Group{p.Local}, Projs: p.Net.Projs}
	return sub.State()
}
