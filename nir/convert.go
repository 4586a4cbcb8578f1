package nir

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/braingo/braingo/internal/hdf5"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// DefaultDT is the time step, in seconds, of the conversion between
// discrete decays and NIR time constants when Options.DT is 0: snnTorch's.
const DefaultDT = 1e-4

// Options configure the conversions. The zero value converts with
// DefaultDT and refuses what NIR cannot express.
type Options struct {
	// DT is the time step in seconds (0: DefaultDT, or when reading, the
	// braingo_dt a braingo file records).
	DT float64
	// Lossy exports what NIR cannot express as the nearest NIR node and
	// lists what it dropped in the warnings, instead of failing.
	Lossy bool
	// Warn, when set, receives the one-line warnings of an import (a file
	// braingo wrote before its zero reset followed NIR, which keeps its old
	// rule).
	Warn func(msg string)
}

// Metadata keys braingo writes.
const (
	metaReset     = "braingo_reset"      // on a neuron node: "subtract", "none", "zero" or "zero_legacy"
	metaLearnBeta = "braingo_learn_beta" // on a neuron node: 1 when the decays were trained
	metaDT        = "braingo_dt"         // on the graph: the DT of the conversion
	metaBinary    = "braingo_binary_input"
	// MetaRecipe is the graph metadata key of the braingo recipe (YAML)
	// a file was exported from.
	MetaRecipe = "braingo_recipe"
)

// check refuses a time step that is not a finite non-negative number.
func (o Options) check() error {
	if math.IsNaN(o.DT) || math.IsInf(o.DT, 0) || o.DT < 0 {
		return fmt.Errorf("nir: time step (Options.DT) %v s is not a finite positive number (0: the default %v s)", o.DT, DefaultDT)
	}
	return nil
}

func (o Options) dt() float64 {
	if o.DT > 0 {
		return o.DT
	}
	return DefaultDT
}

// exporter collects warnings of a lossy export.
type exporter struct {
	o    Options
	warn []string
}

