package trainer

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// epropNet is a small RSNN whose neurons fire now and then, with a wide
// triangle pseudo-derivative so that most steps carry a learning signal.
func epropNet(neuron string, inh int, seed uint64) *networks.RSNN {
	return epropNetN(neuron, inh, 5, seed)
}

func epropNetN(neuron string, inh, units int, seed uint64) *networks.RSNN {
	net := networks.NewRSNN("r", networks.RSNNConfig{Inputs: 3, Units: units, Outputs: 2, Neuron: neuron,
		Inhibitory: inh, NoSelf: inh > 0, InitScale: 1.5}, rand.New(rand.NewPCG(seed, 3)))
	sg := surrogate.Triangle{Alpha: 0.3, Width: 2}
	net.LIF = snn.LIF{Beta: 0.9, Surrogate: sg}
	net.ALIF = snn.ALIF{Beta: 0.9, Rho: 0.8, BetaA: 0.5, Surrogate: sg}
	net.OutBeta = 0.7
	r := rand.New(rand.NewPCG(seed, 5))
	for _, p := range net.Params() {
		if len(p.Shape) == 1 {
			for i := range p.Data {
				p.Data[i] = float32(0.2 * r.NormFloat64())
			}
		}
	}
	return net
}

// epropData is a sequence of inputs and target weights (nil rows before
// step 4).
func epropData(steps, batch, nin, nout int, seed uint64) (xs, ts [][]float32) {
	r := rand.New(rand.NewPCG(seed, 7))
	for t := range steps {
		x := make([]float32, batch*nin)
		for i := range x {
			x[i] = float32(r.Float64() * 1.2)
		}
		xs = append(xs, x)
		if t < 4 {
			ts = append(ts, nil)
			continue
		}
		tg := make([]float32, batch*nout)
		for i := range tg {
			tg[i] = float32(r.Float64())
		}
		ts = append(ts, tg)
	}
	return xs, ts
}

// bpttReference runs net on the tape and returns its loss: the e-prop
// loss (cross-entropy against target weights, plus the rate regularizer)
// with the recurrent input S[t−1]·W_rec detached when truncated.
func bpttReference(net *networks.RSNN, xs, ts [][]float32, batch int, lambda, target float32, truncated bool) float64 {
	for _, p := range net.Params() {
		p.Grad = nil
	}
	tp := tensor.NewTape()
	nu, no := net.Units(), net.Outputs()
	u, b, s := tensor.Zeros(batch, nu), tensor.Zeros(batch, nu), tensor.Zeros(batch, nu)
	o := tensor.Zeros(batch, no)
	w := net.Rec
	if net.Sign != nil || net.NoSelf {
		m := make([]float32, nu*nu)
		for i := range nu {
			for j := range nu {
				if i != j || !net.NoSelf {
					m[i*nu+j] = net.Sign[i]
				}
			}
		}
		w = tp.Mul(tp.Abs(w), tensor.New(w.Shape, m))
	}
	var loss *tensor.Tensor
	var spikes []*tensor.Tensor
	for t, x := range xs {
		recIn := s
		if truncated {
			recIn = s.Detach()
		}
		c := tp.Add(tp.Add(net.In.Forward(tp, tensor.New([]int{batch, net.Inputs()}, x)), tp.MatMul(recIn, w, false, false)), net.RecB)
		if net.Neuron == "alif" {
			ns := net.ALIF.Forward(tp, snn.ALIFState{U: u, B: b, S: s}, c)
			u, b, s = ns.U, ns.B, ns.S
		} else {
			u, s = net.LIF.Forward(tp, u, c)
		}
		spikes = append(spikes, s)
		o = snn.LI{Beta: net.OutBeta}.Forward(tp, o, net.Out.Forward(tp, s))
		if ts[t] != nil {
			l := tp.Scale(tp.Sum(tp.Mul(tp.LogSoftmax(o), tensor.New(o.Shape, ts[t]))), -1)
			if loss == nil {
				loss = l
			} else {
				loss = tp.Add(loss, l)
			}
		}
	}
	if lambda != 0 {
		loss = tp.Add(loss, RateRegularizer(tp, spikes, lambda, target))
	}
	v := float64(loss.Item())
	tp.Backward(loss)
	return v
}

