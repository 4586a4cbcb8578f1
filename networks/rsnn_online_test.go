package networks

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/tensor"
)

// The tape-free run steps like the RSNN's own (tape-free) stepper: the
// same spikes at every step and readouts equal to rounding, for LIF and
// ALIF, with and without Dale's law.
func TestRSNNRunMatchesStepper(t *testing.T) {
	for _, neuron := range []string{"lif", "alif"} {
		for _, inh := range []int{0, 2} {
			net := testRSNN(neuron, inh)
			net.InBeta = 0
			const batch, steps = 3, 40
			run, err := net.NewRun(batch)
			if err != nil {
				t.Fatal(err)
			}
			st := net.Start(nil, batch, nil, nil)
			r := rand.New(rand.NewPCG(4, 4))
			var fired int
			for step := range steps {
				x := make([]float32, batch*net.Inputs())
				for i := range x {
					if r.Float64() < 0.4 {
						x[i] = 1
					}
				}
				o := run.Step(x)
				want, spk := st.Step(tensor.New([]int{batch, net.Inputs()}, x))
				for i, v := range spk.Data {
					if run.S[i] != v {
						t.Fatalf("%s inh %d step %d: spike %d is %v, stepper %v", neuron, inh, step, i, run.S[i], v)
					}
					fired += int(v)
				}
				for i, v := range want.Data {
					if math.Abs(float64(o[i]-v)) > 1e-4*(1+math.Abs(float64(v))) {
						t.Fatalf("%s inh %d step %d: output %d is %v, stepper %v", neuron, inh, step, i, o[i], v)
					}
				}
			}
			if fired == 0 {
				t.Fatalf("%s: silent network", neuron)
			}
		}
	}
}

func TestRSNNRunRejectsGIF(t *testing.T) {
	if _, err := testRSNN("gif", 0).NewRun(2); err == nil {
		t.Fatal("no error for GIF neurons")
	}
}
