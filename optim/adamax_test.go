package optim

import (
	"math"
	"testing"

	"github.com/braingo/braingo/tensor"
)

// Six Adamax steps with weight decay match PyTorch 1.13's torch.optim.Adamax
// (lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01; values printed
// by Debian's python3-torch), and the state survives a checkpoint.
func TestAdamaxPyTorch(t *testing.T) {
	p := tensor.NewParam("w", []int{4}, []float32{0.5, -1.5, 2.0, 0})
	o, err := New([]*tensor.Tensor{p}, AdamaxConfig{WeightDecay: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 6; step++ {
		s := float64(step)
		p.Grad = []float32{float32(math.Sin(s)), float32(0.1 * math.Cos(s)), float32(-0.3 + 0.01*s), float32(1e-9 * s)}
		if step == 4 { // checkpoint round trip in the middle
			o2, _ := New([]*tensor.Tensor{p}, AdamaxConfig{WeightDecay: 0.01})
			if err := o2.SetState(o.State()); err != nil {
				t.Fatal(err)
			}
			o = o2
		}
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
	}
	want := []float64{0.4946521520614624, -1.4987367391586304, 2.01141619682312, -0.0005154952523298562}
	wantM := []float64{-0.053587477654218674, -0.006927002687007189, -0.11334124207496643, -1.7887056458221195e-07}
	wantU := []float64{0.9530276656150818, 0.11367356032133102, 0.26865270733833313, 8.632356184534729e-06}
	st := o.State().Groups[0].Params[0].Buffers
	for i := range want {
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"param", float64(p.Data[i]), want[i]}, {"exp_avg", float64(st["exp_avg"][i]), wantM[i]}, {"exp_inf", float64(st["exp_inf"][i]), wantU[i]}} {
			if math.Abs(c.got-c.want) > 2e-7*math.Max(1e-3, math.Abs(c.want)) {
				t.Errorf("%s[%d] = %v, PyTorch %v", c.name, i, c.got, c.want)
			}
		}
	}
}
