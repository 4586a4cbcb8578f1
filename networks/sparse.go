package networks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// Projection is a trainable map from a layer's activity (batch × In) to the
// input current of the next layer (batch × Out). Dense, Sparse and JITProj
// implement it; a Block runs its projection through this interface.
type Projection interface {
	In() int
	Out() int
	// Params lists the trainable tensors.
	Params() []*tensor.Tensor
	// Forward maps a real-valued input.
	Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor
	// ForwardSpikes maps a binary spike input, event-driven where that is
	// faster.
	ForwardSpikes(tp *tensor.Tape, s *tensor.Tensor) *tensor.Tensor
}

// Shadower is implemented by projections that can make a data-parallel
// worker's copy: parameters sharing the values, with gradients of their
// own (FeedForward.Shadow).
type Shadower interface {
	Shadow() Projection
}

// shadowParam returns a tensor sharing p's values with a gradient of its
// own (nil for nil).
func shadowParam(p *tensor.Tensor) *tensor.Tensor {
	if p == nil {
		return nil
	}
	s := &tensor.Tensor{Shape: p.Shape, Data: p.Data, Name: p.Name}
	s.SetRequiresGrad(p.RequiresGrad())
	return s
}

// Sparse is a projection y = x·W + b whose in × out weight matrix W has a
// fixed sparse structure (Conn, in CSR form, rows the inputs) and trainable
// values (W, one per stored entry, in Conn's entry order). Its products are
// tensor.CSRMatMul and, for spike inputs, the event-driven
// tensor.CSRSpikeMatMul: work and memory follow the synapses, not in × out.
type Sparse struct {
	Conn *kernels.CSR   // the structure; Conn.Val is unused (nil)
	W    *tensor.Tensor // (Conn.NNZ()) values
	B    *tensor.Tensor // (out), or nil
	// Gain, when not 0 or 1, scales the output, as Dense.Gain.
	Gain float32
}

// SparseConfig configures NewSparse. The zero value of each field but P
// works.
type SparseConfig struct {
	// P is the connection probability, in (0, 1]: each (input, output)
	// pair is connected independently with probability P.
	P float64
	// Seed selects the structure: the pattern of kernels.JIT{Rows: in,
	// Cols: out, P: P, Seed: Seed}, so a structure is stored as its seed.
	Seed uint64
	// Bias adds a trainable bias.
	Bias bool
	// NoSelf leaves out the diagonal (a recurrent projection, in == out).
	NoSelf bool
	// InitScale, when positive, draws the values Kaiming-normal with the
	// expected fan-in, std √(InitScale/(P·in)), and the bias at zero (as
	// NewDenseKaiming); 0 keeps NewSparse's uniform initialization.
	InitScale float64
}

// NewSparse returns a sparse projection in → out with the structure of c
// and, like Dense's NewDense (PyTorch's nn.Linear) but with the expected
// fan-in P·in, values and bias uniform in ±1/√(P·in), drawn from r in
// entry order (or Kaiming normal, c.InitScale). It panics on sizes below 1 or P outside (0, 1] (programmer
// errors; a recipe validates its fields first).
func NewSparse(name string, in, out int, c SparseConfig, r *rand.Rand) *Sparse {
	if in < 1 || out < 1 || !(c.P > 0 && c.P <= 1) {
		panic(fmt.Sprintf("networks: NewSparse(%d→%d, p %v)", in, out, c.P))
	}
	m := (&kernels.JIT{Rows: in, Cols: out, P: c.P, Seed: c.Seed, Weight: kernels.HomogeneousWeight(1)}).ToCSR()
	m.Val = nil
	if c.NoSelf {
		m = dropDiagonal(m)
	}
	fanIn := c.P * float64(in)
	k := float32(1 / math.Sqrt(fanIn))
	w := make([]float32, m.NNZ())
	for i := range w {
		if c.InitScale > 0 {
			w[i] = float32(math.Sqrt(c.InitScale/fanIn) * r.NormFloat64())
		} else {
			w[i] = k * (2*r.Float32() - 1)
		}
	}
	s := &Sparse{Conn: m, W: tensor.NewParam(name+".weight", []int{len(w)}, w)}
	if c.Bias {
		b := make([]float32, out)
		for i := range b {
			if c.InitScale == 0 {
				b[i] = k * (2*r.Float32() - 1)
			}
		}
		s.B = tensor.NewParam(name+".bias", []int{out}, b)
	}
	return s
}

// dropDiagonal returns the pattern m without its (i, i) entries.
func dropDiagonal(m *kernels.CSR) *kernels.CSR {
	d := &kernels.CSR{Rows: m.Rows, Cols: m.Cols, Ptr: make([]int64, m.Rows+1), Col: make([]int32, 0, m.NNZ())}
	for i := 0; i < m.Rows; i++ {
		for _, c := range m.Col[m.Ptr[i]:m.Ptr[i+1]] {
			if int(c) != i {
				d.Col = append(d.Col, c)
			}
		}
		d.Ptr[i+1] = int64(len(d.Col))
	}
	return d
}

// In and Out are the projection's sizes.
func (s *Sparse) In() int  { return s.Conn.Rows }
func (s *Sparse) Out() int { return s.Conn.Cols }

// Params lists the trainable tensors.
func (s *Sparse) Params() []*tensor.Tensor {
	if s.B == nil {
		return []*tensor.Tensor{s.W}
	}
	return []*tensor.Tensor{s.W, s.B}
}

// Forward returns x·W + b for x of shape (batch, in).
func (s *Sparse) Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	s.check(x)
	return s.finish(tp, tp.CSRMatMul(x, s.Conn, s.W))
}

