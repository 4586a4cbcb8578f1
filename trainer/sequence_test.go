package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
)

func TestMaskedCEGrad(t *testing.T) {
	y := tensor.NewParam("y", []int{3, 2, 3}, []float32{0.1, -0.2, 0.3, 1, 0.5, -1, 0.2, 0.2, 0.1, -0.3, 0.9, 0.4, 0, 0, 1, 2, -1, 0.5})
	labels := []int{2, 1, 0, 0, 2, 0}
	mask := []float32{1, 0, 2, 1, 0.5, 1}
	if err := (tensor.GradCheck{}).CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
		l, _, _ := MaskedCE(tp, y, labels, mask)
		return l
	}, y); err != nil {
		t.Fatal(err)
	}
	// By hand: Σ m·(−log softmax) / Σ m.
	l, correct, scored := MaskedCE(nil, y, labels, mask)
	var want, msum float64
	for r, m := range mask {
		row := y.Data[r*3 : r*3+3]
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v))
		}
		want += float64(m) * (math.Log(s) - float64(row[labels[r]]))
		msum += float64(m)
	}
	if got := float64(l.Item()); math.Abs(got-want/msum) > 1e-5 {
		t.Fatalf("loss %v, want %v", got, want/msum)
	}
	if scored != 5 || correct != 4 {
		t.Fatalf("correct %d of %d, want 4 of 5", correct, scored)
	}
}

func TestRegularizersGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var hs []*tensor.Tensor
	for i := range 3 {
		d := make([]float32, 8)
		for j := range d {
			d[j] = float32(r.NormFloat64())
		}
		hs = append(hs, tensor.NewParam("h"+string(rune('0'+i)), []int{2, 4}, d))
	}
	w := tensor.NewParam("w", []int{2, 3}, []float32{1, -2, 0.5, 0.3, 0, -1})
	b := tensor.NewParam("b", []int{3}, []float32{1, 2, 3})
	for name, f := range map[string]func(tp *tensor.Tape) *tensor.Tensor{
		"rate":     func(tp *tensor.Tape) *tensor.Tensor { return RateRegularizer(tp, hs, 0.7, 0.1) },
		"membrane": func(tp *tensor.Tape) *tensor.Tensor { return MembraneRegularizer(tp, hs, 0.7, -0.5, 0.4) },
		"l2":       func(tp *tensor.Tape) *tensor.Tensor { return WeightL2(tp, []*tensor.Tensor{w, b}, 0.3) },
	} {
		if err := (tensor.GradCheck{}).CheckGrad(f, append(hs, w, b)...); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// L2 by hand, biases excluded.
	if got := WeightL2(nil, []*tensor.Tensor{w, b}, 0.5).Item(); math.Abs(float64(got)-0.5*(1+4+0.25+0.09+1)) > 1e-5 {
		t.Fatalf("WeightL2 = %v", got)
	}
}

// A rate network learns PerceptualDecisionMaking without noise in a few
// hundred batches: the training loss halves and the network answers when
// played in the environment. Deterministic given the seeds.
func TestSequenceLearnsPDM(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a network")
	}
	task, _ := tasks.Lookup("PerceptualDecisionMaking", nil)
	ds, err := tasks.NewDataset(task, tasks.Options{Seed: 1}, tasks.DatasetConfig{BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	net := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: 3, Units: 32, Outputs: 3}, rand.New(rand.NewPCG(1, 1)))
	seq := &Sequence{Net: net, Data: ds, ResponseWeight: 3}
	opt := newAdam(net.Params(), 1e-2)
	var first, last float64
	for i := range 300 {
		for _, p := range net.Params() {
			p.ZeroGrad()
		}
		r, err := seq.TrainStep(1, i)
		if err != nil {
			t.Fatal(err)
		}
		opt()
		if i == 0 {
			first = r.Loss
		}
		last = r.Loss
	}
	if !(last < first/2) {
		t.Fatalf("loss %v → %v", first, last)
	}
	res, err := Play(&Agent{Net: net, Actions: 3, Columns: 16, Envs: func(c, e int) (*tasks.Env, map[string]float64, error) {
		env, err := tasks.NewEnv(task, tasks.Options{Seed: 9, Stream: uint64(c + 1)})
		return env, nil, err
	}}, 400, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Performance(); p <= 0 {
		t.Fatalf("performance %v after training: the network never answers", p)
	}
	if len(res.Example.Inputs) == 0 || len(res.Example.Hidden[0]) != 32 {
		t.Fatalf("example trial not recorded")
	}
}

// newAdam is a minimal Adam for tests (package optim is not imported to
// keep the test about the trainer).
func newAdam(ps []*tensor.Tensor, lr float64) func() {
	m := make([][]float64, len(ps))
	v := make([][]float64, len(ps))
	for i, p := range ps {
		m[i], v[i] = make([]float64, p.Len()), make([]float64, p.Len())
	}
	step := 0
	return func() {
		step++
		b1, b2 := 0.9, 0.999
		c1, c2 := 1-math.Pow(b1, float64(step)), 1-math.Pow(b2, float64(step))
		for i, p := range ps {
			if p.Grad == nil {
				continue
			}
			for j, g := range p.Grad {
				m[i][j] = b1*m[i][j] + (1-b1)*float64(g)
				v[i][j] = b2*v[i][j] + (1-b2)*float64(g)*float64(g)
				p.Data[j] -= float32(lr * m[i][j] / c1 / (math.Sqrt(v[i][j]/c2) + 1e-8))
			}
		}
	}
}
