package optim

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/golden"
	"github.com/braingo/braingo/tensor"
)

// mk wraps New for tables of optimizers of different algorithms: the
// function it returns makes an optimizer with one group per argument, the
// first configured by cfg, group i like it with learning rate lr/(i+1).
func mk[C Config](cfg C) func(groups ...[]*tensor.Tensor) (optimizer, error) {
	return func(groups ...[]*tensor.Tensor) (optimizer, error) {
		o, err := New(groups[0], cfg)
		if err != nil {
			return nil, err
		}
		for i, g := range groups[1:] {
			c := o.Groups[0].Config
			*ruleOf(&c).lr() /= float64(i + 2)
			if err := o.AddGroup(g, c); err != nil {
				return nil, err
			}
		}
		return o, nil
	}
}

type newFunc = func(groups ...[]*tensor.Tensor) (optimizer, error)

// optimizer is what the tests use of an *Optim[C].
type optimizer interface {
	Optimizer
	Checkpointer
}

func relErr(got, want float64) float64 {
	d := math.Abs(got - want)
	if s := math.Abs(want); s > 1e-30 {
		return d / s
	}
	return d
}

// TestGoldenAdamAdamW reproduces PyTorch's float64 Adam and AdamW
// trajectories (../shared/golden/optim_adam_adamw.json) on the loss
// (k+1)·Σ(w − [0,1,2,3,4])² at step k.
func TestGoldenAdamAdamW(t *testing.T) {
	type traj struct {
		LR          float64     `json:"lr"`
		Betas       [2]float64  `json:"betas"`
		Eps         float64     `json:"eps"`
		WeightDecay float64     `json:"weight_decay"`
		Trajectory  [][]float64 `json:"trajectory"`
	}
	var ref struct {
		W0    []float64 `json:"w0"`
		Adam  traj      `json:"adam"`
		AdamW traj      `json:"adamw"`
	}
	golden.Load(t, "optim_adam_adamw.json", &ref)
	target := []float64{0, 1, 2, 3, 4}
	for _, tc := range []struct {
		name string
		ref  traj
		new  func(p []*tensor.Tensor, r traj) (Optimizer, error)
	}{
		{"adam", ref.Adam, func(p []*tensor.Tensor, r traj) (Optimizer, error) {
			return New(p, AdamConfig{LR: r.LR, Beta1: r.Betas[0], Beta2: r.Betas[1], Eps: r.Eps})
		}},
		{"adamw", ref.AdamW, func(p []*tensor.Tensor, r traj) (Optimizer, error) {
			return New(p, AdamWConfig{LR: r.LR, Beta1: r.Betas[0], Beta2: r.Betas[1], Eps: r.Eps, WeightDecay: r.WeightDecay})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.ref.Trajectory) != 5 || len(ref.W0) != len(target) {
				t.Fatalf("unexpected reference: %d steps, w0 of %d", len(tc.ref.Trajectory), len(ref.W0))
			}
			w := make([]float32, len(ref.W0))
			for i, v := range ref.W0 {
				w[i] = float32(v)
			}
			p := tensor.NewParam("w", []int{len(w)}, w)
			opt, err := tc.new([]*tensor.Tensor{p}, tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for k, want := range tc.ref.Trajectory {
				opt.ZeroGrad()
				for i := range p.Data {
					p.Grad[i] = float32(2 * float64(k+1) * (float64(p.Data[i]) - target[i]))
				}
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
				for i, wi := range want {
					e := relErr(float64(p.Data[i]), wi)
					if e > 1e-6 {
						t.Errorf("step %d w[%d] = %.9g, PyTorch %.9g (relative error %.2g)", k+1, i, p.Data[i], wi, e)
					}
					worst = max(worst, e)
				}
			}
			t.Logf("largest relative error %.2g", worst)
		})
	}
}

