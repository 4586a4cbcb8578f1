package networks

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
)

// RSNNRun runs an RSNN without a tape over a batch of columns, with its
// state in plain slices that an online learning rule (e-prop) reads after
// every step. It performs the same float32 operations as the RSNN's tape
// step (RSNN.Start), in the same order up to the summation order of the
// products, for LIF and ALIF neurons (their steps are snn.LIF.StepInto and
// snn.ALIF.Step, the neuron models' own):
//
//	c[t] = x[t]·W_in + b_in + S[t−1]·W_rec + b_rec
//	A[t] = β_in·A[t−1] + c[t]            (A = c when β_in = 0)
//	LIF:  U[t] = β·U[t−1] + A[t] − θ·S[t−1];  S[t] = H(U[t] − θ)
//	ALIF: B[t] = ρ·B[t−1] + (1 − ρ)·S[t−1]
//	      U[t] = β·U[t−1] + A[t] − θ·S[t−1];  S[t] = H(U[t] − θ − β_a·B[t])
//	O[t] = β_out·O[t−1] + S[t]·W_out + b_out
//
// Every slice is (Batch, width) row-major. Nothing is allocated per step.
type RSNNRun struct {
	Net   *RSNN
	Batch int
	// X is the last step's input (Batch × inputs), a copy; PrevS the
	// spikes of the step before it, the recurrent input of the last step.
	X, PrevS []float32
	// A is the input current (or input stage); U the membrane; B the
	// threshold adaptation (ALIF; zero for LIF); S the spikes; O the readout.
	A, U, B, S, O []float32

	cur    []float32 // c[t]
	curO   []float32 // the readout's input current
	factor []float32 // RecFactor
	wrec   []float32 // effective recurrent weights (Dale's law, no self)
	mask   []float32 // recMask, or nil
}

// NewRun returns a run of batch columns at rest. It reports an error for a
// network it cannot run without a tape: GIF neurons or a gain on a Dense.
func (n *RSNN) NewRun(batch int) (*RSNNRun, error) {
	switch n.Neuron {
	case "", "lif", "alif":
	default:
		return nil, fmt.Errorf("networks: RSNNRun supports lif and alif neurons, not %q", n.Neuron)
	}
	if (n.Neuron == "" || n.Neuron == "lif") && (n.LIF.Reset != snn.ResetSubtract || n.LIF.LearnBeta != nil) {
		return nil, fmt.Errorf("networks: RSNNRun: LIF neurons need reset by subtraction and a fixed decay (the online rules assume them)")
	}
	if n.RecSparse != nil {
		return nil, fmt.Errorf("networks: RSNNRun: sparse recurrent weights are not supported (online runs need a dense Rec)")
	}
	if g := n.Gain; g != 0 && g != 1 {
		return nil, fmt.Errorf("networks: RSNNRun: current gain %v is not supported", g)
	}
	if g := n.In.Gain; g != 0 && g != 1 {
		return nil, fmt.Errorf("networks: RSNNRun: input gain %v is not supported", g)
	}
	if g := n.Out.Gain; g != 0 && g != 1 {
		return nil, fmt.Errorf("networks: RSNNRun: readout gain %v is not supported", g)
	}
	if batch < 1 {
		return nil, fmt.Errorf("networks: RSNNRun: batch %d, want at least 1", batch)
	}
	u, ni, no := n.Units(), n.Inputs(), n.Outputs()
	r := &RSNNRun{Net: n, Batch: batch,
		X: make([]float32, batch*ni), PrevS: make([]float32, batch*u),
		A: make([]float32, batch*u), U: make([]float32, batch*u), B: make([]float32, batch*u),
		S: make([]float32, batch*u), O: make([]float32, batch*no), cur: make([]float32, batch*u), curO: make([]float32, batch*no),
		mask: recMask(n.Sign, n.NoSelf, u)}
	r.Reset()
	return r, nil
}

