package trainer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
)

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), want) {
			t.Errorf("panic %v, want one mentioning %q", r, want)
		}
	}()
	f()
}

func TestNewSequenceAndAgentCheckSizes(t *testing.T) {
	task, err := tasks.Lookup("PerceptualDecisionMaking", nil)
	if err != nil {
		t.Fatal(err)
	}
	o := tasks.Options{Seed: 1}
	ds, err := tasks.NewDataset(task, o, tasks.DatasetConfig{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	spec := ds.Spec()
	good := networks.NewRSNNForTask(spec, networks.RSNNTaskConfig{Units: 8})
	seq := NewSequence(good, ds)
	if seq.Net != good || seq.Data != ds || seq.Continuous {
		t.Errorf("NewSequence: %+v", seq)
	}
	if a := NewAgent(good, task, o, 5, 3); a.Actions != 3 || a.Columns != 3 {
		t.Errorf("NewAgent: actions %d, columns %d", a.Actions, a.Columns)
	}
	bad := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: spec.Inputs() + 1, Units: 8, Outputs: 3}, rand.New(rand.NewPCG(1, 0)))
	mustPanic(t, "cannot play PerceptualDecisionMaking", func() { NewSequence(bad, ds) })
	mustPanic(t, "cannot play PerceptualDecisionMaking", func() { NewAgent(bad, task, o, 5, 3) })
}

func TestPlayStats(t *testing.T) {
	p := &PlayResult{Trials: []TrialRecord{{Performance: 1, Reward: 1}, {Performance: 0, Reward: -0.1}}}
	st := p.Stats()
	if st.Trials != 2 || st.Performance != p.Performance() || st.MeanReward != p.MeanReward() {
		t.Errorf("Stats %+v, methods %v %v", st, p.Performance(), p.MeanReward())
	}
}
