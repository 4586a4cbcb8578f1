package kinds

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

// A sim recipe's network, as data: groups, projections and monitors
// (snn.NetSpec is what they become; docs/sim-recipes.md shows a network
// written this way).

// SimGroup is a group of neurons (or of Poisson spike sources).
type SimGroup struct {
	Name  string `yaml:"name" default:"" help:"the group's name, used by projections, monitors and the results table"`
	Size  int    `yaml:"size" range:"[1,)" default:"100" help:"neurons at scale 1: the network's neurons are shared among the groups in proportion to their sizes (see scale and neurons)"`
	Model string `yaml:"model" default:"lif" enum:"lif,hh,adex,izhikevich,poisson" help:"neuron model: lif (leaky integrate-and-fire), hh (Traub-Miles Hodgkin-Huxley), adex (adaptive exponential IF), izhikevich, poisson (spike source)"`
	// Role puts the group in exc_rate_hz or inh_rate_hz.
	Role       string        `yaml:"role" default:"" enum:",exc,inh" help:"exc or inh: the group counts in the exc_rate_hz or inh_rate_hz of the results"`
	Method     string        `yaml:"method" default:"" enum:",euler,exact,exp_euler,rk2,rk4" help:"integration method of the neurons (empty: the recipe's method)"`
	LIF        SimLIF        `yaml:"lif" help:"lif parameters"`
	HH         SimHH         `yaml:"hh" help:"hh parameters"`
	AdEx       SimAdEx       `yaml:"adex" help:"adex parameters"`
	Izhikevich SimIzhikevich `yaml:"izhikevich" help:"izhikevich parameters"`
	Poisson    SimPoisson    `yaml:"poisson" help:"poisson parameters"`
	V0         SimInit       `yaml:"v0" help:"initial membrane potential (mV); hh gates start at their steady state for it"`
}

// SimLIF is the leaky integrate-and-fire neuron of snn.LIFGroup (mV, ms).
type SimLIF struct {
	TauMS    float64 `yaml:"tau_ms" range:"(0,)" default:"20" help:"membrane time constant (ms)"`
	VRestMV  float64 `yaml:"v_rest_mv" default:"-60" help:"resting potential (mV)"`
	VResetMV float64 `yaml:"v_reset_mv" default:"-60" help:"reset potential (mV)"`
	VThMV    float64 `yaml:"v_th_mv" default:"-50" help:"threshold (mV): a spike when v exceeds it"`
	RefMS    float64 `yaml:"ref_ms" range:"[0,)" default:"5" help:"refractory period (ms)"`
	DriveMV  float64 `yaml:"drive_mv" default:"0" help:"constant input R·I (mV)"`
}

// SimHH is the Traub-Miles Hodgkin-Huxley neuron of snn.HHGroup (mV, ms,
// nS, pF); the defaults are snn.TraubMiles, the COBA-HH benchmark's.
type SimHH struct {
	CPF      float64 `yaml:"c_pf" range:"(0,)" default:"200" help:"membrane capacitance (pF)"`
	GLNS     float64 `yaml:"gl_ns" range:"[0,)" default:"10" help:"leak conductance (nS)"`
	ELMV     float64 `yaml:"el_mv" default:"-60" help:"leak reversal (mV)"`
	GNaNS    float64 `yaml:"gna_ns" range:"[0,)" default:"20000" help:"sodium conductance (nS)"`
	ENaMV    float64 `yaml:"ena_mv" default:"50" help:"sodium reversal (mV)"`
	GKNS     float64 `yaml:"gk_ns" range:"[0,)" default:"6000" help:"potassium conductance (nS)"`
	EKMV     float64 `yaml:"ek_mv" default:"-90" help:"potassium reversal (mV)"`
	VTMV     float64 `yaml:"vt_mv" default:"-63" help:"threshold offset VT of the rate functions (mV)"`
	VSpikeMV float64 `yaml:"v_spike_mv" default:"-20" help:"a spike when v exceeds it (mV)"`
	RefMS    float64 `yaml:"ref_ms" range:"[0,)" default:"3" help:"refractory period (ms)"`
}