// ForwardSpikes is Forward for binary spikes, event-driven.
func (s *Sparse) ForwardSpikes(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	s.check(x)
	return s.finish(tp, tp.CSRSpikeMatMul(x, s.Conn, s.W))
}

func (s *Sparse) check(x *tensor.Tensor) {
	if x.Dim() != 2 || x.Shape[1] != s.In() {
		panic(fmt.Sprintf("networks: Sparse(%d→%d) got input %v", s.In(), s.Out(), x.Shape))
	}
}

func (s *Sparse) finish(tp *tensor.Tape, y *tensor.Tensor) *tensor.Tensor {
	if s.B != nil {
		y = tp.Add(y, s.B)
	}
	if s.Gain == 0 || s.Gain == 1 {
		return y
	}
	return tp.Scale(y, s.Gain)
}

// Shadow returns a copy sharing the structure and values, with gradients
// of its own.
func (s *Sparse) Shadow() Projection {
	return &Sparse{Conn: s.Conn, W: shadowParam(s.W), B: shadowParam(s.B), Gain: s.Gain}
}

// Dense returns the in × out weight matrix, zeros off the structure (for
// export and tests).
func (s *Sparse) Dense() []float32 {
	m := *s.Conn
	m.Val = s.W.Data
	d := make([]float32, m.Rows*m.Cols)
	m.ToDense(d)
	return d
}

// Dense returns the JIT matrix with its trained weight rule written out,
// in × out row-major (absent connections 0): the matrix every product of
// the projection uses, for export. It needs in·out floats.
func (j *JITProj) Dense() []float32 {
	m := j.M
	switch w := j.W.Data; m.Weight.Kind {
	case kernels.Homogeneous:
		m.Weight.A = w[0]
	default:
		m.Weight.A, m.Weight.B = w[0], w[1]
	}
	d := make([]float32, m.Rows*m.Cols)
	m.Materialize(d)
	return d
}

// JITProj is a projection y = x·M + b through a just-in-time random matrix
// M (kernels.JIT: each pair connected with probability P, regenerated from
// the seed at every product, never stored) whose weight rule's parameters
// are trained: W holds [w] for homogeneous weights, [lo, hi] for uniform
// and [mu, sd] for normal ones (tensor.JITMatMul; BrainPy's jitconn
// operators). Memory is independent of in × out; what is learned is the
// scale (and shift) of the weights, not each synapse.
type JITProj struct {
	M    kernels.JIT    // size, probability, seed and weight kind (M.Weight's A, B unused)
	W    *tensor.Tensor // the rule's parameters
	B    *tensor.Tensor // (out), or nil
	Gain float32
}

// NewJITProj returns a JIT projection in → out of connection probability p
// and seed, its weight rule of the given kind with initial parameters
// init (1 value for kernels.Homogeneous, 2 otherwise) and a zero bias when
// bias is set.
func NewJITProj(name string, in, out int, p float64, seed uint64, kind kernels.WeightKind, init []float32, bias bool) *JITProj {
	want := 2
	if kind == kernels.Homogeneous {
		want = 1
	}
	if in < 1 || out < 1 || !(p > 0 && p <= 1) || len(init) != want {
		panic(fmt.Sprintf("networks: NewJITProj(%d→%d, p %v, %d parameters)", in, out, p, len(init)))
	}
	j := &JITProj{
		M: kernels.JIT{Rows: in, Cols: out, P: p, Seed: seed, Weight: kernels.WeightRule{Kind: kind}},
		W: tensor.NewParam(name+".weight", []int{want}, append([]float32(nil), init...)),
	}
	if bias {
		j.B = tensor.NewParam(name+".bias", []int{out}, make([]float32, out))
	}
	return j
}

// In and Out are the projection's sizes.
func (j *JITProj) In() int  { return j.M.Rows }
func (j *JITProj) Out() int { return j.M.Cols }

// Params lists the trainable tensors.
func (j *JITProj) Params() []*tensor.Tensor {
	if j.B == nil {
		return []*tensor.Tensor{j.W}
	}
	return []*tensor.Tensor{j.W, j.B}
}

// Forward returns x·M + b.
func (j *JITProj) Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	return j.finish(tp, tp.JITMatMul(x, j.M, j.W))
}

// ForwardSpikes is Forward for spikes (rows of neurons that fired in no
// sample are not generated).
func (j *JITProj) ForwardSpikes(tp *tensor.Tape, s *tensor.Tensor) *tensor.Tensor {
	return j.finish(tp, tp.JITSpikeMatMul(s, j.M, j.W))
}

func (j *JITProj) finish(tp *tensor.Tape, y *tensor.Tensor) *tensor.Tensor {
	if j.B != nil {
		y = tp.Add(y, j.B)
	}
	if j.Gain == 0 || j.Gain == 1 {
		return y
	}
	return tp.Scale(y, j.Gain)
}

// Shadow returns a copy sharing the parameters' values, with gradients of
// its own.
func (j *JITProj) Shadow() Projection {
	return &JITProj{M: j.M, W: shadowParam(j.W), B: shadowParam(j.B), Gain: j.Gain}
}

// Shadow returns a copy of d sharing its values, with gradients of its own.
func (d *Dense) Shadow() Projection {
	return &Dense{W: shadowParam(d.W), B: shadowParam(d.B), Gain: d.Gain}
}

var (
	_ Projection = (*Dense)(nil)
	_ Projection = (*Sparse)(nil)
	_ Projection = (*JITProj)(nil)
	_ Shadower   = (*Dense)(nil)
	_ Shadower   = (*Sparse)(nil)
	_ Shadower   = (*JITProj)(nil)
)
