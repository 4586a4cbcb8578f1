package tasks

import "math"

func init() {
	Register("ReadySetGo", func(p Params) (Task, error) {
		t := &ReadySetGo{}
		return t, p.Bind(map[string]any{"gain": &t.Gain, "prod_margin": &t.ProdMargin})
	})
	Register("MotorTiming", func(p Params) (Task, error) {
		t := &MotorTiming{}
		return t, p.Bind(map[string]any{"prod_margin": &t.ProdMargin})
	})
	Register("IntervalDiscrimination", func(Params) (Task, error) { return &IntervalDiscrimination{}, nil })
	Register("GoNogo", func(p Params) (Task, error) {
		t := &GoNogo{}
		return t, p.Bind(map[string]any{"score_nogo": &t.ScoreNogo})
	})
}

// ReadySetGo is NeuroGym's ready-set-go interval reproduction (Remington et
// al. 2018, "Flexible sensorimotor computations through rapid
// reconfiguration of cortical dynamics", Neuron 98:1005): "ready" and "set"
// flashes bound a measured interval (uniform 800–1500 ms); the agent must
// press "go" gain × measure after the measure period ends. Ground truth is go
// at that step of the production period (which lasts twice the production
// time). A press within margin·production + 25 ms earns
// max((1 − |error|/threshold)^1.5, 0.1)·correct and performance 1.
//
// As in NeuroGym the produced time counts from the end of the measure period,
// so it includes the set flash: the ground-truth press is off by the set
// duration and earns slightly less than "correct".
type ReadySetGo struct {
	Gain       float64 // production = gain × measure; 0 means 1
	ProdMargin float64 // relative tolerance; 0 means 0.2
}

func (t *ReadySetGo) Spec() Spec {
	return Spec{
		Name:    "ReadySetGo",
		Summary: "measure an interval between two flashes, reproduce it",
		Source:  "Remington et al. 2018 Neuron 98:1005; NeuroGym readysetgo.py",
		DT:      80,
		Periods: periods("fixation", Constant(100), "ready", Constant(83), "measure", Uniform(800, 1500),
			"set", Constant(83), "production", Derived("2 × gain × measure")),
		Obs:     []string{"fixation", "ready", "set"},
		Actions: []string{"fixation", "go"},
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"production"},
	}
}

func (t *ReadySetGo) NewTrial(tr *Trial) {
	measure := tr.Sample("measure")
	prod := measure * orFloat(t.Gain, 1)
	tr.Vars["measure"], tr.Vars["production"] = measure, prod
	tr.Add("fixation", "ready")
	_, fe := tr.Span("fixation")
	tr.AddAt("measure", float64(fe)*tr.DT, measure)
	_, me := tr.Span("measure")
	tr.AddAt("set", float64(me)*tr.DT, tr.Sample("set"))
	_, se := tr.Span("set")
	tr.AddAt("production", float64(se)*tr.DT, 2*prod)
	tr.AddObs("", "fixation", 1)
	tr.SetObs("production", "fixation", 0)
	tr.AddObs("ready", "ready", 1)
	tr.AddObs("set", "set", 1)
	setGo(tr, prod)
}

// setGo puts the go ground truth prod ms into the production period.
func setGo(tr *Trial, prod float64) {
	s, e := tr.Span("production")
	if i := s + int(prod/tr.DT); i < e {
		tr.GT[i] = 1
	}
}

// Judge scores the go press against the interval from the end of "measure".
func (t *ReadySetGo) Judge(tr *Trial, a int) Outcome {
	return judgeProduction(tr, a, "measure", orFloat(t.ProdMargin, 0.2))
}

// judgeProduction is the rule ReadySetGo and MotorTiming share: a fixation
// break in "fixation"; a go in "production" ends the trial, scored by the
// time from the end of period ref against Vars["production"].
func judgeProduction(tr *Trial, a int, ref string, margin float64) Outcome {
	if a != 0 && tr.In("fixation", tr.T) {
		return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
	}
	if a == 1 && tr.In("production", tr.T) {
		_, re := tr.Span(ref)
		prod := tr.Vars["production"]
		eps := math.Abs(float64(tr.T-re)*tr.DT - prod)
		thr := margin*prod + 25
		if eps > thr {
			tr.Performance = 0
			return Outcome{Reward: tr.Rewards["fail"], End: true}
		}
		tr.Performance = 1
		return Outcome{Reward: max(math.Pow(1-eps/thr, 1.5), 0.1) * tr.Rewards["correct"], End: true}
	}
	return Outcome{}
}

// MotorTiming is NeuroGym's cued interval production (Wang et al. 2018,
// "Flexible timing by temporal scaling of cortical responses", Nat Neurosci
// 21:102): a cue says which interval (800 or 1500 ms) to produce after the
// set signal; scoring as ReadySetGo, timed from the end of "set". At the
// default dt of 80 ms the 50 ms set period is empty, as in NeuroGym.
type MotorTiming struct {
	ProdMargin float64 // relative tolerance; 0 means 0.2
}

func (t *MotorTiming) Spec() Spec {
	return Spec{
		Name:    "MotorTiming",
		Summary: "produce the cued interval (800 or 1500 ms) after a set signal",
		Source:  "Wang et al. 2018 Nat Neurosci 21:102; NeuroGym readysetgo.py",
		DT:      80,
		Periods: periods("fixation", Constant(500), "cue", Uniform(1000, 3000), "set", Constant(50),
			"production", Derived("2 × interval")),
		Obs:     []string{"fixation", "interval.1", "interval.2", "set"},
		Actions: []string{"fixation", "go"},
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"production"},
	}
}

