package tasks

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Restoring a dataset's state replays the same trials; a stream in the
// middle of a trial has no state to save.
func TestDatasetStateReplays(t *testing.T) {
	d, err := NewDataset(&PerceptualDecisionMaking{}, Options{Seed: 3}, DatasetConfig{BatchSize: 3, SeqLen: 7})
	if err != nil {
		t.Fatal(err)
	}
	d.Trials()
	st, err := d.State()
	if err != nil {
		t.Fatal(err)
	}
	a1, a2 := d.Trials(), d.Trials()
	if err := d.SetState(st); err != nil {
		t.Fatal(err)
	}
	b1, b2 := d.Trials(), d.Trials()
	if !slices.Equal(a1.Inputs, b1.Inputs) || !slices.Equal(a2.Inputs, b2.Inputs) || !slices.Equal(a2.Labels, b2.Labels) {
		t.Fatal("restored dataset draws other trials")
	}
	if slices.Equal(a1.Inputs, a2.Inputs) {
		t.Fatal("consecutive batches are equal: the test tests nothing")
	}
	d.Stream()
	if _, err := d.State(); err == nil {
		t.Error("a stream cut mid-trial reported a state")
	}
	if err := d.SetState(st[:1]); err == nil {
		t.Error("state of one environment accepted for three")
	}
}

// An Env restored from TrialState in the middle of a trial continues as
// the Env that saved it: the same observations, rewards, trial ends,
// performances and variables, for every registered task (the judges that
// draw random numbers, as Bandit's, included).
func TestTrialStateContinues(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			task, err := Lookup(name, nil)
			if err != nil {
				t.Fatal(err)
			}
			o := Options{Seed: 5, Stream: 2}
			a, err := NewEnv(task, o)
			if err != nil {
				t.Fatal(err)
			}
			na := len(a.Spec().Actions)
			act := rand.New(rand.NewPCG(1, 2))
			a.Reset()
			// Step past a few trials, then on to a step in the middle of
			// a trial (every trial of a bandit is one step: there, at a
			// trial's start).
			for step := 0; step < 150 || (a.Trial().T == 0 && step < 200); step++ {
				a.Step(act.IntN(na))
			}
			st, err := a.TrialState()
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Actions) == 0 && a.Trial().Len > 1 {
				t.Fatal("mid-trial state holds no actions: the test tests nothing")
			}
			b, err := NewEnv(task, Options{Seed: 99})
			if err != nil {
				t.Fatal(err)
			}
			obs, err := b.SetTrialState(st)
			if err != nil {
				t.Fatal(err)
			}
			want := a.Trial()
			if !slices.Equal(obs, want.ObsRow(want.T)) || b.Trial().T != want.T || b.Trial().Index != want.Index {
				t.Fatalf("restored at step %d of trial %d, want step %d of trial %d", b.Trial().T, b.Trial().Index, want.T, want.Index)
			}
			ends := 0
			for range 5000 {
				x := act.IntN(na)
				ra, rb := a.Step(x), b.Step(x)
				if !slices.Equal(ra.Obs, rb.Obs) || ra.Reward != rb.Reward || ra.NewTrial != rb.NewTrial ||
					ra.Performance != rb.Performance || ra.GT != rb.GT || !maps.Equal(a.Trial().Vars, b.Trial().Vars) {
					t.Fatalf("restored env differs: %+v vs %+v", rb, ra)
				}
				if ra.NewTrial {
					ends++
				}
			}
			if ends == 0 {
				t.Error("no trial ended after the restore: the test compares one trial only")
			}
		})
	}
}

// A trial stepped with continuous actions, or none drawn, has no state;
// a saved action outside the task's actions is refused.
func TestTrialStateRefusals(t *testing.T) {
	e, err := NewEnv(&PerceptualDecisionMaking{}, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.TrialState(); err == nil {
		t.Error("state before the first trial")
	}
	e.Reset()
	e.Step(0)
	st, err := e.TrialState()
	if err != nil {
		t.Fatal(err)
	}
	st.Actions = append(st.Actions, 7)
	if _, err := e.SetTrialState(st); err == nil || !strings.Contains(err.Error(), "action 7") {
		t.Errorf("action 7 of 3: %v", err)
	}
	r, err := NewEnv(&ReachingDelayResponse{}, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	r.Reset()
	r.StepContinuous(make([]float64, len(r.Spec().Targets)))
	if _, err := r.TrialState(); err == nil {
		t.Error("a continuous trial reported a state")
	}
}
