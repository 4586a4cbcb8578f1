package tasks

import "fmt"

func init() {
	Register("EconomicDecisionMaking", func(Params) (Task, error) { return &EconomicDecisionMaking{}, nil })
	Register("Bandit", func(p Params) (Task, error) {
		t := &Bandit{}
		return t, p.Bind(map[string]any{"n": &t.N})
	})
	Register("DawTwoStep", func(Params) (Task, error) { return &DawTwoStep{}, nil })
}

// EconomicDecisionMaking is NeuroGym's juice choice (Padoa-Schioppa & Assad
// 2006, "Neurons in the orbitofrontal cortex encode economic value", Nature
// 441:223): two offers of juices A and B in amounts (n_B, n_A) from NeuroGym's
// list, one unit of A worth 2.2 of B. Channels show which juice each option
// is and its amount/5. A choice earns its value (n_A·correct or
// n_B·correct/2.2); performance is 1 when the chosen value is the larger.
// NeuroGym sets no ground truth; this port sets the more valuable option in
// the decision period so the task can be learned supervised.
type EconomicDecisionMaking struct{}

func (t *EconomicDecisionMaking) Spec() Spec {
	return Spec{
		Name:    "EconomicDecisionMaking",
		Summary: "choose between two juice offers of different value",
		Source:  "Padoa-Schioppa & Assad 2006 Nature 441:223; NeuroGym economicdecisionmaking.py",
		DT:      100,
		Periods: periods("fixation", Constant(1500), "offer_on", Uniform(1000, 2000), "decision", Constant(750)),
		Obs:     []string{"fixation", "a1", "b1", "a2", "b2", "n1", "n2"},
		Actions: cat([]string{"fixation"}, group("choice", 2)),
		Rewards: map[string]float64{"abort": -0.1, "correct": 0.22},
		Fixate:  []string{"fixation", "offer_on"},
		Respond: []string{"decision"},
	}
}

func (t *EconomicDecisionMaking) NewTrial(tr *Trial) {
	offers := [][2]int{{0, 1}, {1, 3}, {1, 2}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {6, 1}, {2, 0}}
	aFirst := tr.Rng.IntN(2) == 0
	o := offers[tr.Rng.IntN(len(offers))]
	nb, na := o[0], o[1]
	j1, j2, n1, n2 := "b", "a", nb, na
	if aFirst {
		j1, j2, n1, n2 = "a", "b", na, nb
	}
	ra, rb := float64(na)*tr.Rewards["correct"], float64(nb)*tr.Rewards["correct"]/2.2
	r1, r2 := rb, ra
	if aFirst {
		r1, r2 = ra, rb
	}
	tr.Vars["n1"], tr.Vars["n2"], tr.Vars["r1"], tr.Vars["r2"] = float64(n1), float64(n2), r1, r2
	if aFirst {
		tr.Vars["a_first"] = 1 // option 1 is juice A
	}
	tr.Add("fixation", "offer_on", "decision")
	tr.AddObs("fixation", "fixation", 1)
	tr.AddObs("offer_on", "fixation", 1)
	tr.AddObs("offer_on", j1+"1", 1)
	tr.AddObs("offer_on", j2+"2", 1)
	tr.AddObs("offer_on", "n1", float64(n1)/5)
	tr.AddObs("offer_on", "n2", float64(n2)/5)
	gt := 1
	if r2 > r1 {
		gt = 2
	}
	tr.SetGT("decision", gt)
}

// Judge pays the value of the chosen offer.
func (t *EconomicDecisionMaking) Judge(tr *Trial, a int) Outcome {
	if a == 0 {
		return Outcome{}
	}
	if tr.InAny(tr.spec.Fixate) {
		return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
	}
	if tr.In("decision", tr.T) {
		r1, r2 := tr.Vars["r1"], tr.Vars["r2"]
		if a == 2 {
			r1, r2 = r2, r1
		}
		tr.Performance = 0
		if r1 > r2 {
			tr.Performance = 1
		}
		return Outcome{Reward: r1, End: true}
	}
	return Outcome{}
}

// Bandit is NeuroGym's multi-armed bandit (as used by Wang et al. 2018,
// "Prefrontal cortex as a meta-reinforcement learning system", Nat Neurosci
// 21:860): one-step trials with a constant observation; arm i pays
// Magnitudes[i] with probability P[i]. NeuroGym defines no ground truth or
// performance; here the ground truth is the arm of largest expected payoff
// (the first on ties) and performance is 1 for choosing any such arm.
type Bandit struct {
	N          int       // arms; 0 means 2 (or len(P))
	P          []float64 // reward probabilities; nil means 0.5 each
	Magnitudes []float64 // reward sizes; nil means 1 each
}

func (t *Bandit) arms() (p, m []float64) {
	n := orInt(t.N, max(len(t.P), 2))
	p, m = t.P, t.Magnitudes
	if p == nil {
		p = make([]float64, n)
		for i := range p {
			p[i] = 0.5
		}
	}
	if m == nil {
		m = make([]float64, n)
		for i := range m {
			m[i] = 1
		}
	}
	if len(p) != n || len(m) != n {
		panic(fmt.Sprintf("tasks: Bandit: %d arms with %d probabilities and %d magnitudes", n, len(p), len(m)))
	}
	return p, m
}

