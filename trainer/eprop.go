package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// Feedback modes of EProp's learning signals.
const (
	FeedbackSymmetric = "symmetric" // B = W_outᵀ, the current readout weights
	FeedbackRandom    = "random"    // a fixed random B (feedback alignment)
	FeedbackAdaptive  = "adaptive"  // a random B trained like W_outᵀ (Kolen–Pollack)
)

// EPropConfig configures NewEProp. The zero value works: symmetric
// feedback, softmax cross-entropy, no regularizer.
type EPropConfig struct {
	// Feedback is FeedbackSymmetric (default), FeedbackRandom or
	// FeedbackAdaptive.
	Feedback string
	// Loss is "ce" (default): softmax cross-entropy of the readout against
	// the target weights, −Σ_k t_k·log softmax(O)_k per column and step (a
	// one-hot target scaled by the step's loss weight; a zero row scores
	// nothing); or "mse": ½·Σ_k (O_k − t_k)².
	Loss string
	// RateReg is λ of the firing-rate regularizer λ·Σ_j (f̄_j − RateTarget)²
	// (trainer.RateRegularizer's form), f̄_j the spikes per step of neuron j
	// averaged over the sequence and the columns; 0 turns it off.
	RateReg, RateTarget float64
	// FeedbackDecay is the weight decay of adaptive feedback: its gradient
	// is the readout's plus FeedbackDecay·B (default 0).
	FeedbackDecay float64
	// FeedbackScale is the standard deviation of random and adaptive
	// feedback weights (default 1/√outputs).
	FeedbackScale float64
	// Seed draws random and adaptive feedback.
	Seed uint64
}

// EProp is e-prop (Bellec et al. 2020, "A solution to the learning
// dilemma for recurrent networks of spiking neurons", Nat Commun 11:3625)
// for an RSNN of LIF or ALIF neurons run by a networks.RSNNRun: the caller
// advances the run one step (Run.Step) and then calls Step, which updates
// the eligibility traces and, with sig.Learn and a target, accumulates the
// e-prop gradient into the Grad of the input, recurrent and readout
// weights and biases. An optimizer then applies them when the caller
// chooses (per step, or per batch as in the paper's code); call
// Run.Refresh after it changes the recurrent weights.
//
// With h = (U, B) the hidden state of neuron j, its spike S_j = H(U_j − A_j),
// A_j = θ + β_a·B_j, and ψ_j = σ'(U_j − A_j) the surrogate (pseudo-)
// derivative of the neuron model, each synapse i→j (presynaptic value
// p_i[t]: input x_i[t], 1 for the biases, or S_i[t−1]) keeps
//
//	z̄_i[t]    = β·z̄_i[t−1] + p_i[t]                       (ε^U, shared by all j)
//	ε^B_ji[t] = (1−ρ)·ψ_j[t−1]·z̄_i[t−1] + (ρ − (1−ρ)·β_a·ψ_j[t−1])·ε^B_ji[t−1]   (ALIF)
//	e_ji[t]   = ψ_j[t]·(z̄_i[t] − β_a·ε^B_ji[t])             (LIF: ψ_j[t]·z̄_i[t])
//	ē_ji[t]   = κ·ē_ji[t−1] + e_ji[t]                      (κ = β_out, the readout's decay)
//
// which are ∂S_j[t]/∂W_ji through the neuron's own state only (the reset
// is detached as in the RSNN). With g_k[t] = ∂E/∂O_k[t] and the learning
// signal L_j[t] = Σ_k B_jk·g_k[t],
//
//	∇W_ji += L_j[t]·ē_ji[t]     ∇W_out,jk += g_k[t]·S̄_j[t]     ∇b_out,k += g_k[t]·Σ_{s≤t} κ^(t−s)
//
// with S̄ the κ-filtered spikes. This is exactly the gradient of the loss
// when the gradient through the recurrent input S[t−1]·W_rec is cut (BPTT
// with that input detached); the readout's gradients are exact. The
// regularizer's signal needs the sequence's mean rate, so Reset adds
// λ·2(f̄_j − target)/(T·columns)·Σ_t e_ji[t] for the sequence just ended.
//
// State is O(columns × synapses) and independent of the sequence length.
type EProp struct {
	Run *networks.RSNNRun
	// Feedback holds B (units × outputs) for random and adaptive feedback
	// (nil for symmetric). Adaptive feedback is trainable: hand it to the
	// optimizer with the network's parameters.
	Feedback *tensor.Tensor

	cfg                     EPropConfig
	ce, alif                bool
	sg                      surrogate.Func
	beta, rho, betaA, kappa float32
	th                      float32
	ni, nu, no, bs, npre    int
	zbar, pre               []float32 // (bs, npre)
	psi, psiPrev, sig       []float32 // (bs, nu)
	epsB, fe                []float32 // (bs, npre, nu); epsB nil for LIF
	fz                      []float32 // (bs, nu)
	fb                      float32
	g                       []float32 // (bs, no)
	esum                    []float32 // (npre, nu); nil without the regularizer
	count                   []float64 // (nu) spikes
	steps                   int
	learned                 bool // the regularizer's gradient is pending
	probs                   []float32
	recFactor               []float32
	loss, lastLoss          float64
	coefA, coefC            []float32 // (bs, nu) ALIF ε^B coefficients
	learnNow                bool
	rowsFn                  func(lo, hi int)
}

