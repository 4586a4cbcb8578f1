package tasks

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// neurogymCase is one trial of NeuroGym's own code with the noise off
// (testdata/neurogym/cases.json, written by testdata/neurogym/gen.py).
type neurogymCase struct {
	ID       string             `json:"id"`
	Task     string             `json:"task"`
	NeuroGym string             `json:"neurogym"` // file, class and commit
	Params   Params             `json:"params"`   // braingo's task parameters
	Timing   map[string]float64 `json:"timing"`   // constant period durations, ms
	DT       float64            `json:"dt"`
	Trial    map[string]float64 `json:"trial"` // the trial variables NeuroGym was given
	Obs      [][]float32        `json:"obs"`
	GT       []int              `json:"gt"`     // discrete ground truth
	Target   [][]float32        `json:"target"` // or continuous
	// Continuous: NeuroGym's actions are vectors (Env.StepContinuous).
	Continuous bool `json:"continuous"`
	// Static: the trial's laid-out observations are NeuroGym's ob array;
	// false where step() adds to it (the reaching tasks' hand), and then
	// each episode's observations are compared instead.
	Static bool `json:"static"`
	// Draws force the first random draws of braingo's environment, for
	// continuous trial variables a search cannot hit: each is the value an
	// IntN(n) call ({"intn": [k, n]}) or a Float64 call must return.
	Draws []struct {
		IntN    []int    `json:"intn"`
		Float64 *float64 `json:"float64"`
	} `json:"draws"`
	Episodes map[string]struct {
		Rewards     []float64   `json:"rewards"`
		Performance float64     `json:"performance"`
		Obs         [][]float32 `json:"obs"` // what step() returned, until the trial ended
	} `json:"episodes"`
}

// neurogymScripts are gen.py's action scripts: the action at a step of
// ground truth gt with nact actions.
var neurogymScripts = map[string]func(gt, nact int) int{
	"truth":  func(gt, _ int) int { return gt },
	"fixate": func(int, int) int { return 0 },
	"press1": func(int, int) int { return 1 },
	"press2": func(_, nact int) int { return min(2, nact-1) },
	"other": func(gt, nact int) int {
		if gt == 0 {
			return 0
		}
		return gt%(nact-1) + 1
	},
}

// neurogymDeviations are braingo's documented departures from NeuroGym's
// scoring (see the tasks' docs): the scripts whose rewards differ, and
// whether performance is compared.
var neurogymDeviations = map[string]struct {
	scripts     []string // scripts whose rewards differ
	performance bool     // performance compared
	rewards     bool     // rewards compared
}{
	// NeuroGym compares the choice action with the 0-based direction.
	"PostDecisionWager": {scripts: []string{"truth", "press1", "other"}, performance: true, rewards: true},
	// braingo scores each test's first answer 0.5; NeuroGym any correct one 1.
	"DualDelayMatchSample": {performance: false, rewards: true},
	// NeuroGym scores the hand against the target angle truncated to an
	// integer (its ground-truth array is the discrete action space's).
	"Reaching1D":                    {},
	"Reaching1DWithSelfDistraction": {},
	// NeuroGym accumulates t += 8.3 ms in floating point and so ends the
	// trial one frame early (rewards are 0 throughout).
	"SpatialSuppressMotion": {performance: true},
}

