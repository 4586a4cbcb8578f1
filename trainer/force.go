package trainer

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
)

// Readout is a network with a linear readout z = W·r that the online
// readout rules (FORCE, RLS, LMS) train: the FORCE rate network, the
// spiking FORCE network, reservoirs.
type Readout interface {
	// ReadoutInput is r, the activity the readout reads, after the last step.
	ReadoutInput() []float32
	// ReadoutOutput is z = W·r of the last step, computed with the weights
	// as they were before the rule's step.
	ReadoutOutput() []float32
	// ReadoutWeights is W (len(z) × len(r), row-major), changed in place.
	ReadoutWeights() []float32
}

// FORCE trains the readout of a network online by recursive least squares:
// FORCE learning (Sussillo and Abbott 2009) when the network feeds its
// readout back (networks.ForceRNN), spiking FORCE (Nicola and Clopath 2017)
// on networks.SpikingForce, or an online RLS readout of a reservoir. Every
// Every-th step with a target and learning on, with e = z − target from the
// weights before the step, it applies RLS.Update (see RLS) to W.
type FORCE struct {
	Net Readout
	RLS *RLS
	// Every is the number of steps between updates (Sussillo and Abbott:
	// 2; Nicola and Clopath: 50).
	Every int

	step int
	err  []float32
	sq   float64 // sum of squared errors of the updates since ResetStats
	nsq  int
}

// FORCEConfig configures NewFORCE; the zero value works.
type FORCEConfig struct {
	// Alpha sets P(0) = I/Alpha (default 1, for rates of order 1; spiking
	// networks whose filtered rates are in Hz need a much larger one).
	Alpha float64
	// Every is the number of steps between updates (default 1).
	Every int
}

// NewFORCE returns the FORCE rule for net's readout.
func NewFORCE(net Readout, cfg FORCEConfig) *FORCE {
	if cfg.Alpha == 0 {
		cfg.Alpha = 1
	}
	if cfg.Every < 1 {
		cfg.Every = 1
	}
	in, out := len(net.ReadoutInput()), len(net.ReadoutOutput())
	return &FORCE{Net: net, RLS: NewRLS(in, out, cfg.Alpha), Every: cfg.Every, err: make([]float32, out)}
}

// Reset starts a new sequence: the update phase restarts. P and the
// weights stay.
func (f *FORCE) Reset() { f.step = 0 }

// Step updates the readout on every Every-th step that has a target, when
// sig.Learn.
func (f *FORCE) Step(sig Signal) error {
	f.step++
	if sig.Target == nil || !sig.Learn || f.step%f.Every != 0 {
		return nil
	}
	z := f.Net.ReadoutOutput()
	if len(sig.Target) != len(z) {
		return fmt.Errorf("FORCE: target has %d values, the readout %d", len(sig.Target), len(z))
	}
	for o := range z {
		f.err[o] = z[o] - sig.Target[o]
		f.sq += float64(f.err[o]) * float64(f.err[o])
	}
	f.nsq += len(z)
	return f.RLS.Update(f.Net.ReadoutWeights(), f.Net.ReadoutInput(), f.err)
}

// TrainMSE is the mean squared error (before each update) of the updates
// since the last call, and resets it; NaN when there were none.
func (f *FORCE) TrainMSE() float64 {
	m := f.sq / float64(f.nsq)
	if f.nsq == 0 {
		m = math.NaN()
	}
	f.sq, f.nsq = 0, 0
	return m
}

// LMS trains a readout by the least-mean-squares (Widrow-Hoff) rule: with
// e = z − target from the weights before the step,
//
//	W ← W − η·e·rᵀ              (plain)
//	W ← W − η·e·rᵀ/(ε + rᵀr)    (Normalized, ε = 1e-6)
//
// every Every-th step that has a target, when learning. It needs no P
// matrix (O(N) memory per output) but converges far slower than RLS when
// the inputs are correlated, as reservoir states are.
type LMS struct {
	Net        Readout
	LR         float64 // η (default 0.01)
	Normalized bool
	Every      int // default 1

	step int
}

// Reset restarts the update phase; the weights stay.
func (l *LMS) Reset() { l.step = 0 }

// Step applies one LMS update.
func (l *LMS) Step(sig Signal) error {
	l.step++
	every := max(l.Every, 1)
	if sig.Target == nil || !sig.Learn || l.step%every != 0 {
		return nil
	}
	r, z, w := l.Net.ReadoutInput(), l.Net.ReadoutOutput(), l.Net.ReadoutWeights()
	if len(sig.Target) != len(z) {
		return fmt.Errorf("LMS: target has %d values, the readout %d", len(sig.Target), len(z))
	}
	lr := l.LR
	if lr == 0 {
		lr = 0.01
	}
	if l.Normalized {
		lr /= 1e-6 + float64(kernels.Dot(r, r))
	}
	for o := range z {
		e := float64(z[o] - sig.Target[o])
		if math.IsNaN(e) || math.IsInf(e, 0) || math.IsNaN(lr) || math.IsInf(lr, 0) {
			return fmt.Errorf("LMS: error of output %d is %v (step size %v)", o, e, lr)
		}
	}
	n := len(r)
	for o := range z {
		kernels.Axpy(w[o*n:(o+1)*n], float32(-lr*float64(z[o]-sig.Target[o])), r)
	}
	return nil
}