// NewEProp binds e-prop to run. It reports an error for an input stage
// (β_in > 0, not covered by these traces) or a bad config value.
func NewEProp(run *networks.RSNNRun, cfg EPropConfig) (*EProp, error) {
	net := run.Net
	if net.InBeta > 0 {
		return nil, fmt.Errorf("trainer: e-prop does not support an input stage (InBeta %v)", net.InBeta)
	}
	switch cfg.Feedback {
	case "":
		cfg.Feedback = FeedbackSymmetric
	case FeedbackSymmetric, FeedbackRandom, FeedbackAdaptive:
	default:
		return nil, fmt.Errorf("trainer: e-prop feedback %q, want %s, %s or %s", cfg.Feedback, FeedbackSymmetric, FeedbackRandom, FeedbackAdaptive)
	}
	switch cfg.Loss {
	case "", "ce", "mse":
	default:
		return nil, fmt.Errorf("trainer: e-prop loss %q, want ce or mse", cfg.Loss)
	}
	e := &EProp{Run: run, cfg: cfg, ce: cfg.Loss != "mse", alif: net.Neuron == "alif",
		ni: net.Inputs(), nu: net.Units(), no: net.Outputs(), bs: run.Batch, kappa: net.OutBeta, th: run.Threshold()}
	if e.alif {
		e.beta, e.rho, e.betaA, e.sg = net.ALIF.Beta, net.ALIF.Rho, net.ALIF.BetaA, net.ALIF.Surrogate
		if e.sg == nil {
			e.sg = surrogate.Triangle{}
		}
	} else {
		e.beta, e.sg = net.LIF.Beta, net.LIF.Surrogate
		if e.sg == nil {
			e.sg = surrogate.ATan{}
		}
	}
	e.npre = e.ni + 1 + e.nu
	bs, nu, np := e.bs, e.nu, e.npre
	e.zbar, e.pre = make([]float32, bs*np), make([]float32, bs*np)
	e.psi, e.psiPrev, e.sig = make([]float32, bs*nu), make([]float32, bs*nu), make([]float32, bs*nu)
	e.fe, e.fz, e.g = make([]float32, bs*np*nu), make([]float32, bs*nu), make([]float32, bs*e.no)
	if e.alif {
		e.epsB = make([]float32, bs*np*nu)
		e.coefA, e.coefC = make([]float32, bs*nu), make([]float32, bs*nu)
	}
	if cfg.RateReg != 0 {
		e.esum = make([]float32, np*nu)
	}
	e.count = make([]float64, nu)
	e.probs = make([]float32, e.no)
	if cfg.Feedback != FeedbackSymmetric {
		sd := cfg.FeedbackScale
		if sd == 0 {
			sd = 1 / math.Sqrt(float64(e.no))
		}
		r := rand.New(rand.NewPCG(cfg.Seed, 0xfeedbac))
		b := make([]float32, nu*e.no)
		for i := range b {
			b[i] = float32(r.NormFloat64() * sd)
		}
		e.Feedback = tensor.New([]int{nu, e.no}, b)
		if cfg.Feedback == FeedbackAdaptive {
			e.Feedback = tensor.NewParam("eprop.feedback", []int{nu, e.no}, b)
		}
	}
	e.Reset()
	return e, nil
}

// Reset ends a sequence: it adds the pending regularizer gradient of the
// sequence just ended (if it learned) and clears the traces. The run is
// not reset; call Run.Reset too.
func (e *EProp) Reset() {
	if e.learned && e.esum != nil && e.steps > 0 {
		e.flushRateReg()
	}
	for _, s := range [][]float32{e.zbar, e.psiPrev, e.epsB, e.fe, e.fz, e.esum} {
		clear(s)
	}
	clear(e.count)
	e.lastLoss = e.loss
	e.fb, e.steps, e.learned, e.loss = 0, 0, false, 0
}

// Loss returns the loss accumulated over the steps since Reset (the
// regularizer excluded); LastLoss that of the sequence before the last
// Reset, with the regularizer.
func (e *EProp) Loss() float64     { return e.loss }
func (e *EProp) LastLoss() float64 { return e.lastLoss }