// SimAdEx is the adaptive exponential integrate-and-fire neuron of
// snn.AdExGroup (mV, ms; a = b = 0 is the exponential IF neuron).
type SimAdEx struct {
	TauMS    float64 `yaml:"tau_ms" range:"(0,)" default:"20" help:"membrane time constant (ms)"`
	ELMV     float64 `yaml:"el_mv" default:"-70" help:"leak reversal (mV)"`
	VTMV     float64 `yaml:"vt_mv" default:"-50" help:"threshold of the exponential term (mV)"`
	DeltaTMV float64 `yaml:"delta_t_mv" range:"(0,)" default:"2" help:"slope factor (mV)"`
	VCutMV   float64 `yaml:"v_cut_mv" default:"0" help:"a spike when v exceeds it (mV)"`
	VResetMV float64 `yaml:"v_reset_mv" default:"-58" help:"reset potential (mV)"`
	RefMS    float64 `yaml:"ref_ms" range:"[0,)" default:"2" help:"refractory period (ms)"`
	DriveMV  float64 `yaml:"drive_mv" default:"0" help:"constant input R·I (mV)"`
	TauWMS   float64 `yaml:"tau_w_ms" range:"(0,)" default:"100" help:"adaptation time constant (ms)"`
	A        float64 `yaml:"a" default:"0" help:"subthreshold adaptation (dimensionless, w in mV)"`
	BMV      float64 `yaml:"b_mv" default:"5" help:"spike-triggered adaptation (mV)"`
}

// SimIzhikevich is Izhikevich's simple model of snn.IzhikevichGroup
// (defaults: regular spiking).
type SimIzhikevich struct {
	A       float64 `yaml:"a" default:"0.02" help:"recovery rate"`
	B       float64 `yaml:"b" default:"0.2" help:"recovery sensitivity"`
	C       float64 `yaml:"c" default:"-65" help:"reset potential (mV)"`
	D       float64 `yaml:"d" default:"8" help:"recovery jump after a spike"`
	DriveMV float64 `yaml:"drive" default:"0" help:"constant input"`
	RefMS   float64 `yaml:"ref_ms" range:"[0,)" default:"0" help:"refractory period (ms)"`
}

// SimPoisson is a group of independent Poisson spike sources
// (snn.PoissonGroup).
type SimPoisson struct {
	RateHz float64 `yaml:"rate_hz" range:"[0,)" default:"10" help:"firing rate of every source (Hz)"`
}

// distParams are the parameters of the value distributions.
type distParams struct {
	Value float64 `yaml:"value" default:"0" help:"const: the value"`
	Low   float64 `yaml:"low" default:"0" help:"uniform: lower bound (included)"`
	High  float64 `yaml:"high" default:"0" help:"uniform: upper bound (excluded)"`
	Mean  float64 `yaml:"mean" default:"0" help:"normal: mean"`
	SD    float64 `yaml:"sd" range:"[0,)" default:"0" help:"normal: standard deviation"`
}

// SimInit is the initial value of a state variable, drawn per neuron from
// the recipe's seed (see snn.NetSpec for the streams).
type SimInit struct {
	Dist       string `yaml:"dist" default:"none" enum:"none,const,uniform,normal" help:"none: the model's own initial value; const: value; uniform: in [low, high); normal: mean, sd"`
	distParams `yaml:",inline"`
}

// SimWeight is the weight of a projection's synapses.
type SimWeight struct {
	Dist       string `yaml:"dist" default:"const" enum:"const,uniform,normal" help:"const: every synapse value; uniform: in [low, high); normal: mean, sd"`
	distParams `yaml:",inline"`
}

func rule(dist string, p distParams) kernels.WeightRule {
	switch dist {
	case "uniform":
		return kernels.WeightRule{Kind: kernels.Uniform, A: float32(p.Low), B: float32(p.High)}
	case "normal":
		return kernels.WeightRule{Kind: kernels.Normal, A: float32(p.Mean), B: float32(p.SD)}
	}
	return kernels.HomogeneousWeight(float32(p.Value))
}

