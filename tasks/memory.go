package tasks

import "math"

func init() {
	Register("DelayMatchSample", func(p Params) (Task, error) {
		t := &DelayMatchSample{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing, "sigma": &t.Sigma})
	})
	Register("DelayMatchCategory", func(p Params) (Task, error) {
		t := &DelayMatchCategory{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing, "sigma": &t.Sigma})
	})
	Register("DelayComparison", func(p Params) (Task, error) {
		t := &DelayComparison{}
		return t, p.Bind(map[string]any{"sigma": &t.Sigma})
	})
	Register("DelayMatchSampleDistractor1D", func(Params) (Task, error) { return &DelayMatchSampleDistractor1D{}, nil })
	Register("DualDelayMatchSample", func(p Params) (Task, error) {
		t := &DualDelayMatchSample{}
		return t, p.Bind(map[string]any{"sigma": &t.Sigma})
	})
}

// DelayMatchSample is NeuroGym's delayed match-to-sample (Miller, Erickson &
// Desimone 1996, "Neural mechanisms of visual working memory in prefrontal
// cortex of the macaque", J Neurosci 16:5154): a sample angle on a ring, a
// delay, a test angle equal to the sample (match) or opposite to it
// (non-match), then the report. The fixation cue stays on until the
// decision period.
type DelayMatchSample struct {
	DimRing int     // ring channels; 0 means 2
	Sigma   float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
}

func (t *DelayMatchSample) Spec() Spec {
	return Spec{
		Name:    "DelayMatchSample",
		Summary: "remember a sample, report whether the test matches it",
		Source:  "Miller, Erickson & Desimone 1996 J Neurosci 16:5154; NeuroGym delaymatchsample.py",
		DT:      100,
		Periods: periods("fixation", Constant(300), "sample", Constant(500), "delay", Constant(1000),
			"test", Constant(500), "decision", Constant(900)),
		Obs:     cat([]string{"fixation"}, group("stimulus", orInt(t.DimRing, 2))),
		Actions: []string{"fixation", "match", "non-match"},
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *DelayMatchSample) NewTrial(tr *Trial) {
	theta := ring(orInt(t.DimRing, 2))
	gt := 1 + tr.Rng.IntN(2)
	sample := theta[tr.Rng.IntN(len(theta))]
	test := sample
	if gt == 2 {
		test = wrap(sample + math.Pi)
	}
	tr.Vars["ground_truth"], tr.Vars["sample_theta"], tr.Vars["test_theta"] = float64(gt), sample, test
	tr.Add("fixation", "sample", "delay", "test", "decision")
	tr.AddObs("", "fixation", 1)
	tr.SetObs("decision", "fixation", 0)
	tr.AddObs("sample", "stimulus", ringStim(theta, sample, 0.5, 0.5)...)
	tr.AddObs("test", "stimulus", ringStim(theta, test, 0.5, 0.5)...)
	sd := noiseSD(t.Sigma, tr.DT)
	tr.AddNoise("sample", "stimulus", sd)
	tr.AddNoise("test", "stimulus", sd)
	tr.SetGT("decision", gt)
}

// DelayMatchCategory is NeuroGym's delayed match-to-category (Freedman &
// Assad 2006, "Experience-dependent representation of visual categories in
// parietal cortex", Nature 443:85): sample and test angles fall in the
// halves [0, π) or [π, 2π); the agent reports during the test whether they
// share a category.
type DelayMatchCategory struct {
	DimRing int     // ring channels; 0 means 2
	Sigma   float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
}

func (t *DelayMatchCategory) Spec() Spec {
	return Spec{
		Name:    "DelayMatchCategory",
		Summary: "report whether sample and test fall in the same category",
		Source:  "Freedman & Assad 2006 Nature 443:85; NeuroGym delaymatchcategory.py",
		DT:      100,
		Periods: periods("fixation", Constant(500), "sample", Constant(650), "first_delay", Constant(1000), "test", Constant(650)),
		Obs:     cat([]string{"fixation"}, group("stimulus", orInt(t.DimRing, 2))),
		Actions: []string{"fixation", "match", "non-match"},
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"test"},
	}
}

