package tasks

import "fmt"

func init() {
	Register("PerceptualDecisionMaking", func(p Params) (Task, error) {
		t := &PerceptualDecisionMaking{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing, "sigma": &t.Sigma,
			"fixation_until_decision": &t.FixationUntilDecision})
	})
	Register("PerceptualDecisionMakingDelayResponse", func(p Params) (Task, error) {
		t := &PerceptualDecisionMakingDelayResponse{}
		return t, p.Bind(map[string]any{"stim_scale": &t.StimScale, "sigma": &t.Sigma})
	})
	Register("ContextDecisionMaking", func(p Params) (Task, error) {
		t := &ContextDecisionMaking{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing, "sigma": &t.Sigma,
			"use_expl_context": &t.ExplicitContext, "impl_context_modality": &t.Modality,
			"fixation_until_decision": &t.FixationUntilDecision})
	})
	Register("MultiSensoryIntegration", func(p Params) (Task, error) {
		t := &MultiSensoryIntegration{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing, "sigma": &t.Sigma})
	})
	Register("PostDecisionWager", func(p Params) (Task, error) {
		t := &PostDecisionWager{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing, "sigma": &t.Sigma})
	})
}

// PerceptualDecisionMaking is NeuroGym's two-alternative (or n-alternative)
// forced choice on noisy motion evidence (Britten et al. 1992, "The analysis
// of visual motion", J Neurosci 12:4745; neurogym/envs/native/
// perceptualdecisionmaking.py). During the stimulus each choice channel i
// shows cos(θ_i − θ_gt)·coh/200 + 0.5 plus Gaussian noise of sd σ/√dt; the
// agent fixates, then reports the ground truth in the decision period.
// Coherences 0, 6.4, 12.8, 25.6, 51.2.
//
// The fixation cue is on during the fixation period only, as in NeuroGym
// since May 2025 (commit f27b510a, "fix fixation observation"); nothing then
// announces the decision period but the stimulus offset (with the default
// 0 ms delay). FixationUntilDecision (parameter fixation_until_decision=1)
// keeps it on through stimulus and delay, so that its offset is the go
// signal: NeuroGym's behaviour before that commit (braingo's before
// 2026-12), and what NeuroGym issue #279 argues the experiments did.
type PerceptualDecisionMaking struct {
	DimRing int       // number of choices; 0 means 2
	Cohs    []float64 // coherences in %; nil means NeuroGym's
	Sigma   float64   // noise sd before the 1/√dt scaling; 0 means 1, negative none
	// FixationUntilDecision keeps the fixation cue on until the decision
	// period (fixation_until_decision).
	FixationUntilDecision bool
}

