package trainer

import (
	"fmt"
	"math"
)

// STDP rules.
const (
	STDPPair    = "pair"    // pair-based, all-to-all spike interactions
	STDPNearest = "nearest" // pair-based, nearest-spike (symmetric) interactions
	STDPTriplet = "triplet" // Pfister and Gerstner 2006, all-to-all
)

// STDPConfig configures an STDP or RSTDP rule. The zero value works: the
// all-to-all pair rule with A+ 0.01, A− 0.0105, τ± 20 ms, dt 1 ms, hard
// bounds [0, 1].
type STDPConfig struct {
	// Rule is STDPPair (default), STDPNearest or STDPTriplet.
	Rule string
	// APlus and AMinus are the pair amplitudes A+ (potentiation) and A−
	// (depression); defaults 0.01 and 0.0105 (pair rules) or Pfister and
	// Gerstner's visual-cortex all-to-all fit A2+ 5e-10, A2− 7e-3 (triplet).
	APlus, AMinus float64
	// TauPlus and TauMinus are the pre- and postsynaptic trace time
	// constants in ms (defaults 20 and 20; triplet 16.8 and 33.7).
	TauPlus, TauMinus float64
	// Triplet terms (STDPTriplet only): amplitudes A3+ and A3− (defaults
	// 6.2e-3 and 2.3e-4) and the slow trace time constants τx (pre,
	// default 101 ms) and τy (post, default 125 ms).
	A3Plus, A3Minus float64
	TauX, TauY      float64
	// DT is the time step in ms (default 1).
	DT float64
	// WMin and WMax bound the weights (defaults 0 and 1 when both are 0).
	WMin, WMax float64
	// Soft makes the bounds multiplicative: potentiation scales with
	// (WMax − w)/(WMax − WMin), depression with (w − WMin)/(WMax − WMin)
	// (van Rossum et al. 2000). Otherwise weights are clipped.
	Soft bool
}

