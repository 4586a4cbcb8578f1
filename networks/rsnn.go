package networks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// Neurons names the neuron models of RSNN.
var Neurons = []string{"lif", "alif", "gif", "izhikevich", "adex", "hh"}

// RSNN is a recurrent spiking network for tasks: a leaky input stage,
// a recurrent population of LIF, ALIF, GIF, Izhikevich, AdEx or
// Hodgkin-Huxley neurons and a leaky-integrator readout (the BrainPy
// paper's working-memory network, and the LSNN of Bellec et al. with ALIF
// neurons). Per step t, with spikes S[t−1] of the previous step:
//
//	c[t] = x[t]·W_in + b_in + S[t−1]·W_rec + b_rec     (S·W_rec event-driven)
//	a[t] = β_in·a[t−1] + c[t]                          (input stage; a = c when β_in = 0)
//	neurons step on Gain·a[t] → S[t]
//	o[t] = β_out·o[t−1] + S[t]·W_out + b_out           (readout; the output)
//
// The Izhikevich, AdEx and HH neurons are their models' differentiable
// cells from package snn (Cell), the one definition of each: one step of
// the cell per network step, BPTT through its state (for HH, as BrainPy
// trains it), starting from and restarting at the cell's resting state.
//
// The recurrent product adds, for each column, the weight rows of the
// neurons that fired (tensor.SpikeMatMul), in forward and in the weight
// gradient. Under Dale's law (Sign) the recurrent weights are |W_rec|·
// sign(pre), with no self-connections when NoSelf.
type RSNN struct {
	In  *Dense         // (inputs, units), with bias b_in
	Rec *tensor.Tensor // (units, units), pre × post; nil when RecSparse is set
	// RecSparse, when set, holds the recurrent weights instead of Rec: a
	// fixed sparse structure with trainable values (its bias unused; RecB
	// is the recurrent bias). The recurrent product is then the
	// event-driven tensor.CSRSpikeMatMul; Dale's law and NoSelf apply to its
	// values as to Rec's. Online runs (NewRun, e-prop) need a dense Rec.
	RecSparse *Sparse
	RecB      *tensor.Tensor // (units) b_rec, or nil
	Out       *Dense         // (units, outputs)
	// Neuron is "lif", "alif", "gif", "izhikevich", "adex" or "hh"; the
	// matching field holds its parameters (Cell for the last three).
	Neuron string
	LIF    snn.LIF
	ALIF   snn.ALIF
	GIF    snn.GIF
	// Cell is the izhikevich, adex or hh neurons' model: snn.IzhikevichCell,
	// snn.AdExCell or snn.HHCell (NewRSNN sets the model's defaults); nil
	// for the other neurons. Its state follows the input stage and the
	// readout in the stepper's state, then the spikes.
	Cell snn.Cell
	// Gain is a fixed factor on the current a[t] the neurons step on (0 or
	// 1: none). The Izhikevich cell reads its current in mV/ms, AdEx and
	// HH in pA.
	Gain float32
	// InBeta is the input stage's decay per step (0: no input stage);
	// OutBeta the readout's.
	InBeta, OutBeta float32
	// BinaryInput makes the input projection event-driven for spike
	// inputs. A step whose input holds other values (a task's continuous
	// observations) takes the dense product instead (kernels.SpikeMatMul
	// checks), so the currents are x·W either way.
	BinaryInput bool
	Sign        []float32
	NoSelf      bool

	denseRec bool // tests: the recurrent product as a dense MatMul
}

// RSNNConfig configures NewRSNN.
type RSNNConfig struct {
	Inputs, Units, Outputs int
	Neuron                 string // default "lif"
	// Inhibitory is the number of inhibitory units under Dale's law
	// (0: no sign constraint).
	Inhibitory int
	NoSelf     bool
	// RecP, in (0, 1), makes the recurrent weights sparse (RSNN.RecSparse):
	// each pair of units is connected with probability RecP, the structure
	// drawn from RecSeed (kernels.JIT's pattern). 0 or 1: dense.
	RecP    float64
	RecSeed uint64
	// InitScale scales Kaiming-normal initial weights: std
	// InitScale·√(2/fan_in) (default 1). BrainPy's KaimingNormal(scale=s),
	// std √(s/fan_in), is InitScale √(s/2): its working-memory network's
	// s = 0.2 is 0.316.
	InitScale float64
}

