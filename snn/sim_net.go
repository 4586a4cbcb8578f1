package snn

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/braingo/braingo/kernels"
)

// Networks as data.
//
// A NetSpec describes a simulated network by its parts, in the AlignPost
// structure of the simulator (see Simulation): groups of neurons (or spike
// sources), each with its size, its model (a constructor) and the initial
// values of its state, and projections between groups, each with its
// connectivity (ConnSpec), synapse model, output and delays. Build makes
// the whole network; BuildPart makes one rank's share of it.
//
// Numbering and random streams. The network's neurons are numbered
// globally, group after group in the order of Groups (neuron i of a group
// whose predecessors hold o neurons is neuron o + i of the network). Every
// random draw is keyed by global indices, never by how the network is
// split, so a rank's share draws exactly the values of the whole network:
//
//   - a neuron's random initial value of variable v is element (its global
//     index) of the Philox stream (Seed, 2⁴⁰) (other variables: stream
//     2⁴¹ + FNV-32a of the name);
//   - a projection whose ConnSpec.Seed is 0 draws its connections with seed
//     2·Seed + 1 + k, k the index of its pre group: fixed_prob and
//     all_to_all connections are the block (pre group × post group) of the
//     JIT matrix (kernels.JIT) of the pre group's neurons onto all the
//     network's neurons, so that projections from one group onto several
//     groups with the same probability draw the connections one projection
//     onto their union would; fixed_in gives post-neuron j (global index)
//     K distinct pre-neurons from the stream (seed, j);
//   - a projection's random initial synapse state is element (the post
//     neuron's global index) of the stream (Seed, 2⁴⁰ + 1 + k);
//   - per-synapse delays hash (seed, pre index, post global index)
//     (SynapseDelay), for CSR and JIT storage alike.

// NetSpec describes a network; see Build.
type NetSpec struct {
	Dt     float64 // step in ms (0 means 0.1)
	Seed   uint64  // initial state and, by default, connectivity
	Groups []GroupSpec
	Projs  []ProjSpec
}

// GroupSpec is a group of a NetSpec.
type GroupSpec struct {
	Name string
	N    int // neurons
	// New returns the neurons [off, off+n) of the group (all of them in one
	// process) in their model's initial state.
	New func(n, off int) (Neurons, error)
	// Init draws initial values of state variables ("v" is the membrane;
	// other names are looked up through StateVars).
	Init []VarInit
}

// VarInit is a random (or constant) initial value of a state variable:
// Dist is kernels.HomogeneousWeight(A) for the constant A, or a Uniform
// [A, B) or Normal (mean A, std B) WeightRule.
type VarInit struct {
	Var  string
	Dist kernels.WeightRule
}

// ProjSpec is a projection of a NetSpec: the spikes of group Pre reach
// group Post through Conn, Syn and Out (see Projection).
type ProjSpec struct {
	Name      string
	Pre, Post string
	// Conn is the connectivity: Rule (FixedProb, AllToAll, FixedInDegree
	// or OneToOne), P, K, Weight, Store and Seed (0: derived, see above);
	// its sizes are the groups'.
	Conn ConnSpec
	// Syn returns a new synapse (one per build).
	Syn func() Synapse
	Out Output
	// Delay is the delay of every spike in steps. MaxDelay > Delay gives
	// each synapse its own delay, uniform in [Delay, MaxDelay] steps
	// (DelayedCSRConn, DelayedJITConn; CSR or JIT storage).
	Delay, MaxDelay int
	// G0, when set, draws the initial synapse state (Synapse.G) as VarInit
	// does.
	G0 *kernels.WeightRule
}

// Net is a network built from a NetSpec: this process's share of it.
type Net struct {
	Sim *Simulation
	// Groups are the spec's groups (this process's neurons of each, in
	// spec order); Projs the spec's projections.
	Groups []*Group
	Projs  []*Projection
	// All lists every neuron that fired in the last step, in global
	// numbering and ascending order, on every rank (monitors read it). It
	// is the last of Sim.Groups, so Sim.Neurons counts the network twice:
	// N is the network's size.
	All *Group
	// Off is each group's first global index; Lo, Hi the range of its
	// neurons this process holds (0, N in one process).
	Off, Lo, Hi []int
	Size        []int // each group's neurons (on all ranks)
	N           int   // neurons of the network
}

// Build returns the whole network of s.
func (s *NetSpec) Build() (*Net, error) { return s.BuildPart(0, 1, nil) }

