package trainer

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
)

// RLS is recursive least squares for linear maps y = W·x that share their
// inputs x: the state of FORCE learning (Sussillo and Abbott 2009), of
// full-FORCE (one output per recurrent unit) and of online reservoir
// readouts. After inputs x₁ … x_t it holds
//
//	P = (Σ_s x_s x_sᵀ + α·I)⁻¹
//
// and each Update moves every row of W (Outputs × Inputs, row-major, the
// caller's slice, changed in place) to the exact regularized least-squares
// solution of the inputs seen so far:
//
//	k = P·x                    (P of the previous step)
//	c = 1 / (1 + xᵀ·k)
//	P ← P − c·k·kᵀ             (rank-one update, in place)
//	W ← W − c·e·kᵀ             (e = W·x − y, the error before the update)
//
// c·k equals the new P times x, so the weight step is Sussillo and Abbott's
// w ← w − e·P(t)·r(t). Every output row shares P: one update of P serves
// them all (the block update of full-FORCE trains N rows at the cost of one
// P and one rank-one update of W per row).
//
// P is kept exactly symmetric: the rank-one term is written u·uᵀ with
// u = √c·k, and u_i·u_j == u_j·u_i in floating point. It is applied lazily,
// fused with the next product P·x into one pass over P (each row: subtract
// u_i·u, then dot with x), which halves the memory traffic of a step; Flush
// (called by Matrix) applies a pending term. Rows are split among
// goroutines; results are bit-identical for any kernels.Threads().
type RLS struct {
	Inputs, Outputs int

	p       []float32 // Inputs × Inputs
	k, u    []float32 // P·x of the last update; the pending term's vector
	pending bool
	updates int
}

// NewRLS returns the state of a least-squares fit of outputs outputs on
// inputs inputs with P(0) = I/alpha (alpha > 0: the ridge regularizer;
// Sussillo and Abbott use alpha 1 for rates of order 1). It panics on
// non-positive sizes or alpha (programmer errors).
func NewRLS(inputs, outputs int, alpha float64) *RLS {
	if inputs < 1 || outputs < 0 {
		panic(fmt.Sprintf("trainer: NewRLS: bad sizes %d inputs, %d outputs", inputs, outputs))
	}
	if !(alpha > 0) || math.IsInf(alpha, 0) {
		panic(fmt.Sprintf("trainer: NewRLS: alpha must be positive and finite, got %v", alpha))
	}
	r := &RLS{Inputs: inputs, Outputs: outputs, p: make([]float32, inputs*inputs),
		k: make([]float32, inputs), u: make([]float32, inputs)}
	d := float32(1 / alpha)
	for i := range inputs {
		r.p[i*inputs+i] = d
	}
	return r
}

// Updates is the number of updates applied so far.
func (r *RLS) Updates() int { return r.updates }

// rlsGrain is the rows of P a goroutine takes at least: below it a step
// runs on one goroutine.
const rlsGrain = 64

// Gain computes k = P·x into the RLS's scratch and returns it with
// c = 1/(1 + xᵀk), applying a pending rank-one term on the way. It leaves P
// otherwise unchanged: Commit finishes the update. Update is Gain, the
// weight step and Commit.
func (r *RLS) Gain(x []float32) (k []float32, c float32) {
	n := r.Inputs
	if len(x) != n {
		panic(fmt.Sprintf("trainer: RLS: input has %d values, want %d", len(x), n))
	}
	p, u, k := r.p, r.u, r.k
	pending := r.pending
	kernels.Parallel(n, rlsGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := p[i*n : (i+1)*n]
			if pending {
				kernels.Axpy(row, -u[i], u)
			}
			k[i] = kernels.Dot(row, x)
		}
	})
	r.pending = false
	den := 1 + float64(kernels.Dot(x, k))
	return k, float32(1 / den)
}

// Commit records the rank-one update P ← P − c·k·kᵀ for the k and c of the
// last Gain (applied lazily by the next Gain or Flush).
func (r *RLS) Commit(c float32) {
	s := float32(math.Sqrt(float64(c)))
	for i, v := range r.k {
		r.u[i] = s * v
	}
	r.pending = true
	r.updates++
}

// Update performs one RLS step for input x and error e = W·x − y
// (Outputs values, computed by the caller with the weights before this
// update); w holds the Outputs × Inputs weights and is updated in place. It
// panics on wrong lengths. A non-finite error or a non-positive denominator
// (P no longer positive definite) returns an error and changes nothing but
// a pending term's application, which is exact.
func (r *RLS) Update(w, x, e []float32) error {
	if len(e) != r.Outputs || len(w) != r.Outputs*r.Inputs {
		panic(fmt.Sprintf("trainer: RLS.Update: %d errors and %d weights for %d outputs × %d inputs", len(e), len(w), r.Outputs, r.Inputs))
	}
	for i, v := range e {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("RLS: error of output %d is %v", i, v)
		}
	}
	k, c := r.Gain(x)
	if !(c > 0) || math.IsInf(float64(c), 0) {
		return fmt.Errorf("RLS: 1/(1 + xᵀPx) is %v after %d updates: P is no longer positive definite (raise alpha or check the inputs)", c, r.updates)
	}
	n := r.Inputs
	kernels.Parallel(r.Outputs, max(1, rlsGrain*rlsGrain/n), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			kernels.Axpy(w[o*n:(o+1)*n], -c*e[o], k)
		}
	})
	r.Commit(c)
	return nil
}

// Flush applies a pending rank-one term to P.
func (r *RLS) Flush() {
	if !r.pending {
		return
	}
	n := r.Inputs
	p, u := r.p, r.u
	kernels.Parallel(n, rlsGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			kernels.Axpy(p[i*n:(i+1)*n], -u[i], u)
		}
	})
	r.pending = false
}

// Matrix returns P (Inputs × Inputs, row-major), flushed. The slice is the
// RLS's own: changing it changes the fit.
func (r *RLS) Matrix() []float32 {
	r.Flush()
	return r.p
}
