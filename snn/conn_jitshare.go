package snn

import (
	"slices"

	"github.com/braingo/braingo/kernels"
)

// jitRows generates the spiking rows of one JIT matrix once for several
// projections that take disjoint column ranges of it: the projections of
// one pre group onto several post groups (E→E and E→I) are blocks of one
// matrix (see NetSpec). The first projection to scatter a spike list
// generates its rows over the union [Lo, Hi) of the ranges; the others
// find the same list and take their columns from those rows. A row's
// columns and weights in a range do not depend on the range asked
// (kernels.JIT.RowRange), so each projection adds what its own JITConn
// would, in the same order.
type jitRows struct {
	M      kernels.JIT
	Lo, Hi int
	active []int32 // the list the rows are for
	valid  bool
	bufs   []jitBuf
	ends   [][]int // per chunk, the end in bufs[ch] of each row
}

// generate makes the rows of active, unless they are those it holds.
func (s *jitRows) generate(active []int32) {
	if s.valid && slices.Equal(s.active, active) {
		return
	}
	perRow := max(1.0, s.M.P*float64(s.Hi-s.Lo))
	chunks := max(1, min(kernels.Threads(), int(float64(len(active))*perRow/jitGrain)))
	if len(s.bufs) < chunks {
		s.bufs = make([]jitBuf, chunks)
		s.ends = make([][]int, chunks)
	}
	homo := s.M.Weight.Kind == kernels.Homogeneous
	n := len(active)
	gen := func(ch int) {
		a0, a1 := ch*n/chunks, (ch+1)*n/chunks
		b := &s.bufs[ch]
		b.col, b.w, s.ends[ch] = b.col[:0], b.w[:0], s.ends[ch][:0]
		for _, i := range active[a0:a1] {
			if homo {
				b.col = s.M.AppendRowColsRange(b.col, int(i), s.Lo, s.Hi)
			} else {
				r := s.M.RowRange(int(i), s.Lo, s.Hi)
				for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
					b.col = append(b.col, int32(j))
					b.w = append(b.w, w)
				}
			}
			s.ends[ch] = append(s.ends[ch], len(b.col))
		}
	}
	if chunks == 1 {
		gen(0)
	} else {
		parallelChunks(chunks, gen)
	}
	for ch := chunks; ch < len(s.bufs); ch++ { // chunks a larger list used
		s.bufs[ch].col, s.bufs[ch].w, s.ends[ch] = s.bufs[ch].col[:0], s.bufs[ch].w[:0], s.ends[ch][:0]
	}
	s.active = append(s.active[:0], active...)
	s.valid = true
}

// sharedJITConn is the columns [Lo, Hi) of a JIT matrix whose rows a
// jitRows generates for it and its siblings; it scatters what
// JITConn{M, Lo, Hi} scatters.
type sharedJITConn struct {
	rows   *jitRows
	Lo, Hi int
}

func (c *sharedJITConn) Shape() (int, int) { return c.rows.M.Rows, c.Hi - c.Lo }

// Synapses returns the expected number of connections, as JITConn.
func (c *sharedJITConn) Synapses() int64 {
	return int64(float64(c.rows.M.Rows)*float64(c.Hi-c.Lo)*min(max(c.rows.M.P, 0), 1) + 0.5)
}

// Scatter adds the columns [Lo, Hi) of the active rows to dst, row by row
// in the order of active.
func (c *sharedJITConn) Scatter(dst []float32, active []int32) {
	s := c.rows
	s.generate(active)
	dst = dst[:c.Hi-c.Lo]
	lo, hi := int32(c.Lo), int32(c.Hi)
	homo := s.M.Weight.Kind == kernels.Homogeneous
	w := s.M.Weight.A
	for ch := range s.bufs {
		b := &s.bufs[ch]
		start := 0
		for _, end := range s.ends[ch] {
			cols := b.col[start:end]
			k0, _ := slices.BinarySearch(cols, lo)
			k1, _ := slices.BinarySearch(cols, hi)
			if homo {
				for _, j := range cols[k0:k1] {
					dst[j-lo] += w
				}
			} else {
				ws := b.w[start+k0 : start+k1]
				for t, j := range cols[k0:k1] {
					dst[j-lo] += ws[t]
				}
			}
			start = end
		}
	}
}

// shareJITRows makes the JIT projections of net that draw from one matrix
// (the same pre group and kernels.JIT) generate its rows once.
func shareJITRows(net *Net, pre []int) {
	type key struct {
		pre int
		m   kernels.JIT
	}
	users := map[key][]*Projection{}
	var order []key
	for k, p := range net.Projs {
		jc, ok := p.Conn.(*JITConn)
		if !ok {
			continue
		}
		kk := key{pre[k], jc.M}
		if users[kk] == nil {
			order = append(order, kk)
		}
		users[kk] = append(users[kk], p)
	}
	for _, kk := range order {
		ps := users[kk]
		if len(ps) < 2 {
			continue
		}
		rows := &jitRows{M: kk.m, Lo: kk.m.Cols}
		for _, p := range ps {
			lo, hi := p.Conn.(*JITConn).cols()
			rows.Lo, rows.Hi = min(rows.Lo, lo), max(rows.Hi, hi)
		}
		for _, p := range ps {
			lo, hi := p.Conn.(*JITConn).cols()
			p.Conn = &sharedJITConn{rows: rows, Lo: lo, Hi: hi}
		}
	}
}
