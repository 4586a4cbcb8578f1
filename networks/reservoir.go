package networks

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
)

// Reservoir is a fixed random recurrent network whose states feed a
// trained linear readout: an echo-state network (Jaeger 2001) of leaky
// tanh units, or a spiking reservoir of LIF neurons (a liquid state
// machine, Maass, Natschläger and Markram 2002). Only the readout learns:
// online (trainer.FORCE as RLS, trainer.LMS, through ReadoutInput and
// friends) or offline (trainer.Ridge on the states).
//
// Rate ("tanh") units, leak a, in this order per step:
//
//	x[t] = (1 − a)·x[t−1] + a·tanh(W_in·u[t] + W·x[t−1] + b)
//
// Spiking ("lif") units are snn.LIFRef neurons: membrane decay β =
// exp(−dt/τ) folded into Beta, threshold 1, reset by subtraction in the
// step that fires, the recurrent input from the spikes of the previous step:
//
//	v[t] = β·v[t−1] + W_in·u[t] + W·s[t−1] + b,  s[t] = [v[t] > 1],
//	v[t] ← v[t] − s[t]
//
// and the readout reads a trace of the spikes, x[t] = (1 − a)·x[t−1] + s[t]
// with a = Leak (the spike count when Leak is 0).
//
// W is Rec (N × N, rows post-synaptic), scaled to the spectral radius asked
// for; W_in (N × Inputs, row-major) is dense. The readout z = W_out·x
// (Outputs × N) is computed by Step.
type Reservoir struct {
	N, Inputs, Outputs int
	Spiking            bool
	Rec                *FixedMatrix
	In                 []float32 // N × Inputs
	Bias               []float32 // N
	Leak               float32   // a
	Beta               float32   // LIF membrane decay

	X, V, S, Z []float32 // state of Step: readout input, membrane, spikes, readout
	Out        []float32 // W_out, Outputs × N
	cur        []float32
}

// ReservoirConfig configures NewReservoir; the zero value of each field is
// its documented default.
type ReservoirConfig struct {
	Units   int    // N (default 1000)
	Inputs  int    // input channels (default 1)
	Outputs int    // readouts of Step (default 1)
	Neuron  string // "tanh" (default) or "lif"
	// Degree is the expected number of recurrent inputs per unit: the
	// connection probability is Degree/N (default 10; all when ≥ N).
	Degree float64
	// SpectralRadius is the largest eigenvalue modulus W is scaled to by
	// power iteration (default 0.9).
	SpectralRadius float64
	InputScale     float64 // W_in entries N(0, InputScale²) (default 1)
	InputP         float64 // probability of an input connection (default 1)
	BiasScale      float64 // b uniform in ±BiasScale (default 0)
	Leak           float64 // a (default 1: no leak)
	Beta           float64 // LIF membrane decay (default 0.9)
	Conn           string  // dense, csr (default) or jit
	Seed           uint64
}

func (c *ReservoirConfig) defaults() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Units == 0 {
		c.Units = 1000
	}
	if c.Inputs == 0 {
		c.Inputs = 1
	}
	if c.Outputs == 0 {
		c.Outputs = 1
	}
	if c.Neuron == "" {
		c.Neuron = "tanh"
	}
	if c.Conn == "" {
		c.Conn = ConnCSR
	}
	def(&c.Degree, 10)
	def(&c.SpectralRadius, 0.9)
	def(&c.InputScale, 1)
	def(&c.InputP, 1)
	def(&c.Leak, 1)
	def(&c.Beta, 0.9)
}

// NewReservoir builds a reservoir; every random draw comes from the Philox
// streams of cfg.Seed. It returns an error for bad sizes or values.
func NewReservoir(cfg ReservoirConfig) (*Reservoir, error) {
	cfg.defaults()
	n := cfg.Units
	switch {
	case n < 2 || cfg.Inputs < 1 || cfg.Outputs < 1:
		return nil, fmt.Errorf("reservoir: bad sizes: %d units, %d inputs, %d outputs", n, cfg.Inputs, cfg.Outputs)
	case cfg.Neuron != "tanh" && cfg.Neuron != "lif":
		return nil, fmt.Errorf("reservoir: unknown neuron %q (tanh or lif)", cfg.Neuron)
	case !(cfg.Leak > 0 && cfg.Leak <= 1):
		return nil, fmt.Errorf("reservoir: leak must be in (0, 1], got %v", cfg.Leak)
	case !(cfg.InputP > 0 && cfg.InputP <= 1):
		return nil, fmt.Errorf("reservoir: input probability must be in (0, 1], got %v", cfg.InputP)
	case cfg.SpectralRadius < 0:
		return nil, fmt.Errorf("reservoir: negative spectral radius %v", cfg.SpectralRadius)
	}
	p := min(1, cfg.Degree/float64(n))
	rec, err := NewFixedMatrix(cfg.Conn, n, n, p, 1/math.Sqrt(p*float64(n)), cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("reservoir: %w", err)
	}
	if cfg.SpectralRadius > 0 {
		rec.SetSpectralRadius(cfg.SpectralRadius, 100)
	} else {
		rec.Scale = 0
	}
	r := &Reservoir{N: n, Inputs: cfg.Inputs, Outputs: cfg.Outputs, Spiking: cfg.Neuron == "lif", Rec: rec,
		In: make([]float32, n*cfg.Inputs), Bias: make([]float32, n), Leak: float32(cfg.Leak), Beta: float32(cfg.Beta),
		X: make([]float32, n), V: make([]float32, n), S: make([]float32, n), Z: make([]float32, cfg.Outputs),
		Out: make([]float32, cfg.Outputs*n), cur: make([]float32, n)}
	win := kernels.JIT{Rows: n, Cols: cfg.Inputs, P: cfg.InputP, Seed: cfg.Seed ^ 0x1a9e7, Weight: kernels.NormalWeight(0, float32(cfg.InputScale))}
	win.Materialize(r.In)
	if cfg.BiasScale > 0 {
		s := float32(cfg.BiasScale)
		kernels.FillUniform(r.Bias, -s, s, cfg.Seed, 0xb1a5)
	}
	return r, nil
}

