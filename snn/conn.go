package snn

import (
	"fmt"
	"math"
	"slices"

	"github.com/braingo/braingo/kernels"
)

// Conn is the connectivity of a projection: which post-synaptic neurons each
// pre-synaptic neuron reaches and with what weight. It is the "comm" stage
// of a projection (comm -> syn -> out): given the spiking pre-neurons it adds
// their weights into a post-sized buffer.
type Conn interface {
	// Shape returns the numbers of pre- and post-synaptic neurons.
	Shape() (pre, post int)
	// Synapses returns the number of connections.
	Synapses() int64
	// Scatter adds the weights of the rows of the active pre-neurons:
	// for each i in active, for each connection (i, j, w): dst[j] += w.
	// The sum at each j is taken in the order of active.
	Scatter(dst []float32, active []int32)
}

// ScaledScatterer is the optional fast path of a Conn whose rows are scaled
// per spike (short-term plasticity): dst[j] += scale[s]·w for active[s].
type ScaledScatterer interface {
	ScatterScaled(dst []float32, active []int32, scale []float32)
}

// Rule is how connections are drawn.
type Rule int

const (
	// FixedProb connects each (pre, post) pair independently with
	// probability P.
	FixedProb Rule = iota
	// FixedInDegree gives every post-neuron K distinct random pre-neurons.
	FixedInDegree
	// FixedOutDegree gives every pre-neuron K distinct random post-neurons.
	FixedOutDegree
	// OneToOne connects pre i to post i (pre and post sizes must match).
	OneToOne
	// AllToAll connects every pair.
	AllToAll
	// FromList connects the explicit pairs (PreIdx[k], PostIdx[k]).
	FromList
)

var ruleNames = map[string]Rule{"fixed_prob": FixedProb, "fixed_in": FixedInDegree, "fixed_out": FixedOutDegree,
	"one_to_one": OneToOne, "all_to_all": AllToAll, "list": FromList}

// ParseRule maps fixed_prob, fixed_in, fixed_out, one_to_one, all_to_all or
// list to a Rule.
func ParseRule(s string) (Rule, bool) { r, ok := ruleNames[s]; return r, ok }

// Storage is how a projection keeps its connectivity.
type Storage int

const (
	// StoreCSR keeps the connections as a compressed sparse row matrix
	// (4 bytes per synapse for homogeneous weights, 8 otherwise).
	StoreCSR Storage = iota
	// StoreDense keeps the full pre×post weight matrix.
	StoreDense
	// StoreJIT keeps nothing: each spiking row is regenerated from the seed
	// (FixedProb and AllToAll only).
	StoreJIT
)

var storageNames = map[string]Storage{"csr": StoreCSR, "dense": StoreDense, "jit": StoreJIT}

// ParseStorage maps csr, dense or jit to a Storage.
func ParseStorage(s string) (Storage, bool) { st, ok := storageNames[s]; return st, ok }

// ConnSpec describes a connectivity to build. Its zero value is an empty
// fixed-probability CSR connectivity of homogeneous weight 0.
type ConnSpec struct {
	Pre, Post int
	Rule      Rule
	P         float64 // FixedProb: connection probability
	K         int     // FixedInDegree, FixedOutDegree: connections per neuron
	// Weight is the weight distribution (kernels.HomogeneousWeight(w) for a
	// constant w, UniformWeight, NormalWeight).
	Weight kernels.WeightRule
	// Seed selects the random connectivity; the same seed gives the same
	// matrix whatever the storage (FixedProb draws the JIT rows of
	// kernels.JIT for every storage).
	Seed uint64
	// PreIdx, PostIdx (and optional W, overriding Weight) list the
	// connections of FromList.
	PreIdx, PostIdx []int32
	W               []float32
	Store           Storage
}

// Build returns the connectivity described by s, or an error naming the
// field at fault.
func (s ConnSpec) Build() (Conn, error) {
	if s.Pre < 0 || s.Post < 0 || s.Post > math.MaxInt32 || s.Pre > math.MaxInt32 {
		return nil, fmt.Errorf("snn: connectivity: bad sizes %d×%d", s.Pre, s.Post)
	}
	homo := s.Weight.Kind == kernels.Homogeneous && s.W == nil
	switch s.Rule {
	case FixedProb, AllToAll:
		p := s.P
		if s.Rule == AllToAll {
			p = 1
		}
		if !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("snn: connectivity: probability %g outside [0, 1]", p)
		}
		j := kernels.JIT{Rows: s.Pre, Cols: s.Post, P: p, Seed: s.Seed, Weight: s.Weight}
		switch s.Store {
		case StoreJIT:
			return NewJITConn(j), nil
		case StoreDense:
			d := &DenseConn{Pre: s.Pre, Post: s.Post, W: make([]float32, s.Pre*s.Post)}
			j.Materialize(d.W)
			return d, nil
		default:
			m := j.ToCSR()
			if homo {
				m.Val = nil
			}
			return &CSRConn{M: m, W: s.Weight.A}, nil
		}
	case FixedInDegree, FixedOutDegree:
		n := s.Post
		if s.Rule == FixedInDegree {
			n = s.Pre
		}
		if s.K < 0 || s.K > n {
			return nil, fmt.Errorf("snn: connectivity: degree %d outside [0, %d]", s.K, n)
		}
		m := s.fixedDegree(homo)
		switch s.Store {
		case StoreJIT:
			return nil, fmt.Errorf("snn: connectivity: jit storage supports only fixed_prob and all_to_all")
		case StoreDense:
			d := &DenseConn{Pre: s.Pre, Post: s.Post, W: make([]float32, s.Pre*s.Post)}
			if m.Val == nil {
				m.Val = make([]float32, len(m.Col))
				kernels.Fill(m.Val, s.Weight.A)
			}
			m.ToDense(d.W)
			return d, nil
		}
		return &CSRConn{M: m, W: s.Weight.A}, nil
	case OneToOne:
		if s.Pre != s.Post {
			return nil, fmt.Errorf("snn: connectivity: one_to_one needs equal sizes, got %d and %d", s.Pre, s.Post)
		}
		row := make([]int32, s.Pre)
		for i := range row {
			row[i] = int32(i)
		}
		return s.fromTriples(row, row, s.weights(len(row), 0), homo)
	case FromList:
		if len(s.PreIdx) != len(s.PostIdx) || (s.W != nil && len(s.W) != len(s.PreIdx)) {
			return nil, fmt.Errorf("snn: connectivity: list of %d pre, %d post and %d weights; lengths must match", len(s.PreIdx), len(s.PostIdx), len(s.W))
		}
		val := s.W
		if val == nil {
			val = s.weights(len(s.PreIdx), 0)
		}
		return s.fromTriples(s.PreIdx, s.PostIdx, val, homo)
	}
	return nil, fmt.Errorf("snn: connectivity: unknown rule %d", s.Rule)
}

