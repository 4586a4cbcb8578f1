package networks

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
)

// ForceRNN is the chaotic rate network of Sussillo and Abbott (2009,
// "Generating coherent patterns of activity from chaotic neural networks",
// Neuron 63:544) with a linear readout fed back into the network:
//
//	τ dx/dt = −x + g·J·r + F·z + W_in·u,   r = tanh(x),   z = W_out·r
//
// Euler step with α = dt/τ, in this order (the readout of the previous step
// is fed back, as in the paper's code):
//
//	x[t] = x[t−1] + α·(−x[t−1] + g·J·r[t−1] + F·fb[t−1] + W_in·u[t])
//	r[t] = tanh(x[t]),   z[t] = W_out·r[t]
//
// where fb is z (Step) or a given signal (StepWith: the target-driven
// teacher of full-FORCE). g is folded into Rec.Scale. W_out (Outputs × N,
// row-major) is what FORCE trains, through the trainer's Readout interface;
// full-FORCE trains Rec itself (dense storage, Scale 1).
type ForceRNN struct {
	N, Inputs, Outputs int
	Rec                *FixedMatrix // J (N × N), rows post-synaptic
	Feedback           []float32    // F, N × Outputs; nil: no feedback
	In                 []float32    // W_in, N × Inputs; nil when Inputs == 0
	Out                []float32    // W_out, Outputs × N
	Alpha              float32      // dt/τ

	X, R, Z []float32 // state after the last step
	Prev    []float32 // r[t−1], the rates the last step read
	Cur     []float32 // g·J·r[t−1] + F·fb[t−1] of the last step
	LastIn  []float32 // u[t] of the last step (nil: none)
	fbz     []float32
}

// ForceConfig configures NewForceRNN; the zero value of each field is the
// documented default (Sussillo and Abbott's 2009 network: N 1000, g 1.5, p 0.1, τ 10 ms).
type ForceConfig struct {
	Units   int     // N (default 1000)
	Inputs  int     // input channels (default 0)
	Outputs int     // readouts (default 1)
	G       float64 // g, the recurrent gain (default 1.5: chaotic)
	P       float64 // connection probability of J (default 0.1); weights N(0, 1/(p·N))
	// Alpha is dt/τ (default 0.01: dt 0.1 ms, τ 10 ms).
	Alpha float64
	// NoFeedback leaves out F; otherwise F is uniform in ±FeedbackScale.
	NoFeedback    bool
	FeedbackScale float64 // default 1
	InputScale    float64 // W_in uniform in ±InputScale (default 1)
	Conn          string  // storage of J: dense, csr (default) or jit
	Seed          uint64
	// X0 is the standard deviation of the initial x (default 0.5, as in
	// the paper's code); the readout starts at 0.
	X0 float64
}

func (c *ForceConfig) defaults() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Units == 0 {
		c.Units = 1000
	}
	if c.Outputs == 0 {
		c.Outputs = 1
	}
	def(&c.G, 1.5)
	def(&c.P, 0.1)
	def(&c.Alpha, 0.01)
	def(&c.FeedbackScale, 1)
	def(&c.InputScale, 1)
	def(&c.X0, 0.5)
	if c.Conn == "" {
		c.Conn = ConnCSR
	}
}

