package tasks

import "math"

func init() {
	Register("AntiReach", func(p Params) (Task, error) {
		t := &AntiReach{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing, "pro": &t.Pro})
	})
	Register("Reaching1D", func(p Params) (Task, error) {
		t := &Reaching1D{}
		return t, p.Bind(map[string]any{"dim_ring": &t.DimRing})
	})
	Register("Reaching1DWithSelfDistraction", func(Params) (Task, error) { return &Reaching1DWithSelfDistraction{}, nil })
}

// AntiReach is NeuroGym's anti-reach (anti-saccade) task (Munoz & Everling
// 2004, "Look away: the anti-saccade task and the voluntary control of eye
// movement", Nat Rev Neurosci 5:218): a stimulus at one of 32 ring positions;
// after fixation ends the agent must reach to the opposite position (or
// toward it, with Pro). The stimulus is cos(θ_i − θ_stim) without noise.
type AntiReach struct {
	DimRing int  // ring positions; 0 means 32
	Pro     bool // respond toward the stimulus (NeuroGym's anti=False)
}

func (t *AntiReach) Spec() Spec {
	n := orInt(t.DimRing, 32)
	return Spec{
		Name:    "AntiReach",
		Summary: "reach to the position opposite the stimulus",
		Source:  "Munoz & Everling 2004 Nat Rev Neurosci 5:218; NeuroGym antireach.py",
		DT:      100,
		Periods: periods("fixation", Constant(500), "stimulus", Constant(500), "delay", Constant(0), "decision", Constant(500)),
		Obs:     cat([]string{"fixation"}, group("stimulus", n)),
		Actions: cat([]string{"fixation"}, group("choice", n)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
}

func (t *AntiReach) NewTrial(tr *Trial) {
	theta := ring(orInt(t.DimRing, 32))
	gt := tr.Rng.IntN(len(theta))
	stim := theta[gt]
	if !t.Pro {
		stim = wrap(stim + math.Pi)
	}
	tr.Vars["ground_truth"], tr.Vars["stim_theta"] = float64(gt), stim
	tr.Add("fixation", "stimulus", "delay", "decision")
	for _, p := range []string{"fixation", "stimulus", "delay"} {
		tr.AddObs(p, "fixation", 1)
	}
	tr.AddObs("stimulus", "stimulus", ringStim(theta, stim, 1, 0)...)
	tr.SetGT("decision", gt+1)
}

// Reaching1D is NeuroGym's reaching on a ring (Georgopoulos, Schwartz &
// Kettner 1986, "Neuronal population coding of movement direction", Science
// 233:1416). The agent steers a hand angle (starting at π) with "left"
// (+0.05 rad) and "right" (−0.05 rad); the target channels show
// cos(θ_i − target) during the reach, the self channels cos(θ_i − hand).
// Every reach step earns max(correct − |hand − target|, fail) and performance
// averages that reward, normalised to [0, 1], over the reach. Trials never
// end early.
//
// Ground truth: the continuous target (Targets "angle": π in fixation, the
// target angle in the reach, NeuroGym's gt) and, as a discrete action, the
// move that brings the hand toward the target (fixation within half a move).
// In a trial the dataset sees, the self channels and the discrete ground
// truth follow an agent that takes those moves; when stepping, the judge
// rewrites them from the hand the agent actually steers.
//
// NeuroGym stores its angle ground truth in the discrete action space's
// integer array, so it scores the hand against the target truncated to whole
// radians (π becomes 3); braingo scores against the target itself.
type Reaching1D struct {
	DimRing int // ring channels per group; 0 means 16
}

const reachStep = 0.05

func (t *Reaching1D) Spec() Spec {
	n := orInt(t.DimRing, 16)
	return Spec{
		Name:    "Reaching1D",
		Summary: "steer a hand angle onto a target angle",
		Source:  "Georgopoulos, Schwartz & Kettner 1986 Science 233:1416; NeuroGym reaching.py",
		DT:      100,
		Periods: periods("fixation", Constant(500), "reach", Constant(500)),
		Obs:     cat(group("target", n), group("self", n)),
		Actions: []string{"fixation", "left", "right"},
		Targets: []string{"angle"},
		Rewards: map[string]float64{"correct": 1, "fail": -0.1},
		Respond: []string{"reach"},
	}
}

// reachMove is the move that brings hand toward target.
func reachMove(hand, target float64) int {
	d := math.Mod(target-hand+3*math.Pi, 2*math.Pi) - math.Pi // in [-π, π)
	switch {
	case math.Abs(d) < reachStep/2:
		return 0
	case d > 0:
		return 1
	}
	return 2
}

func moveHand(hand float64, a int) float64 {
	switch a {
	case 1:
		hand += reachStep
	case 2:
		hand -= reachStep
	}
	return wrap(hand)
}

func (t *Reaching1D) NewTrial(tr *Trial) {
	theta := ring(orInt(t.DimRing, 16))
	target := 2 * math.Pi * tr.Rng.Float64()
	tr.Vars["ground_truth"], tr.Vars["hand"] = target, math.Pi
	tr.Add("fixation", "reach")
	tr.AddObs("reach", "target", ringStim(theta, target, 1, 0)...)
	tr.SetTarget("fixation", math.Pi)
	tr.SetTarget("reach", target)
	hand := math.Pi
	for s := 0; s < tr.Len; s++ {
		tr.AddObsAt(s, s+1, "self", ringStim(theta, hand, 1, 0)...)
		tr.GT[s] = reachMove(hand, float64(tr.Target[s]))
		hand = moveHand(hand, tr.GT[s])
	}
}

// Judge moves the hand, rewards its distance to the target and writes the
// next step's self channels and ground truth.
func (t *Reaching1D) Judge(tr *Trial, a int) Outcome {
	hand := moveHand(tr.Vars["hand"], a)
	tr.Vars["hand"] = hand
	var r float64
	if !tr.In("fixation", tr.T) {
		c, f := tr.Rewards["correct"], tr.Rewards["fail"]
		r = max(c-circDist(hand-float64(tr.Target[tr.T])), f)
		s, e := tr.Span("reach")
		tr.Performance += (r - f) / (c - f) / float64(e-s)
	}
	if n := tr.T + 1; n < tr.Len {
		ch := tr.Channels("self")
		row := tr.ObsRow(n)
		for i, c := range ch {
			row[c] = float32(math.Cos(2*math.Pi*float64(i)/float64(len(ch)) - hand))
		}
		tr.GT[n] = reachMove(hand, float64(tr.Target[n]))
	}
	return Outcome{Reward: r}
}

// Reaching1DWithSelfDistraction is NeuroGym's Reaching1D with the target and
// the hand on one ring (neurogym/envs/native/reaching.py): 32 channels show
// cos(θ_i − hand), plus 0.3·cos(θ_i − target) during the reach, so the
// agent's own hand is a strong distractor. Moves, rewards, performance and
// ground truth are Reaching1D's (scored against the target itself, where
// NeuroGym truncates it to whole radians).
type Reaching1DWithSelfDistraction struct{}

func (t *Reaching1DWithSelfDistraction) Spec() Spec {
	return Spec{
		Name:    "Reaching1DWithSelfDistraction",
		Summary: "steer a hand angle onto a target angle shown on the hand's own ring",
		Source:  "NeuroGym reaching.py (no paper given)",
		DT:      100,
		Periods: periods("fixation", Constant(500), "reach", Constant(500)),
		Obs:     group("ring", 32),
		Actions: []string{"fixation", "left", "right"},
		Targets: []string{"angle"},
		Rewards: map[string]float64{"correct": 1, "fail": -0.1},
		Respond: []string{"reach"},
	}
}

// selfRow writes step n's observation for the hand at hand.
func (t *Reaching1DWithSelfDistraction) selfRow(tr *Trial, n int, hand float64) {
	row := tr.ObsRow(n)
	theta := ring(len(row))
	for i, th := range theta {
		v := math.Cos(th - hand)
		if tr.In("reach", n) {
			v += 0.3 * math.Cos(th-tr.Vars["ground_truth"])
		}
		row[i] = float32(v)
	}
}

func (t *Reaching1DWithSelfDistraction) NewTrial(tr *Trial) {
	target := 2 * math.Pi * tr.Rng.Float64()
	tr.Vars["ground_truth"], tr.Vars["hand"] = target, math.Pi
	tr.Add("fixation", "reach")
	tr.SetTarget("fixation", math.Pi)
	tr.SetTarget("reach", target)
	hand := math.Pi
	for s := 0; s < tr.Len; s++ {
		t.selfRow(tr, s, hand)
		tr.GT[s] = reachMove(hand, float64(tr.Target[s]))
		hand = moveHand(hand, tr.GT[s])
	}
}

// Judge is Reaching1D's, with the one-ring observation.
func (t *Reaching1DWithSelfDistraction) Judge(tr *Trial, a int) Outcome {
	hand := moveHand(tr.Vars["hand"], a)
	tr.Vars["hand"] = hand
	var r float64
	if !tr.In("fixation", tr.T) {
		c, f := tr.Rewards["correct"], tr.Rewards["fail"]
		r = max(c-circDist(hand-float64(tr.Target[tr.T])), f)
		s, e := tr.Span("reach")
		tr.Performance += (r - f) / (c - f) / float64(e-s)
	}
	if n := tr.T + 1; n < tr.Len {
		t.selfRow(tr, n, hand)
		tr.GT[n] = reachMove(hand, float64(tr.Target[n]))
	}
	return Outcome{Reward: r}
}
