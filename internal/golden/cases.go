package golden

import (
	"math"
	"testing"
)

// LIFCase holds the keys of the ff_lif_* and rec_lif_* reference files
// (see ../shared/golden/README.md). Linear weights are (out, in).
type LIFCase struct {
	Surrogate     string    `json:"surrogate"`
	Reset         string    `json:"reset"`
	Batch         int       `json:"batch"`
	Steps         int       `json:"steps"`
	Sizes         []int     `json:"sizes"`
	Beta          any       `json:"beta"` // [β1, β2] (ff) or β (rec)
	ReadoutDecay  float32   `json:"readout_decay"`
	Threshold     float32   `json:"threshold"`
	Loss          float64   `json:"loss"`
	SpikesPerStep []float64 `json:"spikes_per_step"`

	W1, B1, W2, B2, X []float32
	Win, Wrec, Wout   []float32
	Xs                []float32
	Y                 []int

	GradW1   []float64 `json:"grad_W1"`
	GradB1   []float64 `json:"grad_b1"`
	GradW2   []float64 `json:"grad_W2"`
	GradB2   []float64 `json:"grad_b2"`
	GradWin  []float64 `json:"grad_Win"`
	GradWrec []float64 `json:"grad_Wrec"`
	GradWout []float64 `json:"grad_Wout"`
}

// Betas returns the per-layer decays of a case.
func (c *LIFCase) Betas() []float32 {
	switch b := c.Beta.(type) {
	case float64:
		return []float32{float32(b)}
	case []any:
		out := make([]float32, len(b))
		for i, v := range b {
			out[i] = float32(v.(float64))
		}
		return out
	}
	return nil
}

// Close reports an error unless every element of got is within relative
// error tol of the float64 reference want, relative to the largest
// reference magnitude for elements near zero (float32 rounding).
func Close(t testing.TB, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, reference has %d", what, len(got), len(want))
	}
	var scale float64
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range want {
		lim := tol * math.Max(math.Abs(want[i]), 1e-2*scale)
		if d := math.Abs(float64(got[i]) - want[i]); d > lim || math.IsNaN(float64(got[i])) {
			t.Errorf("%s[%d] = %.8g, reference %.8g (|diff| %.3g > %.3g)", what, i, got[i], want[i], d, lim)
			return
		}
	}
}

// Transpose returns the (cols×rows) transpose of a row-major rows×cols matrix.
func Transpose(a []float32, rows, cols int) []float32 {
	out := make([]float32, len(a))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			out[j*rows+i] = a[i*cols+j]
		}
	}
	return out
}