// lossy fails, or with Options.Lossy records a warning, for something NIR
// cannot express.
func (x *exporter) lossy(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if !x.o.Lossy {
		return fmt.Errorf("nir: %s: NIR cannot express this; a lossy export (braingo export --lossy) writes the nearest NIR node", msg)
	}
	x.warn = append(x.warn, msg)
	return nil
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// decays returns the per-neuron decays of a LIF: its trained decays
// clamped to [0, 1] as the forward pass uses them, or Beta.
func decays(p snn.LIF, n int) ([]float64, bool) {
	if p.LearnBeta == nil {
		return fill(n, float64(p.Beta)), false
	}
	out := make([]float64, n)
	for i := range out {
		b := p.LearnBeta.Data[0]
		if len(p.LearnBeta.Data) == n {
			b = p.LearnBeta.Data[i]
		}
		out[i] = float64(min(max(b, 0), 1))
	}
	return out, true
}

func theta(t float32) float64 {
	if t == 0 {
		return 1
	}
	return float64(t)
}

// tau maps decays to time constants, tau = dt/(1−β).
func (x *exporter) tau(name string, beta []float64) ([]float64, error) {
	dt := x.o.dt()
	out := make([]float64, len(beta))
	for i, b := range beta {
		if b >= 1 || b < 0 {
			return nil, fmt.Errorf("nir: %s: decay %v has no time constant (needs 0 ≤ β < 1)", name, b)
		}
		out[i] = dt / (1 - b)
	}
	return out, nil
}

// lif returns the NIR node of a LIF population (cuba: a synaptic LIF with
// current decay alpha).
func (x *exporter) lif(name string, n int, p snn.LIF, cuba bool, alpha float32) (*Node, error) {
	dt := x.o.dt()
	beta, learned := decays(p, n)
	meta := map[string]*Array{}
	if learned {
		meta[metaLearnBeta] = Int64s(nil, []int64{1})
	}
	switch p.Reset {
	case snn.ResetZero:
		// NIR's own reset; the metadata tells a braingo file written since
		// the zero-reset change from an older one (whose zero was legacy).
		meta[metaReset] = &Array{Type: hdf5.String, Str: []string{"zero"}}
	case snn.ResetZeroLegacy:
		if err := x.lossy("%s: legacy zero reset (NIR integrates the input of the step after a spike; retrain with model.reset: zero)", name); err != nil {
			return nil, err
		}
		meta[metaReset] = &Array{Type: hdf5.String, Str: []string{"zero_legacy"}}
	case snn.ResetSubtract:
		if err := x.lossy("%s: reset by subtraction (NIR neurons reset to v_reset; written as v_reset = 0, or train with model.reset: zero)", name); err != nil {
			return nil, err
		}
		meta[metaReset] = &Array{Type: hdf5.String, Str: []string{"subtract"}}
	case snn.ResetNone:
		if err := x.lossy("%s: no reset (NIR neurons reset to v_reset; exported as v_reset = 0)", name); err != nil {
			return nil, err
		}
		meta[metaReset] = &Array{Type: hdf5.String, Str: []string{"none"}}
	}
	sh := []int{n}
	th := Float64s(sh, fill(n, theta(p.Threshold)))
	reset := Float64s(sh, fill(n, 0))
	var node *Node
	if !cuba && slices.Contains(beta, 1) {
		if slices.ContainsFunc(beta, func(b float64) bool { return b != 1 }) {
			return nil, fmt.Errorf("nir: %s: some decays are 1 and others not: neither LIF nor IF", name)
		}
		node = NewNode("IF", map[string]*Array{"r": Float64s(sh, fill(n, 1/dt)), "v_threshold": th, "v_reset": reset})
	} else {
		tm, err := x.tau(name, beta)
		if err != nil {
			return nil, err
		}
		r := make([]float64, n)
		for i := range r {
			r[i] = tm[i] / dt
		}
		if !cuba {
			node = NewNode("LIF", map[string]*Array{"tau": Float64s(sh, tm), "r": Float64s(sh, r),
				"v_leak": Float64s(sh, fill(n, 0)), "v_threshold": th, "v_reset": reset})
		} else {
			ts, err := x.tau(name+" (synaptic current)", fill(n, float64(alpha)))
			if err != nil {
				return nil, err
			}
			win := make([]float64, n)
			for i := range win {
				win[i] = ts[i] / dt
			}
			node = NewNode("CubaLIF", map[string]*Array{"tau_syn": Float64s(sh, ts), "tau_mem": Float64s(sh, tm), "r": Float64s(sh, r),
				"v_leak": Float64s(sh, fill(n, 0)), "v_threshold": th, "v_reset": reset, "w_in": Float64s(sh, win)})
		}
	}
	if len(meta) > 0 {
		node.Metadata = meta
	}
	return node, nil
}

// li returns the NIR node of a leaky integrator (cuba: fed by a synaptic
// current of decay alpha).
func (x *exporter) li(name string, n int, beta float32, cuba bool, alpha float32) (*Node, error) {
	dt := x.o.dt()
	sh := []int{n}
	if beta == 1 && !cuba {
		return NewNode("I", map[string]*Array{"r": Float64s(sh, fill(n, 1/dt))}), nil
	}
	tm, err := x.tau(name, fill(n, float64(beta)))
	if err != nil {
		return nil, err
	}
	r := make([]float64, n)
	for i := range r {
		r[i] = tm[i] / dt
	}
	if !cuba {
		return NewNode("LI", map[string]*Array{"tau": Float64s(sh, tm), "r": Float64s(sh, r), "v_leak": Float64s(sh, fill(n, 0))}), nil
	}
	ts, err := x.tau(name+" (synaptic current)", fill(n, float64(alpha)))
	if err != nil {
		return nil, err
	}
	win := make([]float64, n)
	for i := range win {
		win[i] = ts[i] / dt
	}
	return NewNode("CubaLI", map[string]*Array{"tau_syn": Float64s(sh, ts), "tau_mem": Float64s(sh, tm), "r": Float64s(sh, r),
		"v_leak": Float64s(sh, fill(n, 0)), "w_in": Float64s(sh, win)}), nil
}

// dense returns the Affine (or Linear) node of a projection; w is (in,
// out), NIR's weight its transpose.
func dense(w []float32, in, out int, b []float32) *Node {
	wt := make([]float32, in*out)
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			wt[o*in+i] = w[i*out+o]
		}
	}
	p := map[string]*Array{"weight": Float32s([]int{out, in}, wt)}
	if b == nil {
		return NewNode("Linear", p)
	}
	p["bias"] = Float32s([]int{out}, append([]float32(nil), b...))
	return NewNode("Affine", p)
}

func shapeNode(typ string, n int) *Node {
	return NewNode(typ, map[string]*Array{"shape": Int64s([]int{1}, []int64{int64(n)})})
}