// runEProp runs e-prop over the sequence and returns the rule.
func runEProp(t *testing.T, net *networks.RSNN, xs, ts [][]float32, batch int, cfg EPropConfig) *EProp {
	t.Helper()
	for _, p := range net.Params() {
		p.Grad = nil
	}
	run, err := net.NewRun(batch)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEProp(run, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		run.Step(x)
		if err := e.Step(Signal{Target: ts[i], Learn: true}); err != nil {
			t.Fatal(err)
		}
	}
	e.Reset()
	return e
}

func grads(net *networks.RSNN) [][]float32 {
	var g [][]float32
	for _, p := range net.Params() {
		g = append(g, append([]float32(nil), p.Grad...))
	}
	return g
}

// maxDiff returns max |a − b| over all gradients relative to the largest
// |b|, and that largest |b|.
func maxDiff(a, b []float32) (rel, scale float64) {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
		scale = math.Max(scale, math.Abs(float64(b[i])))
	}
	return d / math.Max(scale, 1e-12), scale
}

// With the gradient through the recurrent input S[t−1]·W_rec cut, BPTT
// computes e-prop's gradient exactly (Bellec et al. 2020, eq. 3 with the
// learning signal's recurrent terms dropped): every parameter's gradient,
// with the rate regularizer, for LIF and ALIF, with and without Dale's
// law, with a leaky readout and a one-step-in-time one (κ = 0). Full BPTT
// differs, so the comparison can fail.
func TestEPropEqualsTruncatedBPTT(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, c := range []struct {
		neuron  string
		inh     int
		outBeta float32
	}{{"lif", 0, 0.7}, {"lif", 2, 0.7}, {"alif", 0, 0.7}, {"alif", 2, 0.7}, {"lif", 0, 0}, {"alif", 0, 0}} {
		neuron, inh := c.neuron, c.inh
		{
			net := epropNet(neuron, inh, 11)
			net.OutBeta = c.outBeta // 0: the one-step-in-time readout of the issue
			const batch = 2
			xs, ts := epropData(20, batch, net.Inputs(), net.Outputs(), 1)
			cfg := EPropConfig{RateReg: 0.3, RateTarget: 0.1}
			e := runEProp(t, net, xs, ts, batch, cfg)
			got := grads(net)
			loss := bpttReference(net, xs, ts, batch, 0.3, 0.1, true)
			want := grads(net)
			if math.Abs(loss-e.lastLoss) > 1e-4*(1+math.Abs(loss)) {
				t.Errorf("%s inh %d κ %v: e-prop loss %v, BPTT %v", neuron, inh, c.outBeta, e.lastLoss, loss)
			}
			for i, p := range net.Params() {
				rel, scale := maxDiff(got[i], want[i])
				if scale == 0 {
					t.Fatalf("%s inh %d: %s has no gradient", neuron, inh, p.Name)
				}
				if rel > 2e-4 {
					t.Errorf("%s inh %d κ %v: %s differs from truncated BPTT by %.2g of its scale %.3g\ne-prop %v\nBPTT   %v", neuron, inh, c.outBeta, p.Name, rel, scale, got[i], want[i])
				}
			}
			bpttReference(net, xs, ts, batch, 0.3, 0.1, false)
			full := grads(net)
			var rel float64
			for i := range full {
				r, _ := maxDiff(got[i], full[i])
				rel = math.Max(rel, r)
			}
			if rel < 1e-2 {
				t.Errorf("%s inh %d: full BPTT's gradients equal e-prop's (%.2g): the test cannot tell them apart", neuron, inh, rel)
			}
		}
	}
}