// weights draws n weights from s.Weight on the Philox stream (Seed, stream).
func (s ConnSpec) weights(n int, stream uint64) []float32 {
	w := make([]float32, n)
	switch s.Weight.Kind {
	case kernels.Uniform:
		kernels.FillUniform(w, s.Weight.A, s.Weight.B, s.Seed^0x5eed, stream)
	case kernels.Normal:
		kernels.FillNormal(w, s.Weight.A, s.Weight.B, s.Seed^0x5eed, stream)
	default:
		kernels.Fill(w, s.Weight.A)
	}
	return w
}

// fixedDegree builds the CSR matrix in which every neuron of the driving
// side (pre for out-degree, post for in-degree) has K distinct random
// partners, drawn by Floyd's algorithm from the Philox stream (Seed, neuron),
// with weights from s.Weight (stream Pre+Post+neuron of Seed^0x5eed).
func (s ConnSpec) fixedDegree(homo bool) *kernels.CSR {
	drv, other := s.Pre, s.Post
	if s.Rule == FixedInDegree {
		drv, other = s.Post, s.Pre
	}
	k := s.K
	part := make([]int32, int64(drv)*int64(k)) // partners, K per driving neuron
	mark := make([]int32, other)               // generation stamps: mark[j] == d+1 means taken
	var r kernels.Philox
	for d := 0; d < drv; d++ {
		r.Reset(s.Seed, uint64(d))
		ps := part[d*k : (d+1)*k]
		for t, j := 0, other-k; j < other; t, j = t+1, j+1 {
			c := int32(uint64(r.Uint32()) * uint64(j+1) >> 32) // in [0, j]
			if mark[c] == int32(d+1) {
				c = int32(j)
			}
			mark[c] = int32(d + 1)
			ps[t] = c
		}
		slices.Sort(ps)
	}
	m := &kernels.CSR{Rows: s.Pre, Cols: s.Post, Ptr: make([]int64, s.Pre+1)}
	if s.Rule == FixedOutDegree {
		for i := 0; i < s.Pre; i++ {
			m.Ptr[i+1] = int64(i+1) * int64(k)
		}
		m.Col = part
	} else {
		for _, i := range part {
			m.Ptr[i+1]++
		}
		for i := 0; i < s.Pre; i++ {
			m.Ptr[i+1] += m.Ptr[i]
		}
		m.Col = make([]int32, len(part))
		next := slices.Clone(m.Ptr[:s.Pre])
		for j := 0; j < s.Post; j++ { // ascending j keeps each row's columns sorted
			for _, i := range part[j*k : (j+1)*k] {
				m.Col[next[i]] = int32(j)
				next[i]++
			}
		}
	}
	if !homo {
		m.Val = make([]float32, len(m.Col))
		for i := 0; i < s.Pre; i++ {
			copy(m.Val[m.Ptr[i]:m.Ptr[i+1]], s.weights(int(m.Ptr[i+1]-m.Ptr[i]), uint64(s.Pre+s.Post+i)))
		}
	}
	return m
}

func (s ConnSpec) fromTriples(row, col []int32, val []float32, homo bool) (Conn, error) {
	if s.Store == StoreJIT {
		return nil, fmt.Errorf("snn: connectivity: jit storage supports only fixed_prob and all_to_all")
	}
	if s.Store == StoreDense {
		d := &DenseConn{Pre: s.Pre, Post: s.Post, W: make([]float32, s.Pre*s.Post)}
		for k := range row {
			if row[k] < 0 || int(row[k]) >= s.Pre || col[k] < 0 || int(col[k]) >= s.Post {
				return nil, fmt.Errorf("snn: connectivity: connection %d (%d, %d) outside %d×%d", k, row[k], col[k], s.Pre, s.Post)
			}
			d.W[int(row[k])*s.Post+int(col[k])] += val[k]
		}
		return d, nil
	}
	if homo {
		val = nil
	}
	m, err := kernels.NewCSR(s.Pre, s.Post, row, col, val)
	if err != nil {
		return nil, fmt.Errorf("snn: connectivity: %w", err)
	}
	return &CSRConn{M: m, W: s.Weight.A}, nil
}
