package networks

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// cellNeurons are the RSNN neurons stepped by an snn cell.
var cellNeurons = []string{"izhikevich", "adex", "hh"}

// cellRSNN is a tiny RSNN of a cell model at 1-ms steps (HH at 0.5 ms)
// with a current gain that makes it fire within a few steps.
func cellRSNN(neuron string, sg surrogate.Func, fullHH bool) *RSNN {
	net := NewRSNN("rsnn", RSNNConfig{Inputs: 4, Units: 6, Outputs: 2, Neuron: neuron, Inhibitory: 2, NoSelf: true, InitScale: 2}, rand.New(rand.NewPCG(9, 9)))
	net.InBeta, net.OutBeta = 0.5, 0.8
	setCell(net, sg, fullHH)
	return net
}

// setCell gives net's cell neurons 1-ms steps (HH 0.5 ms) and a current
// gain that makes them fire within a few steps.
func setCell(net *RSNN, sg surrogate.Func, fullHH bool) {
	switch net.Neuron {
	case "izhikevich":
		net.Cell = snn.IzhikevichCell{Izhikevich: snn.Izhikevich{Dt: 1, Surrogate: sg}}
		net.Gain = 40
	case "adex":
		net.Cell = snn.AdExCell{AdEx: snn.AdEx{Dt: 1, Surrogate: sg}}
		net.Gain = 5000
	case "hh":
		net.Cell = snn.HHCell{HH: snn.HH{Model: snn.TraubMiles(0.5), Scale: 40, Surrogate: sg, DetachGates: !fullHH}}
		net.Gain = 3000
	}
}

// noGrad is a surrogate of derivative 0: the spikes pass no gradient, so
// the tape's gradient is the exact derivative of the network at its fixed
// spike pattern, which central differences see as long as no spike flips.
type noGrad struct{}

func (noGrad) Name() string           { return "none" }
func (noGrad) Grad(x float32) float32 { return 0 }

// cellLoss runs net on the inputs xs (one batch × inputs tensor per step)
// and returns Σ_t (o[t]·R + ((v[t] − v_rest)/10 mV)·Q) with fixed
// pseudo-random R and Q, v the cell's membrane (relative to rest, to keep
// the float32 sums small): the readout sees the spikes, the membrane term
// the whole state's path through time. It also returns the spikes of
// every step, in order.
func cellLoss(tp *tensor.Tape, net *RSNN, xs []*tensor.Tensor) (*tensor.Tensor, []float32) {
	r := rand.New(rand.NewPCG(3, 3))
	fixed := func(shape ...int) *tensor.Tensor {
		d := make([]float32, shape[0]*shape[1])
		for i := range d {
			d[i] = float32(r.NormFloat64())
		}
		return tensor.New(shape, d)
	}
	batch := xs[0].Shape[0]
	st := net.Start(tp, batch, nil, nil)
	rest := st.State()[2].Data[0]
	var loss *tensor.Tensor
	var spikes []float32
	for _, x := range xs {
		o, s := st.Step(x)
		spikes = append(spikes, s.Data...)
		v := st.State()[2]
		term := tp.Add(tp.Sum(tp.Mul(o, fixed(batch, net.Outputs()))), tp.Sum(tp.Mul(tp.Scale(tp.AddScalar(v, -rest), 0.1), fixed(batch, net.Units()))))
		if loss == nil {
			loss = term
		} else {
			loss = tp.Add(loss, term)
		}
	}
	return loss, spikes
}

func count(s []float32) int {
	n := 0
	for _, v := range s {
		n += int(v)
	}
	return n
}

