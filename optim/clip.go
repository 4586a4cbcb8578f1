package optim

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/tensor"
)

// ClipGradNorm scales the gradients of params together so that their total
// norm is at most maxNorm, and returns the total norm before clipping, as
// torch.nn.utils.clip_grad_norm_:
//
//	N = (Σ over all gradient elements |g|^p)^(1/p)   (max |g| for p = +Inf)
//	c = min(1, maxNorm / (N + 1e-6))
//	g ← c·g
//
// Parameters whose Grad is nil are ignored; with none, N is 0. normType is
// p: 2 for the Euclidean norm, math.Inf(1) for the largest magnitude, or any
// other p > 0. The sum and the scaling are computed in float64.
//
// If N is NaN or infinite (a non-finite gradient) the gradients are left
// unchanged and an error is returned with N (PyTorch's
// error_if_nonfinite=True). It panics if maxNorm is negative or NaN or
// normType is not positive.
func ClipGradNorm(params []*tensor.Tensor, maxNorm, normType float64) (float64, error) {
	if !(maxNorm >= 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm: maxNorm %v must be >= 0", maxNorm))
	}
	if !(normType > 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm: normType %v must be > 0 or +Inf", normType))
	}
	var total float64
	switch {
	case math.IsInf(normType, 1):
		for _, p := range params {
			for _, g := range p.Grad {
				if a := math.Abs(float64(g)); a > total || a != a {
					total = a // a NaN sticks: nothing compares greater
				}
			}
		}
	case normType == 2:
		for _, p := range params {
			for _, g := range p.Grad {
				total += float64(g) * float64(g)
			}
		}
		total = math.Sqrt(total)
	case normType == 1:
		for _, p := range params {
			for _, g := range p.Grad {
				total += math.Abs(float64(g))
			}
		}
	default:
		for _, p := range params {
			for _, g := range p.Grad {
				total += math.Pow(math.Abs(float64(g)), normType)
			}
		}
		total = math.Pow(total, 1/normType)
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return total, fmt.Errorf("optim: ClipGradNorm: the total gradient norm of order %v is %v; gradients not clipped", normType, total)
	}
	c := maxNorm / (total + 1e-6)
	if c >= 1 {
		return total, nil // PyTorch multiplies by 1, which changes nothing
	}
	for _, p := range params {
		for i, g := range p.Grad {
			p.Grad[i] = float32(float64(g) * c)
		}
	}
	return total, nil
}

// ClipGradValue clamps every gradient element of params into [−clip, clip],
// as torch.nn.utils.clip_grad_value_ (a NaN stays NaN). Parameters whose Grad
// is nil are ignored. It panics if clip is negative or NaN.
func ClipGradValue(params []*tensor.Tensor, clip float64) {
	if !(clip >= 0) {
		panic(fmt.Sprintf("optim: ClipGradValue: clip %v must be >= 0", clip))
	}
	hi := float32(clip) // rounded to nearest, as PyTorch converts the bound
	for _, p := range params {
		for i, g := range p.Grad {
			switch {
			case g > hi:
				p.Grad[i] = hi
			case g < -hi:
				p.Grad[i] = -hi
			}
		}
	}
}