func (t *DelayMatchCategory) NewTrial(tr *Trial) {
	theta := ring(orInt(t.DimRing, 2))
	gt := 1 + tr.Rng.IntN(2)
	sc := tr.Rng.IntN(2)
	tc := sc
	if gt == 2 {
		tc = 1 - sc
	}
	sample := (float64(sc) + tr.Rng.Float64()) * math.Pi
	test := (float64(tc) + tr.Rng.Float64()) * math.Pi
	tr.Vars["ground_truth"], tr.Vars["sample_category"] = float64(gt), float64(sc)
	tr.Vars["sample_theta"], tr.Vars["test_theta"] = sample, test
	tr.Add("fixation", "sample", "first_delay", "test")
	tr.AddObs("", "fixation", 1)
	tr.SetObs("test", "fixation", 0)
	tr.AddObs("sample", "stimulus", ringStim(theta, sample, 0.5, 0.5)...)
	tr.AddObs("test", "stimulus", ringStim(theta, test, 0.5, 0.5)...)
	sd := noiseSD(t.Sigma, tr.DT)
	tr.AddNoise("sample", "stimulus", sd)
	tr.AddNoise("test", "stimulus", sd)
	tr.SetGT("test", gt)
}

// DelayComparison is NeuroGym's parametric working memory (Romo et al.,
// Barak et al. 2010, "Neuronal population coding of parametric working
// memory", J Neurosci 30:9424): two scalar stimuli f1, f2 from the pairs
// (18,10) (22,14) (26,18) (30,22) (34,26), each coded as (1 + (f − min)/(max −
// min))/2, separated by a delay; report which was larger. Noise goes on
// every channel during both stimuli, as in NeuroGym.
type DelayComparison struct {
	Sigma  float64      // noise sd before the 1/√dt scaling; 0 means 1, negative none
	VPairs [][2]float64 // stimulus pairs (larger first); nil means NeuroGym's
}

