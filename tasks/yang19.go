package tasks

import (
	"fmt"
	"math"
	"slices"
)

// Yang19Rules are the 20 tasks of Yang et al. 2019 in NeuroGym's order
// (neurogym/envs/collections/__init__.py), which is also the order of the
// rule inputs.
var Yang19Rules = []string{
	"go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti",
	"dm1", "dm2", "ctxdm1", "ctxdm2", "multidm",
	"dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm",
	"dms", "dnms", "dmc", "dnmc",
}

func init() {
	Register("yang19", func(p Params) (Task, error) { return newYang19(nil, p) })
	for i := range Yang19Rules {
		Register("yang19."+Yang19Rules[i], func(p Params) (Task, error) { return newYang19([]int{i}, p) })
	}
}

func newYang19(rules []int, p Params) (Task, error) {
	t := &Yang19{Rules: rules}
	noRule := false
	if err := p.Bind(map[string]any{"dim_ring": &t.DimRing, "sigma": &t.Sigma, "score_nogo": &t.ScoreNogo,
		"no_rule_inputs": &noRule}); err != nil {
		return nil, err
	}
	t.NoRuleInputs = noRule
	if t.DimRing < 0 || t.DimRing == 1 || t.DimRing%2 != 0 {
		return nil, fmt.Errorf("dim_ring %d must be even and at least 2 (0: 16)", t.DimRing)
	}
	return t, nil
}

// Yang19 is the collection of 20 tasks of Yang et al. 2019 ("Task
// representations in neural networks trained to perform many cognitive
// tasks", Nat Neurosci 22:297) as NeuroGym writes it (neurogym/envs/
// collections/yang19.py), with the shared layout in which one network learns
// them all: observations are a fixation input, two modality rings of
// DimRing units ("mod1.k", "mod2.k") and, unless NoRuleInputs, one rule
// input per task ("rule.go" .. "rule.dnmc", on for the whole trial, as
// NeuroGym's ScheduleEnvs(env_input=True) appends them); actions are
// fixation and DimRing ring directions ("choice.k").
//
// The task "yang19" interleaves all 20: each trial's rule is drawn
// uniformly (trial variable "rule", its index in Yang19Rules). "yang19.go"
// .. "yang19.dnmc" fix one rule, with the same layout, so that a network
// trained on the collection can be scored task by task. The interleaved
// task lists every period name with each rule's own timing; retiming a
// period there (Options.Timing) sets it in every rule that has it.
//
// The families, as in NeuroGym's code (dt 100 ms, noise σ/√dt with σ 1,
// Gaussian bumps 0.8·exp(−d²/2) with d the circular distance in units of
// π/8, times the strength):
//   - go, anti, dlygo, dlyanti: fixation 500 ms, stimulus 500, delay 0 (dly:
//     500), decision 500. A bump of strength 1 in one modality during the
//     stimulus (at the target, or opposite it for anti); the fixation input
//     is on until the decision; no noise.
//   - rtgo, rtanti: fixation 500, decision 500; the bump is shown during the
//     decision; the fixation input is on in the fixation period.
//   - dm1, dm2, ctxdm1, ctxdm2, multidm: fixation U(200, 500), stimulus 500
//     (dm1: 200, 400 or 600), decision 200. Two bumps at distinct ring
//     positions in each stimulated modality, strengths 0.5 ± c/2 with c one
//     of 0.08, 0.16, 0.32, 0.64 and a random sign; dm1/dm2 stimulate one
//     modality, the others both; the target is the position whose strength,
//     summed over the modalities the rule weighs (ctxdm1: modality 1, ctxdm2:
//     modality 2, multi and dm: both), is larger.
//   - dlydm1 .. multidlydm: fixation U(200, 500), stim1 500, delay 1000,
//     stim2 500, decision 200; the two bumps come one after the other with
//     two different strengths among 0.3, 0.6, 1.0.
//     In both dm families the fixation input is on in the fixation period
//     only, and noise is on both modalities during the stimuli.
//   - dms, dnms, dmc, dnmc: fixation 300, sample 500, delay 1000, test 500,
//     decision 900; sample and test bumps in one modality with noise. Match
//     to sample: a match test is the sample, a non-match the opposite
//     position; match to category: the test is drawn from the sample's half
//     of the ring (match) or the other half. dms and dmc answer a match by
//     going to the test, dnms and dnmc a non-match; otherwise the network
//     must keep fixating (ground truth 0 throughout).
//
// Scoring is NeuroGym's Standard rule: a response in the decision period
// ends the trial, correct when it is exactly the target direction. A
// withheld no-go trial scores 0, as NeuroGym does (TrialEnv.step resets
// the performance); ScoreNogo (score_nogo=1) scores it 1, as Yang et al.
// do. Each trial is also scored by Yang et al.'s criterion, a response
// within 36° of the target and fixation held before the decision period
// (trial variable perf_yang; Judge).
//
// Departures from NeuroGym: the modality of a reach or match trial and the
// rule of an interleaved trial are drawn uniformly and independently
// (NeuroGym's RandomSchedule never repeats the previous pick, so a fixed
// rule alternates its modality); and in match-to-category the sample's
// category is that of its half of the ring, positions [0, n/2) or
// [n/2, n), the halves the test is drawn from (NeuroGym classes the sample
// at position n/2, angle π, with the first half).
type Yang19 struct {
	// Rules are the indices into Yang19Rules the trials draw from; nil
	// means all 20.
	Rules     []int
	DimRing   int     // ring units per modality and directions; 0 means 16
	Sigma     float64 // noise sd before the 1/√dt scaling; 0 means 1, negative none
	ScoreNogo bool    // score a withheld no-go trial 1 (score_nogo)
	// NoRuleInputs drops the 20 rule inputs (no_rule_inputs=1), giving
	// NeuroGym's layout of one task alone.
	NoRuleInputs bool
}