// SimProj is a projection: the spikes of group pre reach group post
// through the connectivity, the synapse and the output, in that order.
type SimProj struct {
	Name     string    `yaml:"name" default:"" help:"the projection's name (empty: PRE-POST)"`
	Pre      string    `yaml:"pre" default:"" help:"the group whose spikes it sends"`
	Post     string    `yaml:"post" default:"" help:"the group it drives"`
	Rule     string    `yaml:"rule" default:"fixed_prob" enum:"fixed_prob,fixed_in,all_to_all,one_to_one" help:"connectivity: fixed_prob (each pair with probability prob), fixed_in (in_degree pre-neurons per post-neuron), all_to_all, one_to_one"`
	Prob     float64   `yaml:"prob" range:"[0,1]" default:"0" help:"fixed_prob: connection probability (0: fixed_k divided by the network's neurons)"`
	InDegree int       `yaml:"in_degree" range:"[0,)" default:"0" help:"fixed_in: pre-neurons per post-neuron"`
	Conn     string    `yaml:"conn" default:"" enum:",dense,csr,jit" help:"storage: dense, csr or jit (fixed_prob and all_to_all only); empty: the recipe's conn"`
	Seed     int       `yaml:"seed" range:"[0,)" default:"0" help:"seed of the connections (0: derived from the recipe's seed and the pre group, so projections from one group share one draw)"`
	Weight   SimWeight `yaml:"weight" help:"synaptic weight: a conductance in units of the leak conductance (coba) or a current in mV (cuba)"`
	DelayMS  float64   `yaml:"delay_ms" range:"[0,)" default:"0" help:"delay of every spike (ms, rounded to steps)"`
	// DelayMaxMS above DelayMS gives every synapse its own delay.
	DelayMaxMS float64 `yaml:"delay_max_ms" range:"[0,)" default:"0" help:"above delay_ms: each synapse's own delay, uniform in [delay_ms, delay_max_ms] in steps (csr or jit storage)"`
	Synapse    string  `yaml:"synapse" default:"exponential" enum:"exponential,dual_exponential,alpha" help:"synapse dynamics, one state per post-neuron: exponential (tau_ms), dual_exponential (tau_rise_ms, tau_decay_ms), alpha (tau_ms)"`
	TauMS      float64 `yaml:"tau_ms" range:"(0,)" default:"5" help:"exponential and alpha: time constant (ms)"`
	TauRiseMS  float64 `yaml:"tau_rise_ms" range:"(0,)" default:"1" help:"dual_exponential: rise time constant (ms)"`
	TauDecayMS float64 `yaml:"tau_decay_ms" range:"(0,)" default:"5" help:"dual_exponential: decay time constant (ms)"`
	Method     string  `yaml:"method" default:"" enum:",euler,exact,exp_euler,rk2,rk4" help:"integration of the synapse (empty: the recipe's method; all but euler decay exactly)"`
	Output     string  `yaml:"output" default:"coba" enum:"coba,cuba,mg_block" help:"coba: conductance g·(e_rev_mv − v); cuba: current g (mV); mg_block: NMDA conductance with magnesium block"`
	ERevMV     float64 `yaml:"e_rev_mv" default:"0" help:"coba and mg_block: reversal potential (mV)"`
	MgMM       float64 `yaml:"mg_mm" range:"(0,)" default:"1.2" help:"mg_block: magnesium concentration (mM)"`
	G0         SimInit `yaml:"g0" help:"initial synapse state (per post-neuron)"`
}

// SimMonitor records a state variable of a group's first neurons.
type SimMonitor struct {
	Group   string  `yaml:"group" default:"" help:"the group"`
	Var     string  `yaml:"var" default:"v" help:"the state variable (v; hh also m, h, n)"`
	Neurons int     `yaml:"neurons" range:"[1,)" default:"5" help:"record the group's first neurons"`
	EveryMS float64 `yaml:"every_ms" range:"[0,)" default:"0" help:"sampling interval (ms; 0: every step)"`
}

