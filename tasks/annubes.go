package tasks

import (
	"fmt"
	"math"
)

func init() {
	Register("AnnubesEnv", func(p Params) (Task, error) {
		t := &AnnubesEnv{}
		if err := p.Bind(map[string]any{"catch_prob": &t.CatchProb, "max_sequential": &t.MaxSequential,
			"fix_intensity": &t.FixIntensity, "tau": &t.Tau, "noise_std": &t.NoiseStd}); err != nil {
			return nil, err
		}
		if t.CatchProb > 1 || t.MaxSequential < 0 || t.Tau < 0 {
			return nil, fmt.Errorf("want catch_prob ≤ 1, max_sequential ≥ 0 and tau ≥ 0")
		}
		return t, nil
	})
}

// AnnubesEnv is NeuroGym's ANNUBeS task family (neurogym/envs/native/
// annubes.py; NeuroGym cites no paper): after a fixation period a "start"
// channel turns on for the stimulus period, during which one modality
// channel (drawn with the session's probabilities) carries an intensity from
// StimIntensities plus noise; on catch trials (probability CatchProb) none
// does. The agent answers 1 during the stimulus when a stimulus is present
// and 0 otherwise. Every stimulus step is scored, "correct" (+1) when the
// action equals the ground truth and "fail" (0) otherwise, and performance
// is 1 once any step is correct; any non-zero action in the fixation or
// inter-trial (iti) periods costs "abort" without ending the trial. With
// MaxSequential, a modality is not drawn more than that many times in a row
// (the count persists across trials).
//
// The noise is NeuroGym's: Gaussian with sd noise_std·√(2α)/α, α = dt/τ (not
// scaled by 1/√dt as in the other tasks). The session's channels are its
// keys; NeuroGym draws from its own generator, seeded apart from the task's.
type AnnubesEnv struct {
	Session         []string  // modality channels; nil means "v", "a"
	SessionP        []float64 // their relative frequencies; nil means equal
	StimIntensities []float64 // nil means 0.8, 0.9, 1
	CatchProb       float64   // 0 means 0.5, negative no catch trials
	MaxSequential   int       // 0 means no limit
	FixIntensity    float64   // the fixation channel during fixation
	Tau             float64   // ms; 0 means 100
	NoiseStd        float64   // 0 means 0.01, negative none
}

func (t *AnnubesEnv) session() ([]string, []float64) {
	s, p := t.Session, t.SessionP
	if s == nil {
		s = []string{"v", "a"}
	}
	if p == nil {
		p = make([]float64, len(s))
		for i := range p {
			p[i] = 1
		}
	}
	if len(p) != len(s) {
		panic(fmt.Sprintf("tasks: AnnubesEnv: %d session frequencies for %d modalities", len(p), len(s)))
	}
	return s, p
}

func (t *AnnubesEnv) Spec() Spec {
	s, _ := t.session()
	return Spec{
		Name:    "AnnubesEnv",
		Summary: "report whether a stimulus appeared in any of several modalities",
		Source:  "NeuroGym annubes.py (no paper given)",
		DT:      100,
		Periods: periods("fixation", Constant(500), "stimulus", Constant(1000), "iti", Constant(0)),
		Obs:     cat([]string{"fixation", "start"}, s),
		Actions: []string{"fixation", "choice"},
		Rewards: stdRewards(),
		Fixate:  []string{"fixation", "iti"},
		Respond: []string{"stimulus"},
	}
}

func (t *AnnubesEnv) NewTrial(tr *Trial) {
	mods, p := t.session()
	ints := t.StimIntensities
	if ints == nil {
		ints = []float64{0.8, 0.9, 1}
	}
	tr.Add("fixation", "stimulus", "iti")
	tr.AddObs("fixation", "fixation", t.FixIntensity)
	tr.AddObs("stimulus", "start", 1)
	cp := orFloat(t.CatchProb, 0.5)
	catch := tr.Rng.Float64() < max(cp, 0)
	if catch {
		tr.Vars["catch"] = 1
		tr.Carry["sequential_count"], tr.Carry["last_modality"] = 1, 0
		return
	}
	last, count := int(tr.Carry["last_modality"])-1, max(1, int(tr.Carry["sequential_count"]))
	var m int
	switch {
	case len(mods) == 1:
		m = 0
	case t.MaxSequential > 0 && count >= t.MaxSequential:
		// Uniform among the modalities other than the last (all of them
		// after a catch trial), as NeuroGym.
		if last < 0 {
			m = tr.Rng.IntN(len(mods))
		} else if m = tr.Rng.IntN(len(mods) - 1); m >= last {
			m++
		}
	default:
		var sum float64
		for _, w := range p {
			sum += w
		}
		u, acc := tr.Rng.Float64()*sum, 0.0
		for m = 0; m < len(mods)-1; m++ {
			if acc += p[m]; u < acc {
				break
			}
		}
	}
	if m == last {
		count++
	} else {
		count = 1
	}
	tr.Carry["sequential_count"], tr.Carry["last_modality"] = float64(count), float64(m+1)
	v := ints[tr.Rng.IntN(len(ints))]
	tr.Vars["modality"], tr.Vars["stim_value"] = float64(m), v
	tr.AddObs("stimulus", mods[m], v)
	if t.NoiseStd >= 0 {
		alpha := tr.DT / orFloat(t.Tau, 100)
		tr.AddNoise("stimulus", mods[m], orFloat(t.NoiseStd, 0.01)*math.Sqrt(2*alpha)/alpha)
	}
	tr.SetGT("stimulus", 1)
}

// Judge scores every stimulus step; fixation breaks cost "abort" but never
// end the trial.
func (t *AnnubesEnv) Judge(tr *Trial, a int) Outcome {
	if tr.In("stimulus", tr.T) {
		if a == tr.GT[tr.T] {
			tr.Performance = 1
			return Outcome{Reward: tr.Rewards["correct"]}
		}
		return Outcome{Reward: tr.Rewards["fail"]}
	}
	if a != 0 {
		return Outcome{Reward: tr.Rewards["abort"]}
	}
	return Outcome{}
}
