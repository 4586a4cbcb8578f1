package trainer

import (
	"math"
	"math/rand/v2"
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
	net := networks.NewRSNN("r", networks.RSNNConfig{Inputs: 3, Units: 5, Outputs: 2, Neuron: neuron,
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
// law. Full BPTT differs on the recurrent weights, so the comparison can
// fail.
func TestEPropEqualsTruncatedBPTT(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, neuron := range []string{"lif", "alif"} {
		for _, inh := range []int{0, 2} {
			net := epropNet(neuron, inh, 11)
			const batch = 2
			xs, ts := epropData(20, batch, net.Inputs(), net.Outputs(), 1)
			cfg := EPropConfig{RateReg: 0.3, RateTarget: 0.1}
			e := runEProp(t, net, xs, ts, batch, cfg)
			got := grads(net)
			loss := bpttReference(net, xs, ts, batch, 0.3, 0.1, true)
			want := grads(net)
			if math.Abs(loss-e.lastLoss) > 1e-4*(1+math.Abs(loss)) {
				t.Errorf("%s inh %d: e-prop loss %v, BPTT %v", neuron, inh, e.lastLoss, loss)
			}
			for i, p := range net.Params() {
				rel, scale := maxDiff(got[i], want[i])
				if scale == 0 {
					t.Fatalf("%s inh %d: %s has no gradient", neuron, inh, p.Name)
				}
				if rel > 2e-4 {
					t.Errorf("%s inh %d: %s differs from truncated BPTT by %.2g of its scale %.3g\ne-prop %v\nBPTT   %v", neuron, inh, p.Name, rel, scale, got[i], want[i])
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
