package tasks

import (
	"fmt"
	"math"
	"strconv"
)

func init() {
	Register("PulseDecisionMaking", func(p Params) (Task, error) {
		t := &PulseDecisionMaking{}
		if err := p.Bind(map[string]any{"n_bin": &t.NBin}); err != nil {
			return nil, err
		}
		if t.NBin < 0 {
			return nil, fmt.Errorf("n_bin must be at least 1, got %d", t.NBin)
		}
		return t, nil
	})
	Register("ProbabilisticReasoning", func(p Params) (Task, error) {
		t := &ProbabilisticReasoning{}
		if err := p.Bind(map[string]any{"n_loc": &t.NLoc}); err != nil {
			return nil, err
		}
		if t.NLoc < 0 {
			return nil, fmt.Errorf("n_loc must be at least 1, got %d", t.NLoc)
		}
		return t, nil
	})
	Register("OneTwoThreeGo", func(p Params) (Task, error) {
		t := &OneTwoThreeGo{}
		return t, p.Bind(map[string]any{"prod_margin": &t.ProdMargin})
	})
}

// PulseDecisionMaking is NeuroGym's pulse-based evidence accumulation
// (Scott, Constantinople et al. 2015, "Sources of noise during accumulation
// of evidence in unrestrained and voluntarily head-restrained rats", eLife
// 4:e11308; neurogym/envs/native/perceptualdecisionmaking.py): in 10 ms
// steps, n_bin (6) bins of a 10 ms cue and a 240 ms gap; in each cue each of
// two channels carries a pulse with probability p and 1 − p for the other
// channel's (p = 0.3 or 0.7, the assignment drawn per trial). The agent
// reports the channel with more pulses (ties broken at random: NeuroGym adds
// uniform(−0.1, 0.1) to the second count). The fixation cue is on until the
// decision; any press before the decision costs "abort".
type PulseDecisionMaking struct {
	NBin   int        // number of cue/bin pairs; 0 means 6
	PPulse [2]float64 // pulse probabilities; zero means 0.3, 0.7
}

func (t *PulseDecisionMaking) bins() int { return orInt(t.NBin, 6) }

func (t *PulseDecisionMaking) Spec() Spec {
	per := []any{"fixation", Constant(500)}
	fix := []string{"fixation"}
	for i := range t.bins() {
		c, b := "cue"+strconv.Itoa(i), "bin"+strconv.Itoa(i)
		per = append(per, c, Constant(10), b, Constant(240))
		fix = append(fix, c, b)
	}
	per = append(per, "decision", Constant(500))
	return Spec{
		Name:    "PulseDecisionMaking",
		Summary: "count brief pulses on two channels, report the channel with more",
		Source:  "Scott, Constantinople et al. 2015 eLife 4:e11308; NeuroGym perceptualdecisionmaking.py",
		DT:      10,
		Periods: periods(per...),
		Obs:     cat([]string{"fixation"}, group("stimulus", 2)),
		Actions: cat([]string{"fixation"}, group("choice", 2)),
		Rewards: stdRewards(),
		Fixate:  fix,
		Respond: []string{"decision"},
	}
}

func (t *PulseDecisionMaking) NewTrial(tr *Trial) {
	p1, p2 := 0.3, 0.7
	if t.PPulse != [2]float64{} {
		p1, p2 = t.PPulse[0], t.PPulse[1]
	}
	if tr.Rng.Float64() < 0.5 {
		p1, p2 = p2, p1
	}
	n := t.bins()
	pulse := func(p float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			if tr.Rng.Float64() < p {
				v[i] = 1
			}
		}
		return v
	}
	pulse1, pulse2 := pulse(p1), pulse(p2)
	var n1, n2 float64
	for i := range n {
		n1 += pulse1[i]
		n2 += pulse2[i]
		tr.Vars["pulse1_"+strconv.Itoa(i)], tr.Vars["pulse2_"+strconv.Itoa(i)] = pulse1[i], pulse2[i]
	}
	n2 += -0.1 + 0.2*tr.Rng.Float64()
	gt := 0
	if n1 < n2 {
		gt = 1
	}
	tr.Vars["ground_truth"] = float64(gt)
	tr.Add("fixation")
	for i := range n {
		tr.Add("cue"+strconv.Itoa(i), "bin"+strconv.Itoa(i))
	}
	tr.Add("decision")
	tr.AddObs("", "fixation", 1)
	for i := range n {
		tr.AddObs("cue"+strconv.Itoa(i), "stimulus", pulse1[i], pulse2[i])
	}
	tr.SetObs("decision", "", 0)
	tr.SetGT("decision", gt+1)
}