// yangFamily is a rule's kind of trial.
type yangFamily int

const (
	yangReach yangFamily = iota
	yangDM
	yangDlyDM
	yangMatch
)

// yangRule is one task of the collection.
type yangRule struct {
	family   yangFamily
	anti     bool       // reach: answer opposite the stimulus
	reaction bool       // reach: the stimulus appears in the decision period
	delay    float64    // reach: delay in ms
	stim     [2]bool    // dm: modalities stimulated
	weight   [2]float64 // dm: modality weights of the decision
	category bool       // match: to category rather than sample
	matchGo  bool       // match: go on a match (else on a non-match)
	dm1      bool       // dm1's variable stimulus duration
}

func yangRuleOf(name string) yangRule {
	switch name {
	case "go", "anti", "dlygo", "dlyanti", "rtgo", "rtanti":
		r := yangRule{family: yangReach, anti: name == "anti" || name == "dlyanti" || name == "rtanti",
			reaction: name == "rtgo" || name == "rtanti"}
		if name == "dlygo" || name == "dlyanti" {
			r.delay = 500
		}
		return r
	case "dm1", "dm2", "ctxdm1", "ctxdm2", "multidm", "dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm":
		r := yangRule{family: yangDM, dm1: name == "dm1"}
		if name[:3] == "dly" || name == "ctxdlydm1" || name == "ctxdlydm2" || name == "multidlydm" {
			r.family = yangDlyDM
		}
		base := name[len(name)-1]
		switch {
		case name == "multidm" || name == "multidlydm":
			r.stim, r.weight = [2]bool{true, true}, [2]float64{1, 1}
		case name[:3] == "ctx":
			r.stim = [2]bool{true, true}
			r.weight[base-'1'] = 1
		default:
			r.stim[base-'1'] = true
			r.weight = [2]float64{1, 1}
		}
		return r
	case "dms", "dnms", "dmc", "dnmc":
		return yangRule{family: yangMatch, category: name[len(name)-1] == 'c', matchGo: name[1] == 'm'}
	}
	panic("tasks: unknown Yang19 rule " + name)
}

// periods returns a rule's periods with NeuroGym's timing.
func (r yangRule) periods() []Period {
	switch r.family {
	case yangReach:
		if r.reaction {
			return periods("fixation", Constant(500), "decision", Constant(500))
		}
		return periods("fixation", Constant(500), "stimulus", Constant(500), "delay", Constant(r.delay), "decision", Constant(500))
	case yangDM:
		stim := Constant(500)
		if r.dm1 {
			stim = Choice(200, 400, 600)
		}
		return periods("fixation", Uniform(200, 500), "stimulus", stim, "decision", Constant(200))
	case yangDlyDM:
		return periods("fixation", Uniform(200, 500), "stim1", Constant(500), "delay", Constant(1000),
			"stim2", Constant(500), "decision", Constant(200))
	default:
		return periods("fixation", Constant(300), "sample", Constant(500), "delay", Constant(1000),
			"test", Constant(500), "decision", Constant(900))
	}
}