func (t *MotorTiming) NewTrial(tr *Trial) {
	ind := tr.Rng.IntN(2)
	prod := []float64{800, 1500}[ind]
	tr.Vars["production_ind"], tr.Vars["production"] = float64(ind), prod
	tr.Add("fixation", "cue", "set")
	tr.AddFor("production", 2*prod)
	iv := "interval." + string(rune('1'+ind))
	tr.AddObs("fixation", "fixation", 1)
	tr.AddObs("cue", "fixation", 1)
	tr.AddObs("cue", iv, 1)
	tr.AddObs("set", "fixation", 1)
	tr.AddObs("set", iv, 1)
	tr.AddObs("set", "set", 1)
	setGo(tr, prod)
}

// Judge scores the go press against the interval from the end of "set".
func (t *MotorTiming) Judge(tr *Trial, a int) Outcome {
	return judgeProduction(tr, a, "set", orFloat(t.ProdMargin, 0.2))
}

// IntervalDiscrimination is NeuroGym's duration comparison (Genovesio,
// Tsujimoto & Wise 2009, "Feature- and order-based timing representations in
// the frontal cortex", Neuron 63:254): two flashes of random duration (300–600
// ms) separated by a random delay; report which lasted longer (the second on
// ties, as in NeuroGym).
type IntervalDiscrimination struct{}

func (t *IntervalDiscrimination) Spec() Spec {
	return Spec{
		Name:    "IntervalDiscrimination",
		Summary: "report which of two stimuli lasted longer",
		Source:  "Genovesio, Tsujimoto & Wise 2009 Neuron 63:254; NeuroGym intervaldiscrimination.py",
		DT:      80,
		Periods: periods("fixation", Constant(300), "stim1", Uniform(300, 600), "delay1", Uniform(800, 1500),
			"stim2", Uniform(300, 600), "delay2", Constant(500), "decision", Constant(300)),
		Obs:     []string{"fixation", "stim1", "stim2"},
		Actions: cat([]string{"fixation"}, group("choice", 2)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *IntervalDiscrimination) NewTrial(tr *Trial) {
	d1, d2 := tr.Sample("stim1"), tr.Sample("stim2")
	gt := 2
	if d1 > d2 {
		gt = 1
	}
	tr.Vars["duration1"], tr.Vars["duration2"], tr.Vars["ground_truth"] = d1, d2, float64(gt)
	tr.Add("fixation")
	tr.AddFor("stim1", d1)
	tr.Add("delay1")
	tr.AddFor("stim2", d2)
	tr.Add("delay2", "decision")
	tr.AddObs("", "fixation", 1)
	tr.AddObs("stim1", "stim1", 1)
	tr.AddObs("stim2", "stim2", 1)
	tr.SetObs("decision", "", 0)
	tr.SetGT("decision", gt)
}

// GoNogo is NeuroGym's go/no-go (Zhu et al. 2019, "Active information
// maintenance in working memory by a sensory cortex", eLife 8:e43191, the
// paper NeuroGym cites): a go or no-go stimulus, a delay, then a decision
// period in which "go" is right only after the go stimulus. A go trial
// without a press costs "miss" at its end.
//
// Performance follows NeuroGym: a press after go scores 1, a press after
// no-go 0, and a trial without a press 0 — also a correctly withheld no-go
// trial. (NeuroGym's _new_trial presets performance 1 − ground_truth, but
// TrialEnv.step sets performance to 0 right after drawing each new trial,
// so the preset survives only in the first trial after reset.) A perfect
// agent thus scores 0.5. ScoreNogo (parameter score_nogo=1) scores a
// withheld no-go trial 1, braingo's behaviour before 2026-12, so that
// performance counts correct trials of both kinds.
type GoNogo struct {
	// ScoreNogo scores a no-go trial without a press 1 (score_nogo).
	ScoreNogo bool
}

func (t *GoNogo) Spec() Spec {
	return Spec{
		Name:    "GoNogo",
		Summary: "press after a go stimulus, withhold after a no-go stimulus",
		Source:  "Zhu et al. 2019 eLife 8:e43191; NeuroGym gonogo.py",
		DT:      100,
		Periods: periods("fixation", Constant(0), "stimulus", Constant(500), "delay", Constant(500), "decision", Constant(500)),
		Obs:     []string{"fixation", "nogo", "go"},
		Actions: []string{"fixation", "go"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": -0.5, "miss": -0.5},
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *GoNogo) NewTrial(tr *Trial) {
	gt := tr.Rng.IntN(2)
	tr.Vars["ground_truth"] = float64(gt)
	tr.Add("fixation", "stimulus", "delay", "decision")
	tr.AddObs("", "fixation", 1)
	tr.AddObs("stimulus", []string{"nogo", "go"}[gt], 1)
	tr.SetObs("decision", "", 0)
	tr.TimeoutReward = tr.Rewards["miss"] * float64(gt)
	if t.ScoreNogo {
		tr.Performance = float64(1 - gt)
	}
	tr.SetGT("decision", gt)
}
