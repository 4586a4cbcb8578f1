package tasks

func init() {
	Register("Detection", func(p Params) (Task, error) {
		t := &Detection{}
		return t, p.Bind(map[string]any{"sigma": &t.Sigma, "stim_dur": &t.StimDur, "score_nogo": &t.ScoreNogo})
	})
	Register("ToneDetection", func(p Params) (Task, error) {
		t := &ToneDetection{}
		return t, p.Bind(map[string]any{"sigma": &t.Sigma, "tone_dur": &t.ToneDur})
	})
	Register("DelayPairedAssociation", func(p Params) (Task, error) {
		t := &DelayPairedAssociation{}
		return t, p.Bind(map[string]any{"score_nogo": &t.ScoreNogo})
	})
}

// Detection is NeuroGym's detection task (neurogym/envs/native/
// detection.py; NeuroGym cites no paper): after a fixation period, on half
// of the trials a pulse of 0.5 lasting stim_dur (100 ms) appears at a random
// step of the stimulus period, and the agent must press "go" once it has
// appeared; on the other half there is no pulse and the agent must withhold.
//
// Observations: the fixation cue (fixation period only), and a stimulus
// channel with noise of sd σ/√dt (on no-pulse trials NeuroGym adds the noise
// twice, sd σ√2/√dt, and so does braingo). The pulse starts d steps into the
// stimulus period, d uniform on [0, n − s − e) (0 when that is empty), n the
// period's steps, s the pulse's, e = 1 when s = 1 so that a response after
// the pulse is possible (Vars "delay", in steps). Ground truth: go from the
// pulse onset to the end, fixation on no-pulse trials. A press in the
// stimulus period ends the trial: "correct" (+1) if there was a pulse and it
// has begun, else "fail" (−1); a pulse trial without a press costs "miss"
// (−1) at its end; a press in the fixation period costs "abort".
//
// Performance follows NeuroGym: 1 for a correct press, 0 otherwise, also for
// a correctly withheld no-pulse trial (NeuroGym presets 1 there but
// TrialEnv.step resets it to 0). ScoreNogo (score_nogo=1) scores that trial 1.
// NeuroGym's fixed-delay argument (delay, in steps) is not ported, and
// NeuroGym sets no ground truth on no-pulse trials (its array keeps the
// previous trial's values); braingo's is fixation.
type Detection struct {
	Sigma   float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
	StimDur float64 // pulse duration in ms (floored to steps); 0 means 100
	// ScoreNogo scores a withheld no-pulse trial 1 (score_nogo).
	ScoreNogo bool
}

func (t *Detection) Spec() Spec {
	return Spec{
		Name:    "Detection",
		Summary: "press once a brief pulse has appeared in noise, withhold if none does",
		Source:  "NeuroGym detection.py (no paper given)",
		DT:      100,
		Periods: periods("fixation", Constant(500), "stimulus", TruncExp(1000, 500, 1500)),
		Obs:     []string{"fixation", "stimulus"},
		Actions: []string{"fixation", "go"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": -1, "miss": -1},
		Fixate:  []string{"fixation"},
		Respond: []string{"stimulus"},
	}
}

func (t *Detection) NewTrial(tr *Trial) {
	gt := tr.Rng.IntN(2)
	tr.Add("fixation", "stimulus")
	tr.SetObs("fixation", "fixation", 1)
	sd := noiseSD(t.Sigma, tr.DT)
	tr.AddNoise("stimulus", "stimulus", sd)
	s, e := tr.Span("stimulus")
	dur := floorSteps(orFloat(t.StimDur, 100), tr.DT)
	extra := 0
	if dur == 1 {
		extra = 1
	}
	delay := 0
	if gt == 1 {
		if n := e - s - dur - extra; n > 0 {
			delay = tr.Rng.IntN(n)
		}
		tr.AddObsAt(s+delay, min(s+delay+dur, e), "stimulus", 0.5)
		tr.TimeoutReward = tr.Rewards["miss"]
		for i := s + delay; i < e; i++ {
			tr.GT[i] = 1
		}
	} else {
		tr.AddNoise("stimulus", "stimulus", sd)
		if t.ScoreNogo {
			tr.Performance = 1
		}
	}
	tr.Vars["ground_truth"], tr.Vars["delay"] = float64(gt), float64(delay)
}

// Judge: a press ends the trial in the stimulus period, correct only after
// the pulse onset of a pulse trial.
func (t *Detection) Judge(tr *Trial, a int) Outcome {
	if a == 0 {
		return Outcome{}
	}
	if tr.In("fixation", tr.T) {
		if tr.Abort {
			tr.Performance = 0 // an aborted no-pulse trial is not a withheld one
		}
		return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
	}
	if tr.In("stimulus", tr.T) {
		s, _ := tr.Span("stimulus")
		if tr.Vars["ground_truth"] == 1 && tr.T >= s+int(tr.Vars["delay"]) {
			tr.Performance = 1
			return Outcome{Reward: tr.Rewards["correct"], End: true}
		}
		tr.Performance = 0
		return Outcome{Reward: tr.Rewards["fail"], End: true}
	}
	return Outcome{}
}

// ToneDetection is NeuroGym's tone detection (neurogym/envs/native/
// tonedetection.py; NeuroGym cites Costalupes 1985, "Representation of tones
// in noise in the responses of auditory nerve fibers in cats", J Neurosci
// 5:3261): a 2000 ms stimulus in 50 ms steps with noise of sd
// σ/√dt (σ = 0.2) carries no tone or a 50 ms tone of amplitude 1 at 500, 1000
// or 1500 ms; the ground truth over the whole trial is the condition (0: no
// tone, 1–3: the tone's position). As in NeuroGym there is no fixation cue,
// no reward and no early end: the task is for supervised training, and its
// performance is always 0.
type ToneDetection struct {
	Sigma     float64   // noise sd before the 1/√dt scaling; 0 means 0.2, negative none
	ToneDur   float64   // tone duration in ms; 0 means 50
	ToneTimes []float64 // tone onsets in ms; nil means 500, 1000, 1500
}

func (t *ToneDetection) Spec() Spec {
	return Spec{
		Name:    "ToneDetection",
		Summary: "report whether and where a brief tone occurred in noise (supervised only)",
		Source:  "Costalupes 1985 J Neurosci 5:3261; NeuroGym tonedetection.py",
		DT:      50,
		Periods: periods("stimulus", Constant(2000)),
		Obs:     []string{"stimulus"},
		Actions: cat([]string{"fixation"}, group("tone", 3)),
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "noresp": -0.1},
		Respond: []string{"stimulus"}, // the ground truth covers the whole trial
	}
}

