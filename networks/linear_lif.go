package networks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// LinearLIF is the network of the Open Neuromorphic SNN benchmark
// (github.com/open-neuromorphic/snn-library-benchmarks): a Linear(in→out)
// layer applied to every step's input, then a layer of LIF neurons,
//
//	I[t] = x[t]·Wᵀ + b,  (U[t], S[t]) = LIF(U[t−1], I[t]),  U[−1] = 0,
//
// on inputs of shape (steps, batch, in); the output is the spikes S,
// (steps, batch, out). The benchmark's snnTorch entry uses snn.Leaky(beta
// 0.95) with its defaults (threshold 1, reset by subtraction, atan
// surrogate), which is snn.LIF{Beta: 0.95}.
//
// Forward computes the projections of all steps in one product (steps ×
// batch rows: the input does not depend on the network's state) and runs
// the neurons with LIF.Sequence; its backward pass is one product for the
// weight gradient (and one for the input's, when the input takes one).
type LinearLIF struct {
	W   *tensor.Tensor // (out, in): PyTorch's nn.Linear layout
	B   *tensor.Tensor // (out), or nil
	LIF snn.LIF
	// BF16 runs the layer's products (the currents of all steps, the
	// weight gradient and the input gradient) in bfloat16 mixed precision,
	// kernels.GemmBF16: x, W and the currents' gradient rounded to bf16,
	// sums in float32, float32 results. Everything else (the bias, the LIF
	// state and its gradient, the parameters) stays float32, as under
	// PyTorch's autocast to bf16, which runs matmuls in bf16 and elementwise
	// ops in float32 (autocast also rounds the currents themselves to bf16;
	// here they stay float32). It needs kernels.HasBF16 and a fused LIF
	// layer: Forward panics without them. false: float32 products.
	BF16 bool
	// Strassen runs the layer's products through kernels.GemmStrassen
	// (kernels.GemmStrassenBF16 with BF16): on products whose sides are
	// all at least 2·kernels.StrassenMin() (2,048 by default), 7 half-size
	// products instead of 8 per level, kernels.StrassenLevels() deep (2),
	// its products 1.14-1.23x faster at n = 4,096-8,192 with 8,000 rows and
	// the Open Neuromorphic pass 1.24-1.31x at 8,192-16,384 (BENCHMARKS.md,
	// "Strassen–Winograd products"), for extra memory holding the blocks it
	// sums (kernels.GemmStrassen's doc). Other bits than
	// the default products and a normwise rather than elementwise error
	// bound, hence an option; smaller layers compute as without it.
	Strassen bool
}

// NewLinearLIF initializes the projection as PyTorch's nn.Linear does (W
// and b uniform in ±1/√in), drawn from r in PyTorch's (out, in) order.
func NewLinearLIF(name string, in, out int, bias bool, lif snn.LIF, r *rand.Rand) *LinearLIF {
	k := float32(1 / math.Sqrt(float64(in)))
	w := make([]float32, in*out)
	for i := range w {
		w[i] = k * (2*r.Float32() - 1)
	}
	m := &LinearLIF{W: tensor.NewParam(name+".weight", []int{out, in}, w), LIF: lif}
	if bias {
		b := make([]float32, out)
		for i := range b {
			b[i] = k * (2*r.Float32() - 1)
		}
		m.B = tensor.NewParam(name+".bias", []int{out}, b)
	}
	return m
}

// Params lists the trainable tensors.
func (m *LinearLIF) Params() []*tensor.Tensor {
	if m.B == nil {
		return []*tensor.Tensor{m.W}
	}
	return []*tensor.Tensor{m.W, m.B}
}

// Forward returns the spikes for x of shape (steps, batch, in).
//
// With a fused LIF layer (snn.LIF.Fused) it is one op that keeps, besides
// its output, one buffer of the currents' size: the product writes the
// currents into it, the LIF scan overwrites each step's currents with its
// membranes (snn.LIF.SequenceInPlace), and the backward pass overwrites the
// membranes with the currents' gradient (SequenceGradInPlace) before the
// weight-gradient product reads it. Otherwise it is tensor.Tape.Linear
// followed by LIF.Sequence.
func (m *LinearLIF) Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	s, _ := m.forward(tp, x, false)
	return s
}

// ForwardSum returns the spikes for x of shape (steps, batch, in) and their
// sum, the loss of the Open Neuromorphic benchmark (output.sum()), in one
// op: the gradient of the sum with respect to every spike is the same
// number, so the backward pass reads it from one step's worth of values
// instead of a gradient buffer of the spikes' size (Forward followed by
// tensor.Tape.Sum allocates one). The gradients are bit-identical to
// Forward's followed by Sum. Gradients that reach the spikes through other
// ops are added to the sum's.
//
// Memory on a recording tape (tensor.Tape.Bytes), for steps·batch·out = S
// and batch·out = M: 4·(2·S + 4·M + 2) bytes with a fused LIF layer (spikes
// and the shared currents/membranes/gradient buffer; one step of zeros, two
// of carried membrane gradient and one of the shared spike gradient; the
// sum and its gradient), where Forward then Sum take 4·(3·S + 3·M + 2) and
// tensor.Tape.Linear, LIF.Sequence and Sum 4·(5·S + 3·M + 2). The input, W
// and the parameters' gradients are the caller's.
func (m *LinearLIF) ForwardSum(tp *tensor.Tape, x *tensor.Tensor) (spikes, sum *tensor.Tensor) {
	return m.forward(tp, x, true)
}