// FromFeedForward converts a feed-forward network into a NIR graph:
// input -> fc1 [-> fc1.scale] -> hidden1 -> ... -> output, and returns the
// warnings of a lossy export.
func FromFeedForward(net *networks.FeedForward, o Options) (*Node, []string, error) {
	if len(net.Blocks) == 0 {
		return nil, nil, fmt.Errorf("nir: network has no layers")
	}
	if err := o.check(); err != nil {
		return nil, nil, err
	}
	x := &exporter{o: o}
	g := NewGraph()
	g.Metadata = map[string]*Array{metaDT: Float64s(nil, []float64{o.dt()})}
	in := net.Blocks[0].Projection().In()
	g.Add("input", shapeNode("Input", in))
	path := []string{"input"}
	for i, b := range net.Blocks {
		switch c := b.Conn.(type) {
		case nil:
		case *networks.Dense:
			b.Proj = c
		case *networks.Sparse: // NIR's Affine is dense: zeros off the structure
			b.Proj = &networks.Dense{W: tensor.New([]int{c.In(), c.Out()}, c.Dense()), B: c.B, Gain: c.Gain}
		case *networks.JITProj: // NIR has no JIT connectivity: the matrix written out
			b.Proj = &networks.Dense{W: tensor.New([]int{c.In(), c.Out()}, c.Dense()), B: c.B, Gain: c.Gain}
			x.warn = append(x.warn, fmt.Sprintf("layer %s: JIT connectivity (p %g, seed %d) written as a dense Affine; it reads back as a dense layer", b.Name, c.M.P, c.M.Seed))
		default:
			return nil, nil, fmt.Errorf("nir: layer %s: a %T projection has no NIR form (dense, CSR and JIT ones do)", b.Name, b.Conn)
		}
		if b.Proj.In() != in {
			return nil, nil, fmt.Errorf("nir: layer %s takes %d inputs, the previous layer has %d", b.Name, b.Proj.In(), in)
		}
		if b.Delay > 0 { // NIR's Delay: output(t) = input(t − delay), per channel
			dn := fmt.Sprintf("delay%d", i+1)
			g.Add(dn, NewNode("Delay", map[string]*Array{"delay": Float64s([]int{in}, fill(in, float64(b.Delay)*o.dt()))}))
			path = append(path, dn)
		}
		out := b.Proj.Out()
		fc := fmt.Sprintf("fc%d", i+1)
		var bias []float32
		if b.Proj.B != nil {
			bias = b.Proj.B.Data
		}
		g.Add(fc, dense(b.Proj.W.Data, in, out, bias))
		path = append(path, fc)
		if gain := b.Proj.Gain; gain != 0 && gain != 1 {
			s := make([]float32, out)
			for j := range s {
				s[j] = gain
			}
			g.Add(fc+".scale", NewNode("Scale", map[string]*Array{"scale": Float32s([]int{out}, s)}))
			path = append(path, fc+".scale")
		}
		name := b.Name
		if name == "" || name == "input" || name == "output" || g.Nodes[name] != nil {
			name = fmt.Sprintf("layer%d", i+1)
			if i == len(net.Blocks)-1 {
				name = "readout"
			}
		}
		node, err := x.cell(name, out, b.Cell)
		if err != nil {
			return nil, nil, err
		}
		g.Add(name, node)
		path = append(path, name)
		in = out
	}
	g.Add("output", shapeNode("Output", in))
	g.Connect(append(path, "output")...)
	return g, x.warn, nil
}

// cell returns the NIR node of a layer of n neurons.
func (x *exporter) cell(name string, n int, c networks.Cell) (*Node, error) {
	switch c := c.(type) {
	case networks.LIFCell:
		return x.lif(name, n, c.LIF, false, 0)
	case networks.SynapticCell:
		return x.lif(name, n, c.LIF, true, c.Alpha)
	case networks.LICell:
		return x.li(name, n, c.Beta, false, 0)
	case networks.CubaLICell:
		return x.li(name, n, c.Beta, true, c.Alpha)
	case networks.ALIFCell:
		if err := x.lossy("%s: adaptive threshold of ALIF (rho %v, beta_a %v) dropped; exported as LIF", name, c.Rho, c.BetaA); err != nil {
			return nil, err
		}
		return x.lif(name, n, snn.LIF{Beta: c.Beta, Threshold: c.Threshold, Reset: snn.ResetSubtract}, false, 0)
	}
	return nil, fmt.Errorf("nir: %s: %T neurons have no NIR node (NIR 1.0 has LIF, CubaLIF, LI, CubaLI, IF, I)", name, c)
}

// FromRSNN converts a recurrent spiking network into a NIR graph with a
// recurrent edge:
//
//	input -> in -> lif -> out -> readout -> output
//	              lif -> rec -> lif
//
// lif is a LIF node, or a CubaLIF node when the network has a leaky input
// stage (InBeta > 0: the stage is CubaLIF's synaptic current); readout is
// an LI node, left out when OutBeta is 0. It returns the warnings of a
// lossy export.
func FromRSNN(net *networks.RSNN, o Options) (*Node, []string, error) {
	if err := o.check(); err != nil {
		return nil, nil, err
	}
	x := &exporter{o: o}
	n, nin, nout := net.Units(), net.Inputs(), net.Outputs()
	var p snn.LIF
	switch net.Neuron {
	case "", "lif":
		p = net.LIF
	case "alif":
		if err := x.lossy("rsnn: adaptive threshold of ALIF (rho %v, beta_a %v) dropped; exported as LIF", net.ALIF.Rho, net.ALIF.BetaA); err != nil {
			return nil, nil, err
		}
		p = snn.LIF{Beta: net.ALIF.Beta, Threshold: net.ALIF.Threshold, Reset: snn.ResetSubtract}
	default:
		return nil, nil, fmt.Errorf("nir: rsnn: %s neurons have no NIR node (%s)", net.Neuron, noNIRReason(net.Neuron))
	}
	rec := net.Rec.Data
	if net.Sign != nil || net.NoSelf {
		var what []string
		if net.Sign != nil {
			what = append(what, "Dale's-law sign constraint")
		}
		if net.NoSelf {
			what = append(what, "no-self-connection mask")
		}
		if err := x.lossy("rsnn: %s (the file holds the effective recurrent weights, which give the same dynamics but no constraint)", strings.Join(what, " and ")); err != nil {
			return nil, nil, err
		}
		rec = make([]float32, n*n)
		for i := range n {
			for j := range n {
				w := net.Rec.Data[i*n+j]
				if net.Sign != nil {
					w = float32(math.Abs(float64(w))) * net.Sign[i]
				}
				if net.NoSelf && i == j {
					w = 0
				}
				rec[i*n+j] = w
			}
		}
	}
	g := NewGraph()
	g.Metadata = map[string]*Array{metaDT: Float64s(nil, []float64{o.dt()})}
	if net.BinaryInput {
		g.Metadata[metaBinary] = Int64s(nil, []int64{1})
	}
	g.Add("input", shapeNode("Input", nin))
	var inB, recB, outB []float32
	if net.In.B != nil {
		inB = net.In.B.Data
	}
	if net.RecB != nil {
		recB = net.RecB.Data
	}
	if net.Out.B != nil {
		outB = net.Out.B.Data
	}
	if net.In.Gain != 0 && net.In.Gain != 1 || net.Out.Gain != 0 && net.Out.Gain != 1 {
		return nil, nil, fmt.Errorf("nir: rsnn: projections with a gain are not supported")
	}
	g.Add("in", dense(net.In.W.Data, nin, n, inB))
	g.Add("rec", dense(rec, n, n, recB))
	g.Add("out", dense(net.Out.W.Data, n, nout, outB))
	lif, err := x.lif("lif", n, p, net.InBeta > 0, net.InBeta)
	if err != nil {
		return nil, nil, err
	}
	g.Add("lif", lif)
	g.Add("output", shapeNode("Output", nout))
	if net.OutBeta == 0 {
		// No leak memory: the readout is the projection itself.
		g.Connect("input", "in", "lif", "out", "output")
	} else {
		ro, err := x.li("readout", nout, net.OutBeta, false, 0)
		if err != nil {
			return nil, nil, err
		}
		g.Add("readout", ro)
		g.Connect("input", "in", "lif", "out", "readout", "output")
	}
	g.Connect("lif", "rec", "lif")
	return g, x.warn, nil
}