// NewRSNN builds a recurrent SNN with Kaiming-normal weights scaled by
// InitScale and zero biases; under Dale's law the excitatory rows are
// divided by E/I (BrainPy's initialization). Neuron parameters are left
// at their zero values for the caller to set; for izhikevich, adex and hh
// Cell holds the model's cell with its defaults (Izhikevich's regular
// spiking cell at 0.5-ms Euler steps, Brette and Gerstner's AdEx at 0.1 ms,
// Traub-Miles HH at 0.1 ms).
func NewRSNN(name string, c RSNNConfig, r *rand.Rand) *RSNN {
	if c.Inputs < 1 || c.Units < 1 || c.Outputs < 1 {
		panic(fmt.Sprintf("networks: NewRSNN sizes %d, %d, %d", c.Inputs, c.Units, c.Outputs))
	}
	if c.InitScale == 0 {
		c.InitScale = 1
	}
	if c.Neuron == "" {
		c.Neuron = "lif"
	}
	n := c.Units
	kaiming := func(pname string, in, out int) *tensor.Tensor {
		sd := c.InitScale * math.Sqrt(2/float64(in))
		w := make([]float32, in*out)
		for i := range w {
			w[i] = float32(r.NormFloat64() * sd)
		}
		return tensor.NewParam(pname, []int{in, out}, w)
	}
	// The recurrent weights, drawn between the input and the readout
	// weights: dense, or (RecP in (0, 1)) sparse, Kaiming normal with the
	// expected fan-in RecP·n.
	var recSparse *Sparse
	rec := func() *tensor.Tensor {
		if !(c.RecP > 0 && c.RecP < 1) {
			return kaiming(name+".rec.weight", n, n)
		}
		sp := &Sparse{Conn: (&kernels.JIT{Rows: n, Cols: n, P: c.RecP, Seed: c.RecSeed, Weight: kernels.HomogeneousWeight(1)}).ToCSR()}
		sp.Conn.Val = nil
		if c.NoSelf {
			sp.Conn = dropDiagonal(sp.Conn)
		}
		sd := c.InitScale * math.Sqrt(2/(c.RecP*float64(n)))
		w := make([]float32, sp.Conn.NNZ())
		for i := range w {
			w[i] = float32(r.NormFloat64() * sd)
		}
		sp.W = tensor.NewParam(name+".rec.weight", []int{len(w)}, w)
		recSparse = sp
		return nil
	}
	net := &RSNN{
		In:     &Dense{W: kaiming(name+".in.weight", c.Inputs, n), B: tensor.NewParam(name+".in.bias", []int{n}, make([]float32, n))},
		Rec:    rec(),
		RecB:   tensor.NewParam(name+".rec.bias", []int{n}, make([]float32, n)),
		Out:    &Dense{W: kaiming(name+".out.weight", n, c.Outputs), B: tensor.NewParam(name+".out.bias", []int{c.Outputs}, make([]float32, c.Outputs))},
		Neuron: c.Neuron,
		NoSelf: c.NoSelf,
	}
	net.RecSparse = recSparse
	switch c.Neuron {
	case "lif", "alif", "gif":
	case "izhikevich":
		net.Cell = snn.IzhikevichCell{}
	case "adex":
		net.Cell = snn.AdExCell{}
	case "hh":
		net.Cell = snn.HHCell{}
	default:
		panic("networks: NewRSNN: unknown neuron " + c.Neuron)
	}
	if c.Inhibitory > 0 {
		ne := n - c.Inhibitory
		net.Sign = make([]float32, n)
		ratio := float32(ne) / float32(c.Inhibitory)
		for i := range n {
			net.Sign[i] = -1
			if i < ne {
				net.Sign[i] = 1
				if sp := net.RecSparse; sp != nil {
					for k := sp.Conn.Ptr[i]; k < sp.Conn.Ptr[i+1]; k++ {
						sp.W.Data[k] /= ratio
					}
					continue
				}
				for j := range n {
					net.Rec.Data[i*n+j] /= ratio
				}
			}
		}
	}
	return net
}

func (n *RSNN) Units() int {
	if n.RecSparse != nil {
		return n.RecSparse.Out()
	}
	return n.Rec.Shape[0]
}
func (n *RSNN) Inputs() int  { return n.In.In() }
func (n *RSNN) Outputs() int { return n.Out.Out() }

// Params lists the trainable tensors.
func (n *RSNN) Params() []*tensor.Tensor {
	rec := n.Rec
	if n.RecSparse != nil {
		rec = n.RecSparse.W
	}
	ps := append(n.In.Params(), rec)
	if n.RecB != nil {
		ps = append(ps, n.RecB)
	}
	return append(ps, n.Out.Params()...)
}

// stateLen is the number of neuron state variables.
func (n *RSNN) stateLen() int {
	switch n.Neuron {
	case "", "lif":
		return 2 // U, S
	case "alif":
		return 3 // U, b, S
	case "gif":
		return 4 // V, I₁, I₂, S
	case "izhikevich", "adex", "hh":
		return len(n.cell().Init(nil, 1, 1)) + 1 // the cell's state, S
	}
	panic("networks: unknown neuron " + n.Neuron)
}

