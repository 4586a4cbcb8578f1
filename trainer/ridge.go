package trainer

import (
	"errors"
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
	"gonum.org/v1/gonum/mat"
)

// Ridge fits a linear readout offline by ridge regression, streaming: it
// accumulates the Gram matrix XᵀX (Features × Features) and XᵀY
// (Features × Outputs) batch by batch with kernels.Gemm, never storing the
// samples, and solves
//
//	(XᵀX + λ·I)·Wᵀ = XᵀY
//
// through a Cholesky factorization (gonum's, in float64) for the
// Outputs × Features weights W that minimize Σ‖W·x − y‖² + λ‖W‖². A bias is
// a constant feature the caller appends.
//
// XᵀX is symmetric: only its blocks on and above the diagonal are computed
// (half the multiply-adds of a full product), in float32 with beta 1 (each
// Gemm sums its batch in order in blocks of 256 samples), and the lower
// triangle is filled in at Solve. Memory: 4·F² bytes for the Gram matrix,
// and 8·F² more while solving.
type Ridge struct {
	Features, Outputs int

	xtx     []float32 // F × F, upper blocks valid
	xty     []float32 // F × O
	samples int
}

// ridgeBlock is the side of the square blocks of XᵀX computed by one Gemm.
const ridgeBlock = 1024

// NewRidge returns an empty accumulator. It panics on non-positive sizes.
func NewRidge(features, outputs int) *Ridge {
	if features < 1 || outputs < 1 {
		panic(fmt.Sprintf("trainer: NewRidge: bad sizes %d features, %d outputs", features, outputs))
	}
	return &Ridge{Features: features, Outputs: outputs, xtx: make([]float32, features*features), xty: make([]float32, features*outputs)}
}

// Samples is the number of samples added so far.
func (r *Ridge) Samples() int { return r.samples }

// Add accumulates rows samples: x holds rows × Features values and y rows ×
// Outputs, row-major. It panics on wrong lengths.
func (r *Ridge) Add(x, y []float32, rows int) {
	f, o := r.Features, r.Outputs
	if len(x) < rows*f || len(y) < rows*o {
		panic(fmt.Sprintf("trainer: Ridge.Add: %d rows need %d features and %d targets, got %d and %d", rows, rows*f, rows*o, len(x), len(y)))
	}
	if rows == 0 {
		return
	}
	for i0 := 0; i0 < f; i0 += ridgeBlock {
		bi := min(ridgeBlock, f-i0)
		for j0 := i0; j0 < f; j0 += ridgeBlock {
			bj := min(ridgeBlock, f-j0)
			kernels.Gemm(true, false, bi, bj, rows, 1, x[i0:], f, x[j0:], f, 1, r.xtx[i0*f+j0:], f)
		}
	}
	kernels.Gemm(true, false, f, o, rows, 1, x, f, y, o, 1, r.xty, o)
	r.samples += rows
}

// Solve returns W (Outputs × Features, row-major) for the regularizer
// lambda ≥ 0. It returns an error when XᵀX + λI is not positive definite
// (λ = 0 with fewer samples than features, or collinear features) or holds
// a non-finite value. The accumulated sums stay, so Solve may be called
// again with another lambda.
func (r *Ridge) Solve(lambda float64) ([]float32, error) {
	f, o := r.Features, r.Outputs
	if lambda < 0 || math.IsNaN(lambda) {
		return nil, fmt.Errorf("ridge: lambda must not be negative, got %v", lambda)
	}
	a := make([]float64, f*f)
	for i := range f {
		for j := i; j < f; j++ {
			v := float64(r.xtx[i*f+j])
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("ridge: XᵀX[%d,%d] is %v: a feature was not finite", i, j, v)
			}
			a[i*f+j] = v
		}
		a[i*f+i] += lambda
	}
	sym := mat.NewSymDense(f, a) // reads the upper triangle
	var ch mat.Cholesky
	if !ch.Factorize(sym) {
		return nil, fmt.Errorf("ridge: XᵀX + %g·I (%d features, %d samples) is not positive definite: raise lambda", lambda, f, r.samples)
	}
	b := make([]float64, f*o)
	for i, v := range r.xty {
		b[i] = float64(v)
	}
	var sol mat.Dense
	if err := ch.SolveTo(&sol, mat.NewDense(f, o, b)); err != nil {
		// A mat.Condition error only warns of ill-conditioning; the
		// solution is computed. Anything else is a failure.
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return nil, fmt.Errorf("ridge: solve: %w", err)
		}
	}
	w := make([]float32, o*f)
	for i := range f {
		for k := range o {
			w[k*f+i] = float32(sol.At(i, k))
		}
	}
	return w, nil
}