// base returns the number of neurons at scale 1.
func (s *Sim) base() int64 {
	var b int64
	for _, g := range s.Groups {
		b += int64(g.Size)
	}
	return b
}

// N returns the number of neurons of the network.
func (s *Sim) N() int {
	if s.Neurons > 0 {
		return s.Neurons
	}
	n := float64(s.base())*s.Scale + 0.5
	if !(n < maxSimNeurons+1) {
		return math.MaxInt
	}
	return int(n)
}

// sizes returns each group's neurons: group k holds the network's neurons
// [⌊N·c_k/B⌋, ⌊N·c_{k+1}/B⌋), where B is the sum of the sizes and c_k that
// of the groups before k.
func (s *Sim) sizes() []int {
	n, b := uint64(s.N()), uint64(s.base())
	out := make([]int, len(s.Groups))
	var cum, prev uint64
	for k, g := range s.Groups {
		cum += uint64(g.Size)
		hi, lo := bits.Mul64(n, cum)
		q, _ := bits.Div64(hi, lo, b)
		out[k] = int(q - prev)
		prev = q
	}
	return out
}

// checkNet checks what the range tags cannot: names, references, sizes.
func (s *Sim) checkNet() error {
	if len(s.Groups) == 0 {
		return recipes.Invalid("groups", "a network needs at least one group")
	}
	if s.base() > maxSimNeurons {
		return recipes.Invalid("groups", "the groups' sizes add up to %d, more than one process simulates (%.0e)", s.base(), float64(maxSimNeurons))
	}
	names := map[string]int{}
	for k, g := range s.Groups {
		f := fmt.Sprintf("groups.%d.name", k)
		switch {
		case g.Name == "":
			return recipes.Invalid(f, "every group needs a name")
		case g.Name == "all":
			return recipes.Invalid(f, "\"all\" names the whole network in the results; choose another name")
		}
		if _, dup := names[g.Name]; dup {
			return recipes.Invalid(f, "two groups are named %s", g.Name)
		}
		names[g.Name] = k
	}
	for k, p := range s.Projections {
		for _, end := range []struct{ key, name string }{{"pre", p.Pre}, {"post", p.Post}} {
			if _, ok := names[end.name]; !ok {
				return recipes.Invalid(fmt.Sprintf("projections.%d.%s", k, end.key), "no group named %q (groups: %s)", end.name, s.groupList())
			}
		}
		if s.Groups[names[p.Post]].Model == "poisson" {
			return recipes.Invalid(fmt.Sprintf("projections.%d.post", k), "group %s is a Poisson source and takes no input", p.Post)
		}
		if p.DelayMaxMS > 0 && p.DelayMaxMS < p.DelayMS {
			return recipes.Invalid(fmt.Sprintf("projections.%d.delay_max_ms", k), "%g is below delay_ms %g", p.DelayMaxMS, p.DelayMS)
		}
	}
	for k, m := range s.Monitors {
		g, ok := names[m.Group]
		if !ok {
			return recipes.Invalid(fmt.Sprintf("monitors.%d.group", k), "no group named %q (groups: %s)", m.Group, s.groupList())
		}
		if s.Groups[g].Model == "poisson" {
			return recipes.Invalid(fmt.Sprintf("monitors.%d.group", k), "group %s is a Poisson source and has no state", m.Group)
		}
	}
	return nil
}

func (s *Sim) groupList() string {
	out := ""
	for k, g := range s.Groups {
		if k > 0 {
			out += ", "
		}
		out += g.Name
	}
	return out
}

func (s *Sim) method(m string) snn.Method {
	if m == "" {
		m = s.Method
	}
	x, _ := snn.ParseMethod(m) // the enum tags admit only valid names
	return x
}

func projName(p SimProj) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Pre + "-" + p.Post
}