// importer turns NIR nodes into braingo pieces.
type importer struct {
	dt float64
	// braingo is set for a file braingo wrote (its graph has braingo_dt);
	// legacy collects the neuron nodes of such a file with a zero reset
	// and no braingo_reset: written before the zero-reset change.
	braingo bool
	legacy  []string
	warn    func(string)
}

// done reports the legacy zero-reset nodes in one warning.
func (im *importer) done(what string) {
	if len(im.legacy) > 0 && im.warn != nil {
		im.warn(fmt.Sprintf("%s was written by braingo from before its zero reset followed NIR and snnTorch ≥ 0.8: neurons %s keep the old rule (zero_legacy)", what, strings.Join(im.legacy, ", ")))
	}
}

// newImporter checks g (see Validate) and o, and takes the time step from
// o, else from g's braingo_dt, else DefaultDT.
func newImporter(g *Node, o Options) (*importer, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if g.Type != "NIRGraph" {
		return nil, fmt.Errorf("nir: a %s node is not a graph", g.Type)
	}
	if err := g.Validate("node"); err != nil {
		return nil, fmt.Errorf("nir: %v", err)
	}
	im := &importer{dt: o.DT, braingo: g.Metadata[metaDT] != nil, warn: o.Warn}
	if im.dt <= 0 {
		if m := g.Metadata[metaDT]; m != nil && m.Type == hdf5.Float64 && len(m.F64) == 1 && m.F64[0] > 0 {
			im.dt = m.F64[0]
		} else {
			im.dt = DefaultDT
		}
	}
	return im, nil
}

// delaySteps reads a Delay node in front of a projection of in inputs as
// braingo's per-layer delay: one delay for every channel, a whole number
// of time steps.
func (im *importer) delaySteps(name string, d []float64, in int) (int, error) {
	if len(d) == 1 {
		d = fill(in, d[0])
	}
	if len(d) != in || !uniform(d) {
		return 0, fmt.Errorf("nir: %s: braingo delays every input of a layer alike; this Delay node gives %d values for %d inputs, not all equal", name, len(d), in)
	}
	steps := d[0] / im.dt
	n := math.Round(steps)
	if !(d[0] >= 0) || n > 1<<20 || math.Abs(steps-n) > 1e-6*math.Max(1, steps) {
		return 0, fmt.Errorf("nir: %s: delay %g s is not a whole number of time steps of %g s (at most 2^20)", name, d[0], im.dt)
	}
	return int(n), nil
}

// neuron is a decoded neuron node.
type neuron struct {
	kind      string    // "lif", "synaptic", "li", "cuba_li"
	beta      []float32 // per neuron
	alpha     []float32 // synaptic current decays
	threshold float32
	reset     snn.Reset
	learnBeta bool
	gain      []float64 // input factor per neuron (1: none)
}

func param(n *Node, k string) []float64 {
	if a := n.Params[k]; a != nil {
		return a.Float()
	}
	return nil
}

func near1(v float64) bool { return math.Abs(v-1) <= 1e-6 }

func uniform[T comparable](v []T) bool {
	for _, x := range v {
		if x != v[0] {
			return false
		}
	}
	return true
}

// decay inverts tau = dt/(1−β).
func (im *importer) decay(name string, tau []float64) ([]float32, error) {
	out := make([]float32, len(tau))
	for i, t := range tau {
		if !(t > 0) {
			return nil, fmt.Errorf("nir: %s: time constant %v must be positive", name, t)
		}
		b := 1 - im.dt/t
		if b < 0 {
			return nil, fmt.Errorf("nir: %s: time constant %v s is shorter than the step %v s (set the time step)", name, t, im.dt)
		}
		out[i] = float32(b)
	}
	return out, nil
}