func (c STDPConfig) defaults() (STDPConfig, error) {
	switch c.Rule {
	case "":
		c.Rule = STDPPair
	case STDPPair, STDPNearest, STDPTriplet:
	default:
		return c, fmt.Errorf("trainer: STDP rule %q, want %s, %s or %s", c.Rule, STDPPair, STDPNearest, STDPTriplet)
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Rule == STDPTriplet {
		def(&c.APlus, 5e-10)
		def(&c.AMinus, 7e-3)
		def(&c.TauPlus, 16.8)
		def(&c.TauMinus, 33.7)
		def(&c.A3Plus, 6.2e-3)
		def(&c.A3Minus, 2.3e-4)
		def(&c.TauX, 101)
		def(&c.TauY, 125)
	} else {
		def(&c.APlus, 0.01)
		def(&c.AMinus, 0.0105)
		def(&c.TauPlus, 20)
		def(&c.TauMinus, 20)
	}
	def(&c.DT, 1)
	if c.WMin == 0 && c.WMax == 0 {
		c.WMax = 1
	}
	if c.WMax < c.WMin || c.TauPlus < 0 || c.TauMinus < 0 || c.DT < 0 {
		return c, fmt.Errorf("trainer: STDP config: bounds [%v, %v], τ+ %v, τ− %v, dt %v", c.WMin, c.WMax, c.TauPlus, c.TauMinus, c.DT)
	}
	return c, nil
}

// stdpTraces is the spike-trace machinery shared by STDP and RSTDP: it
// turns the pre- and postsynaptic spikes of one step into weight changes
// delivered to add(i, j, potentiation, depression).
//
// Per step, with every trace first decayed by its exp(−dt/τ):
//
//	on a presynaptic spike of i:  Δw_ij −= o1_j·(A2− + A3−·r2_i)   for every j
//	on a postsynaptic spike of j: Δw_ij += r1_i·(A2+ + A3+·o2_j)   for every i
//	then r1_i, r2_i += 1 per pre spike; o1_j, o2_j += 1 per post spike
//
// The triplet terms read r2 and o2 before the current spike's increment
// (Pfister and Gerstner's t − ε); the pair rules have A3± = 0. Pair
// changes use the traces before this step's increments too, so spikes in
// the same step do not interact. The nearest-spike rule sets a trace to 1
// on a spike instead of adding 1 (Morrison et al. 2008, symmetric nearest
// neighbour).
type stdpTraces struct {
	cfg                    STDPConfig
	npre, npost            int
	r1, r2, o1, o2         []float64
	dr1, dr2, do1, do2     float64
	a2p, a2m, a3p, a3m     float64
	nearest, triplet, soft bool
}

func newTraces(cfg STDPConfig, npre, npost int) (*stdpTraces, error) {
	cfg, err := cfg.defaults()
	if err != nil {
		return nil, err
	}
	decay := func(tau float64) float64 {
		if tau <= 0 {
			return 0
		}
		return math.Exp(-cfg.DT / tau)
	}
	t := &stdpTraces{cfg: cfg, npre: npre, npost: npost,
		r1: make([]float64, npre), o1: make([]float64, npost),
		dr1: decay(cfg.TauPlus), do1: decay(cfg.TauMinus),
		a2p: cfg.APlus, a2m: cfg.AMinus, nearest: cfg.Rule == STDPNearest, triplet: cfg.Rule == STDPTriplet, soft: cfg.Soft}
	if t.triplet {
		t.r2, t.o2 = make([]float64, npre), make([]float64, npost)
		t.dr2, t.do2 = decay(cfg.TauX), decay(cfg.TauY)
		t.a3p, t.a3m = cfg.A3Plus, cfg.A3Minus
	}
	return t, nil
}

func (t *stdpTraces) reset() {
	for _, s := range [][]float64{t.r1, t.r2, t.o1, t.o2} {
		clear(s)
	}
}

// step advances the traces by one step with spikes pre and post and calls
// add for every synapse a spike touches, with its potentiation (≥ 0) and
// depression (≥ 0) of this step.
func (t *stdpTraces) step(pre, post []float32, add func(i, j int, ltp, ltd float64)) {
	for i := range t.r1 {
		t.r1[i] *= t.dr1
	}
	for j := range t.o1 {
		t.o1[j] *= t.do1
	}
	if t.triplet {
		for i := range t.r2 {
			t.r2[i] *= t.dr2
		}
		for j := range t.o2 {
			t.o2[j] *= t.do2
		}
	}
	for i, s := range pre {
		if s == 0 {
			continue
		}
		for j, o := range t.o1 {
			if o == 0 {
				continue
			}
			d := t.a2m
			if t.triplet {
				d += t.a3m * t.r2[i]
			}
			add(i, j, 0, o*d)
		}
	}
	for j, s := range post {
		if s == 0 {
			continue
		}
		f := t.a2p
		if t.triplet {
			f += t.a3p * t.o2[j]
		}
		for i, r := range t.r1 {
			if r != 0 {
				add(i, j, r*f, 0)
			}
		}
	}
	bump := func(tr []float64, spikes []float32) {
		for i, s := range spikes {
			if s == 0 {
				continue
			}
			if t.nearest {
				tr[i] = 1
			} else {
				tr[i] += float64(s)
			}
		}
	}
	bump(t.r1, pre)
	bump(t.o1, post)
	if t.triplet {
		bump(t.r2, pre)
		bump(t.o2, post)
	}
}

// bound applies a weight change to w within the bounds.
func (t *stdpTraces) bound(w float32, ltp, ltd float64) float32 {
	lo, hi := t.cfg.WMin, t.cfg.WMax
	x := float64(w)
	if t.soft && hi > lo {
		x += (ltp*(hi-x) - ltd*(x-lo)) / (hi - lo)
	} else {
		x += ltp - ltd
	}
	return float32(min(hi, max(lo, x)))
}

// STDP is spike-timing-dependent plasticity with traces on a weight
// matrix W (npre × npost, row-major, w_ij from pre i to post j): pair-based
// (all-to-all or nearest-spike) or triplet (Pfister and Gerstner 2006,
// "Triplets of spikes in a model of spike timing-dependent plasticity",
// J Neurosci 26:9673). The caller steps its network, writes the step's
// spikes (0 or 1) into Pre and Post, and calls Step; with sig.Learn the
// weights change at once, bounded by [WMin, WMax].
//
// A pre spike at t and a post spike at t + Δt (Δt > 0) change w_ij by
// A+·exp(−Δt/τ+); the reverse order by −A−·exp(−Δt/τ−). The state is
// O(npre + npost): traces, not spike histories.
type STDP struct {
	W         []float32
	Pre, Post []float32
	tr        *stdpTraces
	learn     bool
}

// NewSTDP binds an STDP rule to w (npre × npost). Pre and Post are
// allocated for the caller to fill.
func NewSTDP(w []float32, npre, npost int, cfg STDPConfig) (*STDP, error) {
	if len(w) != npre*npost {
		return nil, fmt.Errorf("trainer: STDP weights of %d values for %d × %d synapses", len(w), npre, npost)
	}
	tr, err := newTraces(cfg, npre, npost)
	if err != nil {
		return nil, err
	}
	return &STDP{W: w, Pre: make([]float32, npre), Post: make([]float32, npost), tr: tr}, nil
}

// Config returns the configuration with its defaults filled in.
func (s *STDP) Config() STDPConfig { return s.tr.cfg }

// Reset clears the traces.
func (s *STDP) Reset() { s.tr.reset() }

// Step advances the traces with the spikes in Pre and Post and, with
// sig.Learn, changes the weights.
func (s *STDP) Step(sig Signal) error {
	s.learn = sig.Learn
	np := s.tr.npost
	s.tr.step(s.Pre, s.Post, func(i, j int, ltp, ltd float64) {
		if s.learn {
			k := i*np + j
			s.W[k] = s.tr.bound(s.W[k], ltp, ltd)
		}
	})
	return nil
}

// RSTDPConfig configures reward-modulated STDP.
type RSTDPConfig struct {
	STDPConfig
	// TauElig is the eligibility trace's time constant in ms (default
	// 1000, Izhikevich 2007).
	TauElig float64
	// TauDopamine, when positive, low-passes the reward into a dopamine
	// trace d (d ← d·exp(−dt/τ_d) + reward), which then gates learning at
	// every step (Izhikevich 2007, τ_d 200 ms); 0 uses the reward of the
	// step only (Florian 2007's MSTDPET).
	TauDopamine float64
	// LR scales the weight change (default 1).
	LR float64
}

// RSTDP is reward-modulated STDP with eligibility traces (Izhikevich 2007,
// "Solving the distal reward problem through linkage of STDP and dopamine
// signaling", Cereb Cortex 17:2443; Florian 2007, "Reinforcement learning
// through modulation of spike-timing-dependent synaptic plasticity",
// Neural Comput 19:1468). The STDP changes do not touch the weights but
// accumulate in an eligibility trace per synapse,
//
//	c_ij ← c_ij·exp(−dt/τ_c) + STDP_ij(step)
//	w_ij ← bound(w_ij + LR·m·c_ij)     (with sig.Learn)
//
// where m is the step's reward (sig.Reward, which the caller may have
// reduced by a baseline), or the dopamine trace when TauDopamine > 0. No
// reward, no change.
type RSTDP struct {
	W         []float32
	Pre, Post []float32
	// Elig is the eligibility trace c (npre × npost).
	Elig []float64
	// Dopamine is the dopamine trace (TauDopamine > 0).
	Dopamine float64

	cfg    RSTDPConfig
	tr     *stdpTraces
	dc, dd float64
}

// NewRSTDP binds reward-modulated STDP to w (npre × npost).
func NewRSTDP(w []float32, npre, npost int, cfg RSTDPConfig) (*RSTDP, error) {
	if len(w) != npre*npost {
		return nil, fmt.Errorf("trainer: R-STDP weights of %d values for %d × %d synapses", len(w), npre, npost)
	}
	tr, err := newTraces(cfg.STDPConfig, npre, npost)
	if err != nil {
		return nil, err
	}
	cfg.STDPConfig = tr.cfg
	if cfg.TauElig == 0 {
		cfg.TauElig = 1000
	}
	if cfg.LR == 0 {
		cfg.LR = 1
	}
	r := &RSTDP{W: w, Pre: make([]float32, npre), Post: make([]float32, npost), Elig: make([]float64, npre*npost),
		cfg: cfg, tr: tr, dc: math.Exp(-cfg.DT / cfg.TauElig)}
	if cfg.TauDopamine > 0 {
		r.dd = math.Exp(-cfg.DT / cfg.TauDopamine)
	}
	return r, nil
}

// Config returns the configuration with its defaults filled in.
func (r *RSTDP) Config() RSTDPConfig { return r.cfg }

// Reset clears the spike traces, the eligibility and the dopamine.
func (r *RSTDP) Reset() {
	r.tr.reset()
	clear(r.Elig)
	r.Dopamine = 0
}

// Step decays the eligibility, adds the step's STDP changes to it, and
// with sig.Learn moves the weights by LR·reward·eligibility.
func (r *RSTDP) Step(sig Signal) error {
	if math.IsNaN(sig.Reward) || math.IsInf(sig.Reward, 0) {
		return fmt.Errorf("trainer: R-STDP reward %v: %w", sig.Reward, ErrNotFinite)
	}
	for k := range r.Elig {
		r.Elig[k] *= r.dc
	}
	np := r.tr.npost
	r.tr.step(r.Pre, r.Post, func(i, j int, ltp, ltd float64) {
		r.Elig[i*np+j] += ltp - ltd
	})
	m := sig.Reward
	if r.dd > 0 {
		r.Dopamine = r.Dopamine*r.dd + sig.Reward
		m = r.Dopamine
	}
	if !sig.Learn || m == 0 {
		return nil
	}
	f := r.cfg.LR * m
	lo, hi := r.cfg.WMin, r.cfg.WMax
	for k, c := range r.Elig {
		if c == 0 {
			continue
		}
		x := float64(r.W[k])
		d := f * c
		if r.cfg.Soft && hi > lo {
			if d > 0 {
				d *= (hi - x) / (hi - lo)
			} else {
				d *= (x - lo) / (hi - lo)
			}
		}
		r.W[k] = float32(min(hi, max(lo, x+d)))
	}
	return nil
}