func samePattern(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkFixedPattern compares the tape's gradient of f for every element
// of ps with central differences taken where no spike flips: the step
// starts at 1e-3 and is divided by 3 (down to about 1e-5) until both
// evaluations give the spike pattern of the unperturbed run. An element
// without such a step is skipped; more than a tenth skipped fails.
func checkFixedPattern(t *testing.T, f func(tp *tensor.Tape) (*tensor.Tensor, []float32), ps ...*tensor.Tensor) {
	t.Helper()
	for _, p := range ps {
		p.Grad = nil
	}
	tp := tensor.NewTape()
	l, base := f(tp)
	tp.Backward(l)
	checked, skipped := 0, 0
	for _, p := range ps {
		for i := range p.Data {
			an := float64(p.Grad[i])
			old := p.Data[i]
			ok := false
			for eps := float32(1e-3); eps > 1e-5; eps /= 3 {
				p.Data[i] = old + eps
				lp, sp := f(nil)
				p.Data[i] = old - eps
				lm, sm := f(nil)
				p.Data[i] = old
				if !samePattern(base, sp) || !samePattern(base, sm) {
					continue
				}
				num := float64(lp.Item()-lm.Item()) / float64(2*eps)
				// float32 rounding of the loss, divided by the step
				noise := 4 * 6e-8 * 100 * math.Max(1, math.Abs(float64(l.Item()))) / float64(2*eps)
				if math.Abs(an-num) > noise+2e-2*math.Max(math.Abs(num), math.Abs(an)) {
					t.Fatalf("%s[%d]: analytic %v, numeric %v (step %v)", p.Name, i, an, num, eps)
				}
				ok = true
				break
			}
			if ok {
				checked++
			} else {
				skipped++
			}
		}
	}
	if skipped*10 > checked+skipped {
		t.Fatalf("%d of %d elements skipped: a spike flips at every step", skipped, checked+skipped)
	}
}

func cellInputs(steps, batch, inputs int) []*tensor.Tensor {
	r := rand.New(rand.NewPCG(5, 5))
	xs := make([]*tensor.Tensor, steps)
	for t := range xs {
		d := make([]float32, batch*inputs)
		for i := range d {
			d[i] = r.Float32()
		}
		xs[t] = tensor.NewParam("x", []int{batch, inputs}, d)
	}
	return xs
}

// The gradients of an RSNN of each cell model against central finite
// differences through 8 steps, for the inputs, the input, recurrent and
// readout weights and biases: with a surrogate of derivative 0 the tape's
// gradient is exact at the fixed spike pattern (the detached reset is the
// true derivative of a reset to a constant), so this checks the cell's
// Jacobian through time, the current gain, the input stage, the recurrent
// product of the fixed spikes and the readout. HH is checked with its full
// Jacobian (hh_gradient full); the surrogate terms and HH's
// membrane-only backward are the cells' own (snn's tests).
func TestRSNNCellGradFD(t *testing.T) {
	for _, neuron := range cellNeurons {
		t.Run(neuron, func(t *testing.T) {
			net := cellRSNN(neuron, noGrad{}, true)
			xs := cellInputs(8, 3, net.Inputs())
			_, spikes := cellLoss(nil, net, xs)
			if count(spikes) == 0 {
				t.Fatal("no spikes: the recurrent weights would be checked against nothing")
			}
			ps := append(append([]*tensor.Tensor(nil), xs...), net.In.W, net.In.B, net.Rec, net.RecB, net.Out.W, net.Out.B)
			checkFixedPattern(t, func(tp *tensor.Tape) (*tensor.Tensor, []float32) { return cellLoss(tp, net, xs) }, ps...)
			// The recurrent weights' gradient is not zero: the spikes
			// reach the membrane through them.
			nz := 0
			for _, g := range net.Rec.Grad {
				if g != 0 {
					nz++
				}
			}
			if nz == 0 {
				t.Fatal("zero recurrent gradient")
			}
		})
	}
}

// With a real surrogate the spikes pass gradient too: the cell models'
// networks train through them (a gradient reaches the input weights from
// a loss on the readout alone, which sees only spikes).
func TestRSNNCellSurrogatePath(t *testing.T) {
	for _, neuron := range cellNeurons {
		t.Run(neuron, func(t *testing.T) {
			net := cellRSNN(neuron, surrogate.FastSigmoid{}, false)
			tp := tensor.NewTape()
			out := runSeq(tp, net, 3, 8, false, 0)
			tp.Backward(tp.Sum(tp.Square(out)))
			nz := 0
			for _, g := range net.In.W.Grad {
				if g != 0 {
					nz++
				}
			}
			if nz == 0 {
				t.Fatal("no gradient reaches the input weights through the spikes")
			}
		})
	}
}

// A cell network starts at the cell's resting state, and Keep restarts a
// column there (not at zero) while the other columns keep their state.
func TestRSNNCellRestAndKeep(t *testing.T) {
	for _, neuron := range cellNeurons {
		t.Run(neuron, func(t *testing.T) {
			net := cellRSNN(neuron, nil, false)
			rest := net.Cell.Init(nil, 2, net.Units())
			tp := tensor.NewTape()
			st := net.Start(tp, 2, nil, nil)
			for j, r := range rest {
				for i, v := range r.Data {
					if st.State()[2+j].Data[i] != v {
						t.Fatalf("state %d[%d] starts at %v, rest %v", j, i, st.State()[2+j].Data[i], v)
					}
				}
			}
			xs := cellInputs(5, 2, net.Inputs())
			for _, x := range xs {
				st.Step(x)
			}
			before := make([][]float32, len(st.State()))
			for i, v := range st.State() {
				before[i] = append([]float32(nil), v.Data...)
			}
			st.Keep([]float32{1, 0})
			n := net.Units()
			for i, v := range st.State() {
				w := v.Len() / 2
				for k := range w {
					if v.Data[k] != before[i][k] {
						t.Fatalf("kept column: state %d[%d] %v, was %v", i, k, v.Data[k], before[i][k])
					}
					want := float32(0)
					if i >= 2 && i < 2+len(rest) {
						want = rest[i-2].Data[n+k]
					}
					if v.Data[w+k] != want {
						t.Fatalf("restarted column: state %d[%d] %v, want %v", i, k, v.Data[w+k], want)
					}
				}
			}
		})
	}
}

// Online runs (e-prop) refuse the cell models and a current gain.
func TestRSNNRunRefusesCellsAndGain(t *testing.T) {
	for _, neuron := range cellNeurons {
		if _, err := cellRSNN(neuron, nil, false).NewRun(2); err == nil {
			t.Errorf("%s: NewRun accepted", neuron)
		}
	}
	net := testRSNN("lif", 0)
	net.Gain = 2
	if _, err := net.NewRun(2); err == nil || !strings.Contains(err.Error(), "gain") {
		t.Errorf("gain 2: NewRun error %v", err)
	}
	net.Gain = 1
	if _, err := net.NewRun(2); err != nil {
		t.Errorf("gain 1: %v", err)
	}
}
