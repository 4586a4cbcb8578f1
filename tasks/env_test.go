package tasks

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	if len(Names()) != 55 {
		t.Errorf("%d registered tasks: %v", len(Names()), Names())
	}
	_, err := New("NoSuchTask", nil, Options{})
	if err == nil || !strings.Contains(err.Error(), "PerceptualDecisionMaking") {
		t.Errorf("unknown name: %v; want an error listing the known names", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("duplicate Register did not panic")
			}
		}()
		Register("GoNogo", func(Params) (Task, error) { return &GoNogo{}, nil })
	}()
	if _, err := New("PerceptualDecisionMaking", Params{"sigmaa": 1}, Options{}); err == nil || !strings.Contains(err.Error(), "sigma") {
		t.Errorf("unknown parameter: %v", err)
	}
	if _, err := New("AntiReach", Params{"dim_ring": 2.5}, Options{}); err == nil {
		t.Error("fractional dim_ring accepted")
	}
	e, err := New("AntiReach", Params{"dim_ring": 8, "pro": 1}, Options{})
	if err != nil || len(e.Spec().Obs) != 9 {
		t.Fatalf("params: %v, %d channels", err, len(e.Spec().Obs))
	}
	if _, err := New("GoNogo", nil, Options{Rewards: map[string]float64{"bonus": 1}}); err == nil || !strings.Contains(err.Error(), "miss") {
		t.Errorf("unknown reward: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	d, err := Describe("PerceptualDecisionMaking")
	if err != nil {
		t.Fatal(err)
	}
	row := d.Row()
	if len(row) != len(Header) {
		t.Fatalf("row of %d cells under %d headers", len(row), len(Header))
	}
	want := []string{"PerceptualDecisionMaking", "100", "fixation=100 stimulus=2000 delay=0 decision=100",
		"fixation, stimulus[2]", "fixation, choice[2]", "abort=-0.1 correct=1 fail=0"}
	if !slices.Equal(row[:6], want) {
		t.Errorf("row %q\nwant %q", row[:6], want)
	}
	if rows := Rows(); len(rows) != len(Names()) {
		t.Errorf("%d rows for %d tasks", len(rows), len(Names()))
	}
	for _, r := range Rows() {
		if r[6] == "" {
			t.Errorf("%s cites no source", r[0])
		}
	}
	d, _ = Describe("Reaching1D")
	if got := d.Row()[4]; got != "fixation, left, right, target:angle" {
		t.Errorf("Reaching1D actions %q", got)
	}
}

func TestEnvOptions(t *testing.T) {
	// dt 20: a 100 ms fixation is 5 steps; timing override.
	e, err := New("PerceptualDecisionMaking", nil, Options{DT: 20, Timing: map[string]Timing{"stimulus": Uniform(200, 400)}})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		tr := e.NewTrial()
		if s, f := tr.Span("fixation"); f-s != 5 {
			t.Fatalf("fixation %d steps at dt 20", f-s)
		}
		if s, f := tr.Span("stimulus"); f-s < 10 || f-s > 20 {
			t.Fatalf("stimulus %d steps, want 10..20", f-s)
		}
	}
	for _, o := range []Options{{DT: -1}, {Timing: map[string]Timing{"stimulus": Uniform(3, 1)}}} {
		if _, err := New("PerceptualDecisionMaking", nil, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	// Rewards override reaches the judge.
	e, _ = New("DelayMatchSample", nil, Options{Rewards: map[string]float64{"correct": 5}})
	e.Reset()
	for {
		r := e.Step(e.GroundTruth())
		if r.NewTrial {
			if r.Reward != 5 {
				t.Fatalf("overridden correct reward: got %g", r.Reward)
			}
			break
		}
	}
}

func TestEnvStep(t *testing.T) {
	mk := func() *Env { e, _ := New("ContextDecisionMaking", nil, Options{Seed: 42}); return e }
	a, b := mk(), mk()
	if !slices.Equal(a.Reset(), b.Reset()) {
		t.Fatal("same seed, different first observation")
	}
	for range 500 {
		tr := a.Trial()
		next := tr.T + 1
		ra, rb := a.Step(0), b.Step(0)
		if !slices.Equal(ra.Obs, rb.Obs) || ra.Reward != rb.Reward || ra.NewTrial != rb.NewTrial {
			t.Fatal("same seed, different steps")
		}
		// The observation returned is the next step's, or a new trial's first.
		if !ra.NewTrial && !slices.Equal(ra.Obs, tr.ObsRow(next)) {
			t.Fatal("returned observation is not the next row")
		}
		if ra.NewTrial && (a.Trial() == tr || a.Trial().T != 0 || !slices.Equal(ra.Obs, a.Trial().ObsRow(0))) {
			t.Fatal("new trial did not start at step 0")
		}
		// Fixating through the decision is no response: performance 0 at timeout.
		if ra.NewTrial && (ra.Performance != 0 || next != tr.Len) {
			t.Fatalf("fixating agent: performance %g, ended at %d of %d", ra.Performance, next, tr.Len)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("out-of-range action did not panic")
		}
	}()
	a.Step(7)
}

func TestGoNogoRewards(t *testing.T) {
	for _, scoreNogo := range []bool{false, true} {
		var p Params
		if scoreNogo {
			p = Params{"score_nogo": 1}
		}
		e, err := New("GoNogo", p, Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		e.Reset()
		seen := map[[2]float64]bool{}
		for len(seen) < 2 {
			gt := e.Trial().Vars["ground_truth"]
			var r StepResult
			for r = e.Step(0); !r.NewTrial; r = e.Step(0) {
			}
			// Withholding: a miss (−0.5, performance 0) on go trials; 0 and
			// performance 0 (NeuroGym) or 1 (score_nogo) on no-go trials.
			want := [2]float64{0, 0}
			if scoreNogo {
				want[1] = 1
			}
			if gt == 1 {
				want = [2]float64{-0.5, 0}
			}
			if got := [2]float64{r.Reward, r.Performance}; got != want {
				t.Fatalf("score_nogo %v: withholding on trial type %v: reward, performance %v, want %v", scoreNogo, gt, got, want)
			}
			seen[[2]float64{gt, want[1]}] = true
		}
	}
}

func TestDawTwoStepCarry(t *testing.T) {
	e, _ := New("DawTwoStep", nil, Options{Seed: 3})
	switches := 0
	prev := 1.0
	for range 4000 {
		tr := e.NewTrial()
		if tr.Carry["state1_high"] != prev {
			switches++
			prev = tr.Carry["state1_high"]
		}
	}
	if switches < 60 || switches > 140 { // 4000 × 0.025 = 100
		t.Fatalf("%d contingency switches in 4000 trials, want about 100", switches)
	}
}

// TestJudgeWritesNextObservation: judges that make the next observation
// depend on the action (DawTwoStep's second-stage state, Reaching1D's hand).
func TestJudgeWritesNextObservation(t *testing.T) {
	e, _ := New("DawTwoStep", nil, Options{Seed: 5})
	e.Reset()
	for range 200 {
		tr := e.Trial()
		a := 1 + int(tr.Vars["hi_state"]+float64(tr.Index))%2 // both actions over the trials
		r := e.Step(a)
		st := int(tr.Vars["transition"+string(rune('0'+a))])
		if r.NewTrial || r.Obs[st] != 1 || r.Obs[3-st] != 0 || r.Obs[0] != 0 {
			t.Fatalf("action %d to state %d: observation %v", a, st, r.Obs)
		}
		if r.Reward != tr.Vars["reward"+string(rune('0'+st))] {
			t.Fatalf("state %d paid %g", st, r.Reward)
		}
		if r = e.Step(0); !r.NewTrial || r.Reward != 0 {
			t.Fatalf("second stage: %+v", r)
		}
	}

	e, _ = New("Reaching1D", nil, Options{Seed: 5})
	e.Reset()
	for range 12 { // hold through fixation, then keep turning left
		a := 0
		if e.Trial().In("reach", e.Trial().T) {
			a = 1
		}
		r := e.Step(a)
		hand := e.Trial().Vars["hand"]
		if r.NewTrial {
			break
		}
		self := r.Obs[16:]
		if peak := slices.Index(self, slices.Max(self)); peak != int(hand/(2*3.141592653589793/16)+0.5)%16 {
			t.Fatalf("hand %.2f shown at channel %d", hand, peak)
		}
	}
}

// ReachingDelayResponse's discrete actions are (go, position) vectors:
// hold (−1, 0) and reach.k at the centre of the k-th part of the range.
func TestReachingDelayResponseActions(t *testing.T) {
	e, err := New("ReachingDelayResponse", Params{"bins": 4}, Options{Seed: 2, Timing: map[string]Timing{"delay": Constant(0)}})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		tr := e.NewTrial()
		target := tr.Vars["ground_truth"]
		s, _ := tr.Span("decision")
		k := tr.GT[s]
		if lo, hi := float64(k-1)/4, float64(k)/4; target < lo || target >= hi {
			t.Fatalf("target %v in part %d, ground truth reach.%d", target, int(target*4)+1, k)
		}
		var r StepResult
		for e.Trial().T < s {
			if r = e.Step(0); r.Reward != 0 || r.NewTrial {
				t.Fatalf("holding: %+v", r)
			}
		}
		r = e.Step(k)
		centre := (float64(k) - 0.5) / 4
		want := 1 / ((1 + math.Abs(centre-target)) * (1 + math.Abs(centre-target)))
		if !r.NewTrial || math.Abs(r.Reward-want) > 1e-12 || math.Abs(r.Performance-want) > 1e-12 {
			t.Fatalf("reach.%d to %v: %+v, want reward and performance %v", k, target, r, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("StepContinuous on a discrete task did not panic")
		}
	}()
	d, _ := New("GoNogo", nil, Options{})
	d.Reset()
	d.StepContinuous([]float64{1, 0})
}

// AnnubesEnv's max_sequential bounds runs of one modality across trials,
// catch trials breaking a run.
func TestAnnubesMaxSequential(t *testing.T) {
	for _, c := range []struct {
		max   int
		catch float64
	}{{1, -1}, {2, -1}, {2, 0.3}} {
		e, err := New("AnnubesEnv", Params{"max_sequential": float64(c.max), "catch_prob": c.catch}, Options{Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		last, run, longest := -1, 0, 0
		for range 500 {
			tr := e.NewTrial()
			if tr.Vars["catch"] == 1 {
				last, run = -1, 0
				continue
			}
			if m := int(tr.Vars["modality"]); m == last {
				run++
			} else {
				last, run = m, 1
			}
			longest = max(longest, run)
		}
		if longest != c.max {
			t.Errorf("max_sequential %d, catch %v: longest run %d", c.max, c.catch, longest)
		}
	}
}

// HierarchicalReasoning: rules alternate in blocks of 10–20 trials, the first
// block rule 2; by default the judged interval is the delay shown.
func TestHierarchicalReasoningBlocks(t *testing.T) {
	e, _ := New("HierarchicalReasoning", nil, Options{Seed: 6})
	rule, run := 1.0, 0
	for i := range 400 {
		tr := e.NewTrial()
		if tr.Vars["rule"] != rule {
			if run < 10 || run > 20 {
				t.Fatalf("trial %d: a block of %d trials", i, run)
			}
			rule, run = tr.Vars["rule"], 0
		}
		run++
		if tr.Vars["interval"] != tr.Vars["delay"] {
			t.Fatalf("judged interval %v, delay shown %v", tr.Vars["interval"], tr.Vars["delay"])
		}
		if long := tr.Vars["interval"] > 850; long != (tr.Vars["long_interval"] == 1) {
			t.Fatalf("interval %v judged long %v", tr.Vars["interval"], tr.Vars["long_interval"])
		}
	}
}