func (t *DelayComparison) Spec() Spec {
	return Spec{
		Name:    "DelayComparison",
		Summary: "compare two scalar stimuli separated by a delay",
		Source:  "Barak et al. 2010 J Neurosci 30:9424; NeuroGym delaycomparison.py",
		DT:      100,
		Periods: periods("fixation", Constant(500), "stimulus1", Constant(500), "delay", Constant(1000),
			"stimulus2", Constant(500), "decision", Constant(100)),
		Obs:     []string{"fixation", "stimulus"},
		Actions: cat([]string{"fixation"}, group("choice", 2)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *DelayComparison) NewTrial(tr *Trial) {
	pairs := t.VPairs
	if pairs == nil {
		pairs = [][2]float64{{18, 10}, {22, 14}, {26, 18}, {30, 22}, {34, 26}}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pairs {
		lo, hi = min(lo, p[0], p[1]), max(hi, p[0], p[1])
	}
	gt := 1 + tr.Rng.IntN(2)
	p := pairs[tr.Rng.IntN(len(pairs))]
	v1, v2 := p[0], p[1]
	if gt == 2 {
		v1, v2 = v2, v1
	}
	tr.Vars["ground_truth"], tr.Vars["v1"], tr.Vars["v2"] = float64(gt), v1, v2
	code := func(v float64) float64 { return (1 + (v-lo)/(hi-lo)) / 2 }
	tr.Add("fixation", "stimulus1", "delay", "stimulus2", "decision")
	tr.AddObs("", "fixation", 1)
	tr.AddObs("stimulus1", "stimulus", code(v1))
	tr.AddObs("stimulus2", "stimulus", code(v2))
	tr.SetObs("decision", "", 0)
	sd := noiseSD(t.Sigma, tr.DT)
	tr.AddNoise("stimulus1", "", sd)
	tr.AddNoise("stimulus2", "", sd)
	tr.SetGT("decision", gt)
}

// DualDelayMatchSample is NeuroGym's two-item delayed match-to-sample (Rose
// et al. 2016, "Reactivation of latent working memories with transcranial
// magnetic stimulation", Science 354:1136): two samples at once, then a cue
// naming the item tested first, a test, another cue and the other item's
// test. Each test is answered match/non-match; only the second ends the
// trial. Any non-fixation action outside the tests is a fixation break.
//
// Performance: NeuroGym sets it to 1 on any correct answer; this port counts
// the first answer in each test, 0.5 each, so a perfect agent scores 1 and a
// guesser 0.5.
type DualDelayMatchSample struct {
	Sigma float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
}

func (t *DualDelayMatchSample) Spec() Spec {
	c := Constant(500)
	return Spec{
		Name:    "DualDelayMatchSample",
		Summary: "hold two samples, answer two cued match tests",
		Source:  "Rose et al. 2016 Science 354:1136; NeuroGym dualdelaymatchsample.py",
		DT:      100,
		Periods: periods("fixation", c, "sample", c, "delay1", c, "cue1", c, "test1", c, "delay2", c, "cue2", c, "test2", c),
		Obs:     cat([]string{"fixation"}, group("stimulus1", 2), group("stimulus2", 2), []string{"cue1", "cue2"}),
		Actions: []string{"fixation", "match", "non-match"},
		Rewards: stdRewards(),
		Fixate:  []string{"fixation", "sample", "delay1", "cue1", "delay2", "cue2"},
		Respond: []string{"test1", "test2"},
	}
}

func (t *DualDelayMatchSample) NewTrial(tr *Trial) {
	gt1, gt2 := 1+tr.Rng.IntN(2), 1+tr.Rng.IntN(2)
	s1, s2 := 0.5*float64(tr.Rng.IntN(2)), 0.5*float64(tr.Rng.IntN(2))
	order := tr.Rng.IntN(2)
	test := func(gt int, s float64) float64 {
		if gt == 1 {
			return s
		}
		return 0.5 - s
	}
	t1, t2 := test(gt1, s1), test(gt2, s2)
	tr.Vars["ground_truth1"], tr.Vars["ground_truth2"] = float64(gt1), float64(gt2)
	tr.Vars["sample1"], tr.Vars["sample2"], tr.Vars["test_order"] = s1, s2, float64(order)
	p1, p2, c1, c2 := "test1", "test2", "cue1", "cue2"
	if order == 1 {
		p1, p2, c1, c2 = p2, p1, c2, c1
	}
	cs := func(x float64) []float64 { return []float64{math.Cos(x * math.Pi), math.Sin(x * math.Pi)} }
	tr.Add("fixation", "sample", "delay1", "cue1", "test1", "delay2", "cue2", "test2")
	tr.AddObs("", "fixation", 1)
	tr.AddObs("sample", "stimulus1", cs(s1)...)
	tr.AddObs("sample", "stimulus2", cs(s2)...)
	tr.AddObs(c1, "cue1", 1)
	tr.AddObs(c2, "cue2", 1)
	tr.AddObs(p1, "stimulus1", cs(t1)...)
	tr.AddObs(p2, "stimulus2", cs(t2)...)
	sd := noiseSD(t.Sigma, tr.DT)
	for _, p := range []string{"sample", "test1", "test2"} {
		tr.AddNoise(p, "", sd)
	}
	tr.SetGT(p1, gt1)
	tr.SetGT(p2, gt2)
}

// Judge rewards every answer in a test, ends the trial on the answer in the
// second test, and counts the first answer of each test toward performance.
func (t *DualDelayMatchSample) Judge(tr *Trial, a int) Outcome {
	if a == 0 {
		return Outcome{}
	}
	for _, p := range []string{"test1", "test2"} {
		if !tr.In(p, tr.T) {
			continue
		}
		ok := a == tr.GT[tr.T]
		if tr.Vars["answered_"+p] == 0 {
			tr.Vars["answered_"+p] = 1
			if ok {
				tr.Performance += 0.5
			}
		}
		r := tr.Rewards["fail"]
		if ok {
			r = tr.Rewards["correct"]
		}
		return Outcome{Reward: r, End: p == "test2"}
	}
	return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
}

// DelayMatchSampleDistractor1D is NeuroGym's delayed match-to-sample with
// distractors (neurogym/envs/native/delaymatchsample.py; NeuroGym cites
// Miller, Erickson & Desimone 1996): a sample angle on a 32-channel ring
// (cos(θ_i − sample), no offset), then three tests separated by delays; one
// test, drawn uniformly, repeats the sample and the others show fresh random
// angles. The agent must press "match" during the matching test. The
// fixation cue is on during the fixation period only. A press during the
// fixation or sample period costs "abort"; a press anywhere else but the
// matching test ends the trial with "fail" (−1); a press in the matching test
// ends it with "correct" (+1, performance 1). Ground truth: match during the
// matching test. NeuroGym's sigma argument adds no noise and is not ported.
type DelayMatchSampleDistractor1D struct{}

func (t *DelayMatchSampleDistractor1D) Spec() Spec {
	return Spec{
		Name:    "DelayMatchSampleDistractor1D",
		Summary: "press when a test repeats the sample, ignoring two distractors",
		Source:  "Miller, Erickson & Desimone 1996 J Neurosci 16:5154; NeuroGym delaymatchsample.py",
		DT:      100,
		Periods: periods("fixation", Constant(300), "sample", Constant(500), "delay1", Constant(1000), "test1", Constant(500),
			"delay2", Constant(1000), "test2", Constant(500), "delay3", Constant(1000), "test3", Constant(500)),
		Obs:     cat([]string{"fixation"}, group("stimulus", 32)),
		Actions: []string{"fixation", "match"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": -1},
		Fixate:  []string{"fixation", "sample"},
		Respond: []string{"test1", "test2", "test3"},
	}
}

func (t *DelayMatchSampleDistractor1D) NewTrial(tr *Trial) {
	gt := 1 + tr.Rng.IntN(3)
	sample := 2 * math.Pi * tr.Rng.Float64()
	angle := map[string]float64{"sample": sample}
	tr.Vars["ground_truth"], tr.Vars["sample"] = float64(gt), sample
	for i := 1; i <= 3; i++ {
		p := "test" + string(rune('0'+i))
		angle[p] = sample
		if i != gt {
			angle[p] = 2 * math.Pi * tr.Rng.Float64()
		}
		tr.Vars[p] = angle[p]
	}
	tr.Add("fixation", "sample", "delay1", "test1", "delay2", "test2", "delay3", "test3")
	tr.AddObs("fixation", "fixation", 1)
	theta := ring(32)
	for _, p := range []string{"sample", "test1", "test2", "test3"} {
		tr.AddObs(p, "stimulus", ringStim(theta, angle[p], 1, 0)...)
	}
	tr.SetGT("test"+string(rune('0'+gt)), 1)
}

// Judge: aborts before the tests, fails a press outside the matching test.
func (t *DelayMatchSampleDistractor1D) Judge(tr *Trial, a int) Outcome {
	if a == 0 {
		return Outcome{}
	}
	if tr.In("fixation", tr.T) || tr.In("sample", tr.T) {
		return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
	}
	if !tr.In("test"+string(rune('0'+int(tr.Vars["ground_truth"]))), tr.T) {
		return Outcome{Reward: tr.Rewards["fail"], End: true}
	}
	tr.Performance = 1
	return Outcome{Reward: tr.Rewards["correct"], End: true}
}
