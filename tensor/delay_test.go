package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randTensor(r *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.Data {
		t.Data[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return t
}

// DelayKernel against its formula and finite differences (weights and
// positions, inside the taps; a position outside gets no gradient).
func TestDelayKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const in, out, taps = 3, 4, 5
	w := randTensor(r, -1, 1, in, out)
	pos := randTensor(r, 0.2, taps-1.2, in, out)
	sigma := float32(1.3)
	k := (*Tape)(nil).DelayKernel(w, pos, taps, sigma)
	for s := 0; s < in*out; s++ {
		var z float64
		for j := 0; j < taps; j++ {
			z += math.Exp(-math.Pow(float64(j)-float64(pos.Data[s]), 2) / (2 * float64(sigma*sigma)))
		}
		for j := 0; j < taps; j++ {
			want := float64(w.Data[s]) * math.Exp(-math.Pow(float64(j)-float64(pos.Data[s]), 2)/(2*float64(sigma*sigma))) / z
			if got := float64(k.Data[j*in*out+s]); math.Abs(got-want) > 1e-6 {
				t.Fatalf("synapse %d tap %d: %v, want %v", s, j, got, want)
			}
		}
	}
	gc := GradCheck{Eps: 1e-3, ATol: 2e-3, RTol: 2e-2}
	if err := gc.CheckGrad(func(tp *Tape) *Tensor { return tp.DelayKernel(w, pos, taps, sigma) }, w, pos); err != nil {
		t.Fatal(err)
	}
	// A narrow Gaussian puts the weight at the rounded delay.
	pos.Data[0] = 2.1
	k = (*Tape)(nil).DelayKernel(w, pos, taps, 0.2)
	if got := k.Data[2*in*out]; math.Abs(float64(got-w.Data[0])) > 1e-3*math.Abs(float64(w.Data[0])) {
		t.Fatalf("σ 0.2, delay 2.1: tap 2 holds %v of weight %v", got, w.Data[0])
	}
	// Outside [0, taps−1] the clamp passes no gradient to the position.
	pos.Data[1] = taps + 1
	tp := NewTape()
	pos.SetRequiresGrad(true)
	w.SetRequiresGrad(true)
	pos.Grad, w.Grad = nil, nil
	y := tp.Sum(tp.DelayKernel(w, pos, taps, sigma))
	tp.Backward(y)
	if pos.Grad[1] != 0 {
		t.Fatalf("position beyond the taps has gradient %v", pos.Grad[1])
	}
}

// DelayedMatMul equals the naive sum over taps of input history times
// kernel slices, skips missing inputs, and passes finite differences.
func TestDelayedMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const batch, in, out, taps = 2, 3, 4, 4
	k := randTensor(r, -1, 1, taps*in, out)
	hist := []*Tensor{randTensor(r, -1, 1, batch, in), nil, randTensor(r, -1, 1, batch, in)}
	y := (*Tape)(nil).DelayedMatMul(hist, k)
	for b := 0; b < batch; b++ {
		for j := 0; j < out; j++ {
			var want float64
			for tap, x := range hist {
				if x == nil {
					continue
				}
				for i := 0; i < in; i++ {
					want += float64(x.Data[b*in+i]) * float64(k.Data[(tap*in+i)*out+j])
				}
			}
			if got := float64(y.Data[b*out+j]); math.Abs(got-want) > 1e-5 {
				t.Fatalf("(%d, %d): %v, want %v", b, j, got, want)
			}
		}
	}
	gc := GradCheck{Eps: 1e-3, ATol: 2e-3, RTol: 2e-2}
	if err := gc.CheckGrad(func(tp *Tape) *Tensor { return tp.DelayedMatMul(hist, k) }, hist[0], hist[2], k); err != nil {
		t.Fatal(err)
	}
	// Through both: the delay positions' gradient from a loss on outputs.
	w := randTensor(r, -1, 1, in, out)
	pos := randTensor(r, 0.3, taps-1.3, in, out)
	if err := gc.CheckGrad(func(tp *Tape) *Tensor { return tp.DelayedMatMul(hist, tp.DelayKernel(w, pos, taps, 0.8)) }, w, pos); err != nil {
		t.Fatal(err)
	}
}