func (t *Yang19) rules() []int {
	if t.Rules == nil {
		r := make([]int, len(Yang19Rules))
		for i := range r {
			r[i] = i
		}
		return r
	}
	return t.Rules
}

func (t *Yang19) Spec() Spec {
	n := orInt(t.DimRing, 16)
	obs := cat([]string{"fixation"}, group("mod1", n), group("mod2", n))
	if !t.NoRuleInputs {
		for _, r := range Yang19Rules {
			obs = append(obs, "rule."+r)
		}
	}
	s := Spec{
		Name:    "yang19",
		Summary: "the 20 tasks of Yang et al. 2019 interleaved, one rule input per task (periods: each rule's)",
		Source:  "Yang et al. 2019 Nat Neurosci 22:297; NeuroGym collections/yang19.py",
		DT:      100,
		Obs:     obs,
		Actions: cat([]string{"fixation"}, group("choice", n)),
		Rewards: stdRewards(),
		Fixate:  []string{"fixation"},
		Respond: []string{"decision"},
	}
	if rs := t.rules(); len(rs) == 1 {
		name := Yang19Rules[rs[0]]
		s.Name = "yang19." + name
		s.Summary = "Yang et al. 2019's " + name + " in the collection's shared layout"
		s.Periods = yangRuleOf(name).periods()
	} else {
		if t.Rules != nil {
			s.Summary = fmt.Sprintf("%d of the tasks of Yang et al. 2019 interleaved", len(rs))
		}
		own := Derived("per rule")
		s.Periods = periods("fixation", own, "stimulus", own, "stim1", own, "sample", own, "delay", own,
			"stim2", own, "test", own, "decision", own)
	}
	return s
}

// Groups names the rules: trial variable "rule" indexes Yang19Rules.
func (t *Yang19) Groups() (string, []string) { return "rule", Yang19Rules }

// Yang19Reference is the performance of Yang et al.'s own network on their
// own trials per rule (of 512 fresh trials each), by their criterion (get_perf: the last step's
// response within 36° of the target, fixation held for no-go trials), after
// the yang19 recipe's budget of 512,000 trials, seeds 0, 1 and 2 in order.
// The paper publishes no per-task figure (only curves, its Fig. 1), so this
// reproduction stands in for it: baselines/yang19_multitask.py (their
// train_all setup in PyTorch: 256 softplus units at 20 ms steps, their task.py
// of github.com/gyyang/multitask 817e23d), `make baseline-yang19`, run on
// 2026-12-06; docs/tasks-results.md has the commands, the setup's
// differences from braingo's and the search for published values. Keys are
// braingo's rule names (Yang19Rules).
var Yang19Reference = map[string][]float64{
	"go":         {512 / 512.0, 512 / 512.0, 512 / 512.0},
	"rtgo":       {512 / 512.0, 512 / 512.0, 512 / 512.0},
	"dlygo":      {512 / 512.0, 512 / 512.0, 512 / 512.0},
	"anti":       {512 / 512.0, 512 / 512.0, 512 / 512.0},
	"rtanti":     {512 / 512.0, 512 / 512.0, 512 / 512.0},
	"dlyanti":    {497 / 512.0, 512 / 512.0, 512 / 512.0},
	"dm1":        {381 / 512.0, 411 / 512.0, 396 / 512.0},
	"dm2":        {403 / 512.0, 353 / 512.0, 377 / 512.0},
	"ctxdm1":     {337 / 512.0, 314 / 512.0, 350 / 512.0},
	"ctxdm2":     {339 / 512.0, 318 / 512.0, 330 / 512.0},
	"multidm":    {463 / 512.0, 436 / 512.0, 425 / 512.0},
	"dlydm1":     {342 / 512.0, 382 / 512.0, 362 / 512.0},
	"dlydm2":     {345 / 512.0, 367 / 512.0, 371 / 512.0},
	"ctxdlydm1":  {251 / 512.0, 283 / 512.0, 300 / 512.0},
	"ctxdlydm2":  {267 / 512.0, 276 / 512.0, 293 / 512.0},
	"multidlydm": {379 / 512.0, 345 / 512.0, 330 / 512.0},
	"dms":        {417 / 512.0, 428 / 512.0, 416 / 512.0},
	"dnms":       {371 / 512.0, 385 / 512.0, 465 / 512.0},
	"dmc":        {460 / 512.0, 457 / 512.0, 473 / 512.0},
	"dnmc":       {469 / 512.0, 381 / 512.0, 470 / 512.0},
}

