package tasks

import "math"

func init() {
	Register("EvidenceAccumulation", func(p Params) (Task, error) {
		t := &EvidenceAccumulation{}
		return t, p.Bind(map[string]any{"cues": &t.Cues, "p_minority": &t.PMinority, "rate": &t.Rate,
			"background": &t.Background, "population": &t.Population})
	})
	Register("SpikingDelayMatchSample", func(p Params) (Task, error) {
		t := &SpikingDelayMatchSample{}
		return t, p.Bind(map[string]any{"directions": &t.Directions, "channels": &t.Channels, "kappa": &t.Kappa,
			"peak_rate": &t.PeakRate, "background": &t.Background})
	})
}

// EvidenceAccumulation is the cue-accumulation task of Bellec et al. 2020 ("A
// solution to the learning dilemma for recurrent networks of spiking
// neurons", Nat Commun 11:3625, Fig. 3; the e-prop code's
// generate_click_task_data), at dt 1 ms.
//
// Inputs are four populations of Population (10) Poisson neurons: left cue,
// right cue, recall and noise. In the cue period each of Cues (7) cues
// occupies 150 ms: 50 ms of silence, then 100 ms in which the left or the
// right population fires at Rate (40 Hz). Per trial one side is the likely
// one: every cue falls on it with probability 1 − PMinority (0.7). A delay
// (1050 ms) follows, then the decision period (150 ms) in which the recall
// population fires at Rate. The noise population fires at Background (10 Hz)
// throughout. The two actions are left and right; the answer is the side
// that got more cues. Only the decision period is scored: the loss mask is 1
// there and 0 elsewhere, and when stepping, the first action in it is the
// response (there is no fixation action). Total 2250 ms, the length of the
// BrainPy reproduction (7·150 + 1200).
type EvidenceAccumulation struct {
	Cues       int     // number of cues (odd); 0 means 7
	PMinority  float64 // probability a cue falls on the unlikely side; 0 means 0.3
	Rate       float64 // cue and recall rate in Hz; 0 means 40
	Background float64 // noise population rate in Hz; 0 means 10
	Population int     // neurons per population; 0 means 10
}

func (t *EvidenceAccumulation) Spec() Spec {
	n := orInt(t.Population, 10)
	return Spec{
		Name:    "EvidenceAccumulation",
		Summary: "count left and right Poisson cue bursts, report the majority after a delay",
		Source:  "Bellec et al. 2020 Nat Commun 11:3625 (e-prop), Fig. 3",
		DT:      1,
		Periods: periods("cues", Derived("cues × 150 ms"), "delay", Constant(1050), "decision", Constant(150)),
		Obs:     cat(group("left", n), group("right", n), group("recall", n), group("noise", n)),
		Actions: []string{"left", "right"},
		Rewards: map[string]float64{"correct": 1, "fail": 0},
		Respond: []string{"decision"},
	}
}

func (t *EvidenceAccumulation) NewTrial(tr *Trial) {
	cues := orInt(t.Cues, 7)
	pMin := orFloat(t.PMinority, 0.3)
	rate := orFloat(t.Rate, 40)
	pRight := pMin
	if tr.Rng.IntN(2) == 0 {
		pRight = 1 - pMin
	}
	tr.AddFor("cues", 150*float64(cues))
	tr.Add("delay", "decision")
	right := 0
	for k := range cues {
		side := "left"
		if tr.Rng.Float64() < pRight {
			side, right = "right", right+1
		}
		s := floorSteps(150*float64(k)+50, tr.DT)
		tr.AddObsAt(s, s+floorSteps(100, tr.DT), side, rate)
	}
	gt := 0
	if 2*right > cues {
		gt = 1
	}
	tr.Vars["ground_truth"], tr.Vars["right_cues"], tr.Vars["p_right"] = float64(gt), float64(right), pRight
	tr.AddObs("decision", "recall", rate)
	tr.AddObs("", "noise", orFloat(t.Background, 10))
	tr.PoissonSpikes("")
	tr.SetGT("decision", gt)
	tr.SetMask("", 0)
	tr.SetMask("decision", 1)
}