// neuron decodes a neuron node of n neurons.
func (im *importer) neuron(name string, nd *Node) (*neuron, error) {
	var size []float64
	for _, k := range []string{"r", "tau", "tau_mem"} {
		if v := param(nd, k); v != nil {
			size = v
			break
		}
	}
	n := len(size)
	nu := &neuron{reset: snn.ResetZero, gain: fill(n, 1)}
	if im.braingo && nd.Metadata[metaReset] == nil && (nd.Type == "LIF" || nd.Type == "CubaLIF" || nd.Type == "IF") {
		nu.reset = snn.ResetZeroLegacy
		im.legacy = append(im.legacy, name)
	}
	if nd.Metadata != nil {
		if m := nd.Metadata[metaReset]; m != nil && m.Type == hdf5.String && len(m.Str) == 1 {
			r, ok := snn.ParseReset(m.Str[0])
			if !ok {
				return nil, fmt.Errorf("nir: %s: unknown %s %q", name, metaReset, m.Str[0])
			}
			nu.reset = r
		}
		if m := nd.Metadata[metaLearnBeta]; m != nil && m.Len() == 1 && len(m.Float()) == 1 && m.Float()[0] != 0 {
			nu.learnBeta = true
		}
	}
	if vl := param(nd, "v_leak"); vl != nil && slices.ContainsFunc(vl, func(v float64) bool { return v != 0 }) {
		return nil, fmt.Errorf("nir: %s: v_leak ≠ 0 is not supported (braingo's neurons rest at 0)", name)
	}
	if vr := param(nd, "v_reset"); vr != nil && slices.ContainsFunc(vr, func(v float64) bool { return v != 0 }) {
		return nil, fmt.Errorf("nir: %s: v_reset ≠ 0 is not supported (braingo's neurons reset to 0)", name)
	}
	if th := param(nd, "v_threshold"); th != nil {
		if !uniform(th) {
			return nil, fmt.Errorf("nir: %s: thresholds differ between neurons; braingo's layers have one threshold", name)
		}
		if len(th) > 0 {
			nu.threshold = float32(th[0])
		}
	}
	r := param(nd, "r")
	var err error
	switch nd.Type {
	case "LIF", "LI":
		tau := param(nd, "tau")
		if nu.beta, err = im.decay(name, tau); err != nil {
			return nil, err
		}
		for i := range nu.gain {
			nu.gain[i] = r[i] * im.dt / tau[i]
		}
		nu.kind = map[string]string{"LIF": "lif", "LI": "li"}[nd.Type]
	case "IF", "I":
		nu.beta = make([]float32, n)
		for i := range nu.beta {
			nu.beta[i] = 1
			nu.gain[i] = r[i] * im.dt
		}
		nu.kind = map[string]string{"IF": "lif", "I": "li"}[nd.Type]
	case "CubaLIF", "CubaLI":
		tm, ts, win := param(nd, "tau_mem"), param(nd, "tau_syn"), param(nd, "w_in")
		if nu.beta, err = im.decay(name, tm); err != nil {
			return nil, err
		}
		if nu.alpha, err = im.decay(name+" (synaptic current)", ts); err != nil {
			return nil, err
		}
		if len(win) == 1 {
			win = fill(n, win[0])
		}
		if len(win) != n {
			return nil, fmt.Errorf("nir: %s: w_in has %d values for %d neurons", name, len(win), n)
		}
		for i := range nu.gain {
			nu.gain[i] = (im.dt / ts[i] * win[i]) * (r[i] * im.dt / tm[i])
		}
		nu.kind = map[string]string{"CubaLIF": "synaptic", "CubaLI": "cuba_li"}[nd.Type]
	default:
		return nil, fmt.Errorf("nir: %s: %s is not a neuron node braingo reads", name, nd.Type)
	}
	for i, g := range nu.gain {
		if near1(g) {
			nu.gain[i] = 1
		}
		if math.IsNaN(g) || math.IsInf(g, 0) || math.Abs(g) > math.MaxFloat32 {
			return nil, fmt.Errorf("nir: %s: input factor r·dt/tau of neuron %d is %v: beyond float32", name, i, g)
		}
	}
	if math.IsInf(float64(nu.threshold), 0) {
		return nil, fmt.Errorf("nir: %s: threshold %v is beyond float32", name, param(nd, "v_threshold")[0])
	}
	return nu, nil
}

// broadcast spreads a node whose parameters are scalars (snnTorch writes
// Leaky layers so) over n neurons.
func (nu *neuron) broadcast(n int) {
	if len(nu.beta) != 1 || n == 1 {
		return
	}
	nu.beta = slices.Repeat(nu.beta, n)
	nu.gain = slices.Repeat(nu.gain, n)
	if nu.alpha != nil {
		nu.alpha = slices.Repeat(nu.alpha, n)
	}
}