// FullFORCE trains the recurrent weights of a rate network (DePasquale,
// Cueva, Rajan, Escola and Abbott 2018, "full-FORCE: a target-based method
// for training recurrent networks", PLoS ONE 13:e0191527). A teacher
// network of the same size, with its own random J^D, is driven by the
// target through its feedback weights u_f (networks.ForceRNN.StepWith); the
// task network, without feedback, learns J so that its recurrent current
// matches the teacher's:
//
//	J·r[t−1] ≈ J^D·r^D[t−1] + u_f·f[t]
//
// one RLS output per unit, all sharing one P (the block update), and its
// readout learns w·r[t−1] ≈ f[t−1] through the same P. The caller steps the
// task network (Step) and then calls the rule, which steps the teacher with
// the same input and the target.
type FullFORCE struct {
	Task, Teacher *networks.ForceRNN
	RLS           *RLS
	Every         int

	step    int
	err     []float32
	prevT   []float32
	hasPrev bool
	sq      float64
	nsq     int
}

// NewFullFORCE returns the rule; task must have dense recurrent storage
// and no feedback, teacher feedback weights (u_f) and the same sizes.
// Task's J is made trainable (its scale folded into the weights). Alpha
// and Every are as in FORCEConfig.
func NewFullFORCE(task, teacher *networks.ForceRNN, cfg FORCEConfig) (*FullFORCE, error) {
	switch {
	case task.Rec.Kind != networks.ConnDense:
		return nil, fmt.Errorf("full-FORCE: the task network's recurrent weights must be dense to be trained, not %s", task.Rec.Kind)
	case task.Feedback != nil:
		return nil, fmt.Errorf("full-FORCE: the task network must have no output feedback")
	case teacher.Feedback == nil:
		return nil, fmt.Errorf("full-FORCE: the teacher network needs feedback weights to be driven by the target")
	case task.N != teacher.N || task.Outputs != teacher.Outputs || task.Inputs != teacher.Inputs:
		return nil, fmt.Errorf("full-FORCE: task (%d units, %d in, %d out) and teacher (%d, %d, %d) differ in size",
			task.N, task.Inputs, task.Outputs, teacher.N, teacher.Inputs, teacher.Outputs)
	}
	if cfg.Alpha == 0 {
		cfg.Alpha = 1
	}
	if s := task.Rec.Scale; s != 1 {
		kernels.Scale(task.Rec.Dense, s)
		task.Rec.Scale = 1
	}
	return &FullFORCE{Task: task, Teacher: teacher, RLS: NewRLS(task.N, task.N, cfg.Alpha), Every: max(cfg.Every, 1),
		err: make([]float32, task.N), prevT: make([]float32, task.Outputs)}, nil
}

// Reset restarts the update phase.
func (f *FullFORCE) Reset() { f.step, f.hasPrev = 0, false }

// Step steps the teacher with the task network's last input and the
// target, then, on every Every-th step when learning, updates J and w.
func (f *FullFORCE) Step(sig Signal) error {
	if sig.Target == nil {
		return fmt.Errorf("full-FORCE: the teacher needs a target at every step")
	}
	if len(sig.Target) != f.Task.Outputs {
		return fmt.Errorf("full-FORCE: target has %d values, the readout %d", len(sig.Target), f.Task.Outputs)
	}
	f.Teacher.StepWith(f.Task.LastIn, sig.Target)
	f.step++
	defer func() { copy(f.prevT, sig.Target); f.hasPrev = true }()
	if !sig.Learn || f.step%f.Every != 0 {
		return nil
	}
	n := f.Task.N
	for i := range n {
		f.err[i] = f.Task.Cur[i] - f.Teacher.Cur[i]
		f.sq += float64(f.err[i]) * float64(f.err[i])
	}
	f.nsq += n
	x := f.Task.Prev
	k, c := f.RLS.Gain(x)
	if !(c > 0) || math.IsInf(float64(c), 0) {
		return fmt.Errorf("full-FORCE: 1/(1 + xᵀPx) is %v: P is no longer positive definite", c)
	}
	for i, v := range f.err {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("full-FORCE: current error of unit %d is %v", i, v)
		}
	}
	j := f.Task.Rec.Dense
	kernels.Parallel(n, max(1, rlsGrain*rlsGrain/n), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			kernels.Axpy(j[i*n:(i+1)*n], -c*f.err[i], k)
		}
	})
	if f.hasPrev {
		w := f.Task.Out
		for o := range f.Task.Outputs {
			row := w[o*n : (o+1)*n]
			e := kernels.Dot(row, x) - f.prevT[o]
			kernels.Axpy(row, -c*e, k)
		}
	}
	f.RLS.Commit(c)
	return nil
}

// TrainMSE is the mean squared current error of the updates since the
// last call (and resets it); NaN when there were none.
func (f *FullFORCE) TrainMSE() float64 {
	m := f.sq / float64(f.nsq)
	if f.nsq == 0 {
		m = math.NaN()
	}
	f.sq, f.nsq = 0, 0
	return m
}