// TestKnownValues checks each algorithm against values worked out from
// PyTorch's formulas (in float64; the simpler ones by hand, shown).
func TestKnownValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		new   newFunc
		w0    []float32
		grads [][]float32 // per step
		want  [][]float64 // parameters after each step
	}{
		{"sgd", mk(SGDConfig{LR: 0.1}), []float32{1, -2}, [][]float32{{0.5, -1}, {1, 2}},
			[][]float64{{0.95, -1.9}, {0.85, -2.1}}},
		// b = 1, 1.9, 2.71; w −= 0.1·b.
		{"sgd/momentum", mk(SGDConfig{LR: 0.1, Momentum: 0.9}), []float32{1}, [][]float32{{1}, {1}, {1}},
			[][]float64{{0.9}, {0.71}, {0.439}}},
		// b = 1, 1.9; g + 0.9b = 1.9, 2.71.
		{"sgd/nesterov", mk(SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true}), []float32{1}, [][]float32{{1}, {1}},
			[][]float64{{0.81}, {0.539}}},
		// The first step ignores dampening: b = 1, then 0.9 + 0.5·1 = 1.4.
		{"sgd/dampening", mk(SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.5}), []float32{1}, [][]float32{{1}, {1}},
			[][]float64{{0.9}, {0.76}}},
		// g = 0 + 0.1·w: w = 2 − 0.02, then 1.98·(1 − 0.01).
		{"sgd/weight_decay", mk(SGDConfig{LR: 0.1, WeightDecay: 0.1}), []float32{2}, [][]float32{{0}, {0}},
			[][]float64{{1.98}, {1.9602}}},
		{"sgd/maximize", mk(SGDConfig{LR: 0.1, Maximize: true}), []float32{1}, [][]float32{{1}},
			[][]float64{{1.1}}},
		// Step 1 moves by lr·g/(|g| + ε); with g = 0 afterwards m and v decay.
		{"adam", mk(AdamConfig{LR: 0.1}), []float32{1}, [][]float32{{1}, {0}, {0}},
			[][]float64{{0.900000001}, {0.8329941765341887}, {0.7811984801832372}}},
		{"adam/amsgrad", mk(AdamConfig{LR: 0.1, AMSGrad: true}), []float32{1}, [][]float32{{1}, {0}, {0}},
			[][]float64{{0.900000001}, {0.8330276878258663}, {0.7812837871703692}}},
		{"adam/weight_decay", mk(AdamConfig{LR: 0.1, WeightDecay: 0.5}), []float32{1}, [][]float32{{1}, {-1}},
			[][]float64{{0.9000000006666666}, {0.8627221038969175}}},
		// θ·(1 − 0.1·0.5) then Adam: 0.95 − 0.1.
		{"adamw", mk(AdamWConfig{LR: 0.1, WeightDecay: 0.5}), []float32{1}, [][]float32{{1}, {-1}},
			[][]float64{{0.850000001}, {0.8127631587921051}}},
		{"adamw/no_weight_decay", mk(AdamWConfig{LR: 0.1, NoWeightDecay: true}), []float32{1}, [][]float32{{1}, {0}, {0}},
			[][]float64{{0.900000001}, {0.8329941765341887}, {0.7811984801832372}}},
		// v = 0.01, w = 1 − 0.01·1/(0.1 + 1e-8).
		{"rmsprop", mk(RMSpropConfig{}), []float32{1}, [][]float32{{1}, {1}},
			[][]float64{{0.9000000099999991}, {0.8291118945242908}}},
		// v − a² = 0.01 − 0.0001.
		{"rmsprop/centered", mk(RMSpropConfig{Centered: true}), []float32{1}, [][]float32{{1}, {1}},
			[][]float64{{0.8994962285750879}, {0.8278920715801895}}},
		{"rmsprop/momentum", mk(RMSpropConfig{Momentum: 0.5}), []float32{1}, [][]float32{{1}, {1}},
			[][]float64{{0.9000000099999991}, {0.7791118995242903}}},
		{"rmsprop/all", mk(RMSpropConfig{LR: 0.05, Alpha: 0.9, Momentum: 0.5, Centered: true, WeightDecay: 0.1}),
			[]float32{1}, [][]float32{{1}, {-2}, {0.5}},
			[][]float64{{0.8333333383838382}, {0.8901344774004407}, {0.875240611176104}}},
		// s = 9, 25: w = 1 − 0.1·3/3, then − 0.1·4/5.
		{"adagrad", mk(AdagradConfig{LR: 0.1}), []float32{1}, [][]float32{{3}, {4}},
			[][]float64{{0.9000000000033334}, {0.8200000000049333}}},
		// Step 2's rate is 0.1/(1 + 0.5).
		{"adagrad/lr_decay", mk(AdagradConfig{LR: 0.1, LRDecay: 0.5}), []float32{1}, [][]float32{{3}, {4}},
			[][]float64{{0.9000000000033334}, {0.8466666666710667}}},
		// s = 16 + 9: w = 1 − 0.1·3/5.
		{"adagrad/initial_accumulator", mk(AdagradConfig{LR: 0.1, InitialAccumulatorValue: 16}), []float32{1},
			[][]float32{{3}}, [][]float64{{0.9400000000012}}},
		{"adagrad/weight_decay", mk(AdagradConfig{LR: 0.1, WeightDecay: 1}), []float32{1}, [][]float32{{3}, {4}},
			[][]float64{{0.9000000000025}, {0.8225338799894569}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tensor.NewParam("w", []int{len(tc.w0)}, append([]float32(nil), tc.w0...))
			opt, err := tc.new([]*tensor.Tensor{p})
			if err != nil {
				t.Fatal(err)
			}
			for k, g := range tc.grads {
				p.Grad = append(p.Grad[:0], g...)
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
				for i, w := range tc.want[k] {
					if e := relErr(float64(p.Data[i]), w); e > 1e-6 {
						t.Errorf("step %d w[%d] = %.9g, want %.9g (relative error %.2g)", k+1, i, p.Data[i], w, e)
					}
				}
			}
		})
	}
}