// Reset puts every column at rest and rereads the recurrent weights (call
// it after an optimizer step).
func (r *RSNNRun) Reset() {
	for _, s := range [][]float32{r.X, r.PrevS, r.A, r.U, r.B, r.S, r.O} {
		clear(s)
	}
	r.Refresh()
}

// Refresh rereads the recurrent weights after they changed.
func (r *RSNNRun) Refresh() {
	w := r.Net.Rec.Data
	if r.mask == nil {
		r.wrec = w
		return
	}
	if len(r.wrec) != len(w) || &r.wrec[0] == &w[0] {
		r.wrec = make([]float32, len(w))
		r.factor = make([]float32, len(w))
	}
	for i, m := range r.mask {
		v, f := w[i], m
		if r.Net.Sign != nil && v < 0 {
			v, f = -v, -m
		}
		r.wrec[i], r.factor[i] = v*m, f
	}
}

// RecFactor returns d(effective W_rec)/d(W_rec) elementwise (the mask,
// times sign(W) under Dale's law) as of the last Refresh, or nil when the
// effective weights are W_rec itself.
func (r *RSNNRun) RecFactor() []float32 { return r.factor }

// Step advances every column by one step on input x (Batch × inputs) and
// returns the readout O (Batch × outputs), valid until the next step.
func (r *RSNNRun) Step(x []float32) []float32 {
	n := r.Net
	nu, ni, no, bs := n.Units(), n.Inputs(), n.Outputs(), r.Batch
	if len(x) != bs*ni {
		panic(fmt.Sprintf("networks: RSNNRun.Step: input of %d values for %d columns of %d inputs", len(x), bs, ni))
	}
	copy(r.X, x)
	copy(r.PrevS, r.S)
	// c = x·W_in + b_in + b_rec
	cur := r.cur
	for b := range bs {
		row := cur[b*nu : (b+1)*nu]
		copy(row, n.In.B.Data)
		if n.RecB != nil {
			for j, v := range n.RecB.Data {
				row[j] += v
			}
		}
	}
	kernels.Gemm(false, false, bs, nu, ni, 1, x, ni, n.In.W.Data, nu, 1, cur, nu)
	// + S[t−1]·W_rec, event-driven
	for b := range bs {
		row := cur[b*nu : (b+1)*nu]
		for i, s := range r.PrevS[b*nu : (b+1)*nu] {
			if s != 0 {
				wr := r.wrec[i*nu : (i+1)*nu]
				for j := range row {
					row[j] += s * wr[j]
				}
			}
		}
	}
	if n.InBeta > 0 {
		snn.LI{Beta: n.InBeta}.Step(r.A, cur)
	} else {
		copy(r.A, cur)
	}
	switch n.Neuron {
	case "", "lif":
		n.LIF.StepInto(r.U, r.S, r.U, r.A) // resets where U[t−1] > θ, that is S[t−1]
	case "alif":
		n.ALIF.Step(r.U, r.B, r.S, r.A)
	}
	// O = β_out·O + (b_out + S·W_out): snn.LI's step on the readout's
	// current, its spikes' rows added event by event.
	wo := n.Out.W.Data
	for b := range bs {
		c := r.curO[b*no : (b+1)*no]
		if n.Out.B != nil {
			copy(c, n.Out.B.Data)
		} else {
			clear(c)
		}
		for j, s := range r.S[b*nu : (b+1)*nu] {
			if s != 0 {
				wr := wo[j*no : (j+1)*no]
				for k := range c {
					c[k] += s * wr[k]
				}
			}
		}
	}
	snn.LI{Beta: n.OutBeta}.Step(r.O[:bs*no], r.curO[:bs*no])
	return r.O
}

// Threshold returns θ of the run's neuron (1 when unset).
func (r *RSNNRun) Threshold() float32 {
	if r.Net.Neuron == "alif" {
		return thr(r.Net.ALIF.Threshold)
	}
	return thr(r.Net.LIF.Threshold)
}