// cell builds the braingo layer of a decoded neuron node.
func (nu *neuron) cell(name string) (networks.Cell, error) {
	lif := snn.LIF{Beta: nu.beta[0], Threshold: nu.threshold, Reset: nu.reset}
	if nu.kind == "lif" || nu.kind == "synaptic" {
		if !uniform(nu.beta) || nu.learnBeta {
			lif.LearnBeta = tensor.NewParam(name+".beta", []int{len(nu.beta)}, append([]float32(nil), nu.beta...))
		}
	} else if !uniform(nu.beta) {
		return nil, fmt.Errorf("nir: %s: decays differ between neurons; braingo's leaky readouts have one decay", name)
	}
	if nu.alpha != nil && !uniform(nu.alpha) {
		return nil, fmt.Errorf("nir: %s: synaptic decays differ between neurons; braingo's layers have one", name)
	}
	switch nu.kind {
	case "lif":
		return networks.LIFCell{LIF: lif}, nil
	case "synaptic":
		return networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: nu.alpha[0], LIF: lif}}, nil
	case "li":
		return networks.LICell{LI: snn.LI{Beta: nu.beta[0]}}, nil
	}
	return networks.CubaLICell{Alpha: nu.alpha[0], LI: snn.LI{Beta: nu.beta[0]}}, nil
}

// chain walks a flattened graph from its single Input to its single
// Output along single successors and returns the node names in order.
func chain(g *Node) ([]string, error) {
	succ, pred := map[string][]string{}, map[string][]string{}
	for _, e := range g.Edges {
		succ[e.From] = append(succ[e.From], e.To)
		pred[e.To] = append(pred[e.To], e.From)
	}
	var start string
	for _, name := range sortedKeys(g.Nodes) {
		if g.Nodes[name].Type == "Input" {
			if start != "" {
				return nil, fmt.Errorf("nir: graph has several Input nodes (%s, %s)", start, name)
			}
			start = name
		}
	}
	if start == "" {
		return nil, fmt.Errorf("nir: graph has no Input node")
	}
	path := []string{start}
	seen := map[string]bool{start: true}
	for cur := start; g.Nodes[cur].Type != "Output"; {
		s := succ[cur]
		if len(s) != 1 {
			return nil, fmt.Errorf("nir: not a feed-forward chain: node %s has %d successors %v", cur, len(s), s)
		}
		cur = s[0]
		if seen[cur] {
			return nil, fmt.Errorf("nir: not a feed-forward chain: node %s is reached twice (a recurrent graph)", cur)
		}
		if len(pred[cur]) != 1 {
			return nil, fmt.Errorf("nir: not a feed-forward chain: node %s has %d inputs %v", cur, len(pred[cur]), pred[cur])
		}
		seen[cur] = true
		path = append(path, cur)
	}
	if len(seen) != len(g.Nodes) {
		return nil, fmt.Errorf("nir: graph has %d nodes off the path from input to output", len(g.Nodes)-len(seen))
	}
	return path, nil
}

// projection decodes an Affine or Linear node into a Dense of in inputs.
func projection(name string, nd *Node, in int) (*networks.Dense, error) {
	w := nd.Params["weight"]
	if len(w.Shape) != 2 {
		return nil, fmt.Errorf("nir: %s: weight of shape %v: braingo reads 2-D weights", name, w.Shape)
	}
	out := w.Shape[0]
	if w.Shape[1] != in {
		return nil, fmt.Errorf("nir: %s: weight of shape %v takes %d inputs, the previous layer gives %d", name, w.Shape, w.Shape[1], in)
	}
	wv := toF32(w)
	wd := make([]float32, in*out)
	for o := 0; o < out; o++ {
		for i := 0; i < in; i++ {
			wd[i*out+o] = wv[o*in+i]
		}
	}
	d := &networks.Dense{W: tensor.NewParam(name+".weight", []int{in, out}, wd)}
	if nd.Type == "Affine" {
		d.B = tensor.NewParam(name+".bias", []int{out}, toF32(nd.Params["bias"]))
	}
	return d, nil
}

func toF32(a *Array) []float32 {
	if a.Type == hdf5.Float32 {
		return append([]float32(nil), a.F32...)
	}
	f := a.Float()
	out := make([]float32, len(f))
	for i, v := range f {
		out[i] = float32(v)
	}
	return out
}

// applyGain gives d the per-output factors g: one factor as d.Gain, or
// folded into the weights and bias when they differ.
func applyGain(d *networks.Dense, g []float64) error {
	out := d.Out()
	if len(g) != out {
		return fmt.Errorf("nir: a gain of %d values for %d outputs", len(g), out)
	}
	if uniform(g) {
		if g[0] != 1 {
			cur := float64(d.Gain)
			if cur == 0 {
				cur = 1
			}
			d.Gain = float32(cur * g[0])
		}
		return nil
	}
	foldGain(d, g)
	return nil
}