// Reset sets the state of Step to rest.
func (r *Reservoir) Reset() {
	clear(r.X)
	clear(r.V)
	clear(r.S)
	clear(r.Z)
}

// Step advances the single-sequence state one step with input u (Inputs
// values) and computes the readout z = W_out·x.
func (r *Reservoir) Step(u []float32) {
	if len(u) != r.Inputs {
		panic(fmt.Sprintf("networks: Reservoir.Step: %d inputs, want %d", len(u), r.Inputs))
	}
	if r.Spiking {
		r.Rec.MatVec(r.cur, r.S)
	} else {
		r.Rec.MatVec(r.cur, r.X)
	}
	for i := range r.N {
		r.cur[i] += kernels.Dot(r.In[i*r.Inputs:(i+1)*r.Inputs], u) + r.Bias[i]
	}
	r.update(r.X, r.V, r.S, r.cur)
	for o := range r.Outputs {
		r.Z[o] = kernels.Dot(r.Out[o*r.N:(o+1)*r.N], r.X)
	}
}

// update applies the unit dynamics to one sample's state given its total
// input current cur.
func (r *Reservoir) update(x, v, s, cur []float32) {
	a := r.Leak
	if !r.Spiking {
		for i, c := range cur {
			x[i] = (1-a)*x[i] + a*tanh32(c)
		}
		return
	}
	snn.LIFRef{Beta: r.Beta, Subtract: true}.Step(v, s, cur, nil)
	for i, si := range s {
		x[i] = (1-a)*x[i] + si
	}
}

// ReadoutInput, ReadoutOutput and ReadoutWeights expose x, z and W_out to
// the online readout rules (trainer.Readout).
func (r *Reservoir) ReadoutInput() []float32   { return r.X }
func (r *Reservoir) ReadoutOutput() []float32  { return r.Z }
func (r *Reservoir) ReadoutWeights() []float32 { return r.Out }

// Batch holds the state of a batch of independent sequences run by
// RunStatic: B × N each.
type Batch struct {
	B             int
	X, V, S, Cur  []float32
	drive, recBuf []float32
}

// NewBatch allocates the state of b sequences.
func (r *Reservoir) NewBatch(b int) *Batch {
	n := b * r.N
	return &Batch{B: b, X: make([]float32, n), V: make([]float32, n), S: make([]float32, n),
		Cur: make([]float32, n), drive: make([]float32, n), recBuf: make([]float32, n)}
}

// RunStatic runs rows sequences (rows ≤ bt.B) from rest for steps steps,
// each driven by one constant input (u: rows × Inputs, row-major): the
// input current W_in·u + b is computed once by one GEMM, the recurrent
// input of every step by one batched product. It leaves the final readout
// inputs x in bt.X (rows × N): the features of a static pattern such as an
// image.
func (r *Reservoir) RunStatic(bt *Batch, u []float32, rows, steps int) {
	n, in := r.N, r.Inputs
	if rows > bt.B || len(u) < rows*in {
		panic(fmt.Sprintf("networks: Reservoir.RunStatic: %d rows of %d inputs for a batch of %d with %d values", rows, in, bt.B, len(u)))
	}
	drive := bt.drive[:rows*n]
	kernels.Gemm(false, true, rows, n, in, 1, u, in, r.In, in, 0, drive, n)
	for b := range rows {
		kernels.AddTo(drive[b*n:(b+1)*n], r.Bias)
	}
	x, v, s := bt.X[:rows*n], bt.V[:rows*n], bt.S[:rows*n]
	clear(x)
	clear(v)
	clear(s)
	cur := bt.Cur[:rows*n]
	for t := range steps {
		if t == 0 {
			copy(cur, drive) // the state at rest sends nothing
		} else {
			src := x
			if r.Spiking {
				src = s
			}
			r.Rec.MatMulT(cur, src, rows)
			kernels.AddTo(cur, drive)
		}
		kernels.Parallel(rows, max(1, 4096/n), func(lo, hi int) {
			for b := lo; b < hi; b++ {
				o := b * n
				r.update(x[o:o+n], v[o:o+n], s[o:o+n], cur[o:o+n])
			}
		})
	}
}
