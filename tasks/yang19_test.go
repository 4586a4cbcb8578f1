package tasks

import (
	"math"
	"slices"
	"testing"
)

func init() {
	// Chance: a guess among the 16 directions at the decision's first step.
	guess := [2]float64{0.03, 0.1}
	taskTable = append(taskTable,
		taskCase{name: "SingleContextDecisionMaking", reward: 1, chance: half, breaks: true, check: checkChoice("decision", 0)},
		// NeuroGym scores a withheld no-go trial 0: the perfect agent loses
		// half of the trials of the 4 match tasks out of 20.
		taskCase{name: "yang19", perfect: [2]float64{0.87, 0.93}, reward: math.NaN(), chance: [2]float64{0.03, 0.09}, breaks: true, check: checkYang19},
		taskCase{name: "yang19/score_nogo", task: &Yang19{ScoreNogo: true}, reward: math.NaN(), chance: [2]float64{0.03, 0.15}, breaks: true, check: checkYang19},
		taskCase{name: "yang19.dms/score_nogo", task: &Yang19{Rules: []int{16}, ScoreNogo: true}, reward: math.NaN(), chance: [2]float64{0.01, 0.06}, breaks: true, check: checkYang19},
	)
	for _, r := range Yang19Rules {
		c := taskCase{name: "yang19." + r, reward: 1, chance: guess, breaks: true, check: checkYang19}
		if yangRuleOf(r).family == yangMatch {
			c.perfect, c.reward, c.chance, c.tie = half, math.NaN(), [2]float64{0.01, 0.06}, false
		}
		taskTable = append(taskTable, c)
	}
}

// checkYang19 checks a trial of the collection against the task's
// definition: the rule input, the fixation input at step 0, the stimulus
// in the modality and at the position the variables say, and the target.
func checkYang19(t *testing.T, tr *Trial) {
	ri := int(tr.Vars["rule"])
	name := Yang19Rules[ri]
	r := yangRuleOf(name)
	for s := range tr.Len {
		for k, rn := range Yang19Rules {
			want := float32(0)
			if k == ri {
				want = 1
			}
			if got := obs(tr, "rule."+rn, s); got != want {
				t.Fatalf("%s: rule input %s at step %d is %v", name, rn, s, got)
			}
		}
	}
	if obs(tr, "fixation", 0) != 1 {
		t.Fatalf("%s: fixation input off at step 0", name)
	}
	n := (len(tr.spec.Obs) - 1 - len(Yang19Rules)) / 2
	peak := func(period string, m int) int { // the ring unit with the largest input at the period's start
		s, _ := tr.Span(period)
		row := tr.ObsRow(s)[1+m*n : 1+(m+1)*n]
		return slices.Index(row, slices.Max(row))
	}
	ds, de := tr.Span("decision")
	gt := tr.GT[ds]
	for s := ds; s < de; s++ {
		if tr.GT[s] != gt {
			t.Fatalf("%s: decision ground truth %v", name, tr.GT[ds:de])
		}
	}
	switch r.family {
	case yangReach:
		m, g := int(tr.Vars["modality"]), int(tr.Vars["ground_truth"])-1
		want := g
		if r.anti {
			want = (g + n/2) % n
		}
		p := "stimulus"
		if r.reaction {
			p = "decision"
		}
		if got := peak(p, m); got != want || gt != g+1 {
			t.Fatalf("%s: stimulus at %d in modality %d, ground truth %d; want %d, %d", name, got, m+1, gt, want, g+1)
		}
	case yangDM, yangDlyDM:
		i1, i2 := int(tr.Vars["i_theta1"]), int(tr.Vars["i_theta2"])
		var s1, s2 float64
		for m := range 2 {
			s1 += r.weight[m] * tr.Vars["coh1_mod"+string(rune('1'+m))]
			s2 += r.weight[m] * tr.Vars["coh2_mod"+string(rune('1'+m))]
		}
		if i1 == i2 || s1 > s2 && gt != i1+1 || s2 > s1 && gt != i2+1 {
			t.Fatalf("%s: positions %d, %d with strengths %v, %v; ground truth %d", name, i1, i2, s1, s2, gt)
		}
		if ds < tr.Len && slices.Max(tr.ObsRow(ds)[:1+2*n]) != 0 {
			t.Fatalf("%s: inputs in the decision period: %v", name, tr.ObsRow(ds))
		}
	case yangMatch:
		is, it := int(tr.Vars["i_sample"]), int(tr.Vars["i_test"])
		match := tr.Vars["match"] == 1
		if r.category {
			if (is/(n/2) == it/(n/2)) != match {
				t.Fatalf("%s: sample %d, test %d, match %v", name, is, it, match)
			}
		} else if (is == it) != match || !match && (is+n/2)%n != it {
			t.Fatalf("%s: sample %d, test %d, match %v", name, is, it, match)
		}
		wantGo := match == r.matchGo
		if wantGo && gt != it+1 || !wantGo && slices.Max(tr.GT) != 0 {
			t.Fatalf("%s: match %v, ground truth %v", name, match, tr.GT)
		}
	}
}