// StateFloats is the number of float32 values of trace state, the same for
// every sequence length.
func (e *EProp) StateFloats() int {
	n := 0
	for _, s := range [][]float32{e.zbar, e.pre, e.psi, e.psiPrev, e.sig, e.epsB, e.fe, e.fz, e.g, e.esum, e.coefA, e.coefC} {
		n += len(s)
	}
	return n + len(e.count)
}

func (e *EProp) flushRateReg() {
	net := e.Run.Net
	denom := float64(e.steps * e.bs)
	for j := range e.nu {
		f := e.count[j] / denom
		e.loss += e.cfg.RateReg * (f - e.cfg.RateTarget) * (f - e.cfg.RateTarget)
		c := float32(2 * e.cfg.RateReg * (f - e.cfg.RateTarget) / denom)
		e.sig[j] = c
	}
	e.ensureGrads()
	e.recFactor = e.Run.RecFactor()
	l := e.sig[:e.nu]
	for i := range e.npre {
		v := e.esum[i*e.nu : (i+1)*e.nu]
		var dst [][]float32
		var f []float32
		switch {
		case i < e.ni:
			dst = [][]float32{net.In.W.Grad[i*e.nu : (i+1)*e.nu]}
		case i == e.ni:
			if net.In.B != nil {
				dst = append(dst, net.In.B.Grad)
			}
			if net.RecB != nil {
				dst = append(dst, net.RecB.Grad)
			}
		default:
			r := i - e.ni - 1
			dst = [][]float32{net.Rec.Grad[r*e.nu : (r+1)*e.nu]}
			if e.recFactor != nil {
				f = e.recFactor[r*e.nu : (r+1)*e.nu]
			}
		}
		for _, d := range dst {
			for j := range d {
				x := l[j] * v[j]
				if f != nil {
					x *= f[j]
				}
				d[j] += x
			}
		}
	}
}

// ensureGrads allocates the parameters' gradients where missing.
func (e *EProp) ensureGrads() {
	for _, p := range e.Run.Net.Params() {
		if p.Grad == nil {
			p.Grad = make([]float32, len(p.Data))
		}
	}
	if e.Feedback != nil && e.Feedback.RequiresGrad() && e.Feedback.Grad == nil {
		e.Feedback.Grad = make([]float32, e.Feedback.Len())
	}
}

