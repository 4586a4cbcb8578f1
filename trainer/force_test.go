package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
)

// fixedReadout is a Readout whose input the test sets.
type fixedReadout struct {
	r, z, w []float32
}

func (f *fixedReadout) ReadoutInput() []float32   { return f.r }
func (f *fixedReadout) ReadoutOutput() []float32  { return f.z }
func (f *fixedReadout) ReadoutWeights() []float32 { return f.w }

func (f *fixedReadout) set(x []float32) {
	copy(f.r, x)
	n := len(f.r)
	for o := range f.z {
		f.z[o] = kernels.Dot(f.w[o*n:(o+1)*n], f.r)
	}
}

// TestFORCEFirstStepByHand: from P(0) = I/α, the first update is
// W ← W − e·xᵀ/(α + xᵀx), and with Every 2 only every second step updates.
func TestFORCEFirstStepByHand(t *testing.T) {
	net := &fixedReadout{r: make([]float32, 3), z: make([]float32, 1), w: []float32{0.5, -1, 2}}
	f := NewFORCE(net, FORCEConfig{Alpha: 2, Every: 2})
	x := []float32{1, 2, -1}
	net.set(x) // z = 0.5 - 2 - 2 = -3.5
	if err := f.Step(Signal{Target: []float32{1}, Learn: true}); err != nil {
		t.Fatal(err)
	}
	if net.w[0] != 0.5 || f.RLS.Updates() != 0 {
		t.Fatalf("step 1 of 2 updated the weights: %v", net.w)
	}
	if err := f.Step(Signal{Target: []float32{1}, Learn: true}); err != nil {
		t.Fatal(err)
	}
	e := -3.5 - 1.0
	den := 2 + 1 + 4 + 1.0
	want := []float64{0.5 - e*1/den, -1 - e*2/den, 2 - e*(-1)/den}
	for i, v := range want {
		if math.Abs(float64(net.w[i])-v) > 1e-6 {
			t.Errorf("w[%d] = %v, by hand %v", i, net.w[i], v)
		}
	}
	// Learning off: nothing changes.
	before := append([]float32(nil), net.w...)
	for range 4 {
		if err := f.Step(Signal{Target: []float32{5}, Learn: false}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range before {
		if net.w[i] != before[i] {
			t.Fatalf("weights changed with Learn false")
		}
	}
	g := NewFORCE(net, FORCEConfig{})
	if err := g.Step(Signal{Target: []float32{1, 2}, Learn: true}); err == nil {
		t.Error("a target of the wrong length was accepted")
	}
}

// forceRun trains net with rule for train steps on two harmonics of
// period steps and returns the NMSE of the following test steps, learning off.
func forceRun(t *testing.T, net *networks.ForceRNN, rule OnlineRule, train, test int) float64 {
	t.Helper()
	const period = 300
	target := []float32{0}
	var sq, sf, sff float64
	for s := 0; s < train+test; s++ {
		f := math.Sin(2*math.Pi*float64(s+1)/period) + 0.5*math.Sin(4*math.Pi*float64(s+1)/period)
		target[0] = float32(f)
		net.Step(nil)
		if err := rule.Step(Signal{Target: target, Learn: s < train}); err != nil {
			t.Fatalf("step %d: %v", s, err)
		}
		if s >= train {
			d := float64(net.Z[0]) - f
			sq += d * d
			sf += f
			sff += f * f
		}
	}
	n := float64(test)
	return sq / n / (sff/n - sf/n*sf/n)
}

// TestFORCEReducesError: a 200-unit chaotic network learns a two-harmonic
// periodic signal; with learning off afterwards it tracks it (NMSE < 0.05)
// where the untrained readout (zero) has NMSE about 1.
func TestFORCEReducesError(t *testing.T) {
	net, err := networks.NewForceRNN(networks.ForceConfig{Units: 200, Alpha: 0.1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	untrained := forceRun(t, net, NewFORCE(net, FORCEConfig{}), 0, 400)
	f := NewFORCE(net, FORCEConfig{Alpha: 1, Every: 2})
	nmse := forceRun(t, net, f, 9000, 1200)
	t.Logf("NMSE untrained %.3f, trained %.5f", untrained, nmse)
	if !(nmse < 0.05) || !(untrained > 0.5) {
		t.Errorf("test NMSE %.4f after FORCE (want < 0.05), %.3f untrained (want > 0.5)", nmse, untrained)
	}
}

// TestFullFORCEReducesError: full-FORCE trains the recurrent weights of a
// network without feedback to generate the same signal.
func TestFullFORCEReducesError(t *testing.T) {
	teacher, err := networks.NewForceRNN(networks.ForceConfig{Units: 200, Alpha: 0.1, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	task, err := networks.NewForceRNN(networks.ForceConfig{Units: 200, Alpha: 0.1, Seed: 5, NoFeedback: true, G: 1, Conn: networks.ConnDense})
	if err != nil {
		t.Fatal(err)
	}
	ff, err := NewFullFORCE(task, teacher, FORCEConfig{Alpha: 1, Every: 2})
	if err != nil {
		t.Fatal(err)
	}
	nmse := forceRun(t, task, ff, 9000, 1200)
	t.Logf("full-FORCE NMSE %.5f", nmse)
	if !(nmse < 0.1) {
		t.Errorf("test NMSE %.4f after full-FORCE, want < 0.1", nmse)
	}
	if _, err := NewFullFORCE(teacher, task, FORCEConfig{}); err == nil {
		t.Error("NewFullFORCE accepted a task network with feedback and CSR weights")
	}
}

// TestLMSConverges: LMS on a noiseless linear problem recovers the weights.
func TestLMSConverges(t *testing.T) {
	const n = 4
	truth := []float32{0.5, -1, 0.25, 2}
	net := &fixedReadout{r: make([]float32, n), z: make([]float32, 1), w: make([]float32, n)}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, normalized := range []bool{false, true} {
		clear(net.w)
		l := &LMS{Net: net, LR: 0.05, Normalized: normalized}
		if normalized {
			l.LR = 0.5
		}
		x := make([]float32, n)
		for range 3000 {
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			net.set(x)
			y := kernels.Dot(truth, x)
			if err := l.Step(Signal{Target: []float32{y}, Learn: true}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range truth {
			if math.Abs(float64(net.w[i]-truth[i])) > 1e-3 {
				t.Errorf("normalized %v: w[%d] = %v, want %v", normalized, i, net.w[i], truth[i])
			}
		}
	}
}