// TestYang19Layout checks the stimulus positions of noiseless trials of
// every rule and the shared layout's size.
func TestYang19Layout(t *testing.T) {
	for i, name := range Yang19Rules {
		e, err := New("yang19."+name, Params{"sigma": -1}, Options{Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(e.Spec().Obs); got != 1+32+20 || len(e.Spec().Actions) != 17 {
			t.Fatalf("%s: %d inputs, %d actions; want 53, 17", name, got, len(e.Spec().Actions))
		}
		r := yangRuleOf(name)
		for range 50 {
			tr := e.NewTrial()
			if int(tr.Vars["rule"]) != i {
				t.Fatalf("%s: rule %v", name, tr.Vars["rule"])
			}
			at := func(period string, m, unit int) float32 {
				s, _ := tr.Span(period)
				return tr.ObsRow(s)[1+m*16+unit]
			}
			switch r.family {
			case yangMatch:
				m := int(tr.Vars["modality"])
				if at("sample", m, int(tr.Vars["i_sample"])) != 0.8 || at("test", m, int(tr.Vars["i_test"])) != 0.8 ||
					at("sample", 1-m, int(tr.Vars["i_sample"])) != 0 {
					t.Fatalf("%s: sample and test bumps %v", name, tr.ObsRow(3))
				}
			case yangDM, yangDlyDM:
				p1, p2 := "stimulus", "stimulus"
				if r.family == yangDlyDM {
					p1, p2 = "stim1", "stim2"
				}
				for m := range 2 {
					c1 := tr.Vars["coh1_mod"+string(rune('1'+m))]
					if !r.stim[m] {
						if c1 != 0 || at(p1, m, int(tr.Vars["i_theta1"])) != 0 {
							t.Fatalf("%s: modality %d stimulated", name, m+1)
						}
						continue
					}
					// In one stimulus period the other bump adds 0.8·c2·exp(−d²/2),
					// d the positions' circular distance (16 units: π/8 apart).
					want := 0.8 * c1
					if p2 == p1 {
						d := math.Abs(tr.Vars["i_theta1"] - tr.Vars["i_theta2"])
						d = math.Min(d, 16-d)
						want += 0.8 * tr.Vars["coh2_mod"+string(rune('1'+m))] * math.Exp(-d*d/2)
					}
					if d := float64(at(p1, m, int(tr.Vars["i_theta1"]))) - want; math.Abs(d) > 1e-6 {
						t.Fatalf("%s: bump 1 of modality %d off by %v", name, m+1, d)
					}
					if p2 != p1 && at(p2, m, int(tr.Vars["i_theta2"])) != float32(0.8*tr.Vars["coh2_mod"+string(rune('1'+m))]) {
						t.Fatalf("%s: bump 2 of modality %d", name, m+1)
					}
				}
			}
		}
	}
	if _, err := New("yang19", Params{"dim_ring": 5}, Options{}); err == nil {
		t.Error("odd dim_ring accepted")
	}
	e, err := New("yang19", Params{"no_rule_inputs": 1}, Options{})
	if err != nil || len(e.Spec().Obs) != 33 {
		t.Fatalf("no_rule_inputs: %v", err)
	}
	// Retiming the interleaved task sets the period in every rule.
	e, err = New("yang19", nil, Options{Seed: 1, Timing: map[string]Timing{"decision": Constant(300)}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[float64]bool{}
	for range 400 {
		tr := e.NewTrial()
		seen[tr.Vars["rule"]] = true
		if s, end := tr.Span("decision"); end-s != 3 {
			t.Fatalf("rule %v: decision of %d steps after retiming to 300 ms", tr.Vars["rule"], end-s)
		}
	}
	if len(seen) != 20 {
		t.Fatalf("400 interleaved trials drew %d rules", len(seen))
	}
}

// playYang plays one trial of env with the action policy(trial, step) and
// returns the ended trial's variables and NeuroGym's performance.
func playYang(t *testing.T, e *Env, policy func(tr *Trial, s int) int) (map[string]float64, float64) {
	t.Helper()
	tr := e.NewTrial()
	for s := 0; ; s++ {
		res := e.Step(policy(tr, s))
		if res.NewTrial {
			return res.Vars, res.Performance
		}
		if s > tr.Len {
			t.Fatal("the trial did not end")
		}
	}
}

// Yang et al.'s criterion (perf_yang) on hand-built responses: fixation
// until the decision, then a direction k ring units from the target. With
// 16 units (22.5° apart) the target and its neighbours are within 36°,
// two units (45°) are not, while NeuroGym's performance takes the target
// only; a response before the decision period fails the trial whatever
// the direction; a no-go trial is correct when the fixation is held to
// the end.
func TestYang19PerfYang(t *testing.T) {
	for _, rule := range []string{"go", "dm1", "dlyanti", "rtgo"} {
		e, err := New("yang19."+rule, Params{"sigma": -1}, Options{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		n := 16
		for _, c := range []struct {
			off         int  // response: target + off ring units
			early       bool // respond at step 0 of the fixation period (and again in the decision)
			yang, neuro float64
		}{
			{0, false, 1, 1}, {1, false, 1, 0}, {-1, false, 1, 0}, {2, false, 0, 0}, {-2, false, 0, 0}, {8, false, 0, 0},
			{0, true, 0, 1}, {1, true, 0, 0},
		} {
			for range 5 {
				vars, perf := playYang(t, e, func(tr *Trial, s int) int {
					if c.early && s == 0 {
						return 1 + (int(tr.Vars["ground_truth"])-1+5)%n
					}
					if !tr.In("decision", s) {
						return 0
					}
					return 1 + ((int(tr.Vars["ground_truth"])-1+c.off)%n+n)%n
				})
				if got := vars["perf_yang"]; got != c.yang || perf != c.neuro {
					t.Fatalf("%s: response %+d units (early %v): perf_yang %v, performance %v; want %v, %v", rule, c.off, c.early, got, perf, c.yang, c.neuro)
				}
				if c.early != (vars["fixation_break"] == 1) {
					t.Fatalf("%s: fixation_break %v, early %v", rule, vars["fixation_break"], c.early)
				}
			}
		}
		// No response at all fails a go trial.
		if vars, _ := playYang(t, e, func(*Trial, int) int { return 0 }); vars["perf_yang"] != 0 {
			t.Fatalf("%s: no response scored %v", rule, vars["perf_yang"])
		}
	}
	// A break in the delay, after a held fixation period, fails too.
	e, _ := New("yang19.dlygo", Params{"sigma": -1}, Options{Seed: 4})
	vars, _ := playYang(t, e, func(tr *Trial, s int) int {
		if tr.In("delay", s) || tr.In("decision", s) {
			return int(tr.Vars["ground_truth"])
		}
		return 0
	})
	if vars["perf_yang"] != 0 {
		t.Fatalf("dlygo: a response in the delay scored perf_yang %v", vars["perf_yang"])
	}
	// No-go trials of dms: holding fixation to the end is correct, any
	// response fails.
	e, _ = New("yang19.dms", Params{"sigma": -1}, Options{Seed: 5})
	nogo := 0
	for range 40 {
		respond := nogo%2 == 1
		vars, _ := playYang(t, e, func(tr *Trial, s int) int {
			if respond && tr.In("decision", s) {
				return 1
			}
			return 0
		})
		if _, goTrial := vars["ground_truth"]; goTrial {
			continue
		}
		want := 1.0
		if respond {
			want = 0
		}
		if vars["perf_yang"] != want {
			t.Fatalf("dms no-go trial (respond %v): perf_yang %v", respond, vars["perf_yang"])
		}
		nogo++
	}
	if nogo < 10 {
		t.Fatalf("%d no-go trials", nogo)
	}
}