// Eligibility traces of a 2-neuron ALIF network with one input, computed
// by hand over three steps (β = ρ = κ = 0.5, β_a = 1, θ = 1, triangle
// pseudo-derivative ψ = 0.3·max(0, 1 − |U − A|)):
//
//	t=0: x=1, U=[0.8, 1.5], A=[1, 1], S=[0, 1], ψ=[0.24, 0.15]
//	     input row: z̄=1, ε^B=0, e=ψ=[0.24, 0.15]
//	t=1: x=1, c=[0.8+0.2, 1.5], B=[0, 0.5], U=[1.4, 1.25], A=[1, 1.5], S=[1, 0], ψ=[0.18, 0.225]
//	     ε^B=0.5·ψ(0)·1=[0.12, 0.075], z̄=1.5, e=ψ·(1.5−ε^B)=[0.2484, 0.320625]
//	     ē=0.5·[0.24, 0.15]+e=[0.3684, 0.395625]; recurrent row of neuron 1: z̄=1, e=ψ
//	t=2: x=0, c=[0, 0.5], B=[0.5, 0.25], U=[−0.3, 1.125], A=[1.5, 1.25], S=[0, 0], ψ=[0, 0.2625]
//	     ε^B=0.5·ψ(1)·1.5+(0.5−0.5·ψ(1))·ε^B=[0.1842, 0.1978125], z̄=0.75
//	     e=ψ·(0.75−ε^B)=[0, 0.14494921875], ē=[0.1842, 0.34276171875]
func TestEPropTracesByHand(t *testing.T) {
	net := networks.NewRSNN("r", networks.RSNNConfig{Inputs: 1, Units: 2, Outputs: 1, Neuron: "alif"}, rand.New(rand.NewPCG(1, 1)))
	copy(net.In.W.Data, []float32{0.8, 1.5})
	copy(net.Rec.Data, []float32{0, 0.5, 0.2, 0})
	clear(net.In.B.Data)
	clear(net.RecB.Data)
	net.ALIF = snn.ALIF{Beta: 0.5, Rho: 0.5, BetaA: 1, Surrogate: surrogate.Triangle{}}
	net.OutBeta = 0.5
	run, err := net.NewRun(1)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEProp(run, EPropConfig{})
	if err != nil {
		t.Fatal(err)
	}
	spikes := [][]float32{{0, 1}, {1, 0}, {0, 0}}
	fe := [][]float64{{0.24, 0.15}, {0.3684, 0.395625}, {0.1842, 0.34276171875}}
	eb := [][]float64{{0, 0}, {0.12, 0.075}, {0.1842, 0.1978125}}
	zbar := []float64{1, 1.5, 0.75}
	check := func(what string, step int, got []float32, want []float64) {
		t.Helper()
		for j, w := range want {
			if math.Abs(float64(got[j])-w) > 1e-6 {
				t.Fatalf("step %d: %s = %v, want %v", step, what, got[:len(want)], want)
			}
		}
	}
	for step, x := range []float32{1, 1, 0} {
		run.Step([]float32{x})
		if err := e.Step(Signal{}); err != nil {
			t.Fatal(err)
		}
		check("spikes", step, run.S, []float64{float64(spikes[step][0]), float64(spikes[step][1])})
		check("z̄ of the input", step, e.zbar[:1], zbar[step:step+1])
		check("ε^B of the input synapses", step, e.epsB[:2], eb[step])
		check("ē of the input synapses", step, e.fe[:2], fe[step])
		// Presynaptic row 3 (after the input, the biases and neuron 0) is
		// neuron 1's: its spike at t=0 reaches it at t=1, where ē = e =
		// ψ(1)·z̄ = [0.18, 0.225].
		if step == 1 {
			check("ē of neuron 1's synapses", step, e.fe[3*2:4*2], []float64{0.18, 0.225})
			check("z̄ of neuron 1", step, e.zbar[3:4], []float64{1})
		}
	}
}

// With sig.Learn false the traces advance but no gradient is written;
// a target of the wrong length and a non-finite readout are errors.
func TestEPropLearnOffAndErrors(t *testing.T) {
	net := epropNet("alif", 0, 3)
	xs, ts := epropData(10, 2, net.Inputs(), net.Outputs(), 2)
	for _, p := range net.Params() {
		p.Grad = nil
	}
	run, _ := net.NewRun(2)
	e, _ := NewEProp(run, EPropConfig{RateReg: 1})
	for i, x := range xs {
		run.Step(x)
		if err := e.Step(Signal{Target: ts[i]}); err != nil {
			t.Fatal(err)
		}
	}
	e.Reset()
	for _, p := range net.Params() {
		for _, g := range p.Grad {
			if g != 0 {
				t.Fatalf("%s has a gradient with learning off", p.Name)
			}
		}
	}
	if err := e.Step(Signal{Target: make([]float32, 3), Learn: true}); err == nil {
		t.Fatal("no error for a target of 3 values")
	}
	run.O[0] = float32(math.NaN())
	if err := e.Step(Signal{Target: make([]float32, 4), Learn: true}); err == nil {
		t.Fatal("no error for a NaN readout")
	}
	if _, err := NewEProp(run, EPropConfig{Feedback: "mirror"}); err == nil {
		t.Fatal("no error for an unknown feedback")
	}
	net.InBeta = 0.5
	if _, err := NewEProp(run, EPropConfig{}); err == nil {
		t.Fatal("no error for an input stage")
	}
}