// ProbabilisticReasoning is NeuroGym's weather-prediction task (Yang &
// Shadlen 2007, "Probabilistic reasoning by neurons", Nature 447:1075;
// neurogym/envs/native/probabilisticreasoning.py): n_loc (4) shapes appear
// one by one at distinct locations and stay on; shape k carries log-odds
// ShapeWeight[k] (±10, ±0.9, ±0.7, ±0.5, ±0.3). The rewarded choice is drawn
// once the shapes are known: choice 2 with probability 1/(10^(−L) + 1), L
// the summed log-odds, else choice 1. Location l's channels "loc<l>.k" show
// shape k one-hot. The fixation cue is on until the decision; any press
// before it costs "abort".
type ProbabilisticReasoning struct {
	NLoc        int       // locations (and shapes per trial); 0 means 4
	ShapeWeight []float64 // log-odds of each shape; nil means NeuroGym's ten
}

func (t *ProbabilisticReasoning) weights() []float64 {
	if t.ShapeWeight != nil {
		return t.ShapeWeight
	}
	return []float64{-10, -0.9, -0.7, -0.5, -0.3, 0.3, 0.5, 0.7, 0.9, 10}
}

func (t *ProbabilisticReasoning) Spec() Spec {
	nl, ns := orInt(t.NLoc, 4), len(t.weights())
	per := []any{"fixation", Constant(500)}
	fix := []string{"fixation"}
	var obs []string
	for i := range nl {
		per = append(per, "stimulus"+strconv.Itoa(i), Constant(500))
		fix = append(fix, "stimulus"+strconv.Itoa(i))
		obs = append(obs, group("loc"+strconv.Itoa(i), ns)...)
	}
	per = append(per, "delay", Uniform(450, 550), "decision", Constant(500))
	return Spec{
		Name:    "ProbabilisticReasoning",
		Summary: "combine the log-odds of shapes shown in sequence",
		Source:  "Yang & Shadlen 2007 Nature 447:1075; NeuroGym probabilisticreasoning.py",
		DT:      100,
		Periods: periods(per...),
		Obs:     cat([]string{"fixation"}, obs),
		Actions: cat([]string{"fixation"}, group("choice", 2)),
		Rewards: stdRewards(),
		Fixate:  append(fix, "delay"),
		Respond: []string{"decision"},
	}
}

func (t *ProbabilisticReasoning) NewTrial(tr *Trial) {
	nl, w := orInt(t.NLoc, 4), t.weights()
	locs := tr.Rng.Perm(nl)
	shapes := make([]int, nl)
	var logOdd float64
	for i := range shapes {
		shapes[i] = tr.Rng.IntN(len(w))
		logOdd += w[shapes[i]]
	}
	p := 1 / (math.Pow(10, -logOdd) + 1)
	gt := 0
	if tr.Rng.Float64() < p {
		gt = 1
	}
	for i := range nl {
		tr.Vars["loc_"+strconv.Itoa(i)], tr.Vars["shape_"+strconv.Itoa(i)] = float64(locs[i]), float64(shapes[i])
	}
	tr.Vars["log_odd"], tr.Vars["ground_truth"] = logOdd, float64(gt)
	tr.Add("fixation")
	for i := range nl {
		tr.Add("stimulus" + strconv.Itoa(i))
	}
	tr.Add("delay", "decision")
	tr.AddObs("", "fixation", 1)
	tr.SetObs("decision", "fixation", 0)
	for i := range nl {
		ch := tr.Channels("loc" + strconv.Itoa(locs[i]))[shapes[i]]
		s, _ := tr.Span("stimulus" + strconv.Itoa(i))
		_, e := tr.Span("stimulus" + strconv.Itoa(nl-1))
		for step := s; step < e; step++ {
			tr.ObsRow(step)[ch]++
		}
	}
	tr.SetGT("decision", gt+1)
}

