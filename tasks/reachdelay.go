package tasks

import (
	"fmt"
	"math"
)

func init() {
	Register("ReachingDelayResponse", func(p Params) (Task, error) {
		t := &ReachingDelayResponse{}
		if err := p.Bind(map[string]any{"lowbound": &t.LowBound, "highbound": &t.HighBound, "bins": &t.Bins}); err != nil {
			return nil, err
		}
		if lo, hi := t.bounds(); !(lo < hi) || t.Bins < 0 {
			return nil, fmt.Errorf("want lowbound < highbound and bins ≥ 1, got [%v, %v] and %d", lo, hi, t.Bins)
		}
		return t, nil
	})
}

// ReachingDelayResponse is NeuroGym's delayed reach to a remembered position
// (neurogym/envs/native/reachingdelayresponse.py; NeuroGym cites no paper): a
// stimulus channel shows a position drawn uniformly from [LowBound,
// HighBound) for 500 ms; after a delay of 0, 1000 or 2000 ms the go channel
// turns on (1) for a 500 ms decision, while the stimulus channel reads −0.5
// through delay and decision.
//
// NeuroGym's action is a vector (go, position): go ≥ 0 during the stimulus
// costs "abort"; go > 0 during the decision ends the trial with reward
// correct/(1 + |position − target|)² and performance reward/correct; a trial
// without one costs "miss" (−0.5). Env.StepContinuous takes that vector
// (ContinuousJudge). The continuous ground truth is NeuroGym's: Targets "go"
// and "position", (−1, −0.5) before the decision and (1, target) in it.
//
// Discrete actions, for braingo's discrete trainers: "hold" (go −1) and
// "reach.k" (go 1 at the centre of the k-th of Bins equal parts of the
// range); the discrete ground truth is the part holding the target during
// the decision and hold before it.
type ReachingDelayResponse struct {
	LowBound, HighBound float64 // target range; both 0 mean [0, 1)
	Bins                int     // discrete reach positions; 0 means 10
}

func (t *ReachingDelayResponse) bounds() (lo, hi float64) {
	if t.LowBound == 0 && t.HighBound == 0 {
		return 0, 1
	}
	return t.LowBound, t.HighBound
}

func (t *ReachingDelayResponse) Spec() Spec {
	return Spec{
		Name:    "ReachingDelayResponse",
		Summary: "reach to a remembered position after a variable delay",
		Source:  "NeuroGym reachingdelayresponse.py (no paper given)",
		DT:      100,
		Periods: periods("stimulus", Constant(500), "delay", Choice(0, 1000, 2000), "decision", Constant(500)),
		Obs:     []string{"go", "stimulus"},
		Actions: cat([]string{"hold"}, group("reach", orInt(t.Bins, 10))),
		Targets: []string{"go", "position"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": 0, "miss": -0.5},
		Fixate:  []string{"stimulus"},
		Respond: []string{"decision"},
	}
}

func (t *ReachingDelayResponse) NewTrial(tr *Trial) {
	lo, hi := t.bounds()
	target := lo + (hi-lo)*tr.Rng.Float64()
	tr.Vars["ground_truth"] = target
	tr.Add("stimulus", "delay", "decision")
	tr.AddObs("stimulus", "stimulus", target)
	tr.SetObs("delay", "", 0, -0.5)
	tr.SetObs("decision", "", 1, -0.5)
	tr.SetTarget("stimulus", -1, -0.5)
	tr.SetTarget("delay", -1, -0.5)
	tr.SetTarget("decision", 1, target)
	n := orInt(t.Bins, 10)
	tr.SetGT("decision", 1+min(n-1, int(math.Floor((target-lo)/(hi-lo)*float64(n)))))
	tr.TimeoutReward = tr.Rewards["miss"]
}

// JudgeContinuous scores NeuroGym's (go, position) action.
func (t *ReachingDelayResponse) JudgeContinuous(tr *Trial, a []float64) Outcome {
	if len(a) != 2 {
		panic(fmt.Sprintf("tasks: ReachingDelayResponse: action of %d values, want (go, position)", len(a)))
	}
	switch {
	case tr.In("stimulus", tr.T):
		if !(a[0] < 0) {
			return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
		}
	case tr.In("decision", tr.T) && a[0] > 0:
		d := 1 + math.Abs(a[1]-tr.Vars["ground_truth"])
		r := tr.Rewards["correct"] / (d * d)
		tr.Performance = r / tr.Rewards["correct"]
		return Outcome{Reward: r, End: true}
	}
	return Outcome{}
}

// Judge maps discrete action k to (go, position): hold is (−1, 0), reach.k
// (1, the centre of the k-th part of the range).
func (t *ReachingDelayResponse) Judge(tr *Trial, a int) Outcome {
	if a == 0 {
		return t.JudgeContinuous(tr, []float64{-1, 0})
	}
	lo, hi := t.bounds()
	n := orInt(t.Bins, 10)
	return t.JudgeContinuous(tr, []float64{1, lo + (hi-lo)*(float64(a)-0.5)/float64(n)})
}