// GroupReference gives Yang19Reference: Yang et al.'s network at 512,000
// trials, to be read beside perf_yang.
func (t *Yang19) GroupReference() (string, map[string][]float64) {
	return "Yang et al.'s network, 512k trials, 3 seeds", Yang19Reference
}

// add appends periods with the effective spec's timing: a one-rule task's
// own, or for the interleaved task each rule's unless Options.Timing set
// the period (for every rule).
func (t *Yang19) add(tr *Trial, r yangRule, names ...string) {
	own := r.periods()
	for _, p := range names {
		tm, ok := tr.spec.Timing(p)
		if !ok || tm.Kind == KindDerived {
			i := slices.IndexFunc(own, func(q Period) bool { return q.Name == p })
			tm = own[i].Timing
		}
		tr.AddFor(p, float64(tm.Sample(tr.Rng, tr.DT))*tr.DT)
	}
}

// yangBump is NeuroGym yang19's _gaussianbump: 0.8·exp(−d²/2)·strength per
// ring unit, d the circular distance from loc in units of π/8.
func yangBump(theta []float64, loc, strength float64) []float64 {
	v := make([]float64, len(theta))
	for i, th := range theta {
		d := math.Abs(loc - th)
		d = math.Min(d, 2*math.Pi-d) / (math.Pi / 8)
		v[i] = 0.8 * math.Exp(-d*d/2) * strength
	}
	return v
}

func (t *Yang19) NewTrial(tr *Trial) {
	n := orInt(t.DimRing, 16)
	rs := t.rules()
	ri := rs[0]
	if len(rs) > 1 {
		ri = rs[tr.Rng.IntN(len(rs))]
	}
	name := Yang19Rules[ri]
	r := yangRuleOf(name)
	tr.Vars["rule"] = float64(ri)
	theta := ring(n)
	mod := func(m int) string { return "mod" + string(rune('1'+m)) }
	switch r.family {
	case yangReach:
		m, gt := tr.Rng.IntN(2), tr.Rng.IntN(n)
		tr.Vars["modality"], tr.Vars["ground_truth"] = float64(m), float64(gt+1)
		loc := theta[gt]
		if r.anti {
			loc = math.Mod(loc+math.Pi, 2*math.Pi)
		}
		stim := yangBump(theta, loc, 1)
		if r.reaction {
			t.add(tr, r, "fixation", "decision")
			tr.AddObs("fixation", "fixation", 1)
			tr.AddObs("decision", mod(m), stim...)
		} else {
			t.add(tr, r, "fixation", "stimulus", "delay", "decision")
			for _, p := range []string{"fixation", "stimulus", "delay"} {
				tr.AddObs(p, "fixation", 1)
			}
			tr.AddObs("stimulus", mod(m), stim...)
		}
		tr.SetGT("decision", gt+1)
	case yangDM, yangDlyDM:
		i1 := tr.Rng.IntN(n)
		i2 := tr.Rng.IntN(n - 1)
		if i2 >= i1 {
			i2++
		}
		tr.Vars["i_theta1"], tr.Vars["i_theta2"] = float64(i1), float64(i2)
		dly := r.family == yangDlyDM
		p1, p2 := "stimulus", "stimulus"
		if dly {
			p1, p2 = "stim1", "stim2"
			t.add(tr, r, "fixation", "stim1", "delay", "stim2", "decision")
		} else {
			t.add(tr, r, "fixation", "stimulus", "decision")
		}
		tr.AddObs("fixation", "fixation", 1)
		tr.SetObs("decision", "", 0)
		sd := noiseSD(t.Sigma, tr.DT)
		for m := range 2 {
			tr.AddNoise(p1, mod(m), sd)
			if dly {
				tr.AddNoise(p2, mod(m), sd)
			}
		}
		var s1, s2 float64
		for m := range 2 {
			if !r.stim[m] {
				continue
			}
			var c1, c2 float64
			if dly {
				cohs := []float64{0.3, 0.6, 1.0}
				a := tr.Rng.IntN(3)
				b := tr.Rng.IntN(2)
				if b >= a {
					b++
				}
				c1, c2 = cohs[a], cohs[b]
			} else {
				cohs := []float64{0.08, 0.16, 0.32, 0.64}
				c := cohs[tr.Rng.IntN(4)]
				if tr.Rng.IntN(2) == 0 {
					c = -c
				}
				c1, c2 = 0.5+c/2, 0.5-c/2
			}
			tr.Vars["coh1_"+mod(m)], tr.Vars["coh2_"+mod(m)] = c1, c2
			tr.AddObs(p1, mod(m), yangBump(theta, theta[i1], c1)...)
			tr.AddObs(p2, mod(m), yangBump(theta, theta[i2], c2)...)
			s1 += r.weight[m] * c1
			s2 += r.weight[m] * c2
		}
		// NeuroGym breaks ties at random (coh1 + U(−1e−6, 1e−6) > coh2).
		target := i2
		if s1 > s2 || s1 == s2 && tr.Rng.IntN(2) == 0 {
			target = i1
		}
		tr.Vars["ground_truth"] = float64(target + 1)
		tr.SetGT("decision", target+1)
	case yangMatch:
		m := tr.Rng.IntN(2)
		match := tr.Rng.IntN(2) == 0
		is := tr.Rng.IntN(n)
		half := n / 2
		var it int
		switch {
		case r.category:
			cat := is / half
			if !match {
				cat = 1 - cat
			}
			it = tr.Rng.IntN(half) + cat*half
		case match:
			it = is
		default:
			it = (is + half) % n
		}
		tr.Vars["modality"], tr.Vars["i_sample"], tr.Vars["i_test"] = float64(m), float64(is), float64(it)
		if match {
			tr.Vars["match"] = 1
		}
		t.add(tr, r, "fixation", "sample", "delay", "test", "decision")
		tr.AddObs("fixation", "fixation", 1)
		tr.AddObs("sample", mod(m), yangBump(theta, theta[is], 1)...)
		tr.AddObs("test", mod(m), yangBump(theta, theta[it], 1)...)
		sd := noiseSD(t.Sigma, tr.DT)
		tr.AddNoise("sample", mod(m), sd)
		tr.AddNoise("test", mod(m), sd)
		if match == r.matchGo {
			tr.Vars["ground_truth"] = float64(it + 1)
			tr.SetGT("decision", it+1)
		} else if t.ScoreNogo {
			tr.Performance = 1
		}
	}
	if !t.NoRuleInputs {
		tr.AddObs("", "rule."+name, 1)
	}
}