func (t *PerceptualDecisionMaking) Spec() Spec {
	n := orInt(t.DimRing, 2)
	return Spec{
		Name:    "PerceptualDecisionMaking",
		Summary: "integrate noisy evidence, report the stronger of n directions",
		Source:  "Britten et al. 1992 J Neurosci 12:4745; NeuroGym perceptualdecisionmaking.py",
		DT:      100,
		Periods: periods("fixation", Constant(100), "stimulus", Constant(2000), "delay", Constant(0), "decision", Constant(100)),
		Obs:     cat([]string{"fixation"}, group("stimulus", n)),
		Actions: cat([]string{"fixation"}, group("choice", n)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *PerceptualDecisionMaking) NewTrial(tr *Trial) {
	n := orInt(t.DimRing, 2)
	cohs := t.Cohs
	if cohs == nil {
		cohs = []float64{0, 6.4, 12.8, 25.6, 51.2}
	}
	gt := tr.Rng.IntN(n)
	coh := cohs[tr.Rng.IntN(len(cohs))]
	tr.Vars["ground_truth"], tr.Vars["coh"] = float64(gt), coh
	theta := ring(n)
	tr.Add("fixation", "stimulus", "delay", "decision")
	tr.AddObs("fixation", "fixation", 1)
	if t.FixationUntilDecision {
		tr.AddObs("stimulus", "fixation", 1)
		tr.AddObs("delay", "fixation", 1)
	}
	tr.AddObs("stimulus", "stimulus", ringStim(theta, theta[gt], coh/200, 0.5)...)
	tr.AddNoise("stimulus", "stimulus", noiseSD(t.Sigma, tr.DT))
	tr.SetGT("decision", gt+1)
}

// PerceptualDecisionMakingDelayResponse is NeuroGym's delayed-response
// discrimination (Inagaki et al. 2019, "Discrete attractor dynamics underlies
// persistent activity in the frontal cortex", Nature 566:212): two stimulus
// channels at (1 ± coh/100)/2 plus noise, a delay drawn from 300–4000 ms, then
// a 1500 ms decision. Breaking fixation is penalised only in the fixation
// period, which lasts 0 ms by default, as in NeuroGym.
type PerceptualDecisionMakingDelayResponse struct {
	StimScale float64 // scales the coherences; 0 means 1
	Sigma     float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
}

func (t *PerceptualDecisionMakingDelayResponse) Spec() Spec {
	return Spec{
		Name:    "PerceptualDecisionMakingDelayResponse",
		Summary: "discriminate two noisy stimuli, answer after a variable delay",
		Source:  "Inagaki et al. 2019 Nature 566:212; NeuroGym perceptualdecisionmaking.py",
		DT:      100,
		Periods: periods("fixation", Constant(0), "stimulus", Constant(1150),
			"delay", Choice(300, 500, 700, 900, 1200, 2000, 3200, 4000), "decision", Constant(1500)),
		Obs:     cat([]string{"fixation"}, group("stimulus", 2)),
		Actions: cat([]string{"fixation"}, group("choice", 2)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *PerceptualDecisionMakingDelayResponse) NewTrial(tr *Trial) {
	cohs := []float64{0, 6.4, 12.8, 25.6, 51.2}
	gt := 1 + tr.Rng.IntN(2)
	coh := cohs[tr.Rng.IntN(len(cohs))] * orFloat(t.StimScale, 1)
	tr.Vars["ground_truth"], tr.Vars["coh"] = float64(gt), coh
	tr.Add("fixation", "stimulus", "delay", "decision")
	tr.SetObs("fixation", "", 1, 0, 0)
	lo, hi := (1-coh/100)/2, (1+coh/100)/2
	stim := []float64{1, lo, lo}
	stim[gt] = hi
	tr.SetObs("stimulus", "", stim...)
	tr.AddNoise("stimulus", "stimulus", noiseSD(t.Sigma, tr.DT))
	tr.SetObs("delay", "", 1, 0, 0)
	tr.SetGT("decision", gt)
}

// ContextDecisionMaking is NeuroGym's context-dependent decision (Mante et
// al. 2013, "Context-dependent computation by recurrent dynamics in
// prefrontal cortex", Nature 503:78): two modalities each show a noisy ring
// stimulus (coherences 5, 15, 50); the answer follows modality 1, or the
// modality a context cue names when ExplicitContext is set. The context cue
// stays on for the whole trial, decision included, as in NeuroGym.
//
// The fixation cue is on during the fixation period only, as in NeuroGym
// since May 2025 (commit cf210742, "fix fixation signal addition"); with the
// random delay nothing then announces the decision period (NeuroGym issue
// #279). FixationUntilDecision (parameter fixation_until_decision=1) keeps
// it on through stimulus and delay so that its offset is the go cue, as in
// Mante et al.'s experiment: NeuroGym's behaviour before that commit
// (braingo's before 2026-12).
type ContextDecisionMaking struct {
	ExplicitContext bool    // cue the relevant modality per trial (use_expl_context)
	Modality        int     // the fixed relevant modality (0 or 1) without explicit context
	DimRing         int     // choices; 0 means 2
	Sigma           float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
	// FixationUntilDecision keeps the fixation cue on until the decision
	// period (fixation_until_decision).
	FixationUntilDecision bool
}

func (t *ContextDecisionMaking) Spec() Spec {
	n := orInt(t.DimRing, 2)
	obs := cat([]string{"fixation"}, group("mod1", n), group("mod2", n))
	if t.ExplicitContext {
		obs = append(obs, "context.1", "context.2")
	}
	return Spec{
		Name:    "ContextDecisionMaking",
		Summary: "report the direction of the modality the context selects, ignore the other",
		Source:  "Mante et al. 2013 Nature 503:78; NeuroGym contextdecisionmaking.py",
		DT:      100,
		Periods: periods("fixation", Constant(300), "stimulus", Constant(750),
			"delay", TruncExp(600, 300, 3000), "decision", Constant(100)),
		Obs:     obs,
		Actions: cat([]string{"fixation"}, group("choice", n)),
		Rewards: map[string]float64{"abort": -0.1, "correct": 1},
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *ContextDecisionMaking) NewTrial(tr *Trial) {
	n := orInt(t.DimRing, 2)
	cohs := []float64{5, 15, 50}
	gt := 1 + tr.Rng.IntN(n)
	other := 1 + tr.Rng.IntN(n)
	ctx := t.Modality
	if t.ExplicitContext {
		ctx = tr.Rng.IntN(2)
	}
	coh1, coh2 := cohs[tr.Rng.IntN(3)], cohs[tr.Rng.IntN(3)]
	tr.Vars["ground_truth"], tr.Vars["other_choice"], tr.Vars["context"] = float64(gt), float64(other), float64(ctx)
	tr.Vars["coh_1"], tr.Vars["coh_2"] = coh1, coh2
	c1, c2 := gt, other
	if ctx == 1 {
		c1, c2 = other, gt
	}
	theta := ring(n)
	tr.Add("fixation", "stimulus", "delay", "decision")
	if t.FixationUntilDecision {
		tr.AddObs("", "fixation", 1) // zeroed in the decision below
	} else {
		tr.AddObs("fixation", "fixation", 1)
	}
	tr.AddObs("stimulus", "mod1", ringStim(theta, theta[c1-1], coh1/200, 0.5)...)
	tr.AddObs("stimulus", "mod2", ringStim(theta, theta[c2-1], coh2/200, 0.5)...)
	sd := noiseSD(t.Sigma, tr.DT)
	tr.AddNoise("stimulus", "mod1", sd)
	tr.AddNoise("stimulus", "mod2", sd)
	tr.SetObs("decision", "", 0)
	if t.ExplicitContext {
		tr.AddObs("", "context."+string(rune('1'+ctx)), 1)
	}
	tr.SetGT("decision", gt)
}

// MultiSensoryIntegration is NeuroGym's multisensory integration: the same
// direction shown in two modalities with the coherence split between them
// (coherences 5, 15, 50; NeuroGym cites no paper; neurogym/envs/native/
// multisensory.py). Noise goes on every channel during the stimulus.
type MultiSensoryIntegration struct {
	DimRing int     // choices; 0 means 2
	Sigma   float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
}

func (t *MultiSensoryIntegration) Spec() Spec {
	n := orInt(t.DimRing, 2)
	return Spec{
		Name:    "MultiSensoryIntegration",
		Summary: "sum evidence split between two modalities",
		Source:  "NeuroGym multisensory.py (no paper given)",
		DT:      100,
		Periods: periods("fixation", Constant(300), "stimulus", Constant(750), "decision", Constant(100)),
		Obs:     cat([]string{"fixation"}, group("mod1", n), group("mod2", n)),
		Actions: cat([]string{"fixation"}, group("choice", n)),
		Rewards: map[string]float64{"abort": -0.1, "correct": 1},
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *MultiSensoryIntegration) NewTrial(tr *Trial) {
	n := orInt(t.DimRing, 2)
	cohs := []float64{5, 15, 50}
	gt := tr.Rng.IntN(n)
	coh := cohs[tr.Rng.IntN(3)]
	prop := tr.Rng.Float64()
	tr.Vars["ground_truth"], tr.Vars["coh"], tr.Vars["coh_prop"] = float64(gt), coh, prop
	theta := ring(n)
	tr.Add("fixation", "stimulus", "decision")
	tr.AddObs("", "fixation", 1)
	tr.AddObs("stimulus", "mod1", ringStim(theta, theta[gt], coh*prop/200, 0.5)...)
	tr.AddObs("stimulus", "mod2", ringStim(theta, theta[gt], coh*(1-prop)/200, 0.5)...)
	tr.AddNoise("stimulus", "", noiseSD(t.Sigma, tr.DT))
	tr.SetObs("decision", "", 0)
	tr.SetGT("decision", gt+1)
}

// PostDecisionWager is NeuroGym's post-decision wagering (Kiani & Shadlen
// 2009, "Representation of confidence associated with a decision by neurons
// in the parietal cortex", Science 324:759): a noisy discrimination after
// which, on a random half of the trials, a sure-bet target appears (after
// the pre_sure interval) that pays "sure" (0.7 by default). Choosing sure
// when it was not offered earns the abort reward. Performance is 1 for a
// correct choice and (sure − fail)/(correct − fail) for the sure bet.
//
// NeuroGym compares the choice with the 0-based direction rather than the
// choice action; this port scores against the ground-truth action.
type PostDecisionWager struct {
	DimRing int     // choices; 0 means 2
	Sigma   float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
}

func (t *PostDecisionWager) Spec() Spec {
	n := orInt(t.DimRing, 2)
	rw := stdRewards()
	rw["sure"] = 0.7
	return Spec{
		Name:    "PostDecisionWager",
		Summary: "discriminate, or take a small sure reward when it is offered",
		Source:  "Kiani & Shadlen 2009 Science 324:759; NeuroGym postdecisionwager.py",
		DT:      100,
		Periods: periods("fixation", Constant(100), "stimulus", TruncExp(180, 100, 900),
			"delay", TruncExp(1350, 1200, 1800), "pre_sure", Uniform(500, 750), "decision", Constant(100)),
		Obs:     cat([]string{"fixation"}, group("stimulus", n), []string{"sure"}),
		Actions: cat([]string{"fixation"}, group("choice", n), []string{"sure"}),
		Rewards: rw,
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *PostDecisionWager) NewTrial(tr *Trial) {
	n := orInt(t.DimRing, 2)
	cohs := []float64{0, 3.2, 6.4, 12.8, 25.6, 51.2}
	wager := tr.Rng.IntN(2) == 0
	gt := tr.Rng.IntN(n)
	coh := cohs[tr.Rng.IntN(len(cohs))]
	tr.Vars["ground_truth"], tr.Vars["coh"] = float64(gt), coh
	if wager {
		tr.Vars["wager"] = 1
	}
	theta := ring(n)
	tr.Add("fixation", "stimulus", "delay")
	_, stimEnd := tr.Span("stimulus")
	_, delayEnd := tr.Span("delay")
	if wager {
		tr.AddAt("pre_sure", float64(stimEnd)*tr.DT, tr.Sample("pre_sure"))
	}
	tr.AddAt("decision", float64(delayEnd)*tr.DT, tr.Sample("decision"))
	for _, p := range []string{"fixation", "stimulus", "delay"} {
		tr.AddObs(p, "fixation", 1)
	}
	tr.AddObs("stimulus", "stimulus", ringStim(theta, theta[gt], coh/200, 0.5)...)
	tr.AddNoise("stimulus", "", noiseSD(t.Sigma, tr.DT))
	if wager {
		tr.AddObs("delay", "sure", 1)
		tr.AddObs("decision", "sure", 1)
		tr.SetObs("pre_sure", "sure", 0)
	}
	tr.SetGT("decision", gt+1)
}

// Judge scores the choice, the sure bet and fixation breaks.
func (t *PostDecisionWager) Judge(tr *Trial, a int) Outcome {
	sure := len(tr.spec.Actions) - 1
	switch {
	case tr.In("fixation", tr.T):
		if a != 0 {
			return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
		}
	case tr.In("decision", tr.T) && a != 0:
		if a == sure {
			if tr.Vars["wager"] == 0 {
				return Outcome{Reward: tr.Rewards["abort"], End: true}
			}
			r := tr.Rewards["sure"]
			tr.Performance = (r - tr.Rewards["fail"]) / (tr.Rewards["correct"] - tr.Rewards["fail"])
			return Outcome{Reward: r, End: true}
		}
		if a == tr.GT[tr.T] {
			tr.Performance = 1
			return Outcome{Reward: tr.Rewards["correct"], End: true}
		}
		return Outcome{Reward: tr.Rewards["fail"], End: true}
	}
	return Outcome{}
}

// SingleContextDecisionMaking is BrainPy's context-dependent decision with
// a fixed, unsignalled context (brainpy_datasets, cognitive/
// decision_making.py, SingleContextDecisionMaking; after Mante et al. 2013):
// two modalities each show a noisy ring stimulus (cos(θ_i − θ)·coh/200 +
// 0.5, coherences 5, 15, 50) and the answer follows modality Context+1
// alone. The fixation input is on from the start until the decision, when
// every input is 0; noise of sd σ/√dt is on both modalities during the
// stimulus. Timing: fixation 300 ms, stimulus 750, delay truncated
// exponential (mean 600, 300–3000), decision 100, at dt 100.
//
// BrainPy's task is a dataset (inputs and labels, no environment); its
// trials are ContextDecisionMaking's with the fixation cue kept until the
// decision and the context fixed, which is how this port lays them out and
// scores them (NeuroGym's Standard rule: abort in the fixation period,
// answer in the decision).
type SingleContextDecisionMaking struct {
	Context int     // the relevant modality, 0 or 1 (context)
	DimRing int     // choices (num_choice); 0 means 2
	Sigma   float64 // noise sd before the 1/√dt scaling (noise_sigma); 0 means 1, negative none
}

func init() {
	Register("SingleContextDecisionMaking", func(p Params) (Task, error) {
		t := &SingleContextDecisionMaking{}
		if err := p.Bind(map[string]any{"context": &t.Context, "dim_ring": &t.DimRing, "sigma": &t.Sigma}); err != nil {
			return nil, err
		}
		if t.Context != 0 && t.Context != 1 {
			return nil, fmt.Errorf("context must be 0 or 1, got %d", t.Context)
		}
		if t.DimRing < 0 || t.DimRing == 1 {
			return nil, fmt.Errorf("dim_ring must be at least 2, got %d", t.DimRing)
		}
		return t, nil
	})
}

func (t *SingleContextDecisionMaking) Spec() Spec {
	n := orInt(t.DimRing, 2)
	return Spec{
		Name:    "SingleContextDecisionMaking",
		Summary: "report the direction of one fixed, unsignalled modality, ignore the other",
		Source:  "Mante et al. 2013 Nature 503:78; BrainPy brainpy_datasets cognitive/decision_making.py",
		DT:      100,
		Periods: periods("fixation", Constant(300), "stimulus", Constant(750),
			"delay", TruncExp(600, 300, 3000), "decision", Constant(100)),
		Obs:     cat([]string{"fixation"}, group("mod1", n), group("mod2", n)),
		Actions: cat([]string{"fixation"}, group("choice", n)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *SingleContextDecisionMaking) NewTrial(tr *Trial) {
	n := orInt(t.DimRing, 2)
	cohs := []float64{5, 15, 50}
	// BrainPy's order of draws: choice 0 (the ground truth), choice 1,
	// coherence 0, coherence 1; context 1 swaps the choices.
	gt, other := tr.Rng.IntN(n), tr.Rng.IntN(n)
	coh0, coh1 := cohs[tr.Rng.IntN(3)], cohs[tr.Rng.IntN(3)]
	tr.Vars["ground_truth"], tr.Vars["other_choice"] = float64(gt), float64(other)
	tr.Vars["coh_0"], tr.Vars["coh_1"] = coh0, coh1
	c0, c1 := gt, other
	if t.Context == 1 {
		c0, c1 = other, gt
	}
	theta := ring(n)
	tr.Add("fixation", "stimulus", "delay", "decision")
	tr.AddObs("", "fixation", 1)
	tr.AddObs("stimulus", "mod1", ringStim(theta, theta[c0], coh0/200, 0.5)...)
	tr.AddObs("stimulus", "mod2", ringStim(theta, theta[c1], coh1/200, 0.5)...)
	sd := noiseSD(t.Sigma, tr.DT)
	tr.AddNoise("stimulus", "mod1", sd)
	tr.AddNoise("stimulus", "mod2", sd)
	tr.SetObs("decision", "", 0)
	tr.SetGT("decision", gt+1)
}
