package optim

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/tensor"
)

func withGrads(grads ...[]float32) []*tensor.Tensor {
	ps := make([]*tensor.Tensor, len(grads))
	for i, g := range grads {
		ps[i] = tensor.NewParam(string(rune('a'+i)), []int{len(g)}, make([]float32, len(g)))
		ps[i].Grad = g
	}
	return ps
}

// TestClipGradNorm checks the total norm and the clipping, against values
// worked out by hand: the gradients (3, −4) and (12) have 2-norm 13,
// ∞-norm 12, 1-norm 19 and 3-norm 1819^(1/3).
func TestClipGradNorm(t *testing.T) {
	for _, tc := range []struct {
		name           string
		maxNorm, order float64
		total          float64
		scale          float64 // expected clip coefficient (1: unchanged)
	}{
		{"l2/clipped", 6.5, 2, 13, 6.5 / (13 + 1e-6)},
		{"l2/unchanged", 20, 2, 13, 1},
		{"l2/at_limit", 13, 2, 13, 13 / (13 + 1e-6)}, // the 1e-6 clips, barely
		{"inf/clipped", 6, math.Inf(1), 12, 6 / (12 + 1e-6)},
		{"inf/unchanged", 12.5, math.Inf(1), 12, 1},
		{"l1", 9.5, 1, 19, 9.5 / (19 + 1e-6)},
		{"l3", 1, 3, math.Cbrt(1819), 1 / (math.Cbrt(1819) + 1e-6)},
		{"zero", 0, 2, 13, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := withGrads([]float32{3, -4}, nil, []float32{12})
			ps[1].Grad = nil // no gradient: ignored
			total, err := ClipGradNorm(ps, tc.maxNorm, tc.order)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(total-tc.total) > 1e-12*tc.total {
				t.Errorf("total norm %v, want %v", total, tc.total)
			}
			for i, want := range [][]float64{{3, -4}, nil, {12}} {
				for j, w := range want {
					if got, w := ps[i].Grad[j], float32(w*tc.scale); got != w {
						t.Errorf("grad %s[%d] = %v, want %v", ps[i].Name, j, got, w)
					}
				}
			}
		})
	}
	if total, err := ClipGradNorm(withGrads(), 1, 2); total != 0 || err != nil {
		t.Errorf("no gradients: %v, %v", total, err)
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		for _, order := range []float64{2, math.Inf(1), 1, 3} {
			ps := withGrads([]float32{3, -4}, []float32{bad, 1})
			total, err := ClipGradNorm(ps, 1, order)
			if err == nil || !strings.Contains(err.Error(), "not clipped") || !(math.IsNaN(total) || math.IsInf(total, 0)) {
				t.Errorf("gradient %v, order %v: total %v, error %v", bad, order, total, err)
			}
			if ps[0].Grad[0] != 3 || ps[0].Grad[1] != -4 {
				t.Errorf("gradient %v, order %v: gradients changed to %v", bad, order, ps[0].Grad)
			}
		}
	}
}

func TestClipGradValue(t *testing.T) {
	nan := float32(math.NaN())
	ps := withGrads([]float32{-3, 0.5, 2, nan}, []float32{1, -1, 0.1})
	ps = append(ps, tensor.NewParam("nil", []int{1}, []float32{0}))
	ClipGradValue(ps, 1)
	if got, want := ps[0].Grad, []float32{-1, 0.5, 1, nan}; !slices.Equal(got[:3], want[:3]) || got[3] == got[3] {
		t.Errorf("clipped %v, want %v", got, want)
	}
	if got, want := ps[1].Grad, []float32{1, -1, 0.1}; !slices.Equal(got, want) {
		t.Errorf("clipped %v, want %v", got, want)
	}
	ps = withGrads([]float32{0.5, -0.5})
	ClipGradValue(ps, 0.1)
	if got, want := ps[0].Grad, []float32{0.1, -0.1}; !slices.Equal(got, want) {
		t.Errorf("clipped %v, want %v", got, want)
	}
}
