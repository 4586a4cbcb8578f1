package tasks

func init() {
	Register("HierarchicalReasoning", func(p Params) (Task, error) {
		t := &HierarchicalReasoning{}
		return t, p.Bind(map[string]any{"neurogym_delay": &t.NeuroGymDelay})
	})
}

// HierarchicalReasoning is NeuroGym's hierarchical reasoning task (Sarafyazd
// & Jazayeri 2019, "Hierarchical reasoning by neural circuits in the frontal
// cortex", Science 364:eaav8911; neurogym/envs/native/
// hierarchicalreasoning.py): in blocks of 10–20 trials a rule (1 or 2,
// alternating between blocks, the first block 2 as in NeuroGym) must first
// be reported during the rule_target period (the last action there counts);
// then a stimulus flashes twice on one of two channels around a delay of
// 500–1100 ms, and the agent must choose the flashed side ("pro") when the
// delay is long and the rule is 2 or it is short and the rule is 1, else the
// other side. A choice in the decision period ends the trial, "correct" only
// if the rule was also reported right. The fixation cue is on until the
// decision; a press outside rule_target and decision costs "abort".
//
// NeuroGym judges the delay against 610 ms (its median of the single value
// timing["delay"][1]) and draws the judged interval apart from the delay it
// shows, so its ground truth depends on a duration the agent never sees.
// braingo shows the judged interval and compares it with the median of the
// delay choices, 850 ms; NeuroGymDelay (neurogym_delay=1) restores
// NeuroGym's behaviour. Both add NeuroGym's ±0.5 ms jitter to the threshold.
type HierarchicalReasoning struct {
	// NeuroGymDelay: judge an unseen interval against 610 ms (neurogym_delay).
	NeuroGymDelay bool
}

func (t *HierarchicalReasoning) Spec() Spec {
	return Spec{
		Name:    "HierarchicalReasoning",
		Summary: "report the block's rule, then apply it to a long or short delay",
		Source:  "Sarafyazd & Jazayeri 2019 Science 364:eaav8911; NeuroGym hierarchicalreasoning.py",
		DT:      100,
		Periods: periods("fixation", TruncExp(600, 400, 800), "rule_target", Constant(1000),
			"fixation2", TruncExp(600, 400, 900), "flash1", Constant(100),
			"delay", Choice(530, 610, 690, 770, 850, 930, 1010, 1090, 1170), "flash2", Constant(100),
			"decision", Constant(700)),
		Obs:     cat([]string{"fixation"}, group("rule", 2), group("stimulus", 2)),
		Actions: cat([]string{"fixation"}, group("rule", 2), group("choice", 2)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation", "fixation2", "flash1", "delay", "flash2"},
		Respond: []string{"rule_target", "decision"},
	}
}

func (t *HierarchicalReasoning) NewTrial(tr *Trial) {
	c := tr.Carry
	if _, ok := c["block_size"]; !ok {
		c["rule"], c["block_size"], c["trial_in_block"] = 1, float64(10+tr.Rng.IntN(11)), 0
	}
	interval := tr.Sample("delay")
	rule := int(c["rule"])
	stim := tr.Rng.IntN(2)
	mid := 850.0
	if t.NeuroGymDelay {
		mid = 610
	}
	long := interval > mid+(tr.Rng.Float64()-0.5)
	pro := long == (rule == 1)
	choice := stim
	if !pro {
		choice = 1 - stim
	}
	tr.Add("fixation", "rule_target", "fixation2", "flash1")
	if t.NeuroGymDelay {
		tr.Add("delay")
	} else {
		tr.AddFor("delay", interval)
	}
	tr.Add("flash2", "decision")
	s, e := tr.Span("delay")
	tr.Vars["interval"], tr.Vars["delay"] = interval, float64(e-s)*tr.DT
	tr.Vars["rule"], tr.Vars["stimulus"] = float64(rule), float64(stim)
	if long {
		tr.Vars["long_interval"] = 1
	}
	if pro {
		tr.Vars["pro_choice"] = 1
	}
	tr.AddObs("", "fixation", 1)
	tr.SetObs("decision", "fixation", 0)
	tr.AddObs("rule_target", "rule", 1)
	ch := "stimulus." + string(rune('1'+stim))
	tr.AddObs("flash1", ch, 1)
	tr.AddObs("flash2", ch, 1)
	tr.SetGT("decision", 3+choice)
	tr.SetGT("rule_target", 1+rule)
	if c["trial_in_block"]++; c["trial_in_block"] >= c["block_size"] {
		c["rule"], c["block_size"], c["trial_in_block"] = float64(1-rule), float64(10+tr.Rng.IntN(11)), 0
	}
}

// Judge: the last action in rule_target reports the rule; a choice in the
// decision period ends the trial, correct only after the right rule.
func (t *HierarchicalReasoning) Judge(tr *Trial, a int) Outcome {
	switch {
	case tr.In("decision", tr.T):
		if a == 0 {
			return Outcome{}
		}
		if a == tr.GT[tr.T] && tr.Vars["chose_correct_rule"] == 1 {
			tr.Performance = 1
			return Outcome{Reward: tr.Rewards["correct"], End: true}
		}
		return Outcome{Reward: tr.Rewards["fail"], End: true}
	case tr.In("rule_target", tr.T):
		tr.Vars["chose_correct_rule"] = 0
		if a == tr.GT[tr.T] {
			tr.Vars["chose_correct_rule"] = 1
		}
	case a != 0:
		return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
	}
	return Outcome{}
}