// TestDefaults checks that zero configs take PyTorch's defaults.
func TestDefaults(t *testing.T) {
	p := func() []*tensor.Tensor { return []*tensor.Tensor{tensor.NewParam("w", []int{1}, []float32{0})} }
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: resolved config %+v, want %+v", name, got, want)
		}
	}
	sgd, _ := New(p(), SGDConfig{})
	check("sgd", sgd.Groups[0].Config, SGDConfig{LR: 1e-3})
	adam, _ := New(p(), AdamConfig{})
	check("adam", adam.Groups[0].Config, AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	adamw, _ := New(p(), AdamWConfig{})
	check("adamw", adamw.Groups[0].Config, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2})
	adamw0, _ := New(p(), AdamWConfig{WeightDecay: 0.3, NoWeightDecay: true})
	check("adamw/no_weight_decay", adamw0.Groups[0].Config,
		AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, NoWeightDecay: true})
	rms, _ := New(p(), RMSpropConfig{})
	check("rmsprop", rms.Groups[0].Config, RMSpropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8})
	ada, _ := New(p(), AdagradConfig{})
	check("adagrad", ada.Groups[0].Config, AdagradConfig{LR: 1e-2, Eps: 1e-10})
}

// TestGroups checks per-group hyperparameters and the skipping of
// parameters without a gradient.
func TestGroups(t *testing.T) {
	a := tensor.NewParam("a", []int{1}, []float32{1})
	b := tensor.NewParam("b", []int{1}, []float32{1})
	noGrad := tensor.NewParam("c", []int{1}, []float32{1})
	frozen := tensor.New([]int{1}, []float32{1}) // does not require a gradient
	frozen.Name = "frozen"
	opt, err := New([]*tensor.Tensor{a, noGrad}, SGDConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddGroup([]*tensor.Tensor{b, frozen}, SGDConfig{LR: 0.5, WeightDecay: 1}); err != nil {
		t.Fatal(err)
	}
	a.Grad, b.Grad, frozen.Grad = []float32{1}, []float32{1}, []float32{1}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	// a: 1 − 0.1; b: 1 − 0.5·(1 + 1·1); c, frozen untouched.
	for _, c := range []struct {
		p    *tensor.Tensor
		want float32
	}{{a, 0.9}, {b, 0}, {noGrad, 1}, {frozen, 1}} {
		if c.p.Data[0] != c.want {
			t.Errorf("%s = %v, want %v", c.p.Name, c.p.Data[0], c.want)
		}
	}
	s := opt.State()
	if s.Groups[0].Params[1].Step != 0 || s.Groups[0].Params[0].Step != 1 || s.Groups[1].Params[0].Step != 1 {
		t.Errorf("step counts %+v", s.Groups)
	}
	if got := []float64{*opt.LRs()[0], *opt.LRs()[1]}; got[0] != 0.1 || got[1] != 0.5 {
		t.Errorf("LRs = %v", got)
	}
	opt.ZeroGrad()
	if noGrad.Grad == nil || a.Grad[0] != 0 {
		t.Error("ZeroGrad did not clear or allocate the gradients")
	}
	if err := opt.AddGroup([]*tensor.Tensor{a}, SGDConfig{}); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("adding a parameter twice: error %v", err)
	}
}