func (t *ToneDetection) NewTrial(tr *Trial) {
	times := t.ToneTimes
	if times == nil {
		times = []float64{500, 1000, 1500}
	}
	cond := tr.Rng.IntN(len(times) + 1)
	tr.Vars["ground_truth"] = float64(cond)
	tr.Add("stimulus")
	if cond > 0 {
		on := floorSteps(times[cond-1], tr.DT)
		n := floorSteps(orFloat(t.ToneDur, 50), tr.DT)
		if on < tr.Len {
			tr.AddObsAt(on, min(on+n, tr.Len), "stimulus", 1)
		}
	}
	sigma := t.Sigma
	if sigma == 0 {
		sigma = 0.2
	}
	tr.AddNoise("stimulus", "", noiseSD(sigma, tr.DT))
	tr.SetGT("", cond)
}

// Judge never rewards and never ends the trial early (NeuroGym's _step).
func (t *ToneDetection) Judge(*Trial, int) Outcome { return Outcome{} }

// DelayPairedAssociation is NeuroGym's delayed paired association (Zhu et
// al. 2019, "Active information maintenance in working memory by a sensory
// cortex", eLife 8:e43191, the paper NeuroGym cites; neurogym/envs/native/
// delaypairedassociation.py): two stimuli out of four
// shown one after the other, separated and followed by delays; the pairs
// (1, 3) and (2, 4) are associated ("go"), (1, 4) and (2, 3) are not. The
// fixation cue is on until the decision. A press in the decision period
// ends the trial, "correct" (+1) after an associated pair and "fail" (−1)
// otherwise; an associated pair without a press costs "miss" (0).
//
// Performance follows NeuroGym: a withheld non-associated trial scores 0
// (NeuroGym presets 1 but TrialEnv.step resets it to 0); ScoreNogo
// (score_nogo=1) scores it 1. NeuroGym's sigma argument adds no noise and is
// not ported.
type DelayPairedAssociation struct {
	// ScoreNogo scores a withheld non-associated trial 1 (score_nogo).
	ScoreNogo bool
}

func (t *DelayPairedAssociation) Spec() Spec {
	return Spec{
		Name:    "DelayPairedAssociation",
		Summary: "press if the second stimulus is the first one's associate",
		Source:  "Zhu et al. 2019 eLife 8:e43191; NeuroGym delaypairedassociation.py",
		DT:      100,
		Periods: periods("fixation", Constant(0), "stim1", Constant(1000), "delay_btw_stim", Constant(1000),
			"stim2", Constant(1000), "delay_aft_stim", Constant(1000), "decision", Constant(500)),
		Obs:     cat([]string{"fixation"}, group("stimulus", 4)),
		Actions: []string{"fixation", "go"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": -1, "miss": 0},
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *DelayPairedAssociation) NewTrial(tr *Trial) {
	pairs := [4][2]int{{1, 3}, {1, 4}, {2, 3}, {2, 4}}
	p := pairs[tr.Rng.IntN(4)]
	gt := 0
	if (p[1]-p[0])%2 == 0 {
		gt = 1
	}
	tr.Vars["pair1"], tr.Vars["pair2"], tr.Vars["ground_truth"] = float64(p[0]), float64(p[1]), float64(gt)
	tr.Add("fixation", "stim1", "delay_btw_stim", "stim2", "delay_aft_stim", "decision")
	tr.AddObs("", "fixation", 1)
	tr.AddObs("stim1", "stimulus."+string(rune('0'+p[0])), 1)
	tr.AddObs("stim2", "stimulus."+string(rune('0'+p[1])), 1)
	tr.SetObs("decision", "", 0)
	tr.SetGT("decision", gt)
	tr.TimeoutReward = tr.Rewards["miss"] * float64(gt)
	if t.ScoreNogo {
		tr.Performance = float64(1 - gt)
	}
}