// cell returns Cell, panicking when an izhikevich, adex or hh network has
// none.
func (n *RSNN) cell() snn.Cell {
	if n.Cell == nil {
		panic("networks: RSNN of " + n.Neuron + " neurons without a Cell")
	}
	return n.Cell
}

// Start begins a sequence; the state is [input stage, readout, neuron
// variables...] with the spikes last.
func (n *RSNN) Start(tp *tensor.Tape, batch int, st []*tensor.Tensor, rng *rand.Rand) Stepper {
	s := &rsnnStepper{net: n, tp: tp}
	if n.RecSparse != nil {
		s.wrec = effectiveSparse(tp, n.RecSparse, n.Sign, n.NoSelf)
	} else {
		s.wrec = effective(tp, n.Rec, n.Sign, n.NoSelf)
	}
	if st == nil {
		st = make([]*tensor.Tensor, 2+n.stateLen())
		for i := range st {
			st[i] = tensor.Zeros(batch, n.Units())
		}
		st[1] = tensor.Zeros(batch, n.Outputs())
		if n.Cell != nil {
			copy(st[2:], n.Cell.Init(nil, batch, n.Units()))
		}
	}
	s.st = st
	return s
}

type rsnnStepper struct {
	net  *RSNN
	tp   *tensor.Tape
	wrec *tensor.Tensor
	st   []*tensor.Tensor // [a, o, neuron...]
	mem  *tensor.Tensor
	th   float32 // threshold of mem (0: mem is already scaled)
}

func (s *rsnnStepper) Step(x *tensor.Tensor) (out, hidden *tensor.Tensor) {
	n, tp := s.net, s.tp
	spk := s.st[len(s.st)-1]
	// The input projection without its bias: leakySum adds b_in and b_rec
	// in the same pass as the input stage.
	var in *tensor.Tensor
	inB := n.In.B
	switch {
	case n.In.Gain != 0 && n.In.Gain != 1: // the gain scales the bias too
		inB = nil
		if n.BinaryInput {
			in = n.In.ForwardSpikes(tp, x)
		} else {
			in = n.In.Forward(tp, x)
		}
	case n.BinaryInput:
		in = tp.SpikeMatMul(x, n.In.W)
	default:
		in = tp.MatMul(x, n.In.W, false, false)
	}
	var rec *tensor.Tensor
	switch {
	case n.RecSparse != nil:
		rec = tp.CSRSpikeMatMul(spk, n.RecSparse.Conn, s.wrec)
	case n.denseRec:
		rec = tp.MatMul(spk, s.wrec, false, false)
	default:
		rec = tp.SpikeMatMul(spk, s.wrec)
	}
	var prev *tensor.Tensor
	if n.InBeta > 0 {
		prev = s.st[0]
	}
	a := leakySum(tp, prev, n.InBeta, in, rec, inB, n.RecB)
	cur := a
	if g := n.Gain; g != 0 && g != 1 {
		cur = tp.Scale(a, g)
	}
	var neu []*tensor.Tensor
	switch n.Neuron {
	case "", "lif":
		u, sp := n.LIF.Forward(tp, s.st[2], cur)
		neu = []*tensor.Tensor{u, sp}
		s.mem, s.th = u, thr(n.LIF.Threshold)
	case "alif":
		ns := n.ALIF.Forward(tp, snn.ALIFState{U: s.st[2], B: s.st[3], S: s.st[4]}, cur)
		neu = []*tensor.Tensor{ns.U, ns.B, ns.S}
		s.mem, s.th = ns.U, thr(n.ALIF.Threshold)
	case "gif":
		neu, s.mem = n.GIF.Forward(tp, s.st[2:], cur)
		s.th = 0
	case "izhikevich", "adex", "hh":
		// The cell's membrane is in mV with no threshold to scale it by:
		// Mem reports none (the membrane regularizer does not apply).
		next, sp, _ := n.cell().Step(tp, s.st[2:len(s.st)-1], cur)
		neu = append(append(make([]*tensor.Tensor, 0, len(next)+1), next...), sp)
		s.mem, s.th = nil, 0
	default:
		panic("networks: unknown neuron " + n.Neuron)
	}
	spk = neu[len(neu)-1]
	o := snn.LI{Beta: n.OutBeta}.Forward(tp, s.st[1], n.Out.ForwardSpikes(tp, spk))
	s.st = append([]*tensor.Tensor{a, o}, neu...)
	return o, spk
}

func (s *rsnnStepper) State() []*tensor.Tensor { return s.st }