// BuildPart returns rank's share of the network of s split among ranks:
// rank r holds neurons [r·n/ranks, (r+1)·n/ranks) of every group of n
// neurons, and ex gathers every rank's spikes each step (see
// SpikeExchange). The spikes are the same for any number of ranks.
// BuildPart(0, 1, nil) is Build.
func (s *NetSpec) BuildPart(rank, ranks int, ex SpikeExchange) (*Net, error) {
	if ranks < 1 || rank < 0 || rank >= ranks || (ranks > 1) != (ex != nil) {
		return nil, fmt.Errorf("snn: network: bad part %d of %d", rank, ranks)
	}
	dt := s.Dt
	if dt == 0 {
		dt = 0.1
	}
	if !(dt > 0) {
		return nil, fmt.Errorf("snn: network: step %g ms must be positive", dt)
	}
	if len(s.Groups) == 0 {
		return nil, fmt.Errorf("snn: network: no groups")
	}
	index := map[string]int{}
	net := &Net{Sim: &Simulation{Dt: dt}}
	for k, gs := range s.Groups {
		if gs.Name == "" {
			return nil, fmt.Errorf("snn: network: group %d has no name", k)
		}
		if _, dup := index[gs.Name]; dup {
			return nil, fmt.Errorf("snn: network: two groups named %s", gs.Name)
		}
		if gs.N < 1 || gs.New == nil {
			return nil, fmt.Errorf("snn: network: group %s: needs a size of at least 1 and a model", gs.Name)
		}
		if gs.N < ranks {
			return nil, fmt.Errorf("snn: network: group %s has %d neurons, fewer than the %d ranks", gs.Name, gs.N, ranks)
		}
		if int64(net.N)+int64(gs.N) > math.MaxInt32 {
			return nil, fmt.Errorf("snn: network: more than %d neurons", math.MaxInt32)
		}
		index[gs.Name] = k
		lo, hi := int(int64(rank)*int64(gs.N)/int64(ranks)), int(int64(rank+1)*int64(gs.N)/int64(ranks))
		net.Off, net.Lo, net.Hi = append(net.Off, net.N), append(net.Lo, lo), append(net.Hi, hi)
		net.Size = append(net.Size, gs.N)
		net.N += gs.N
	}
	for k, gs := range s.Groups {
		lo, hi := net.Lo[k], net.Hi[k]
		neu, err := gs.New(hi-lo, lo)
		if err != nil {
			return nil, fmt.Errorf("snn: network: group %s: %w", gs.Name, err)
		}
		if neu.Len() != hi-lo {
			return nil, fmt.Errorf("snn: network: group %s: model made %d neurons, want %d", gs.Name, neu.Len(), hi-lo)
		}
		for _, vi := range gs.Init {
			dst, ok := stateVar(neu, vi.Var)
			if !ok {
				return nil, fmt.Errorf("snn: network: group %s: its model has no state variable %q", gs.Name, vi.Var)
			}
			stream := uint64(1 << 40)
			if vi.Var != "v" {
				h := fnv.New32a()
				h.Write([]byte(vi.Var))
				stream = 1<<41 + uint64(h.Sum32())
			}
			fillAt(dst, vi.Dist, s.Seed, stream, net.Off[k]+lo)
			if r, ok := neu.(interface{ ResetGates() }); ok && vi.Var == "v" {
				r.ResetGates()
			}
		}
		net.Groups = append(net.Groups, net.Sim.AddGroup(gs.Name, neu))
	}
	ns := &netSpikes{net: net, ex: ex}
	net.All = net.Sim.AddGroup("all", ns)
	pre := make([]int, len(s.Projs))
	built := s.siblingCSR(net, index)
	for k, ps := range s.Projs {
		p, err := s.buildProj(net, index, ps, ex != nil, built[k])
		if err != nil {
			return nil, err
		}
		net.Projs = append(net.Projs, p)
		pre[k] = index[ps.Pre]
	}
	shareJITRows(net, pre)
	return net, nil
}

// stateVar returns the live slice of state variable name of neu.
func stateVar(neu Neurons, name string) ([]float32, bool) {
	if sv, ok := neu.(StateVars); ok {
		if x, ok := sv.State(name); ok {
			return x, true
		}
	}
	if name == "v" {
		if v := neu.V(); v != nil {
			return v, true
		}
	}
	return nil, false
}