// SpikingDelayMatchSample is the spiking delayed match-to-sample of the
// BrainPy paper (Wang et al. 2024, "A differentiable brain simulator bridging
// brain simulation and brain-inspired computing", ICLR; its DMS dataset) at
// dt 1 ms: fixation 500, sample 500, delay 1000, test 500 ms.
//
// Eight motion directions (multiples of 45°) are coded by Channels (24)
// Poisson inputs with preferred directions 2πj/24 and von Mises tuning: the
// rate of channel j for direction θ is PeakRate·exp(κ(cos(θ − θ_j) − 1)) with
// κ = Kappa (2) and PeakRate 40 Hz, shown during the sample and the test,
// plus Background (1 Hz) on every channel throughout. Half the trials are
// matches (test = sample); otherwise the test is one of the other seven
// directions. The two actions are BrainPy's outputs in its order:
// "non-match" (0) and "match" (1). Only the test period is scored (loss mask
// 1 there, 0 elsewhere). When stepping, the response is read as in the
// paper, over the whole test period: the action taken on most of its steps
// (ties: non-match), judged at its last step, which ends the trial (Judge).
// Actions outside the test period earn nothing.
type SpikingDelayMatchSample struct {
	Directions int     // motion directions; 0 means 8
	Channels   int     // input channels; 0 means 24
	Kappa      float64 // von Mises concentration; 0 means 2
	PeakRate   float64 // rate at the preferred direction in Hz; 0 means 40
	Background float64 // background rate in Hz; 0 means 1
}

func (t *SpikingDelayMatchSample) Spec() Spec {
	return Spec{
		Name:    "SpikingDelayMatchSample",
		Summary: "Poisson-coded motion directions: does the test match the sample?",
		Source:  "Wang et al. 2024 ICLR (BrainPy), DMS task",
		DT:      1,
		Periods: periods("fixation", Constant(500), "sample", Constant(500), "delay", Constant(1000), "test", Constant(500)),
		Obs:     group("motion", orInt(t.Channels, 24)),
		Actions: []string{"non-match", "match"},
		Rewards: map[string]float64{"correct": 1, "fail": 0},
		Respond: []string{"test"},
	}
}

func (t *SpikingDelayMatchSample) NewTrial(tr *Trial) {
	nd := orInt(t.Directions, 8)
	pref := ring(orInt(t.Channels, 24))
	kappa, peak := orFloat(t.Kappa, 2), orFloat(t.PeakRate, 40)
	match := tr.Rng.IntN(2)
	sample := tr.Rng.IntN(nd)
	test := sample
	if match == 0 {
		test = (sample + 1 + tr.Rng.IntN(nd-1)) % nd
	}
	tr.Vars["ground_truth"], tr.Vars["sample_dir"], tr.Vars["test_dir"] = float64(match), float64(sample), float64(test)
	rates := func(d int) []float64 {
		th := 2 * math.Pi * float64(d) / float64(nd)
		r := make([]float64, len(pref))
		for j, p := range pref {
			r[j] = peak * math.Exp(kappa*(math.Cos(th-p)-1))
		}
		return r
	}
	tr.Add("fixation", "sample", "delay", "test")
	tr.AddObs("sample", "motion", rates(sample)...)
	tr.AddObs("test", "motion", rates(test)...)
	tr.AddObs("", "motion", orFloat(t.Background, 1))
	tr.PoissonSpikes("")
	tr.SetGT("test", match)
	tr.SetMask("", 0)
	tr.SetMask("test", 1)
}

// Judge counts the actions of the test period and, at its last step,
// answers with the more frequent one (ties: non-match), earning "correct"
// and performance 1 when it is the ground truth.
func (t *SpikingDelayMatchSample) Judge(tr *Trial, a int) Outcome {
	if !tr.In("test", tr.T) {
		return Outcome{}
	}
	if a == 1 {
		tr.Vars["votes_match"]++
	} else {
		tr.Vars["votes_nonmatch"]++
	}
	if _, end := tr.Span("test"); tr.T != end-1 {
		return Outcome{}
	}
	answer := 0
	if tr.Vars["votes_match"] > tr.Vars["votes_nonmatch"] {
		answer = 1
	}
	if answer == tr.GT[tr.T] {
		tr.Performance = 1
		return Outcome{Reward: tr.Rewards["correct"], End: true}
	}
	tr.Performance = 0
	return Outcome{Reward: tr.Rewards["fail"], End: true}
}