// NetSpec returns the network of the recipe (the sizes checked).
func (s *Sim) NetSpec() (*snn.NetSpec, error) {
	if err := s.checkNet(); err != nil {
		return nil, err
	}
	n := s.N()
	sizes := s.sizes()
	for k, sz := range sizes {
		if sz < 1 {
			key := "scale"
			if s.Neurons > 0 {
				key = "neurons"
			}
			return nil, recipes.Invalid(key, "%d neurons leave group %s none: every group needs at least one neuron", n, s.Groups[k].Name)
		}
	}
	dt, seed := s.Dt, uint64(s.Seed)
	spec := &snn.NetSpec{Dt: dt, Seed: seed}
	index := map[string]int{}
	for k, g := range s.Groups {
		index[g.Name] = k
		gs := snn.GroupSpec{Name: g.Name, N: sizes[k]}
		m := s.method(g.Method)
		switch g.Model {
		case "lif":
			p := snn.LIFGroup{Tau: g.LIF.TauMS, VRest: g.LIF.VRestMV, VReset: g.LIF.VResetMV, VTh: g.LIF.VThMV, Ref: g.LIF.RefMS, I: g.LIF.DriveMV, Dt: dt, Method: m}
			gs.New = func(n, _ int) (snn.Neurons, error) { return snn.NewLIFGroup(n, p), nil }
		case "hh":
			h := g.HH
			p := snn.HHGroup{C: h.CPF, GL: h.GLNS, EL: h.ELMV, GNa: h.GNaNS, ENa: h.ENaMV, GK: h.GKNS, EK: h.EKMV, VT: h.VTMV, VSpike: h.VSpikeMV, Ref: h.RefMS, Dt: dt, Method: m}
			gs.New = func(n, _ int) (snn.Neurons, error) { return snn.NewHHGroup(n, p), nil }
		case "adex":
			a := g.AdEx
			p := snn.AdExGroup{Tau: a.TauMS, EL: a.ELMV, VT: a.VTMV, DeltaT: a.DeltaTMV, VCut: a.VCutMV, VReset: a.VResetMV, Ref: a.RefMS, I: a.DriveMV, Dt: dt,
				TauW: a.TauWMS, A: a.A, B: a.BMV, Method: m}
			gs.New = func(n, _ int) (snn.Neurons, error) { return snn.NewAdExGroup(n, p), nil }
		case "izhikevich":
			z := g.Izhikevich
			p := snn.IzhikevichGroup{A: z.A, B: z.B, C: z.C, D: z.D, I: z.DriveMV, Ref: z.RefMS, Dt: dt, Method: m}
			gs.New = func(n, _ int) (snn.Neurons, error) { return snn.NewIzhikevichGroup(n, p), nil }
		case "poisson":
			rate, off := g.Poisson.RateHz, 0
			for _, sz := range sizes[:k] {
				off += sz
			}
			gs.New = func(n, lo int) (snn.Neurons, error) {
				return &snn.PoissonGroup{Rate: rate, Dt: dt, Seed: seed, Off: off + lo, N: n}, nil
			}
		}
		if g.V0.Dist != "none" {
			if g.Model == "poisson" {
				return nil, recipes.Invalid(fmt.Sprintf("groups.%d.v0", k), "group %s is a Poisson source and has no membrane", g.Name)
			}
			gs.Init = []snn.VarInit{{Var: "v", Dist: rule(g.V0.Dist, g.V0.distParams)}}
		}
		spec.Groups = append(spec.Groups, gs)
	}
	seen := map[string]bool{}
	for k, p := range s.Projections {
		f := func(key string) string { return fmt.Sprintf("projections.%d.%s", k, key) }
		name := projName(p)
		if seen[name] {
			return nil, recipes.Invalid(f("name"), "two projections are named %s", name)
		}
		seen[name] = true
		store := p.Conn
		if store == "" {
			store = s.Conn
		}
		st, _ := snn.ParseStorage(store)
		rl, _ := snn.ParseRule(p.Rule)
		c := snn.ConnSpec{Rule: rl, P: p.Prob, K: p.InDegree, Weight: rule(p.Weight.Dist, p.Weight.distParams), Seed: uint64(p.Seed), Store: st}
		npre, npost := sizes[index[p.Pre]], sizes[index[p.Post]]
		switch {
		case rl == snn.FixedProb && p.Prob == 0:
			c.P = s.FixedK / float64(n)
			if c.P > 1 {
				return nil, recipes.Invalid("fixed_k", "%g connections per neuron exceed the %d neurons", s.FixedK, n)
			}
		case rl == snn.FixedInDegree && p.InDegree > npre:
			return nil, recipes.Invalid(f("in_degree"), "%d exceeds the %d neurons of group %s", p.InDegree, npre, p.Pre)
		case rl == snn.OneToOne && npre != npost:
			return nil, recipes.Invalid(f("rule"), "one_to_one needs groups of one size; %s has %d neurons, %s %d", p.Pre, npre, p.Post, npost)
		}
		if st == snn.StoreJIT && (rl == snn.FixedInDegree || rl == snn.OneToOne) {
			return nil, recipes.Invalid(f("conn"), "jit storage regenerates fixed_prob and all_to_all rows only; use csr for %s", p.Rule)
		}
		if st == snn.StoreDense && float64(npre)*float64(npost)*4 > 8<<30 {
			return nil, recipes.Invalid("conn", "projection %s: a dense %d×%d matrix needs %.0f GB; use csr or jit", name, npre, npost, float64(npre)*float64(npost)*4/1e9)
		}
		delay := int(math.Round(p.DelayMS / dt))
		maxDelay := delay
		if p.DelayMaxMS > 0 {
			maxDelay = int(math.Round(p.DelayMaxMS / dt))
			if st == snn.StoreDense && maxDelay > delay {
				return nil, recipes.Invalid(f("delay_max_ms"), "per-synapse delays need csr or jit storage")
			}
		}
		if delay > 1<<20 || maxDelay-delay > math.MaxUint16 {
			return nil, recipes.Invalid(f("delay_ms"), "delays of %d to %d steps are too long (at most 2^20 steps, and 65,535 between the shortest and the longest)", delay, maxDelay)
		}
		sm := s.method(p.Method)
		var syn func() snn.Synapse
		switch p.Synapse {
		case "exponential":
			tau := p.TauMS
			syn = func() snn.Synapse { return &snn.Exponential{Tau: tau, Dt: dt, Method: sm} }
		case "alpha":
			tau := p.TauMS
			syn = func() snn.Synapse { a := snn.Alpha(tau, dt); a.Method = sm; return a }
		case "dual_exponential":
			r, d := p.TauRiseMS, p.TauDecayMS
			syn = func() snn.Synapse { return &snn.DualExponential{TauRise: r, TauDecay: d, Dt: dt, Method: sm} }
		}
		var out snn.Output
		switch p.Output {
		case "coba":
			out = snn.COBA{E: float32(p.ERevMV)}
		case "cuba":
			out = snn.CUBA{}
		case "mg_block":
			out = snn.MgBlock{E: float32(p.ERevMV), Mg: float32(p.MgMM)}
		}
		ps := snn.ProjSpec{Name: name, Pre: p.Pre, Post: p.Post, Conn: c, Syn: syn, Out: out, Delay: delay, MaxDelay: maxDelay}
		if p.G0.Dist != "none" {
			g0 := rule(p.G0.Dist, p.G0.distParams)
			ps.G0 = &g0
		}
		spec.Projs = append(spec.Projs, ps)
	}
	return spec, nil
}

// expectedSynapses returns the expected number of synapses of each
// projection of spec (fixed_prob: pre·post·p), which JIT storage reports.
func expectedSynapses(spec *snn.NetSpec) []float64 {
	size := map[string]float64{}
	for _, g := range spec.Groups {
		size[g.Name] = float64(g.N)
	}
	out := make([]float64, len(spec.Projs))
	for k, p := range spec.Projs {
		pre, post := size[p.Pre], size[p.Post]
		switch p.Conn.Rule {
		case snn.FixedProb:
			out[k] = pre * post * min(max(p.Conn.P, 0), 1)
		case snn.AllToAll:
			out[k] = pre * post
		case snn.FixedInDegree:
			out[k] = post * float64(p.Conn.K)
		default:
			out[k] = post
		}
	}
	return out
}