// fillAt sets dst[k] to element off+k of the sequence of d on the stream
// (seed, stream).
func fillAt(dst []float32, d kernels.WeightRule, seed, stream uint64, off int) {
	switch d.Kind {
	case kernels.Normal:
		fillNormalAt(dst, d.A, d.B, seed, stream, off)
	case kernels.Uniform:
		fillUniformAt(dst, d.A, d.B, seed, stream, off)
	default:
		kernels.Fill(dst, d.A)
	}
}

func (s *NetSpec) buildProj(net *Net, index map[string]int, ps ProjSpec, dist bool, conn Conn) (*Projection, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("snn: network: projection %s: %s", ps.Name, fmt.Sprintf(format, args...))
	}
	kp, ok1 := index[ps.Pre]
	kq, ok2 := index[ps.Post]
	switch {
	case !ok1:
		return nil, fail("no group %q (groups: %s)", ps.Pre, groupNames(index))
	case !ok2:
		return nil, fail("no group %q (groups: %s)", ps.Post, groupNames(index))
	case ps.Syn == nil || ps.Out == nil:
		return nil, fail("needs a synapse and an output")
	case ps.Delay < 0 || ps.MaxDelay > math.MaxUint16+ps.Delay:
		return nil, fail("delays [%d, %d] steps out of range", ps.Delay, ps.MaxDelay)
	}
	c := ps.Conn
	c.Pre = s.Groups[kp].N // every pre-neuron, wherever it lives
	if c.Seed == 0 {
		c.Seed = 2*s.Seed + 1 + uint64(kp)
	}
	postN, off, lo, hi := s.Groups[kq].N, net.Off[kq], net.Lo[kq], net.Hi[kq]
	if conn == nil {
		var err error
		if conn, err = blockConn(c, postN, net.N, off, lo, hi); err != nil {
			return nil, fail("%v", strings.TrimPrefix(err.Error(), "snn: connectivity: "))
		}
	}
	if ps.MaxDelay > ps.Delay {
		span := ps.MaxDelay - ps.Delay + 1
		dseed := c.Seed
		switch cc := conn.(type) {
		case *CSRConn:
			d := make([]uint16, cc.M.NNZ())
			for i := 0; i < cc.M.Rows; i++ {
				for k := cc.M.Ptr[i]; k < cc.M.Ptr[i+1]; k++ {
					d[k] = uint16(SynapseDelay(dseed, i, off+lo+int(cc.M.Col[k]), span))
				}
			}
			var err error
			if conn, err = NewDelayedCSRConn(cc, d); err != nil {
				return nil, fail("%v", err)
			}
		case *JITConn:
			jlo, jhi := cc.cols()
			conn = NewDelayedJITConn(cc.M, jlo, jhi, dseed, span)
		default:
			return nil, fail("per-synapse delays need csr or jit storage")
		}
	}
	p := &Projection{Name: ps.Name, Pre: net.Groups[kp], Post: net.Groups[kq], Conn: conn, Syn: ps.Syn(), Out: ps.Out, Delay: ps.Delay}
	if dist {
		p.Pre, p.PreLo, p.PreHi = net.All, net.Off[kp], net.Off[kp]+s.Groups[kp].N
	}
	if _, err := net.Sim.Connect(p); err != nil {
		return nil, err
	}
	if ps.G0 != nil {
		fillAt(p.Syn.G(), *ps.G0, s.Seed, 1<<40+1+uint64(kp), off+lo)
	}
	return p, nil
}

func groupNames(index map[string]int) string {
	names := make([]string, 0, len(index))
	for n := range index {
		names = append(names, n)
	}
	sort.Slice(names, func(a, b int) bool { return index[names[a]] < index[names[b]] })
	return strings.Join(names, ", ")
}

