package snn

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// Distributed simulation: a network's neurons split among processes
// (ranks), rank r owning a contiguous block of every group
// (NetSpec.BuildPart).
//
// Each rank builds its share of the network: its neurons' state (the
// initial values drawn from the same per-neuron Philox streams as the
// whole network's, so neuron i starts the same whatever the split), and
// the connections onto them: the columns it owns of every projection's
// pre×post connectivity (CSR: those columns only; JIT: regenerated in the
// post blocks that meet them, see kernels.JIT). Each step, after its
// neurons have updated, a rank exchanges spikes (SpikeExchange: an
// allgather) and every rank then delivers all of the step's spikes, in
// ascending order, into its own neurons' synapses. Sums at each post-neuron
// are therefore taken in the same order as in one process, and the spikes
// are the same bits for any number of ranks.
//
// The exchanged spikes form a group of all the network's neurons
// (Net.All): its Spikes are the whole network's at every step, so spike and
// rate monitors attached to it record what they would record in one
// process.

// SpikeExchange gathers one step's spikes of all ranks: given this rank's
// spikes in the network's numbering (ascending), it appends every rank's, in
// rank order, to dst and returns it.
type SpikeExchange func(dst, local []int32) []int32

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