// ToFeedForward converts a NIR graph that is a chain input -> [Flatten] ->
// (Affine|Linear -> [Scale] -> neuron)... -> output into a feed-forward
// network; nested subgraphs are flattened first. Its blocks are named
// hidden1, hidden2, ..., output and its projections fc1, fc2, ...
func ToFeedForward(g *Node, o Options) (*networks.FeedForward, error) {
	im, err := newImporter(g, o)
	if err != nil {
		return nil, err
	}
	f, err := Flatten(g)
	if err != nil {
		return nil, err
	}
	path, err := chain(f)
	if err != nil {
		return nil, err
	}
	in, err := units(f.Nodes[path[0]].Params["shape"].I64)
	if err != nil {
		return nil, fmt.Errorf("nir: %s: %v", path[0], err)
	}
	net := &networks.FeedForward{}
	i := 1
	for i < len(path)-1 && f.Nodes[path[i]].Type == "Flatten" {
		i++
	}
	for i < len(path)-1 {
		delay := 0
		if nd := f.Nodes[path[i]]; nd.Type == "Delay" {
			if delay, err = im.delaySteps(path[i], param(nd, "delay"), in); err != nil {
				return nil, err
			}
			i++
		}
		name := path[i]
		nd := f.Nodes[name]
		if nd.Type != "Affine" && nd.Type != "Linear" {
			return nil, fmt.Errorf("nir: %s: expected an Affine or Linear node, got %s (braingo reads chains of projection, optional Scale, neuron)", name, nd.Type)
		}
		k := len(net.Blocks) + 1
		d, err := projection(fmt.Sprintf("fc%d", k), nd, in)
		if err != nil {
			return nil, err
		}
		i++
		if i < len(path)-1 && f.Nodes[path[i]].Type == "Scale" {
			s := param(f.Nodes[path[i]], "scale")
			if len(s) == 1 {
				s = fill(d.Out(), s[0])
			}
			if err := applyGain(d, s); err != nil {
				return nil, fmt.Errorf("nir: %s: %v", path[i], err)
			}
			i++
		}
		if i >= len(path)-1 {
			return nil, fmt.Errorf("nir: %s is not followed by a neuron node", name)
		}
		nname := path[i]
		nu, err := im.neuron(nname, f.Nodes[nname])
		if err != nil {
			return nil, err
		}
		nu.broadcast(d.Out())
		if len(nu.beta) != d.Out() {
			return nil, fmt.Errorf("nir: %s has %d neurons, %s gives %d outputs", nname, len(nu.beta), name, d.Out())
		}
		if err := applyGain(d, nu.gain); err != nil {
			return nil, fmt.Errorf("nir: %s: %v", nname, err)
		}
		if err := finite(name, d); err != nil {
			return nil, err
		}
		bname := fmt.Sprintf("hidden%d", k)
		last := i == len(path)-2
		if last {
			bname = "output"
		}
		cell, err := nu.cell(bname)
		if err != nil {
			return nil, err
		}
		net.Blocks = append(net.Blocks, networks.Block{Name: bname, Proj: d, Cell: cell, Delay: delay})
		in = d.Out()
		i++
	}
	if len(net.Blocks) == 0 {
		return nil, fmt.Errorf("nir: graph has no layers")
	}

	want, err := units(f.Nodes[path[len(path)-1]].Params["shape"].I64)
	if err != nil {
		return nil, fmt.Errorf("nir: %s: %v", path[len(path)-1], err)
	}
	if want != in {
		return nil, fmt.Errorf("nir: Output shape %v, the last layer has %d neurons", f.Nodes[path[len(path)-1]].Params["shape"].I64, in)
	}
	im.done("the NIR file")
	return net, nil
}