// splitmix is the SplitMix64 finalizer.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// blockConn returns the connectivity c (c.Pre pre-neurons onto a post group
// of postN neurons whose first global index is off, in a network of netN)
// restricted to the post-neurons [lo, hi) of the group, renumbered from 0.
func blockConn(c ConnSpec, postN, netN, off, lo, hi int) (Conn, error) {
	switch c.Rule {
	case FixedProb, AllToAll:
		c.Post = netN
		if off+lo == 0 && off+hi == netN && c.Store == StoreJIT {
			return c.Build() // the whole matrix
		}
		return buildPartConn(c, off+lo, off+hi)
	case FixedInDegree:
		if c.K < 0 || c.K > c.Pre {
			return nil, fmt.Errorf("snn: connectivity: in-degree %d outside [0, %d]", c.K, c.Pre)
		}
		if c.Store == StoreJIT {
			return nil, fmt.Errorf("snn: connectivity: jit storage supports only fixed_prob and all_to_all")
		}
		n := hi - lo
		row := make([]int32, 0, n*c.K)
		col := make([]int32, 0, n*c.K)
		var val []float32
		homo := c.Weight.Kind == kernels.Homogeneous
		mark := make([]int32, c.Pre)
		part := make([]int32, c.K)
		var r kernels.Philox
		for d := lo; d < hi; d++ {
			g := uint64(off + d)
			r.Reset(c.Seed, g)
			for t, j := 0, c.Pre-c.K; j < c.Pre; t, j = t+1, j+1 { // Floyd, as ConnSpec's fixed degrees
				x := int32(uint64(r.Uint32()) * uint64(j+1) >> 32)
				if mark[x] == int32(d+1) {
					x = int32(j)
				}
				mark[x] = int32(d + 1)
				part[t] = x
			}
			slices.Sort(part)
			for _, i := range part {
				row, col = append(row, i), append(col, int32(d-lo))
			}
			if !homo {
				w := make([]float32, c.K)
				fillAt(w, c.Weight, c.Seed^0x5eed, g, 0)
				val = append(val, w...)
			}
		}
		if homo {
			val = make([]float32, len(row))
			kernels.Fill(val, c.Weight.A)
		}
		c.Rule, c.Post, c.PreIdx, c.PostIdx, c.W = FromList, n, row, col, val
		cn, err := c.Build()
		if err != nil {
			return nil, err
		}
		if cc, ok := cn.(*CSRConn); ok && homo {
			cc.M.Val, cc.W = nil, c.Weight.A
		}
		return cn, nil
	case OneToOne:
		if c.Pre != postN {
			return nil, fmt.Errorf("snn: connectivity: one_to_one needs equal sizes, got %d and %d", c.Pre, postN)
		}
		n := hi - lo
		row, col, val := make([]int32, n), make([]int32, n), make([]float32, n)
		for d := range n {
			row[d], col[d] = int32(lo+d), int32(d)
		}
		fillAt(val, c.Weight, c.Seed^0x5eed, 0, off+lo)
		c.Rule, c.Post, c.PreIdx, c.PostIdx, c.W = FromList, n, row, col, val
		return c.Build()
	}
	return nil, fmt.Errorf("snn: connectivity: rule %d is not available in networks as data", c.Rule)
}

// netSpikes is the Neurons of Net.All: its update lists the step's spikes
// of every group in global numbering, gathered from every rank by ex.
type netSpikes struct {
	net      *Net
	ex       SpikeExchange
	buf, got []int32
	cnt      []int
}

func (a *netSpikes) Len() int     { return a.net.N }
func (a *netSpikes) V() []float32 { return nil }
func (a *netSpikes) Update(_ int32, _ Input, spk []int32) int {
	n := a.net
	a.buf = a.buf[:0]
	for k, g := range n.Groups {
		base := int32(n.Off[k] + n.Lo[k])
		for _, i := range g.Spikes {
			a.buf = append(a.buf, base+i)
		}
	}
	if a.ex == nil {
		return copy(spk, a.buf)
	}
	// Every rank's spikes, in rank order: each rank's ascending, and the
	// ranks' shares of one group in order, so a stable sort by group
	// makes the whole list ascending.
	a.got = a.ex(a.got[:0], a.buf)
	if len(a.cnt) != len(n.Groups)+1 {
		a.cnt = make([]int, len(n.Groups)+1)
	}
	clear(a.cnt)
	group := func(i int32) int {
		return sort.Search(len(n.Off), func(k int) bool { return n.Off[k] > int(i) }) - 1
	}
	for _, i := range a.got {
		a.cnt[group(i)+1]++
	}
	for k := 1; k < len(a.cnt); k++ {
		a.cnt[k] += a.cnt[k-1]
	}
	for _, i := range a.got {
		k := group(i)
		spk[a.cnt[k]] = i
		a.cnt[k]++
	}
	return len(a.got)
}

// NetArray is one state array of a Net with its place in the whole
// network's: this process's values are elements [Lo, Lo+len) of an array of
// Total values (a group's neurons, or a projection's post group's).
type NetArray struct {
	StateArray
	Lo, Total int
}

