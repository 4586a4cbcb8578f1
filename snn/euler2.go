package snn

import (
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// euler2 is the differentiable forward-Euler step shared by the
// two-variable integrate-and-fire models that train (Izhikevich, AdEx): a
// membrane v and a recovery or adaptation variable w with the model's
// right-hand side f and its Jacobian. Per element, with input current i:
//
//	v' = v + dt·f_v(v, w, i),  w' = w + dt·f_w(v, w, i)
//	S  = H((v' − v_peak)/scale)          (surrogate on the scaled distance)
//	v  = S ? v_reset : v',  w = w' + jump·S  (reset detached)
//
// Backward, with g the incoming gradients and σ' the surrogate derivative:
//
//	gv' = (S ? 0 : g_v) + g_S·σ'/scale,  gw' = g_w
//	v ← gv'·(1 + dt·∂f_v/∂v) + gw'·dt·∂f_w/∂v
//	w ← gv'·dt·∂f_v/∂w + gw'·(1 + dt·∂f_w/∂w),  i ← gv'·dt·∂f_v/∂i
type euler2 struct {
	dt, vPeak, scale, vReset, jump float32
	sg                             surrogate.Func
	// f returns (f_v, f_w) at (v, w, i) and, when jac is set, the partial
	// derivatives ∂f_v/∂v, ∂f_v/∂w, ∂f_v/∂i, ∂f_w/∂v, ∂f_w/∂w.
	f func(v, w, i float32, jac bool) (fv, fw float32, d [5]float32)
}

func (m euler2) forward(tp *tensor.Tape, v, w, in *tensor.Tensor) (vo, wo, s *tensor.Tensor) {
	if v.Len() != in.Len() || w.Len() != in.Len() {
		panic("snn: neuron state and input sizes differ")
	}
	vo, wo = tp.NewResult(in.Shape, v, w, in), tp.NewResult(in.Shape, v, w, in)
	s = tp.NewResult(in.Shape, v, w, in)
	xs := tp.Alloc(in.Len()) // (v' − v_peak)/scale, for the backward pass
	inv := 1 / m.scale
	for k, i := range in.Data {
		fv, fw, _ := m.f(v.Data[k], w.Data[k], i, false)
		vn := v.Data[k] + m.dt*fv
		wn := w.Data[k] + m.dt*fw
		x := (vn - m.vPeak) * inv
		xs[k] = x
		if x > 0 {
			vn, wn = m.vReset, wn+m.jump
			s.Data[k] = 1
		} else {
			s.Data[k] = 0
		}
		vo.Data[k], wo.Data[k] = vn, wn
	}
	if !vo.RequiresGrad() {
		return vo, wo, s
	}
	tp.Record(func() {
		gV, gW, gS := vo.Grad, wo.Grad, s.Grad
		if gV == nil && gW == nil && gS == nil {
			return
		}
		var sg []float32
		if gS != nil {
			sg = tp.Alloc(len(gS))
			surrogate.GradSlice(m.sg, sg, gS, xs)
		}
		acc := func(t *tensor.Tensor) (g []float32, fresh bool) {
			if !t.RequiresGrad() {
				return nil, false
			}
			return tp.GradAcc(t)
		}
		gv, fv := acc(v)
		gw, fw := acc(w)
		gi, fi := acc(in)
		put := func(b []float32, fresh bool, k int, x float32) {
			switch {
			case b == nil:
			case fresh:
				b[k] = x
			default:
				b[k] += x
			}
		}
		for k := range in.Data {
			var gvn, gwn float32
			if gV != nil && s.Data[k] == 0 {
				gvn = gV[k]
			}
			if sg != nil {
				gvn += sg[k] * inv
			}
			if gW != nil {
				gwn = gW[k]
			}
			_, _, d := m.f(v.Data[k], w.Data[k], in.Data[k], true)
			put(gv, fv, k, gvn*(1+m.dt*d[0])+gwn*m.dt*d[3])
			put(gw, fw, k, gvn*m.dt*d[1]+gwn*(1+m.dt*d[4]))
			put(gi, fi, k, gvn*m.dt*d[2])
		}
	})
	return vo, wo, s
}