func loadNeurogymCases(t *testing.T) []neurogymCase {
	t.Helper()
	b, err := os.ReadFile("testdata/neurogym/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []neurogymCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// find returns an environment whose current trial has the case's variables:
// braingo cannot force them, so it draws trials until one matches.
func (c neurogymCase) find(t *testing.T) *Env {
	t.Helper()
	o := Options{Seed: 11, DT: c.DT}
	if len(c.Timing) > 0 {
		o.Timing = map[string]Timing{}
		for p, ms := range c.Timing {
			o.Timing[p] = Constant(ms)
		}
	}
	e, err := New(c.Task, c.Params, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Draws) > 0 {
		src := &forcedSource{next: rand.NewPCG(1, 2)}
		for _, d := range c.Draws {
			var u uint64
			switch {
			case d.Float64 != nil: // Float64 is (Uint64 mod 2^53) / 2^53
				u = uint64(math.Round(*d.Float64 * (1 << 53)))
			case len(d.IntN) == 2 && d.IntN[1]&(d.IntN[1]-1) == 0: // IntN(2^j) masks Uint64
				u = uint64(d.IntN[0])
			case len(d.IntN) == 2: // IntN(n) is otherwise the high word of Uint64 × n
				k, n := float64(d.IntN[0]), float64(d.IntN[1])
				u = uint64((k + 0.5) / n * (1 << 64))
			default:
				t.Fatalf("%s: malformed draw %+v", c.ID, d)
			}
			src.first = append(src.first, u)
		}
		e.rng = rand.New(src)
	}
draw:
	for range 20000 {
		tr := e.NewTrial()
		for k, v := range c.Trial {
			if tr.Vars[k] != v { // an absent variable reads 0
				continue draw
			}
		}
		return e
	}
	t.Fatalf("%s: no trial with %v in 20000 draws", c.ID, c.Trial)
	return nil
}

// forcedSource returns first, then next's values.
type forcedSource struct {
	first []uint64
	next  rand.Source
}

func (s *forcedSource) Uint64() uint64 {
	if len(s.first) > 0 {
		v := s.first[0]
		s.first = s.first[1:]
		return v
	}
	return s.next.Uint64()
}

// neurogymContinuousScripts are gen.py's (go, position) scripts, from the
// step's continuous ground truth.
var neurogymContinuousScripts = map[string]func(gt []float32) []float64{
	"truth":  func(gt []float32) []float64 { return []float64{float64(gt[0]), float64(gt[1])} },
	"fixate": func([]float32) []float64 { return []float64{-1, 0} },
	"press1": func([]float32) []float64 { return []float64{1, 0.3} },
	"other":  func(gt []float32) []float64 { return []float64{float64(gt[0]), float64(gt[1]) + 0.5} },
}

func TestAgainstNeuroGym(t *testing.T) {
	for _, c := range loadNeurogymCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			tr := c.find(t).Trial()
			nobs := len(tr.Spec().Obs)
			if tr.Len != len(c.Obs) || len(c.Obs) > 0 && nobs != len(c.Obs[0]) {
				t.Fatalf("trial is %d steps × %d channels, NeuroGym's (%s) %d × %d",
					tr.Len, nobs, c.NeuroGym, len(c.Obs), len(c.Obs[0]))
			}
			for step, row := range c.Obs {
				if got := tr.ObsRow(step); c.Static && !rowClose(got, row) {
					t.Fatalf("step %d (%v): observation %v, NeuroGym's %v", step, tr.Current(step), got, row)
				}
				if c.Target != nil {
					nt := len(tr.Spec().Targets)
					for k, want := range c.Target[step] {
						if got := tr.Target[step*nt+k]; math.Abs(float64(got-want)) > 1e-6 {
							t.Fatalf("step %d: target %v, NeuroGym's %v", step, tr.Target[step*nt:(step+1)*nt], c.Target[step])
						}
					}
				} else if c.GT != nil && tr.GT[step] != c.GT[step] {
					t.Fatalf("ground truth %v, NeuroGym's %v", tr.GT, c.GT)
				}
			}
			for name, ep := range c.Episodes {
				script := neurogymScripts[name]
				if script == nil {
					t.Fatalf("unknown script %q", name)
				}
				e := c.find(t)
				nact := len(e.Spec().Actions)
				var rewards []float64
				var res StepResult
				for step := 0; step <= len(c.Obs) && !res.NewTrial; step++ {
					if c.Continuous {
						tr := e.Trial()
						nt := len(tr.Spec().Targets)
						res = e.StepContinuous(neurogymContinuousScripts[name](tr.Target[tr.T*nt : (tr.T+1)*nt]))
					} else {
						// NeuroGym's Null ignores actions outside its space.
						res = e.Step(min(script(e.GroundTruth(), nact), nact-1))
					}
					rewards = append(rewards, res.Reward)
					if ep.Obs != nil && !res.NewTrial && (step >= len(ep.Obs) || !rowClose(res.Obs, ep.Obs[step])) {
						t.Fatalf("script %s: step %d returned observation %v, NeuroGym's %v", name, step, res.Obs, ep.Obs[min(step, len(ep.Obs)-1)])
					}
				}
				dev, deviates := neurogymDeviations[c.Task]
				if deviates && slices.Contains(dev.scripts, name) {
					continue
				}
				perfOK := res.Performance == ep.Performance || deviates && !dev.performance
				rewOK := floatsEqual(rewards, ep.Rewards) || deviates && !dev.rewards
				if !rewOK || !perfOK {
					t.Errorf("script %s: rewards %v, performance %v; NeuroGym's %v, %v",
						name, rewards, res.Performance, ep.Rewards, ep.Performance)
				}
			}
		})
	}
}

func rowClose(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}
