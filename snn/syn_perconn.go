package snn

import (
	"fmt"
	"math"
)

// ConnSynapse is a synapse whose state lives on each connection (BrainPy's
// AlignPre / per-synapse state), for dynamics that do not sum linearly into
// the post-neuron, so that AlignPost cannot hold them. It receives the
// spikes itself: a projection whose Syn is a ConnSynapse calls Deliver
// instead of scattering weights through its Conn, after binding it to the
// stored connectivity at Connect.
type ConnSynapse interface {
	Synapse
	// Bind allocates the per-connection state for c; it fails for a
	// connectivity that is not stored (JIT), which has no connection to hold
	// state on.
	Bind(c Conn) error
	// Deliver takes the spikes of the pre-neurons active at step t.
	Deliver(active []int32, t int32)
}

// Saturating is a first-order kinetic synapse with a gating variable s on
// every connection that saturates at 1: each pre-spike opens a fraction
// Alpha of the closed channels, and s decays with Tau in between,
//
//	ds/dt = −s/Tau,   on a spike of the pre-neuron: s ← s + Alpha·(1 − s)
//
// (the NMDA gating variable of Wang 2002 with an instantaneous rise). The
// post-synaptic conductance is g_j = Σ_{k→j} w_k·s_k. Repeated spikes
// through one connection add less and less, so the response of a post-neuron
// depends on how its inputs' spikes are spread over its connections: no
// per-post-neuron state can express it.
//
// The cost still follows the spikes. All gates decay at one rate, so g
// itself decays by e^(−dt/Tau) per step (Step); the gates of a row are
// brought up to date only when their pre-neuron fires, from the step of its
// previous spike, s_k ← s_k·e^(−(t − t_last)·dt/Tau), and then
// Δ_k = Alpha·(1 − s_k) is added to s_k and w_k·Δ_k to g of its target.
// The decay is exact (exp(−dt/Tau) per step), which a per-step simulation of
// every gate reproduces up to rounding (TestSaturatingMatchesPerConnection).
type Saturating struct {
	Tau, Dt float64 // ms
	Alpha   float64 // fraction of closed channels a spike opens, in (0, 1]

	g     []float32 // per post-neuron
	dec   float32
	s     []float32 // per connection, in the order of the stored rows
	last  []int32   // per pre-neuron: step of its last spike (−1: none)
	conn  Conn
	ptr   []int64 // row starts into s (CSR), nil for dense
	col   []int32
	w     []float32
	homoW float32
	post  int
}

func (s *Saturating) Init(n int) {
	s.g = make([]float32, n)
	s.dec = float32(math.Exp(-s.Dt / s.Tau))
}
func (s *Saturating) Target() []float32 { return s.g }
func (s *Saturating) G() []float32      { return s.g }

// Step decays the conductance by one step; the gates are decayed lazily.
func (s *Saturating) Step() {
	for i := range s.g {
		s.g[i] *= s.dec
	}
}

// Bind allocates one gate per stored connection of c (CSRConn or
// DenseConn).
func (s *Saturating) Bind(c Conn) error {
	if !(s.Alpha > 0 && s.Alpha <= 1) || !(s.Tau > 0) || !(s.Dt > 0) {
		return fmt.Errorf("snn: Saturating synapse needs 0 < Alpha ≤ 1, Tau > 0 and Dt > 0 (got %g, %g, %g)", s.Alpha, s.Tau, s.Dt)
	}
	pre, post := c.Shape()
	s.post = post
	switch c := c.(type) {
	case *CSRConn:
		s.ptr, s.col, s.w, s.homoW = c.M.Ptr, c.M.Col, c.M.Val, c.W
		s.s = make([]float32, c.M.NNZ())
	case *DenseConn:
		s.w = c.W
		s.s = make([]float32, pre*post)
	default:
		return fmt.Errorf("snn: Saturating synapse needs a stored connectivity (CSR or dense) to keep per-connection state, not %T", c)
	}
	s.conn = c
	s.last = make([]int32, pre)
	for i := range s.last {
		s.last[i] = -1
	}
	return nil
}

// Deliver brings the gates of each active row up to date and applies the
// spike: s += Alpha·(1 − s), g[target] += w·Δ.
func (s *Saturating) Deliver(active []int32, t int32) {
	alpha := float32(s.Alpha)
	for _, i := range active {
		var d float32 = 1
		if l := s.last[i]; l >= 0 {
			d = float32(math.Exp(-float64(t-l) * s.Dt / s.Tau))
		}
		s.last[i] = t
		if s.ptr == nil { // dense: every post-neuron, weight w[i, j] (0: no connection)
			row, gates := s.w[int(i)*s.post:(int(i)+1)*s.post], s.s[int(i)*s.post:(int(i)+1)*s.post]
			for j, w := range row {
				if w == 0 {
					continue
				}
				x := gates[j] * d
				dx := alpha * (1 - x)
				gates[j] = x + dx
				s.g[j] += w * dx
			}
			continue
		}
		k0, k1 := s.ptr[i], s.ptr[i+1]
		gates := s.s[k0:k1]
		for k, j := range s.col[k0:k1] {
			w := s.homoW
			if s.w != nil {
				w = s.w[int(k0)+k]
			}
			x := gates[k] * d
			dx := alpha * (1 - x)
			gates[k] = x + dx
			s.g[j] += w * dx
		}
	}
}

// Gates returns the per-connection gating variables as of each row's last
// spike (for monitors and tests), in the order of the stored connections.
func (s *Saturating) Gates() []float32 { return s.s }

var _ ConnSynapse = (*Saturating)(nil)