func (t *Bandit) Spec() Spec {
	p, _ := t.arms()
	return Spec{
		Name:    "Bandit",
		Summary: "pick the arm that pays most often",
		Source:  "Wang et al. 2018 Nat Neurosci 21:860; NeuroGym bandit.py",
		DT:      100,
		Periods: periods("choice", Derived("one step")),
		Obs:     []string{"constant"},
		Actions: group("arm", len(p)),
		Rewards: map[string]float64{},
		Respond: []string{"choice"},
	}
}

func (t *Bandit) NewTrial(tr *Trial) {
	p, m := t.arms()
	tr.AddFor("choice", tr.DT)
	best := 0
	for i := range p {
		if p[i]*m[i] > p[best]*m[best] {
			best = i
		}
	}
	tr.SetGT("", best)
}

// Judge draws the payoff of the chosen arm.
func (t *Bandit) Judge(tr *Trial, a int) Outcome {
	p, m := t.arms()
	g := tr.GT[tr.T]
	if p[a]*m[a] == p[g]*m[g] {
		tr.Performance = 1
	}
	var r float64
	if tr.Rng.Float64() < p[a] {
		r = m[a]
	}
	return Outcome{Reward: r, End: true}
}

// DawTwoStep is NeuroGym's two-step task (Daw et al. 2011, "Model-based
// influences on humans' choices and striatal prediction errors", Neuron
// 69:1204). Step 1: action 1 leads to state 1 and action 2 to state 2 with
// probability 0.8 (else the other); the state is shown and pays "correct"
// with probability 0.9 for the currently better state and 0.1 for the other;
// which state is better switches with probability 0.025 per trial. Step 2:
// the agent must fixate. Fixating at step 1 or acting at step 2 earns
// "abort". Ground truth (not in NeuroGym): the action most likely to reach
// the better state, then fixation; performance is 1 for that action.
type DawTwoStep struct{}

func (t *DawTwoStep) Spec() Spec {
	return Spec{
		Name:    "DawTwoStep",
		Summary: "two-stage choice with probabilistic transitions and drifting rewards",
		Source:  "Daw et al. 2011 Neuron 69:1204; NeuroGym dawtwostep.py",
		DT:      100,
		Periods: periods("stage1", Derived("one step"), "stage2", Derived("one step")),
		Obs:     []string{"stage1", "state.1", "state.2"},
		Actions: []string{"fixation", "action.1", "action.2"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1},
		Fixate:  []string{"stage2"},
		Respond: []string{"stage1"},
	}
}

func (t *DawTwoStep) NewTrial(tr *Trial) {
	rng := tr.Rng
	tr1, tr2 := 2.0, 1.0
	if rng.Float64() < 0.8 {
		tr1 = 1
	}
	if rng.Float64() < 0.8 {
		tr2 = 2
	}
	if _, ok := tr.Carry["state1_high"]; !ok {
		tr.Carry["state1_high"] = 1
	}
	if rng.Float64() < 0.025 {
		tr.Carry["state1_high"] = 1 - tr.Carry["state1_high"]
	}
	hi := 1
	if tr.Carry["state1_high"] == 1 {
		hi = 0
	}
	var rw [2]float64
	if rng.Float64() < 0.9 {
		rw[hi] = tr.Rewards["correct"]
	}
	if rng.Float64() < 0.1 {
		rw[1-hi] = tr.Rewards["correct"]
	}
	tr.Vars["transition1"], tr.Vars["transition2"] = tr1, tr2
	tr.Vars["reward1"], tr.Vars["reward2"], tr.Vars["hi_state"] = rw[0], rw[1], float64(hi)
	tr.AddFor("stage1", tr.DT)
	tr.AddFor("stage2", tr.DT)
	tr.AddObs("stage1", "stage1", 1)
	tr.SetGT("stage1", hi+1)
	t.show(tr, hi+1)
}

// show writes the second-stage state reached by action a into step 1.
func (t *DawTwoStep) show(tr *Trial, a int) float64 {
	st := tr.Vars["transition1"]
	if a == 2 {
		st = tr.Vars["transition2"]
	}
	row := tr.ObsRow(1)
	row[1], row[2] = 0, 0
	row[int(st)] = 1
	return st
}

// Judge applies the transition and pays the reached state's reward.
func (t *DawTwoStep) Judge(tr *Trial, a int) Outcome {
	if tr.T == 0 {
		if a == 0 {
			return Outcome{Reward: tr.Rewards["abort"], End: true}
		}
		st := t.show(tr, a)
		if a == tr.GT[0] {
			tr.Performance = 1
		}
		return Outcome{Reward: tr.Vars[fmt.Sprintf("reward%d", int(st))]}
	}
	if a != 0 {
		return Outcome{Reward: tr.Rewards["abort"], End: true}
	}
	return Outcome{End: true}
}
