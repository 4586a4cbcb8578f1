package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/braingo/braingo/tensor"
)

// TestSchedules checks each schedule's closed form at chosen epochs.
func TestSchedules(t *testing.T) {
	type at struct {
		t    int
		want float64
	}
	for _, tc := range []struct {
		name string
		s    Schedule
		base float64
		at   []at
	}{
		{"step", StepLR{StepSize: 3, Gamma: 0.5}, 1, []at{{0, 1}, {2, 1}, {3, 0.5}, {5, 0.5}, {7, 0.25}}},
		{"step/default_gamma", StepLR{StepSize: 2}, 1, []at{{1, 1}, {2, 0.1}, {4, 0.01}}},
		// Milestone 5 listed twice decays twice.
		{"multistep", MultiStepLR{Milestones: []int{5, 2, 5}, Gamma: 0.5}, 1,
			[]at{{0, 1}, {1, 1}, {2, 0.5}, {4, 0.5}, {5, 0.125}, {100, 0.125}}},
		{"multistep/default_gamma", MultiStepLR{Milestones: []int{1}}, 2, []at{{0, 2}, {1, 0.2}}},
		{"exponential", ExponentialLR{Gamma: 0.9}, 2, []at{{0, 2}, {1, 1.8}, {3, 1.458}}},
		// η_min + (1.1 − 0.1)(1 + cos(πt/10))/2; cos(π/2) = 0; period 20.
		{"cosine", CosineAnnealingLR{TMax: 10, EtaMin: 0.1}, 1.1,
			[]at{{0, 1.1}, {5, 0.6}, {10, 0.1}, {15, 0.6}, {20, 1.1}}},
		// cos(π/3) = 1/2: (1 + 1/2)/2 = 0.75.
		{"cosine/no_eta_min", CosineAnnealingLR{TMax: 6}, 1, []at{{2, 0.75}, {6, 0}}},
		// 3·(1/3 + (2/3)·t/5).
		{"warmup/defaults", Warmup{}, 3, []at{{0, 1}, {1, 1.4}, {4, 2.6}, {5, 3}, {100, 3}}},
		{"warmup/cosine", Warmup{Steps: 4, StartFactor: 0.5, Then: CosineAnnealingLR{TMax: 6}}, 1,
			[]at{{0, 0.5}, {2, 0.75}, {4, 1}, {6, 0.75}, {7, 0.5}, {10, 0}}},
		{"warmup/step", Warmup{Steps: 2, StartFactor: 0.1, Then: StepLR{StepSize: 1, Gamma: 0.5}}, 1,
			[]at{{0, 0.1}, {1, 0.55}, {2, 1}, {3, 0.5}, {4, 0.25}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := validateSchedule(tc.s); err != nil {
				t.Fatal(err)
			}
			for _, a := range tc.at {
				if got := tc.s.LR(tc.base, a.t); math.Abs(got-a.want) > 1e-12*math.Max(1, math.Abs(a.want)) {
					t.Errorf("LR(%v, %d) = %.17g, want %v", tc.base, a.t, got, a.want)
				}
			}
		})
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, tc := range []struct {
		s    Schedule
		want string
	}{
		{nil, "nil schedule"},
		{StepLR{}, "StepSize"},
		{StepLR{StepSize: 1, Gamma: -1}, "Gamma"},
		{MultiStepLR{Gamma: math.NaN()}, "Gamma"},
		{ExponentialLR{}, "Gamma"},
		{CosineAnnealingLR{}, "TMax"},
		{CosineAnnealingLR{TMax: 1, EtaMin: -1}, "EtaMin"},
		{Warmup{StartFactor: 2}, "StartFactor"},
		{Warmup{Steps: -1}, "Steps"},
		{Warmup{Then: CosineAnnealingLR{}}, "Then: CosineAnnealingLR: TMax"},
	} {
		opt, _ := New([]*tensor.Tensor{tensor.NewParam("w", []int{1}, []float32{0})}, SGDConfig{})
		if _, err := NewScheduler(opt, tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%#v: error %v, want one containing %q", tc.s, err, tc.want)
		}
	}
}

// TestScheduler checks that a Scheduler sets the groups' rates from their
// own bases, that a rate scheduled to 0 is 0, and its state.
func TestScheduler(t *testing.T) {
	a := tensor.NewParam("a", []int{1}, []float32{1})
	b := tensor.NewParam("b", []int{1}, []float32{1})
	opt, err := New([]*tensor.Tensor{a}, SGDConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddGroup([]*tensor.Tensor{b}, SGDConfig{LR: 0.2}); err != nil {
		t.Fatal(err)
	}
	sched, err := NewScheduler(opt, Warmup{Steps: 2, StartFactor: 0.5, Then: CosineAnnealingLR{TMax: 2}})
	if err != nil {
		t.Fatal(err)
	}
	lrs := func() []float64 { return []float64{opt.Groups[0].Config.LR, opt.Groups[1].Config.LR} }
	want := [][]float64{{0.05, 0.1}, {0.075, 0.15}, {0.1, 0.2}, {0.05, 0.1}, {0, 0}}
	for e, w := range want {
		if e > 0 {
			sched.Step()
		}
		got := lrs()
		for i := range w {
			if math.Abs(got[i]-w[i]) > 1e-15 {
				t.Errorf("epoch %d: learning rates %v, want %v", e, got, w)
				break
			}
		}
		if g := sched.LRs(); g[0] != got[0] || g[1] != got[1] {
			t.Errorf("epoch %d: Scheduler.LRs %v, optimizer %v", e, g, got)
		}
	}
	if sched.Epoch() != 4 {
		t.Errorf("Epoch = %d, want 4", sched.Epoch())
	}
	// A rate of exactly 0 leaves the parameters alone.
	a.Grad, b.Grad = []float32{1}, []float32{1}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	if a.Data[0] != 1 || b.Data[0] != 1 {
		t.Errorf("step at learning rate 0 moved the parameters to %v, %v", a.Data[0], b.Data[0])
	}
	st := sched.State()
	if st.Epoch != 4 || st.BaseLRs[0] != 0.1 || st.BaseLRs[1] != 0.2 {
		t.Errorf("State = %+v", st)
	}
	if err := sched.SetState(SchedulerState{Epoch: 1, BaseLRs: []float64{1}}); err == nil ||
		!strings.Contains(err.Error(), "1 base learning rates, optimizer has 2 groups") {
		t.Errorf("SetState with one base: error %v", err)
	}
	if err := sched.SetState(SchedulerState{Epoch: 1, BaseLRs: []float64{1, 2}}); err != nil {
		t.Fatal(err)
	}
	sched.Step() // epoch 2: the end of the warm-up
	if got := lrs(); got[0] != 1 || got[1] != 2 {
		t.Errorf("after SetState and Step: learning rates %v, want [1 2]", got)
	}
	// A group added later takes its rate then as its base.
	c := tensor.NewParam("c", []int{1}, []float32{1})
	if err := opt.AddGroup([]*tensor.Tensor{c}, SGDConfig{LR: 0.4}); err != nil {
		t.Fatal(err)
	}
	sched.Step() // epoch 3: cosine at 1 of 2, half the base
	if got := opt.Groups[2].Config.LR; math.Abs(got-0.2) > 1e-15 {
		t.Errorf("late group's learning rate %v, want 0.2", got)
	}
}