// Random feedback changes the hidden layer's gradients but not the
// readout's; adaptive feedback receives the readout's gradient (plus its
// decay), so that B − W_outᵀ shrinks under equal optimizer steps.
func TestEPropFeedbackModes(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	net := epropNet("alif", 0, 5)
	xs, ts := epropData(15, 2, net.Inputs(), net.Outputs(), 3)
	runEProp(t, net, xs, ts, 2, EPropConfig{})
	sym := grads(net)
	runEProp(t, net, xs, ts, 2, EPropConfig{Feedback: FeedbackRandom, Seed: 9})
	rnd := grads(net)
	if rel, _ := maxDiff(rnd[4], sym[4]); rel > 1e-6 {
		t.Errorf("random feedback changed the readout gradient by %.2g", rel)
	}
	if rel, _ := maxDiff(rnd[0], sym[0]); rel < 1e-2 {
		t.Errorf("random feedback left the input gradient as it was (%.2g)", rel)
	}
	e := runEProp(t, net, xs, ts, 2, EPropConfig{Feedback: FeedbackAdaptive, Seed: 9, FeedbackDecay: 0.1})
	ad := grads(net)
	if rel, _ := maxDiff(ad[0], rnd[0]); rel > 1e-6 {
		t.Errorf("adaptive and random feedback from the same seed differ before any step (%.2g)", rel)
	}
	scored := 0
	for _, tg := range ts {
		if tg != nil {
			scored++
		}
	}
	want := make([]float32, len(ad[4]))
	for i := range want {
		want[i] = ad[4][i] + float32(0.1*float64(scored))*e.Feedback.Data[i]
	}
	if rel, _ := maxDiff(e.Feedback.Grad, want); rel > 1e-5 {
		t.Errorf("adaptive feedback gradient differs from the readout's plus decay by %.2g", rel)
	}
}

// Memory does not grow with the sequence: the heap in use after 2,000
// steps is what it was after 20, and a step allocates (almost) nothing.
func TestEPropMemoryIndependentOfLength(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	net := epropNet("alif", 0, 7)
	run, _ := net.NewRun(4)
	e, _ := NewEProp(run, EPropConfig{RateReg: 0.1})
	x := make([]float32, 4*net.Inputs())
	tg := make([]float32, 4*net.Outputs())
	for i := range x {
		x[i] = 0.7
	}
	for i := range tg {
		tg[i] = 0.5
	}
	step := func() {
		run.Step(x)
		if err := e.Step(Signal{Target: tg, Learn: true}); err != nil {
			t.Fatal(err)
		}
	}
	heap := func(n int) uint64 {
		for range n {
			step()
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	h0 := heap(20)
	h1 := heap(2000)
	if h1 > h0+64<<10 {
		t.Fatalf("heap grew from %d to %d bytes over 2,000 steps", h0, h1)
	}
	if a := testing.AllocsPerRun(100, step); a > 2 && !raceEnabled {
		t.Fatalf("%.1f allocations per step", a)
	}
	before := e.StateFloats()
	step()
	if e.StateFloats() != before {
		t.Fatal("trace state changed size")
	}
}

// Same seed, same bits, whatever the thread count: the rows of the traces
// are split among goroutines, each row's sums in a fixed order.
func TestEPropDeterministic(t *testing.T) {
	var ref [][]float32
	for _, threads := range []int{1, 2, 1} {
		prev := kernels.SetThreads(threads)
		net := epropNetN("alif", 6, 40, 13) // 44 presynaptic rows: several chunks
		xs, ts := epropData(30, 3, net.Inputs(), net.Outputs(), 4)
		runEProp(t, net, xs, ts, 3, EPropConfig{RateReg: 0.2, Feedback: FeedbackRandom, Seed: 3})
		kernels.SetThreads(prev)
		g := grads(net)
		if ref == nil {
			ref = g
			if _, scale := maxDiff(g[2], g[2]); scale == 0 {
				t.Fatal("no recurrent gradient: the network is silent")
			}
			continue
		}
		for i := range g {
			for k := range g[i] {
				if math.Float32bits(g[i][k]) != math.Float32bits(ref[i][k]) {
					t.Fatalf("threads %d: gradient %d[%d] is %v, was %v", threads, i, k, g[i][k], ref[i][k])
				}
			}
		}
	}
}