// Step updates the traces after Run.Step and, with sig.Learn and a
// target, accumulates the gradients. sig.Target is Batch × outputs: target
// weights for "ce", targets for "mse"; nil scores nothing at this step.
func (e *EProp) Step(sig Signal) error {
	run := e.Run
	net := run.Net
	bs, nu, no, ni, np := e.bs, e.nu, e.no, e.ni, e.npre
	// Output error g = ∂E/∂O.
	scored := sig.Target != nil
	if scored {
		if len(sig.Target) != bs*no {
			return fmt.Errorf("trainer: e-prop target of %d values, want %d columns × %d outputs", len(sig.Target), bs, no)
		}
		for b := range bs {
			o, t, g := run.O[b*no:(b+1)*no], sig.Target[b*no:(b+1)*no], e.g[b*no:(b+1)*no]
			if e.ce {
				var ts float32
				for _, v := range t {
					ts += v
				}
				softmax(e.probs, o)
				for k := range g {
					g[k] = ts*e.probs[k] - t[k]
					if t[k] != 0 {
						e.loss -= float64(t[k]) * math.Log(math.Max(float64(e.probs[k]), 1e-30))
					}
				}
			} else {
				for k := range g {
					g[k] = o[k] - t[k]
					e.loss += 0.5 * float64(g[k]) * float64(g[k])
				}
			}
		}
		for _, v := range e.g {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("trainer: e-prop output error is %v: %w", v, ErrNotFinite)
			}
		}
	}
	learn := sig.Learn && scored
	if sig.Learn {
		e.learned = true
		e.ensureGrads()
	}
	// Learning signals L = g·Bᵀ.
	bm := net.Out.W.Data
	if e.Feedback != nil {
		bm = e.Feedback.Data
	}
	if learn {
		for b := range bs {
			g, l := e.g[b*no:(b+1)*no], e.sig[b*nu:(b+1)*nu]
			for j := range l {
				var s float32
				row := bm[j*no : (j+1)*no]
				for k, v := range g {
					s += row[k] * v
				}
				l[j] = s
			}
		}
	}
	// Pseudo-derivatives and presynaptic values.
	th := e.th
	for i, u := range run.U {
		x := u - th
		if e.alif {
			x -= e.betaA * run.B[i]
		}
		e.psi[i] = e.sg.Grad(x)
	}
	for b := range bs {
		p := e.pre[b*np : (b+1)*np]
		copy(p, run.X[b*ni:(b+1)*ni])
		p[ni] = 1
		copy(p[ni+1:], run.PrevS[b*nu:(b+1)*nu])
	}
	if e.alif {
		for i, pp := range e.psiPrev {
			e.coefA[i] = (1 - e.rho) * pp
			e.coefC[i] = e.rho - (1-e.rho)*e.betaA*pp
		}
	}
	e.recFactor = run.RecFactor()
	// Traces, one presynaptic row at a time (rows are disjoint in the
	// gradients, so chunks of rows run in parallel).
	e.learnNow = learn
	if e.rowsFn == nil {
		e.rowsFn = func(lo, hi int) { e.rows(lo, hi, e.learnNow) }
	}
	kernels.Parallel(np, 8, e.rowsFn)
	// Readout: exact.
	e.fb = e.kappa*e.fb + 1
	for i, s := range run.S {
		e.fz[i] = e.kappa*e.fz[i] + s
	}
	for b := range bs {
		for j, s := range run.S[b*nu : (b+1)*nu] {
			e.count[j] += float64(s)
		}
	}
	if learn {
		wg := net.Out.W.Grad
		var fg []float32
		if e.Feedback != nil && e.Feedback.RequiresGrad() {
			fg = e.Feedback.Grad
		}
		for b := range bs {
			g := e.g[b*no : (b+1)*no]
			for j, z := range e.fz[b*nu : (b+1)*nu] {
				if z == 0 {
					continue
				}
				row := wg[j*no : (j+1)*no]
				for k, v := range g {
					row[k] += z * v
				}
				if fg != nil {
					fr := fg[j*no : (j+1)*no]
					for k, v := range g {
						fr[k] += z * v
					}
				}
			}
			if net.Out.B != nil {
				for k, v := range g {
					net.Out.B.Grad[k] += e.fb * v
				}
			}
		}
		if fg != nil && e.cfg.FeedbackDecay != 0 {
			d := float32(e.cfg.FeedbackDecay)
			for i, v := range e.Feedback.Data {
				fg[i] += d * v
			}
		}
	}
	copy(e.psiPrev, e.psi)
	e.steps++
	return nil
}

// rows advances the traces of presynaptic rows lo..hi of every column.
func (e *EProp) rows(lo, hi int, learn bool) {
	bs, nu, np := e.bs, e.nu, e.npre
	beta, ba, kappa := e.beta, e.betaA, e.kappa
	net := e.Run.Net
	for i := lo; i < hi; i++ {
		var grad, factor []float32
		if learn {
			switch {
			case i < e.ni:
				grad = net.In.W.Grad[i*nu : (i+1)*nu]
			case i > e.ni:
				r := i - e.ni - 1
				grad = net.Rec.Grad[r*nu : (r+1)*nu]
				if e.recFactor != nil {
					factor = e.recFactor[r*nu : (r+1)*nu]
				}
			}
		}
		var es []float32
		if e.esum != nil {
			es = e.esum[i*nu : (i+1)*nu]
		}
		for b := range bs {
			k := b*np + i
			z := e.zbar[k]
			zn := beta*z + e.pre[k]
			e.zbar[k] = zn
			fe := e.fe[k*nu : (k+1)*nu]
			psi := e.psi[b*nu : (b+1)*nu]
			if e.alif {
				eb := e.epsB[k*nu : (k+1)*nu]
				ca, cc := e.coefA[b*nu:(b+1)*nu], e.coefC[b*nu:(b+1)*nu]
				for j := range fe {
					ebj := ca[j]*z + cc[j]*eb[j]
					eb[j] = ebj
					ev := psi[j] * (zn - ba*ebj)
					fe[j] = kappa*fe[j] + ev
					if es != nil {
						es[j] += ev
					}
				}
			} else {
				for j := range fe {
					ev := psi[j] * zn
					fe[j] = kappa*fe[j] + ev
					if es != nil {
						es[j] += ev
					}
				}
			}
			if !learn {
				continue
			}
			l := e.sig[b*nu : (b+1)*nu]
			switch {
			case grad == nil: // the biases
				for j := range fe {
					v := l[j] * fe[j]
					if net.In.B != nil {
						net.In.B.Grad[j] += v
					}
					if net.RecB != nil {
						net.RecB.Grad[j] += v
					}
				}
			case factor != nil:
				for j := range fe {
					grad[j] += l[j] * fe[j] * factor[j]
				}
			default:
				for j := range fe {
					grad[j] += l[j] * fe[j]
				}
			}
		}
	}
}