// OneTwoThreeGo is NeuroGym's 1-2-3-go (Egger et al. 2019, "Internal models
// of sensorimotor integration regulate cortical dynamics", Nat Neurosci
// 22:1871; neurogym/envs/native/readysetgo.py): after a fixation period and
// a target period, three flashes s1, s2, s3 are separated by the same
// interval (600–1000 ms), and the agent must press "go" one interval after
// s3. The fixation cue is on throughout; the target channel is on after the
// fixation period. A press in interval3 or response ends the trial: with
// t_prod the time from the end of s3 and ε = |t_prod − interval|, it earns
// max((1 − ε/θ)^1.5, 0.1)·correct and performance 1 when ε ≤ θ =
// margin·interval + 25 ms, else "fail"; any earlier press costs "abort".
// Ground truth: go during the response period.
type OneTwoThreeGo struct {
	ProdMargin float64 // relative tolerance; 0 means 0.2
}

func (t *OneTwoThreeGo) Spec() Spec {
	return Spec{
		Name:    "OneTwoThreeGo",
		Summary: "three flashes at a steady interval, press one interval after the third",
		Source:  "Egger et al. 2019 Nat Neurosci 22:1871; NeuroGym readysetgo.py",
		DT:      80,
		Periods: periods("fixation", TruncExp(400, 100, 800), "target", TruncExp(1000, 500, 1500), "s1", Constant(100),
			"interval1", Choice(600, 700, 800, 900, 1000), "s2", Constant(100), "interval2", Derived("interval1"),
			"s3", Constant(100), "interval3", Derived("interval1"), "response", Constant(1000)),
		Obs:     []string{"fixation", "stimulus", "target"},
		Actions: []string{"fixation", "go"},
		Rewards: stdRewards(),
		Fixate:  []string{"fixation", "target", "s1", "interval1", "s2", "interval2", "s3"},
		Respond: []string{"interval3", "response"},
	}
}

func (t *OneTwoThreeGo) NewTrial(tr *Trial) {
	iv := tr.Sample("interval1")
	tr.Vars["interval"] = iv
	tr.Add("fixation", "target", "s1")
	tr.AddFor("interval1", iv)
	tr.Add("s2")
	tr.AddFor("interval2", iv)
	tr.Add("s3")
	tr.AddFor("interval3", iv)
	tr.Add("response")
	tr.AddObs("", "fixation", 1)
	for _, p := range []string{"s1", "s2", "s3"} {
		tr.AddObs(p, "stimulus", 1)
	}
	tr.AddObs("", "target", 1)
	tr.SetObs("fixation", "target", 0)
	tr.SetGT("response", 1)
}

// Judge scores a press in interval3 or response by its timing.
func (t *OneTwoThreeGo) Judge(tr *Trial, a int) Outcome {
	if tr.In("interval3", tr.T) || tr.In("response", tr.T) {
		if a != 1 {
			return Outcome{}
		}
		_, s3 := tr.Span("s3")
		iv := tr.Vars["interval"]
		eps := math.Abs(float64(tr.T-s3)*tr.DT - iv)
		thr := orFloat(t.ProdMargin, 0.2)*iv + 25
		if eps > thr {
			return Outcome{Reward: tr.Rewards["fail"], End: true}
		}
		tr.Performance = 1
		return Outcome{Reward: max(math.Pow(1-eps/thr, 1.5), 0.1) * tr.Rewards["correct"], End: true}
	}
	if a != 0 {
		return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
	}
	return Outcome{}
}
