package snn

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// COBAConfig describes the COBA E/I benchmark network (BrainPy paper 5.1,
// after Brette et al. 2007, as in that paper's Brian2 script): N LIF
// neurons, the first 80% excitatory, V_rest = V_reset = −60 mV, V_th −50 mV,
// τ 20 ms, refractory 5 ms, constant drive 20 mV, v(0) ~ N(−55, 5) mV,
// exponential conductances (τe 5 ms, τi 10 ms, reversal 0 and −80 mV,
// increments 0.6 and 6.7), random connections with probability K/N.
// The zero value of every field means the benchmark's setting.
type COBAConfig struct {
	N  int     // neurons (default 4000)
	K  float64 // expected connections per neuron: p = K/N (default 80)
	Dt float64 // ms (default 0.1)
	// Method integrates membranes and conductances (default Euler, as the
	// Brian2 script).
	Method Method
	Store  Storage // connectivity storage (default CSR)
	Seed   uint64  // connectivity and initial state
	// CUBA makes the synapses current-based (the Vogels-Abbott CUBA
	// benchmark: I = g, τe 5 ms, τi 10 ms, weights 1.62 and −9 mV, drive
	// from v(0) only: the LIF rest is −49 mV).
	CUBA bool
}

// withDefaults fills the zero fields: 4,000 neurons, 80 connections per
// neuron, dt 0.1 ms.
func (c COBAConfig) withDefaults() COBAConfig {
	if c.N == 0 {
		c.N = 4000
	}
	if c.K == 0 {
		c.K = 80
	}
	if c.Dt == 0 {
		c.Dt = 0.1
	}
	return c
}

// BuildCOBA returns the network of c with its single group and the two
// projections (excitatory, inhibitory).
func BuildCOBA(c COBAConfig) (*Simulation, *Group, error) {
	c = c.withDefaults()
	if err := c.check(); err != nil {
		return nil, nil, err
	}
	return buildCOBA(c, 0, c.N, nil)
}

func (c COBAConfig) check() error {
	if c.N < 5 {
		return fmt.Errorf("snn: COBA network needs at least 5 neurons, got %d", c.N)
	}
	if p := c.K / float64(c.N); p > 1 {
		return fmt.Errorf("snn: COBA network: %g connections per neuron exceed %d neurons", c.K, c.N)
	}
	return nil
}

// buildCOBA builds the neurons [lo, hi) of the network of c (checked and
// with defaults) and the connections onto them. Without ex that is the
// whole network (lo 0, hi N); with ex, the group of the neurons [lo, hi) is
// followed by a group of all N neurons whose spikes ex gathers each step,
// which drives the projections (see BuildCOBAPart).
func buildCOBA(c COBAConfig, lo, hi int, ex SpikeExchange) (*Simulation, *Group, error) {
	p := c.K / float64(c.N)
	ne := c.N * 4 / 5
	net := &Simulation{Dt: c.Dt}
	lif := LIFGroup{Tau: 20, VRest: -60, VReset: -60, VTh: -50, Ref: 5, I: 20, Dt: c.Dt, Method: c.Method}
	we, wi := float32(0.6), float32(6.7)
	var oe, oi Output = COBA{E: 0}, COBA{E: -80}
	if c.CUBA {
		lif.VRest, lif.I = -49, 0
		we, wi = 1.62, -9
		oe, oi = CUBA{}, CUBA{}
	}
	neu := NewLIFGroup(hi-lo, lif)
	switch {
	case c.CUBA && ex == nil:
		kernels.FillUniform(neu.Vm, -60, -50, c.Seed, 1<<40)
	case c.CUBA:
		fillUniformAt(neu.Vm, -60, -50, c.Seed, 1<<40, lo)
	case ex == nil:
		kernels.FillNormal(neu.Vm, -55, 5, c.Seed, 1<<40)
	default:
		fillNormalAt(neu.Vm, -55, 5, c.Seed, 1<<40, lo)
	}
	g := net.AddGroup("P", neu)
	pre := g
	if ex != nil {
		pre = net.AddGroup("all", &allSpikes{n: c.N, local: g, lo: int32(lo), ex: ex})
	}
	for k, pr := range []struct {
		name   string
		lo, hi int
		w      float32
		tau    float64
		out    Output
	}{{"exc", 0, ne, we, 5, oe}, {"inh", ne, c.N, wi, 10, oi}} {
		spec := ConnSpec{Pre: pr.hi - pr.lo, Post: c.N, Rule: FixedProb, P: p,
			Weight: kernels.HomogeneousWeight(pr.w), Seed: c.Seed*2 + uint64(k) + 1, Store: c.Store}
		var conn Conn
		var err error
		if ex == nil {
			conn, err = spec.Build()
		} else {
			conn, err = buildPartConn(spec, lo, hi)
		}
		if err != nil {
			return nil, nil, err
		}
		if _, err := net.Connect(&Projection{Name: pr.name, Pre: pre, Post: g, PreLo: pr.lo, PreHi: pr.hi, Conn: conn,
			Syn: &Exponential{Tau: pr.tau, Dt: c.Dt, Method: c.Method}, Out: pr.out}); err != nil {
			return nil, nil, err
		}
	}
	return net, g, nil
}