// NewForceRNN builds the network of cfg; its random draws come from the
// Philox streams of cfg.Seed. It returns an error for bad sizes or values.
func NewForceRNN(cfg ForceConfig) (*ForceRNN, error) {
	cfg.defaults()
	if cfg.Units < 2 || cfg.Inputs < 0 || cfg.Outputs < 1 {
		return nil, fmt.Errorf("force network: bad sizes: %d units, %d inputs, %d outputs", cfg.Units, cfg.Inputs, cfg.Outputs)
	}
	if !(cfg.Alpha > 0 && cfg.Alpha <= 1) {
		return nil, fmt.Errorf("force network: alpha = dt/tau must be in (0, 1], got %v", cfg.Alpha)
	}
	n := cfg.Units
	rec, err := NewFixedMatrix(cfg.Conn, n, n, cfg.P, 1/math.Sqrt(cfg.P*float64(n)), cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("force network: %w", err)
	}
	rec.Scale = float32(cfg.G)
	net := &ForceRNN{N: n, Inputs: cfg.Inputs, Outputs: cfg.Outputs, Rec: rec, Alpha: float32(cfg.Alpha),
		Out: make([]float32, cfg.Outputs*n), X: make([]float32, n), R: make([]float32, n), Z: make([]float32, cfg.Outputs),
		Prev: make([]float32, n), Cur: make([]float32, n)}
	if !cfg.NoFeedback {
		net.Feedback = make([]float32, n*cfg.Outputs)
		s := float32(cfg.FeedbackScale)
		kernels.FillUniform(net.Feedback, -s, s, cfg.Seed, 0xfeedbac)
	}
	if cfg.Inputs > 0 {
		net.In = make([]float32, n*cfg.Inputs)
		s := float32(cfg.InputScale)
		kernels.FillUniform(net.In, -s, s, cfg.Seed, 0x1a970)
	}
	kernels.FillNormal(net.X, 0, float32(cfg.X0), cfg.Seed, 0x5747e)
	for i, v := range net.X {
		net.R[i] = float32(math.Tanh(float64(v)))
	}
	net.readout()
	return net, nil
}

// Step advances the network one step with input u (Inputs values; nil when
// there are none), feeding back its own readout.
func (n *ForceRNN) Step(u []float32) { n.StepWith(u, n.Z) }

// StepWith advances the network one step feeding back fb (Outputs values)
// instead of its readout: the teacher network of full-FORCE is driven by
// the target this way. fb is ignored without feedback weights.
func (n *ForceRNN) StepWith(u, fb []float32) {
	if len(u) != n.Inputs && !(n.Inputs == 0 && u == nil) {
		panic(fmt.Sprintf("networks: ForceRNN.Step: %d inputs, want %d", len(u), n.Inputs))
	}
	copy(n.Prev, n.R)
	n.Rec.MatVec(n.Cur, n.R)
	if n.Feedback != nil {
		n.fbz = append(n.fbz[:0], fb...)
		for i := range n.N {
			f := n.Feedback[i*n.Outputs : (i+1)*n.Outputs]
			var s float32
			for o, v := range n.fbz {
				s += f[o] * v
			}
			n.Cur[i] += s
		}
	}
	n.LastIn = u
	a := n.Alpha
	for i, x := range n.X {
		in := n.Cur[i]
		if n.Inputs > 0 {
			in += kernels.Dot(n.In[i*n.Inputs:(i+1)*n.Inputs], u)
		}
		n.X[i] = x + a*(in-x)
	}
	tanhTo(n.R, n.X)
	n.readout()
}

func (n *ForceRNN) readout() {
	for o := range n.Outputs {
		n.Z[o] = kernels.Dot(n.Out[o*n.N:(o+1)*n.N], n.R)
	}
}

// ReadoutInput, ReadoutOutput and ReadoutWeights expose r, z and W_out to
// the online readout rules (trainer.Readout).
func (n *ForceRNN) ReadoutInput() []float32   { return n.R }
func (n *ForceRNN) ReadoutOutput() []float32  { return n.Z }
func (n *ForceRNN) ReadoutWeights() []float32 { return n.Out }

// tanhTo sets dst[i] = tanh(x[i]).
func tanhTo(dst, x []float32) {
	for i, v := range x {
		dst[i] = tanh32(v)
	}
}

// tanh32 is tanh in float32 through one exponential, exact to a few ulps
// of float32 (math.Tanh in float64 costs several times more).
func tanh32(v float32) float32 {
	if v > 9 {
		return 1
	}
	if v < -9 {
		return -1
	}
	e := math.Exp(float64(2 * v))
	return float32((e - 1) / (e + 1))
}