// ToRSNN converts a NIR graph of the shape FromRSNN writes (or snnTorch's
// RSynaptic export: the recurrent part nested as a subgraph) into a
// recurrent spiking network.
func ToRSNN(g *Node, o Options) (*networks.RSNN, error) {
	im, err := newImporter(g, o)
	if err != nil {
		return nil, err
	}
	f, err := Flatten(g)
	if err != nil {
		return nil, err
	}
	succ, pred := map[string][]string{}, map[string][]string{}
	for _, e := range f.Edges {
		succ[e.From] = append(succ[e.From], e.To)
		pred[e.To] = append(pred[e.To], e.From)
	}
	one := func(what, name string, list []string, types ...string) (string, error) {
		if len(list) != 1 {
			return "", fmt.Errorf("nir: %s: expected one %s, found %d %v", name, what, len(list), list)
		}
		if t := f.Nodes[list[0]].Type; !slices.Contains(types, t) {
			return "", fmt.Errorf("nir: %s: its %s %s is a %s node, expected %s", name, what, list[0], t, strings.Join(types, " or "))
		}
		return list[0], nil
	}
	var input string
	for _, name := range sortedKeys(f.Nodes) {
		if f.Nodes[name].Type == "Input" {
			input = name
		}
	}
	if input == "" {
		return nil, fmt.Errorf("nir: graph has no Input node")
	}
	inName, err := one("successor", input, succ[input], "Affine", "Linear")
	if err != nil {
		return nil, err
	}
	lifName, err := one("successor", inName, succ[inName], "LIF", "CubaLIF")
	if err != nil {
		return nil, err
	}
	var recName, outName string
	for _, s := range succ[lifName] {
		if slices.Contains(succ[s], lifName) {
			recName = s
		} else {
			outName = s
		}
	}
	if recName == "" || outName == "" || len(succ[lifName]) != 2 || len(pred[lifName]) != 2 {
		return nil, fmt.Errorf("nir: %s: a recurrent layer needs one recurrent projection back to itself and one projection out (has successors %v, inputs %v)", lifName, succ[lifName], pred[lifName])
	}
	if t := f.Nodes[recName].Type; t != "Affine" && t != "Linear" || len(succ[recName]) != 1 {
		return nil, fmt.Errorf("nir: %s: the recurrent projection must be an Affine or Linear node feeding only %s", recName, lifName)
	}
	if t := f.Nodes[outName].Type; t != "Affine" && t != "Linear" {
		return nil, fmt.Errorf("nir: %s: expected the readout projection (Affine or Linear), got %s", outName, t)
	}
	// The readout: an LI node, or none (the projection straight to the
	// output: an LI of decay 0).
	roName, err := one("successor", outName, succ[outName], "LI", "I", "Output")
	if err != nil {
		return nil, err
	}
	if f.Nodes[roName].Type != "Output" {
		if _, err := one("successor", roName, succ[roName], "Output"); err != nil {
			return nil, err
		}
	}
	nin, err := units(f.Nodes[input].Params["shape"].I64)
	if err != nil {
		return nil, fmt.Errorf("nir: %s: %v", input, err)
	}
	in, err := projection("rsnn.in", f.Nodes[inName], nin)
	if err != nil {
		return nil, err
	}
	units := in.Out()
	rec, err := projection("rsnn.rec", f.Nodes[recName], units)
	if err != nil {
		return nil, err
	}
	if rec.Out() != units {
		return nil, fmt.Errorf("nir: %s: recurrent weight of %d outputs for %d neurons", recName, rec.Out(), units)
	}
	out, err := projection("rsnn.out", f.Nodes[outName], units)
	if err != nil {
		return nil, err
	}
	nu, err := im.neuron(lifName, f.Nodes[lifName])
	if err != nil {
		return nil, err
	}
	nu.broadcast(units)
	if len(nu.beta) != units {
		return nil, fmt.Errorf("nir: %s has %d neurons, %s gives %d", lifName, len(nu.beta), inName, units)
	}
	if !uniform(nu.beta) || (nu.alpha != nil && !uniform(nu.alpha)) {
		return nil, fmt.Errorf("nir: %s: decays differ between neurons; braingo's RSNN has one", lifName)
	}
	// The neuron's input factor scales both the input and the recurrent
	// current; RSNN has no gains, so it goes into the weights.
	if !uniform(nu.gain) || nu.gain[0] != 1 {
		foldGain(in, nu.gain)
		foldGain(rec, nu.gain)
	}
	ro := &neuron{kind: "li", beta: make([]float32, out.Out()), gain: fill(out.Out(), 1)}
	if f.Nodes[roName].Type != "Output" {
		if ro, err = im.neuron(roName, f.Nodes[roName]); err != nil {
			return nil, err
		}
		ro.broadcast(out.Out())
	}
	if ro.kind != "li" || !uniform(ro.beta) || len(ro.beta) != out.Out() {
		return nil, fmt.Errorf("nir: %s: braingo's RSNN reads out through an LI node of one decay", roName)
	}
	if !uniform(ro.gain) || ro.gain[0] != 1 {
		foldGain(out, ro.gain)
	}
	net := &networks.RSNN{In: in, Rec: rec.W, RecB: rec.B, Out: out, Neuron: "lif",
		LIF:     snn.LIF{Beta: nu.beta[0], Threshold: nu.threshold, Reset: nu.reset},
		OutBeta: ro.beta[0]}
	if nu.kind == "synaptic" {
		net.InBeta = nu.alpha[0]
		if net.InBeta == 0 {
			return nil, fmt.Errorf("nir: %s: a synaptic current decay of 0 is a LIF; write it as one", lifName)
		}
	}
	if m := g.Metadata[metaBinary]; m != nil && len(m.Float()) == 1 && m.Float()[0] != 0 {
		net.BinaryInput = true
	}
	for _, p := range []struct {
		name string
		d    *networks.Dense
	}{{inName, in}, {recName, rec}, {outName, out}} {
		if err := finite(p.name, p.d); err != nil {
			return nil, err
		}
	}
	im.done("the NIR file")
	return net, nil
}

// finite checks that a projection read from a file holds finite float32
// weights, bias and gain: float64 values beyond float32's range, or input
// factors folded into the weights, can overflow.
func finite(name string, d *networks.Dense) error {
	bad := func(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) }
	if bad(d.Gain) {
		return fmt.Errorf("nir: %s: input gain %v is beyond float32", name, d.Gain)
	}
	for i, v := range d.W.Data {
		if bad(v) {
			return fmt.Errorf("nir: %s: weight %d is %v in float32 (the file's value, times any input factor of the neurons, is beyond float32's range)", name, i, v)
		}
	}
	if d.B != nil {
		for i, v := range d.B.Data {
			if bad(v) {
				return fmt.Errorf("nir: %s: bias %d is %v in float32 (beyond float32's range)", name, i, v)
			}
		}
	}
	return nil
}

// foldGain multiplies the weights and bias of output o by g[o].
func foldGain(d *networks.Dense, g []float64) {
	out := d.Out()
	for i := 0; i < d.In(); i++ {
		for o := 0; o < out; o++ {
			d.W.Data[i*out+o] *= float32(g[o])
		}
	}
	if d.B != nil {
		for o := range d.B.Data {
			d.B.Data[o] *= float32(g[o])
		}
	}
}

// noNIRReason says what of a neuron model NIR's primitives cannot express.
func noNIRReason(neuron string) string {
	switch neuron {
	case "gif":
		return "their after-spike currents cannot be expressed"
	case "izhikevich":
		return "their quadratic membrane and recovery variable cannot be expressed"
	case "adex":
		return "their exponential spike current and adaptation current cannot be expressed"
	case "hh":
		return "their sodium and potassium gates cannot be expressed"
	}
	return "NIR has no primitive for them"
}