// State lists the state of this process's share of the network under the
// names Simulation.State gives a whole network's.
func (n *Net) State() ([]NetArray, error) {
	sub := &Simulation{Groups: n.Groups, Projs: n.Sim.Projs}
	st, err := sub.State()
	if err != nil {
		return nil, err
	}
	where := map[string]int{}
	for k, g := range n.Groups {
		where["group/"+g.Name+"/"] = k
	}
	for _, p := range n.Projs {
		for k, g := range n.Groups {
			if g == p.Post {
				where["proj/"+p.Name+"/"] = k
			}
		}
	}
	out := make([]NetArray, len(st))
	for i, a := range st {
		j := strings.LastIndexByte(a.Name, '/')
		k, ok := where[a.Name[:j+1]]
		if !ok {
			return nil, fmt.Errorf("snn: network: state array %s belongs to no group", a.Name)
		}
		out[i] = NetArray{StateArray: a, Lo: n.Lo[k], Total: n.Size[k]}
	}
	return out, nil
}

// siblingCSR builds at once the CSR connectivity of the projections that
// are blocks of one JIT matrix (fixed_prob or all_to_all from one pre group
// with one seed, probability and weights, onto several post groups),
// generating each row once over the union of their columns; it returns
// the connectivity of those projections by index (nil for the others). Each
// equals what blockConn builds for the projection alone.
func (s *NetSpec) siblingCSR(net *Net, index map[string]int) []Conn {
	type key struct {
		pre int
		m   kernels.JIT
	}
	out := make([]Conn, len(s.Projs))
	members := map[key][]int{}
	var order []key
	for k, ps := range s.Projs {
		c := ps.Conn
		kp, ok1 := index[ps.Pre]
		_, ok2 := index[ps.Post]
		if !ok1 || !ok2 || c.Store != StoreCSR || (c.Rule != FixedProb && c.Rule != AllToAll) {
			continue
		}
		p := c.P
		if c.Rule == AllToAll {
			p = 1
		}
		if !(p >= 0 && p <= 1) {
			continue // blockConn reports it
		}
		seed := c.Seed
		if seed == 0 {
			seed = 2*s.Seed + 1 + uint64(kp)
		}
		kk := key{kp, kernels.JIT{Rows: s.Groups[kp].N, Cols: net.N, P: p, Seed: seed, Weight: c.Weight}}
		if members[kk] == nil {
			order = append(order, kk)
		}
		members[kk] = append(members[kk], k)
	}
	for _, kk := range order {
		ks := members[kk]
		if len(ks) < 2 {
			continue
		}
		lo, hi := make([]int32, len(ks)), make([]int32, len(ks))
		L, H := net.N, 0
		ms := make([]*kernels.CSR, len(ks))
		for t, k := range ks {
			q := index[s.Projs[k].Post]
			lo[t], hi[t] = int32(net.Off[q]+net.Lo[q]), int32(net.Off[q]+net.Hi[q])
			L, H = min(L, int(lo[t])), max(H, int(hi[t]))
			ms[t] = &kernels.CSR{Rows: kk.m.Rows, Cols: int(hi[t] - lo[t]), Ptr: make([]int64, kk.m.Rows+1)}
			nnz := int(float64(kk.m.Rows)*float64(hi[t]-lo[t])*kk.m.P*1.01) + 16 // as kernels.JIT.ToCSR
			ms[t].Col = make([]int32, 0, nnz)
			if kk.m.Weight.Kind != kernels.Homogeneous {
				ms[t].Val = make([]float32, 0, nnz)
			}
		}
		homo := kk.m.Weight.Kind == kernels.Homogeneous
		var cols []int32
		var ws []float32
		for i := 0; i < kk.m.Rows; i++ {
			cols, ws = cols[:0], ws[:0]
			if homo {
				cols = kk.m.AppendRowColsRange(cols, i, L, H)
			} else {
				r := kk.m.RowRange(i, L, H)
				for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
					cols, ws = append(cols, int32(j)), append(ws, w)
				}
			}
			for t, m := range ms {
				a, _ := slices.BinarySearch(cols, lo[t])
				b, _ := slices.BinarySearch(cols, hi[t])
				for _, j := range cols[a:b] {
					m.Col = append(m.Col, j-lo[t])
				}
				if !homo {
					m.Val = append(m.Val, ws[a:b]...)
				}
				m.Ptr[i+1] = int64(len(m.Col))
			}
		}
		for t, k := range ks {
			out[k] = &CSRConn{M: ms[t], W: kk.m.Weight.A}
		}
	}
	return out
}