// TestConfigErrors checks the validation of hyperparameters.
func TestConfigErrors(t *testing.T) {
	ps := func() []*tensor.Tensor { return []*tensor.Tensor{tensor.NewParam("w", []int{1}, []float32{0})} }
	for _, tc := range []struct {
		name, want string
		new        newFunc
	}{
		{"nesterov without momentum", "Nesterov", mk(SGDConfig{Nesterov: true})},
		{"nesterov with dampening", "Nesterov", mk(SGDConfig{Nesterov: true, Momentum: 0.9, Dampening: 0.1})},
		{"negative lr", "lr", mk(SGDConfig{LR: -1})},
		{"beta1 1", "beta1", mk(AdamConfig{Beta1: 1})},
		{"beta2 NaN", "beta2", mk(AdamWConfig{Beta2: math.NaN()})},
		{"negative eps", "eps", mk(AdamConfig{Eps: -1})},
		{"alpha", "alpha", mk(RMSpropConfig{Alpha: 1.5})},
		{"momentum", "momentum", mk(RMSpropConfig{Momentum: -0.1})},
		{"lr_decay", "lr_decay", mk(AdagradConfig{LRDecay: -1})},
		{"weight decay", "weight_decay", mk(AdagradConfig{WeightDecay: math.Inf(1)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.new(ps()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := New([]*tensor.Tensor{nil}, SGDConfig{}); err == nil {
		t.Error("nil parameter accepted")
	}
	// A hyperparameter made invalid after New fails the Step, changing nothing.
	p := ps()
	opt, _ := New(p, AdamConfig{})
	opt.Groups[0].Config.Beta2 = 1
	p[0].Grad = []float32{1}
	if err := opt.Step(); err == nil || p[0].Data[0] != 0 {
		t.Errorf("Step with beta2 1: error %v, w = %v", err, p[0].Data[0])
	}
}

// configs lists one configuration of each algorithm and variant, for the
// tests that run every optimizer.
var configs = []struct {
	name string
	new  newFunc
}{
	{"sgd", mk(SGDConfig{LR: 0.05})},
	{"sgd/momentum", mk(SGDConfig{LR: 0.05, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01})},
	{"sgd/nesterov", mk(SGDConfig{LR: 0.05, Momentum: 0.9, Nesterov: true})},
	{"adam", mk(AdamConfig{LR: 0.01, WeightDecay: 0.01})},
	{"adam/amsgrad", mk(AdamConfig{LR: 0.01, AMSGrad: true})},
	{"adamw", mk(AdamWConfig{LR: 0.01})},
	{"rmsprop", mk(RMSpropConfig{})},
	{"rmsprop/centered_momentum", mk(RMSpropConfig{Momentum: 0.9, Centered: true, WeightDecay: 0.01})},
	{"adagrad", mk(AdagradConfig{LRDecay: 0.01, InitialAccumulatorValue: 0.1})},
}

// model is a small set of parameters with gradients drawn from a seed.
type model struct {
	params []*tensor.Tensor
	rng    *rand.Rand
}

func newModel(seed uint64) *model {
	m := &model{rng: rand.New(rand.NewPCG(seed, 1))}
	for _, s := range []struct {
		name string
		n    int
	}{{"W1", 12}, {"b1", 4}, {"W2", 8}} {
		d := make([]float32, s.n)
		for i := range d {
			d[i] = float32(m.rng.NormFloat64())
		}
		m.params = append(m.params, tensor.NewParam(s.name, []int{s.n}, d))
	}
	return m
}

// grads fills the gradients: the quadratic pull toward 0 plus noise from
// the model's generator, so that a copy seeded alike sees the same ones.
func (m *model) grads() {
	for _, p := range m.params {
		p.ZeroGrad()
		for i, w := range p.Data {
			p.Grad[i] = w + float32(0.1*m.rng.NormFloat64())
		}
	}
}

func (m *model) clone() *model {
	c := &model{rng: m.rng}
	for _, p := range m.params {
		q := tensor.NewParam(p.Name, p.Shape, append([]float32(nil), p.Data...))
		c.params = append(c.params, q)
	}
	return c
}

// groupsOf builds an optimizer with the model's parameters in two groups
// (the second with half the learning rate) and a warm-up-then-cosine
// schedule.
func groupsOf(t *testing.T, m *model, newOpt newFunc) (optimizer, *Scheduler) {
	t.Helper()
	opt, err := newOpt(m.params[:2], m.params[2:])
	if err != nil {
		t.Fatal(err)
	}
	sched, err := NewScheduler(opt, Warmup{Steps: 3, Then: CosineAnnealingLR{TMax: 10, EtaMin: 1e-4}})
	if err != nil {
		t.Fatal(err)
	}
	return opt, sched
}

// TestResume runs N steps, saves the state through JSON, restores it into a
// fresh optimizer over copies of the parameters and continues: the result
// must be bit-identical to an uninterrupted run.
func TestResume(t *testing.T) {
	const n1, n2 = 6, 7
	for _, tc := range configs {
		t.Run(tc.name, func(t *testing.T) {
			// Uninterrupted.
			ref := newModel(7)
			refOpt, refSched := groupsOf(t, ref, tc.new)
			for range n1 + n2 {
				ref.grads()
				if err := refOpt.Step(); err != nil {
					t.Fatal(err)
				}
				refSched.Step()
			}

			// Interrupted after n1 steps.
			m := newModel(7)
			opt, sched := groupsOf(t, m, tc.new)
			for range n1 {
				m.grads()
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
				sched.Step()
			}
			type checkpoint struct {
				Opt   State
				Sched SchedulerState
			}
			b, err := json.Marshal(checkpoint{opt.State(), sched.State()})
			if err != nil {
				t.Fatal(err)
			}
			var ck checkpoint
			if err := json.Unmarshal(b, &ck); err != nil {
				t.Fatal(err)
			}
			m2 := m.clone()
			opt2, sched2 := groupsOf(t, m2, tc.new)
			if err := opt2.SetState(ck.Opt); err != nil {
				t.Fatal(err)
			}
			if err := sched2.SetState(ck.Sched); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(opt2.State(), opt.State()) {
				t.Fatal("restored state differs from the saved one")
			}
			for range n2 {
				m2.grads()
				if err := opt2.Step(); err != nil {
					t.Fatal(err)
				}
				sched2.Step()
			}
			for i, p := range ref.params {
				for j, w := range p.Data {
					if got := m2.params[i].Data[j]; math.Float32bits(got) != math.Float32bits(w) {
						t.Fatalf("%s[%d] = %v after resuming, %v uninterrupted", p.Name, j, got, w)
					}
				}
			}
			if reflect.DeepEqual(opt2.State(), opt.State()) {
				t.Fatal("continuing did not change the state")
			}
			if !reflect.DeepEqual(opt2.State(), refOpt.State()) || sched2.State().Epoch != refSched.Epoch() {
				t.Error("state after resuming differs from the uninterrupted run's")
			}
		})
	}
}

// TestNonFiniteGradient checks that a NaN or infinite gradient makes Step
// fail naming the parameter, changing neither parameters nor state.
func TestNonFiniteGradient(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		for _, tc := range configs {
			t.Run(tc.name, func(t *testing.T) {
				m := newModel(3)
				opt, err := tc.new(m.params)
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					m.grads()
					if err := opt.Step(); err != nil {
						t.Fatal(err)
					}
				}
				m.grads()
				m.params[2].Grad[5] = bad
				before := m.clone()
				st := opt.State()
				err = opt.Step()
				if err == nil || !strings.Contains(err.Error(), `"W2"`) || !strings.Contains(err.Error(), "element 5") {
					t.Fatalf("Step with gradient %v: error %v, want one naming W2 element 5", bad, err)
				}
				if !reflect.DeepEqual(opt.State(), st) {
					t.Error("failed Step changed the state")
				}
				for i, p := range before.params {
					if !reflect.DeepEqual(m.params[i].Data, p.Data) {
						t.Errorf("failed Step changed %s", p.Name)
					}
				}
			})
		}
	}
	p := tensor.NewParam("short", []int{2}, []float32{1, 2})
	opt, _ := New([]*tensor.Tensor{p}, SGDConfig{})
	p.Grad = []float32{1}
	if err := opt.Step(); err == nil || !strings.Contains(err.Error(), `"short"`) {
		t.Errorf("gradient of the wrong length: error %v", err)
	}
}

// TestSetStateErrors checks that a state that does not fit is refused with
// an error naming the mismatch, changing nothing.
func TestSetStateErrors(t *testing.T) {
	m := newModel(5)
	opt, err := New(m.params, AdamConfig{AMSGrad: true})
	if err != nil {
		t.Fatal(err)
	}
	m.grads()
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	good := opt.State()
	for _, tc := range []struct {
		name, want string
		edit       func(s *State)
	}{
		{"algorithm", `"sgd"`, func(s *State) { s.Algorithm = "sgd" }},
		{"groups", "2 parameter groups", func(s *State) { s.Groups = append(s.Groups, s.Groups[0]) }},
		{"parameter count", "state has 2 parameters", func(s *State) { s.Groups[0].Params = s.Groups[0].Params[:2] }},
		{"name", `"b1" (#1): state has parameter "bias"`, func(s *State) { s.Groups[0].Params[1].Name = "bias" }},
		{"index", `"W2" (#2): state gives it index 7`, func(s *State) { s.Groups[0].Params[2].Index = 7 }},
		{"length", `"W2" (#2) has 8 values, state has 9`, func(s *State) { s.Groups[0].Params[2].Len = 9 }},
		{"buffer length", `"W1" (#0) has 12 values, its exp_avg buffer 3`, func(s *State) {
			s.Groups[0].Params[0].Buffers["exp_avg"] = make([]float32, 3)
		}},
		{"unknown buffer", `unknown adam buffer "momentum_buffer"`, func(s *State) {
			s.Groups[0].Params[0].Buffers["momentum_buffer"] = make([]float32, 12)
		}},
		{"missing buffer", `"b1" (#1): adam state after 1 steps lacks buffer "exp_avg_sq"`, func(s *State) {
			delete(s.Groups[0].Params[1].Buffers, "exp_avg_sq")
		}},
		{"missing hyperparameter", `lacks hyperparameter "beta2"`, func(s *State) { delete(s.Groups[0].Hyper, "beta2") }},
		{"unknown hyperparameter", `unknown hyperparameters [momentum]`, func(s *State) { s.Groups[0].Hyper["momentum"] = 0.9 }},
		{"invalid hyperparameter", `invalid beta1`, func(s *State) { s.Groups[0].Hyper["beta1"] = 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := deepCopy(t, good)
			tc.edit(&s)
			err := opt.SetState(s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %s", err, tc.want)
			}
			if !reflect.DeepEqual(opt.State(), good) {
				t.Error("refused SetState changed the state")
			}
		})
	}
}

func deepCopy(t *testing.T, s State) State {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var c State
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStateEncodings checks that a State survives encoding/json and
// encoding/gob exactly.
func TestStateEncodings(t *testing.T) {
	for _, tc := range configs {
		m := newModel(11)
		opt, _ := groupsOf(t, m, tc.new)
		for range 3 {
			m.grads()
			if err := opt.Step(); err != nil {
				t.Fatal(err)
			}
		}
		want := opt.State()
		var buf bytes.Buffer
		var fromGob State
		if err := gob.NewEncoder(&buf).Encode(want); err != nil {
			t.Fatal(err)
		}
		if err := gob.NewDecoder(&buf).Decode(&fromGob); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromGob, want) {
			t.Errorf("%s: state changed through gob", tc.name)
		}
		if fromJSON := deepCopy(t, want); !reflect.DeepEqual(fromJSON, want) {
			t.Errorf("%s: state changed through json", tc.name)
		}
	}
}

// TestStepAllocs checks that a Step allocates nothing once the state exists
// (for parameters below the size at which Adam's update is split among
// goroutines; above it, a goroutine launch allocates a constant few).
func TestStepAllocs(t *testing.T) {
	for _, tc := range configs {
		m := newModel(13)
		opt, err := tc.new(m.params[:2], m.params[2:])
		if err != nil {
			t.Fatal(err)
		}
		m.grads()
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(10, func() { _ = opt.Step() }); n != 0 {
			t.Errorf("%s: Step allocates %v times", tc.name, n)
		}
	}
}

func BenchmarkStep(b *testing.B) {
	for _, tc := range configs {
		b.Run(tc.name, func(b *testing.B) {
			const n = 1 << 20
			p := tensor.NewParam("w", []int{n}, make([]float32, n))
			p.Grad = make([]float32, n)
			for i := range p.Grad {
				p.Grad[i] = float32(i%7) - 3
			}
			opt, err := tc.new([]*tensor.Tensor{p})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(4 * n)
			for b.Loop() {
				if err := opt.Step(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The state's JSON (hyperparameters and buffers are maps) and its buffer
// names through BufferNames come out the same every time: checkpoints of
// identical runs are identical.
func TestStateDeterministic(t *testing.T) {
	for _, tc := range configs {
		m := newModel(17)
		opt, _ := groupsOf(t, m, tc.new)
		m.grads()
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
		first, err := json.Marshal(opt.State())
		if err != nil {
			t.Fatal(err)
		}
		var names [][]string
		for _, g := range opt.State().Groups {
			for _, p := range g.Params {
				names = append(names, p.BufferNames())
				if !slices.IsSorted(p.BufferNames()) || len(p.BufferNames()) != len(p.Buffers) {
					t.Errorf("%s: BufferNames %v of buffers %v", tc.name, p.BufferNames(), p.Buffers)
				}
			}
		}
		for range 20 {
			again, _ := json.Marshal(opt.State())
			if !bytes.Equal(again, first) {
				t.Fatalf("%s: the JSON of the same state differs", tc.name)
			}
			i := 0
			for _, g := range opt.State().Groups {
				for _, p := range g.Params {
					if !slices.Equal(p.BufferNames(), names[i]) {
						t.Fatalf("%s: BufferNames changed", tc.name)
					}
					i++
				}
			}
		}
	}
}