// leakySum is the input stage as one op: snn.LI's step (StepSum) on the
// current x + y, then the biases: β·prev + x + y + b₁ + b₂, with x and y of
// prev's shape (batch × units), b₁ and b₂ per-unit biases (either may be
// nil) and prev nil for no input stage (β unused). Backward: prev gets
// β·g, x and y get g, each bias the column sums of g.
func leakySum(tp *tensor.Tape, prev *tensor.Tensor, beta float32, x, y, b1, b2 *tensor.Tensor) *tensor.Tensor {
	n := x.Shape[len(x.Shape)-1]
	if y.Len() != x.Len() || (prev != nil && prev.Len() != x.Len()) {
		panic(fmt.Sprintf("networks: leakySum shapes %v, %v", x.Shape, y.Shape))
	}
	for _, b := range []*tensor.Tensor{b1, b2} {
		if b != nil && b.Len() != n {
			panic(fmt.Sprintf("networks: leakySum bias %v for %d units", b.Shape, n))
		}
	}
	out := tp.NewResult(x.Shape, prev, x, y, b1, b2)
	for r := 0; r < x.Len(); r += n {
		var pr []float32
		if prev != nil {
			pr = prev.Data[r : r+n]
		}
		o := out.Data[r : r+n]
		snn.LI{Beta: beta}.StepSum(o, pr, x.Data[r:r+n], y.Data[r:r+n])
		for _, b := range []*tensor.Tensor{b1, b2} {
			if b != nil {
				kernels.AddTo(o, b.Data)
			}
		}
	}
	if !out.RequiresGrad() {
		return out
	}
	tp.Record(func() {
		g := out.Grad
		if g == nil {
			return
		}
		if prev != nil && prev.RequiresGrad() {
			gp, fresh := tp.GradAcc(prev)
			for i, v := range g {
				if fresh {
					gp[i] = beta * v
				} else {
					gp[i] += beta * v
				}
			}
		}
		for _, t := range []*tensor.Tensor{x, y} {
			if !t.RequiresGrad() {
				continue
			}
			gt, fresh := tp.GradAcc(t)
			if fresh {
				copy(gt, g)
			} else {
				kernels.AddTo(gt, g)
			}
		}
		for _, b := range []*tensor.Tensor{b1, b2} {
			if b == nil || !b.RequiresGrad() {
				continue
			}
			gb := tp.GradOf(b)
			for r := 0; r < len(g); r += n {
				kernels.AddTo(gb, g[r:r+n])
			}
		}
	})
	return out
}

// Mem returns (U − θ)/θ of the last step (GIF: its V − θ already in
// threshold units; izhikevich, adex, hh: nil).
func (s *rsnnStepper) Mem() *tensor.Tensor {
	if s.th == 0 || s.mem == nil {
		return s.mem
	}
	return s.tp.Scale(s.tp.AddScalar(s.mem, -s.th), 1/s.th)
}

func thr(t float32) float32 {
	if t == 0 {
		return 1
	}
	return t
}

// Keep restarts the columns whose keep is 0 from rest: zero, and for a
// Cell its resting state (v·keep + rest·(1 − keep)).
func (s *rsnnStepper) Keep(keep []float32) {
	k := tensor.New([]int{len(keep), 1}, keep)
	for i, v := range s.st {
		s.st[i] = s.tp.Mul(v, k)
	}
	if s.net.Cell == nil {
		return
	}
	for j, r := range s.net.Cell.Init(nil, len(keep), s.net.Units()) {
		n := r.Len() / len(keep)
		nonzero := false
		for b, kb := range keep {
			row := r.Data[b*n : (b+1)*n]
			for i := range row {
				row[i] *= 1 - kb
				nonzero = nonzero || row[i] != 0
			}
		}
		if nonzero {
			s.st[2+j] = s.tp.Add(s.st[2+j], r)
		}
	}
}

// effectiveSparse returns the effective values of sparse recurrent weights:
// |w|·sign(pre) under Dale's law, self-connections zeroed under NoSelf (the
// sparse counterpart of effective).
func effectiveSparse(tp *tensor.Tape, sp *Sparse, sign []float32, noSelf bool) *tensor.Tensor {
	w, c := sp.W, sp.Conn
	if sign == nil && !noSelf {
		return w
	}
	m := make([]float32, c.NNZ())
	for i := 0; i < c.Rows; i++ {
		for k := c.Ptr[i]; k < c.Ptr[i+1]; k++ {
			m[k] = 1
			if sign != nil {
				m[k] = sign[i]
			}
			if noSelf && int(c.Col[k]) == i {
				m[k] = 0
			}
		}
	}
	if sign != nil {
		w = tp.Abs(w)
	}
	return tp.Mul(w, tensor.New(w.Shape, m))
}
