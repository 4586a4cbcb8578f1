package tensor

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
)

// DelayKernel returns the taps × in × out kernel of learnable synaptic
// delays by Gaussian interpolation (Hammouamri, Khalfaoui-Hassani and
// Masquelier, "Learning delays in spiking neural networks using dilated
// convolutions with learnable spacings", ICLR 2024; their DCLS with a
// Gaussian of standard deviation sigma, normalized over the taps):
//
//	h_k(d) = exp(−(k−d)²/(2σ²)) / Σ_k' exp(−(k'−d)²/(2σ²)),  k = 0 … taps−1
//	K[k][i][j] = w[i][j] · h_k(clamp(pos[i][j], 0, taps−1))
//
// w and pos are in × out: the weight and the delay in steps of the synapse
// i → j. The result, taps·in × out, stacks the taps: rows k·in … (k+1)·in−1
// are K_k, the weights of the input k steps ago (DelayedMatMul). As σ
// shrinks the kernel approaches one weight at the rounded delay. The
// gradient reaches w and pos (zero for a position outside [0, taps−1], as
// the clamp's).
func (tp *Tape) DelayKernel(w, pos *Tensor, taps int, sigma float32) *Tensor {
	if w.Dim() != 2 || pos.Dim() != 2 || w.Shape[0] != pos.Shape[0] || w.Shape[1] != pos.Shape[1] {
		panic(fmt.Sprintf("tensor: DelayKernel needs weights and positions of one 2-D shape, got %v and %v", w.Shape, pos.Shape))
	}
	if taps < 1 || !(sigma > 0) {
		panic(fmt.Sprintf("tensor: DelayKernel: %d taps, sigma %v", taps, sigma))
	}
	in, out := w.Shape[0], w.Shape[1]
	n := in * out
	res := tp.NewResult([]int{taps * in, out}, w, pos)
	// h holds h_k for every synapse, k-major like the result.
	h := tp.Alloc(taps * n) // every element is written below
	inv := 1 / (2 * float64(sigma) * float64(sigma))
	for s := 0; s < n; s++ {
		d := clampPos(pos.Data[s], taps)
		var z float64
		for k := 0; k < taps; k++ {
			e := math.Exp(-(float64(k) - d) * (float64(k) - d) * inv)
			h[k*n+s] = float32(e)
			z += e
		}
		for k := 0; k < taps; k++ {
			h[k*n+s] = float32(float64(h[k*n+s]) / z)
			res.Data[k*n+s] = w.Data[s] * h[k*n+s]
		}
	}
	if res.requiresGrad {
		tp.Record(func() {
			g := res.Grad
			if g == nil {
				return
			}
			var gw, gp []float32
			if w.requiresGrad {
				gw = tp.GradOf(w)
			}
			if pos.requiresGrad {
				gp = tp.GradOf(pos)
			}
			s2 := float64(sigma) * float64(sigma)
			for s := 0; s < n; s++ {
				// dL/dh_k = g_k·w; dh_k/dd = h_k·((k−d) − Σ h_k'(k'−d))/σ².
				var sw, mean, sgh, sghk float64
				d := clampPos(pos.Data[s], taps)
				for k := 0; k < taps; k++ {
					hk, gk := float64(h[k*n+s]), float64(g[k*n+s])
					sw += gk * hk
					mean += hk * (float64(k) - d)
					sgh += gk * hk
					sghk += gk * hk * (float64(k) - d)
				}
				if gw != nil {
					gw[s] += float32(sw)
				}
				if gp != nil {
					if p := pos.Data[s]; p < 0 || p > float32(taps-1) {
						continue
					}
					gp[s] += float32(float64(w.Data[s]) * (sghk - mean*sgh) / s2)
				}
			}
		})
	}
	return res
}

func clampPos(p float32, taps int) float64 {
	return math.Min(math.Max(float64(p), 0), float64(taps-1))
}

// DelayedMatMul returns Σ_k hist[k]·K_k: the input current of a projection
// with per-synapse delays, where hist[k] (batch × in) is the input k steps
// ago (nil: none yet, before the run's first step) and K is DelayKernel's
// taps·in × out stack. Only the kernels of present inputs are touched.
func (tp *Tape) DelayedMatMul(hist []*Tensor, k *Tensor) *Tensor {
	var x0 *Tensor
	for _, x := range hist {
		if x != nil {
			x0 = x
			break
		}
	}
	if x0 == nil || x0.Dim() != 2 || k.Dim() != 2 || len(hist)*x0.Shape[1] > k.Shape[0] || k.Shape[0]%x0.Shape[1] != 0 {
		panic(fmt.Sprintf("tensor: DelayedMatMul: %d inputs for a kernel of shape %v", len(hist), k.Shape))
	}
	batch, in, out := x0.Shape[0], x0.Shape[1], k.Shape[1]
	for _, x := range hist {
		if x != nil && (x.Dim() != 2 || x.Shape[0] != batch || x.Shape[1] != in) {
			panic(fmt.Sprintf("tensor: DelayedMatMul: inputs of shapes %v and %v", x0.Shape, x.Shape))
		}
	}
	hist = append([]*Tensor(nil), hist...) // the caller may reuse its slice; the backward step reads this one
	res := tp.NewResult([]int{batch, out}, append(append([]*Tensor(nil), hist...), k)...)
	beta := float32(0)
	for j, x := range hist {
		if x == nil {
			continue
		}
		kernels.Gemm(false, false, batch, out, in, 1, x.Data, in, k.Data[j*in*out:], out, beta, res.Data, out)
		beta = 1
	}
	if res.requiresGrad {
		tp.Record(func() {
			g := res.Grad
			if g == nil {
				return
			}
			var gk []float32
			if k.requiresGrad {
				gk = tp.GradOf(k)
			}
			for j, x := range hist {
				if x == nil {
					continue
				}
				if x.requiresGrad { // dx += G·K_jᵀ
					gx, b := gradBeta(tp, x)
					kernels.Gemm(false, true, batch, in, out, 1, g, out, k.Data[j*in*out:], out, b, gx, in)
				}
				if gk != nil { // dK_j += xᵀ·G
					kernels.Gemm(true, false, in, out, batch, 1, x.Data, in, g, out, 1, gk[j*in*out:], out)
				}
			}
		})
	}
	return res
}