// Judge is the Standard rule, except that a fixation break loses the score
// a withheld no-go trial starts with (ScoreNogo). It also scores the trial
// by Yang et al.'s criterion (trial variable perf_yang, set when the trial
// ends; see perfYang) and marks a response before the decision period
// (fixation_break 1).
func (t *Yang19) Judge(tr *Trial, a int) Outcome {
	if a != 0 && tr.InAny(tr.spec.Fixate) {
		tr.Performance = 0
	}
	respond := tr.InAny(tr.spec.Respond)
	if a != 0 && !respond {
		tr.Vars["fixation_break"] = 1
	}
	out := Standard(tr, a)
	if out.End || tr.T == tr.Len-1 {
		tr.Vars["perf_yang"] = t.perfYang(tr, a, respond)
	}
	return out
}

// YangTolerance is Yang et al.'s tolerance on the response direction: 0.2π
// (36°), network.py get_perf of github.com/gyyang/multitask.
const YangTolerance = 0.2 * math.Pi

// perfYang scores the trial ending with action a (respond: in the
// decision period) by Yang et al.'s criterion: a go trial is correct when
// the network held fixation before the decision period and its response
// lies within YangTolerance of the target direction (with 16 ring units:
// the target or a neighbour, 22.5° away; two units, 45°, fail); a no-go
// trial (a match task's withheld answer) when it held fixation to the end.
// Yang et al.'s get_perf reads the outputs of the trial's last step: a
// fixation output above 0.5 is fixating, otherwise the response direction
// is the population vector of the ring outputs; it does not look at the
// earlier steps. Here the first response ends the trial (NeuroGym's rule),
// its direction is the chosen ring unit, and any response before the
// decision period fails the trial: fixation must be held until then.
func (t *Yang19) perfYang(tr *Trial, a int, respond bool) float64 {
	if tr.Vars["fixation_break"] != 0 {
		return 0
	}
	gt, goTrial := tr.Vars["ground_truth"]
	if !goTrial {
		if a == 0 {
			return 1
		}
		return 0
	}
	if a == 0 || !respond {
		return 0
	}
	n := orInt(t.DimRing, 16)
	d := math.Abs(float64(a) - gt)
	d = math.Min(d, float64(n)-d) * 2 * math.Pi / float64(n)
	if d < YangTolerance {
		return 1
	}
	return 0
}