func (m *LinearLIF) forward(tp *tensor.Tape, x *tensor.Tensor, withSum bool) (spikes, sum *tensor.Tensor) {
	if x.Dim() != 3 || x.Shape[2] != m.W.Shape[1] {
		panic(fmt.Sprintf("networks: LinearLIF(%d→%d) got input %v, want (steps, batch, %d)",
			m.W.Shape[1], m.W.Shape[0], x.Shape, m.W.Shape[1]))
	}
	gemm := kernels.GemmFunc(kernels.Gemm)
	if m.BF16 {
		if !m.LIF.Fused() || !kernels.HasBF16() {
			panic("networks: LinearLIF.BF16 needs a fused LIF layer and a CPU with AVX512_BF16 (kernels.HasBF16)")
		}
		gemm = kernels.GemmBF16
		if m.Strassen {
			gemm = kernels.GemmStrassenBF16
		}
	} else if m.Strassen {
		gemm = kernels.GemmStrassen
	}
	if !m.LIF.Fused() {
		s := m.LIF.Sequence(tp, tp.Linear(x, m.W, m.B))
		if withSum {
			return s, tp.Sum(s)
		}
		return s, nil
	}
	steps, nin, nout := x.Shape[0], m.W.Shape[1], m.W.Shape[0]
	rows := steps * x.Shape[1]
	mm := rows / steps * nout // neurons × batch: one step
	inputs := []*tensor.Tensor{x, m.W}
	if m.B != nil {
		inputs = append(inputs, m.B)
	}
	s := tp.NewResult([]int{steps, x.Shape[1], nout}, inputs...)
	buf := tp.Alloc(rows * nout) // currents, then membranes, then their gradient
	beta := float32(0)
	if m.B != nil { // the bias in every row, then the product added to it
		kernels.Parallel(rows, 64, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				copy(buf[r*nout:(r+1)*nout], m.B.Data)
			}
		})
		beta = 1
	}
	gemm(false, true, rows, nout, nin, 1, x.Data, nin, m.W.Data, nin, beta, buf, nout)
	zero := tp.AllocZero(mm)
	m.LIF.SequenceInPlace(buf, s.Data, zero, steps)
	if withSum {
		sum = tp.NewResult([]int{}, s)
		sum.Data[0] = float32(sumSpikes(s.Data))
	}
	if !s.RequiresGrad() {
		return s, sum
	}
	tp.Record(func() {
		gS := s.Grad
		if sum != nil && sum.Grad != nil {
			g := sum.Grad[0]
			if gS == nil {
				gS = tp.Alloc(mm) // the same at every step
				for i := range gS {
					gS[i] = g
				}
			} else {
				for i := range gS {
					gS[i] += g
				}
			}
		}
		if gS == nil {
			return
		}
		m.LIF.SequenceGradInPlace(buf, gS, zero, tp.Alloc(mm), tp.Alloc(mm), steps)
		g := buf              // dL/dI, (rows × out)
		if x.RequiresGrad() { // dX (rows×in) += G·W
			gx, beta := gradBeta(tp, x)
			gemm(false, false, rows, nin, nout, 1, g, nout, m.W.Data, nin, beta, gx, nin)
		}
		if m.W.RequiresGrad() { // dW (out×in) += Gᵀ·X
			gw, beta := gradBeta(tp, m.W)
			gemm(true, false, nout, nin, rows, 1, g, nout, x.Data, nin, beta, gw, nin)
		}
		if m.B != nil && m.B.RequiresGrad() {
			// Column blocks on several goroutines, each column summed over
			// the rows in order: the same bits for any thread count.
			gb := tp.GradOf(m.B)
			kernels.Parallel(nout, 256, func(lo, hi int) {
				for r := range rows {
					row := g[r*nout+lo : r*nout+hi]
					for j, v := range row {
						gb[lo+j] += v
					}
				}
			})
		}
	})
	return s, sum
}

// sumSpikes adds up spikes (0 or 1) in float64, in blocks on several
// goroutines: a sum of integers below 2⁵³, exact in any order.
func sumSpikes(s []float32) float64 {
	const block = 1 << 16
	parts := make([]float64, (len(s)+block-1)/block)
	kernels.Parallel(len(parts), 4, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			var t float64
			for _, v := range s[b*block : min((b+1)*block, len(s))] {
				t += float64(v)
			}
			parts[b] = t
		}
	})
	var total float64
	for _, t := range parts {
		total += t
	}
	return total
}

// gradBeta returns t's gradient buffer and the Gemm beta that accumulates
// into it (0 for a fresh, uninitialized buffer).
func gradBeta(tp *tensor.Tape, t *tensor.Tensor) ([]float32, float32) {
	g, fresh := tp.GradAcc(t)
	if fresh {
		return g, 0
	}
	return g, 1
}
