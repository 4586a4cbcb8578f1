package eval

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/braingo/braingo/trainer"
)

// The maximum-likelihood fit recovers the parameters of simulated choices
// and sets the gradient of the log-likelihood to zero.
func TestFitLogistic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	truth := Logistic{Bias: 0.3, Slope: 0.15}
	var x, y []float64
	for range 20000 {
		v := []float64{-51.2, -25.6, -12.8, -6.4, 0, 6.4, 12.8, 25.6, 51.2}[r.IntN(9)]
		x = append(x, v)
		if r.Float64() < truth.At(v) {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	fit := FitLogistic(x, y)
	if math.Abs(fit.Bias-truth.Bias) > 0.08 || math.Abs(fit.Slope-truth.Slope) > 0.01 {
		t.Fatalf("fit %+v, truth %+v", fit, truth)
	}
	var ga, gb float64
	for i := range x {
		d := y[i] - fit.At(x[i])
		ga += d
		gb += d * x[i]
	}
	if math.Abs(ga) > 1e-4 || math.Abs(gb) > 1e-3 {
		t.Fatalf("score at the fit (%v, %v), want 0", ga, gb)
	}
}

func TestPsychometricFromTrials(t *testing.T) {
	var trials []trainer.TrialRecord
	add := func(coh float64, gt, choice int) {
		perf := 0.0
		if gt == choice {
			perf = 1
		}
		trials = append(trials, trainer.TrialRecord{Vars: map[string]float64{"coh": coh, "ground_truth": float64(gt)}, Choice: choice, Performance: perf})
	}
	add(50, 2, 2)
	add(50, 2, 2)
	add(50, 1, 1)
	add(0, 1, 2)
	add(0, 2, 1)
	add(10, 1, -1) // no choice: left out
	p := PsychometricFromTrials(trials, "coh", 2)
	if len(p.X) != 3 || p.X[0] != -50 || p.X[1] != 0 || p.X[2] != 50 {
		t.Fatalf("levels %v", p.X)
	}
	if p.P[0] != 0 || p.P[1] != 0.5 || p.P[2] != 1 || p.N[1] != 2 {
		t.Fatalf("fractions %v counts %v", p.P, p.N)
	}
	dir := t.TempDir()
	if err := WritePsychometric(filepath.Join(dir, PsychometricFile), p, "coherence", "right"); err != nil {
		t.Fatal(err)
	}
	ex := &trainer.Example{Inputs: [][]float32{{1, 0}, {0, 1}}, Outputs: [][]float32{{0.9, 0.1}, {0.2, 0.8}}, GT: []int{0, 1}, Actions: []int{0, 1}, Hidden: [][]float32{{0.1, 0.2}, {0.3, 0.4}}}
	if err := WriteTrial(filepath.Join(dir, TrialFile), ex, 100, []string{"fixation", "stim"}, []string{"fixation", "go"}, 8); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{PsychometricFile, TrialFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
}
