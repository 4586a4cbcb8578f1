package tasks

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// taskCase is one row of the task table. Zero fields take the defaults noted.
type taskCase struct {
	name   string
	task   Task // nil: the registered task of that name
	trials int  // trials per scripted agent; 0 means 2000
	// perfect bounds the mean performance of the agent that acts the ground
	// truth; zero means exactly 1.
	perfect [2]float64
	// reward is the reward of the perfect agent's trial-ending step; NaN
	// skips the check (stochastic or graded rewards).
	reward float64
	// chance bounds the mean performance of the guesser (see guess).
	chance [2]float64
	// breaks: step 0 lies in a Fixate period, so the fixation breaker is
	// aborted at once.
	breaks bool
	// tie: the guesser may score as well as the perfect agent (GoNogo with
	// NeuroGym's scoring, where always pressing scores 0.5 as well).
	tie bool
	// check inspects drawn trials for task-specific structure.
	check func(t *testing.T, tr *Trial)
}

var half = [2]float64{0.45, 0.55}

var taskTable = []taskCase{
	{name: "PerceptualDecisionMaking", reward: 1, chance: half, breaks: true, check: checkChoice("decision", 1)},
	{name: "PerceptualDecisionMakingDelayResponse", reward: 1, chance: half, check: checkChoice("decision", 0)},
	{name: "ContextDecisionMaking", reward: 1, chance: half, breaks: true, check: checkChoice("decision", 0)},
	{name: "ContextDecisionMaking/explicit", task: &ContextDecisionMaking{ExplicitContext: true}, reward: 1, chance: half, breaks: true,
		check: checkContext},
	{name: "MultiSensoryIntegration", reward: 1, chance: half, breaks: true, check: checkChoice("decision", 1)},
	{name: "PostDecisionWager", reward: 1, chance: [2]float64{0.40, 0.50}, breaks: true, check: checkWager},
	{name: "DelayMatchSample", reward: 1, chance: half, breaks: true, check: checkChoice("decision", 0)},
	{name: "DelayMatchCategory", reward: 1, chance: half, breaks: true, check: checkChoice("test", 0)},
	{name: "DelayComparison", reward: 1, chance: half, breaks: true, check: checkComparison},
	{name: "DualDelayMatchSample", reward: 1, chance: [2]float64{0.46, 0.54}, breaks: true, check: checkDual},
	// NeuroGym scores a withheld no-go trial 0, so the perfect agent scores 0.5.
	{name: "GoNogo", perfect: half, reward: math.NaN(), chance: half, tie: true, check: checkGoNogo(false)},
	{name: "GoNogo/score_nogo", task: &GoNogo{ScoreNogo: true}, reward: math.NaN(), chance: half, check: checkGoNogo(true)},
	{name: "ReadySetGo", reward: math.NaN(), chance: [2]float64{0, 0.02}, breaks: true, check: checkGo},
	{name: "MotorTiming", reward: math.NaN(), chance: [2]float64{0, 0.02}, breaks: true, check: checkGo},
	{name: "IntervalDiscrimination", reward: 1, chance: half, breaks: true, check: checkInterval},
	{name: "AntiReach", reward: 1, chance: [2]float64{0.015, 0.05}, breaks: true, check: checkAnti},
	{name: "Reaching1D", trials: 500, perfect: [2]float64{0.15, 0.3}, reward: math.NaN(), chance: [2]float64{0.1, 0.25}, check: checkReach},
	{name: "Reaching1DWithSelfDistraction", trials: 500, perfect: [2]float64{0.15, 0.3}, reward: math.NaN(), chance: [2]float64{0.1, 0.25}},
	{name: "EconomicDecisionMaking", reward: math.NaN(), chance: half, breaks: true, check: checkChoice("decision", 0)},
	{name: "Bandit", reward: math.NaN(), chance: [2]float64{1, 1}},
	{name: "Bandit/skewed", task: &Bandit{P: []float64{0.8, 0.2}}, reward: math.NaN(), chance: half},
	{name: "DawTwoStep", reward: math.NaN(), chance: half},
	// The guesser presses at the stimulus onset, mostly before the pulse.
	{name: "Detection", perfect: half, reward: math.NaN(), chance: [2]float64{0.05, 0.15}, breaks: true},
	{name: "Detection/score_nogo", task: &Detection{ScoreNogo: true}, reward: math.NaN(), chance: [2]float64{0.05, 0.15}, breaks: true},
	{name: "ToneDetection", perfect: [2]float64{0, 1e-9}, reward: math.NaN(), chance: [2]float64{0, 0}, tie: true},
	{name: "DelayPairedAssociation", perfect: half, reward: math.NaN(), chance: half, tie: true},
	{name: "DelayPairedAssociation/score_nogo", task: &DelayPairedAssociation{ScoreNogo: true}, reward: math.NaN(), chance: half},
	{name: "PulseDecisionMaking", reward: 1, chance: half, breaks: true, check: checkChoice("decision", 1)},
	{name: "ProbabilisticReasoning", trials: 1000, perfect: [2]float64{0.99, 1}, reward: math.NaN(), chance: half, breaks: true, check: checkChoice("decision", 1)},
	{name: "OneTwoThreeGo", reward: 1, chance: [2]float64{0, 0.02}, breaks: true},
	{name: "ReachingDelayResponse", perfect: [2]float64{0.9, 1}, reward: math.NaN(), chance: [2]float64{0.4, 0.75}, breaks: true},
	{name: "Null", trials: 50, perfect: [2]float64{0, 1e-9}, reward: math.NaN(), chance: [2]float64{0, 0}, tie: true},
	// The guesser presses at the first test: right a third of the time.
	{name: "DelayMatchSampleDistractor1D", reward: 1, chance: [2]float64{0.28, 0.39}, breaks: true},
	{name: "SpatialSuppressMotion", perfect: [2]float64{0, 1e-9}, reward: math.NaN(), chance: [2]float64{0, 0}, tie: true},
	// One correct stimulus step scores 1: the guesser, which presses at the
	// first and fixates after, scores 1 on stimulus and catch trials alike.
	{name: "AnnubesEnv", reward: math.NaN(), chance: [2]float64{1, 1}, tie: true},
	// The guesser reports a rule only at the first rule_target step, and the
	// last one counts: it never earns "correct".
	{name: "HierarchicalReasoning", reward: 1, chance: [2]float64{0, 0}, breaks: true},
	{name: "HierarchicalReasoning/neurogym_delay", task: &HierarchicalReasoning{NeuroGymDelay: true}, reward: 1, chance: [2]float64{0, 0}, breaks: true},
	{name: "EvidenceAccumulation", trials: 300, reward: 1, chance: [2]float64{0.4, 0.6}, check: checkCues},
	{name: "SpikingDelayMatchSample", trials: 300, reward: 1, chance: [2]float64{0.4, 0.6}, check: checkMotion},
}

func (c taskCase) env(t *testing.T, o Options) *Env {
	t.Helper()
	var e *Env
	var err error
	if c.task != nil {
		e, err = NewEnv(c.task, o)
	} else {
		e, err = New(c.name, nil, o)
	}
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestTableCoversRegistry(t *testing.T) {
	for _, n := range Names() {
		if !slices.ContainsFunc(taskTable, func(c taskCase) bool { return c.name == n }) {
			t.Errorf("registered task %s has no row in taskTable", n)
		}
	}
}

func TestTasks(t *testing.T) {
	for _, c := range taskTable {
		t.Run(c.name, func(t *testing.T) {
			n := orInt(c.trials, 2000)
			testLayout(t, c, min(n, 300))
			perf, rew := runAgent(t, c.env(t, Options{Seed: 1}), n, perfectAgent)
			lo, hi := c.perfect[0], c.perfect[1]
			if lo == 0 && hi == 0 {
				lo, hi = 1, 1
			}
			if perf < lo || perf > hi {
				t.Errorf("perfect agent: performance %.4f, want in [%g, %g]", perf, lo, hi)
			}
			if !math.IsNaN(c.reward) {
				for _, r := range rew {
					if r != c.reward {
						t.Errorf("perfect agent: trial-ending reward %g, want %g", r, c.reward)
						break
					}
				}
			}
			g, _ := runAgent(t, c.env(t, Options{Seed: 2}), n, guesser())
			if g < c.chance[0] || g > c.chance[1] {
				t.Errorf("guesser: performance %.4f, want chance in [%g, %g]", g, c.chance[0], c.chance[1])
			}
			if g >= perf && c.chance[1] < 1 && !c.tie {
				t.Errorf("guesser (%.3f) not below the perfect agent (%.3f)", g, perf)
			}
			if c.breaks {
				testBreaker(t, c)
			}
		})
	}
}

// testLayout draws trials and checks periods, array sizes, timing bounds
// and the ground truth outside the response periods.
func testLayout(t *testing.T, c taskCase, n int) {
	e := c.env(t, Options{Seed: 3})
	spec := e.Spec()
	for range n {
		tr := e.NewTrial()
		end := 0
		for _, p := range tr.Periods {
			if p.Start < 0 || p.End < p.Start {
				t.Fatalf("period %s spans [%d, %d)", p.Name, p.Start, p.End)
			}
			end = max(end, p.End)
			tm, ok := spec.Timing(p.Name)
			if !ok {
				t.Fatalf("trial period %s is not in the spec", p.Name)
			}
			if lo, hi := tm.Bounds(spec.DT); tm.Kind != KindDerived && (p.End-p.Start < lo || p.End-p.Start > hi) {
				t.Fatalf("period %s lasts %d steps, outside [%d, %d] for %v at dt %g", p.Name, p.End-p.Start, lo, hi, tm, spec.DT)
			}
		}
		if end != tr.Len {
			t.Fatalf("trial of %d steps, periods end at %d", tr.Len, end)
		}
		if len(tr.Obs) != tr.Len*len(spec.Obs) || len(tr.GT) != tr.Len || len(tr.Mask) != tr.Len ||
			len(tr.Target) != tr.Len*len(spec.Targets) {
			t.Fatalf("array sizes: obs %d, gt %d, mask %d, target %d for %d steps", len(tr.Obs), len(tr.GT), len(tr.Mask), len(tr.Target), tr.Len)
		}
		if spec.HasFixation() && c.name != "Reaching1D" {
			for s := range tr.Len {
				if tr.GT[s] != 0 && !slices.ContainsFunc(spec.Respond, func(p string) bool { return tr.In(p, s) }) {
					t.Fatalf("ground truth %d at step %d in %v, outside the response periods %v", tr.GT[s], s, tr.Current(s), spec.Respond)
				}
			}
		}
		for _, v := range tr.Obs {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatal("non-finite observation")
			}
		}
		if c.check != nil {
			c.check(t, tr)
		}
	}
}

type agent func(e *Env, rng *rand.Rand) int

func perfectAgent(e *Env, _ *rand.Rand) int { return e.GroundTruth() }

// guesser fixates (acts 0) outside the response periods; at the first step
// of each response period it picks uniformly among the response actions (all
// but fixation) and then holds fixation. Without a fixation action, its pick
// at the first response step ends the trial.
func guesser() agent {
	var last *Trial
	done := map[string]bool{}
	return func(e *Env, rng *rand.Rand) int {
		tr, spec := e.Trial(), e.Spec()
		if tr != last {
			last, done = tr, map[string]bool{}
		}
		first := 0
		if spec.HasFixation() {
			first = 1
		}
		for _, p := range spec.Respond {
			if tr.In(p, tr.T) && !done[p] {
				done[p] = true
				return first + rng.IntN(len(spec.Actions)-first)
			}
		}
		return 0
	}
}

// runAgent plays n trials and returns the mean performance and the reward of
// every trial-ending step.
func runAgent(t *testing.T, e *Env, n int, act agent) (float64, []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	e.Reset()
	var sum float64
	var ends []float64
	for k := 0; k < n; {
		r := e.Step(act(e, rng))
		if r.NewTrial {
			sum += r.Performance
			ends = append(ends, r.Reward)
			k++
		}
	}
	return sum / float64(n), ends
}

// testBreaker: with Abort, an agent that never fixates is aborted on the
// first step of every trial with the abort reward and performance 0.
func testBreaker(t *testing.T, c taskCase) {
	e := c.env(t, Options{Seed: 4, Abort: true})
	e.Reset()
	for range 50 {
		if !e.Trial().InAny(e.Spec().Fixate) {
			t.Fatalf("fixation breaker: step 0 (%v) is not in a fixation period", e.Trial().Current(0))
		}
		r := e.Step(1)
		if !r.NewTrial || r.Reward != -0.1 || r.Performance != 0 {
			t.Fatalf("fixation breaker: new trial %v, reward %g, performance %g; want true, -0.1, 0", r.NewTrial, r.Reward, r.Performance)
		}
	}
	// Without Abort the break only costs the reward.
	e = c.env(t, Options{Seed: 4})
	e.Reset()
	if r := e.Step(1); r.Reward != -0.1 || r.NewTrial && e.Trial().Len > 1 {
		t.Fatalf("fixation break without abort: reward %g, new trial %v", r.Reward, r.NewTrial)
	}
}

// obs reads channel name at step s.
func obs(tr *Trial, name string, s int) float32 {
	return tr.ObsRow(s)[slices.Index(tr.spec.Obs, name)]
}

// checkChoice: the ground truth is one response action over the whole
// period, and the fixation cue is 1 at step 0 when the fixation period is
// not empty.
func checkChoice(period string, _ int) func(*testing.T, *Trial) {
	return func(t *testing.T, tr *Trial) {
		s, e := tr.Span(period)
		for i := s; i < e; i++ {
			if tr.GT[i] == 0 || tr.GT[i] != tr.GT[s] {
				t.Fatalf("ground truth in %s: %v", period, tr.GT[s:e])
			}
		}
		if fs, fe := tr.Span("fixation"); fe > fs && obs(tr, "fixation", fs) != 1 {
			t.Fatal("fixation cue off during fixation")
		}
	}
}

func checkContext(t *testing.T, tr *Trial) {
	checkChoice("decision", 0)(t, tr)
	ctx := int(tr.Vars["context"])
	on := []string{"context.1", "context.2"}
	if obs(tr, on[ctx], 0) != 1 || obs(tr, on[1-ctx], 0) != 0 {
		t.Fatalf("context %d cue: %v", ctx, tr.ObsRow(0))
	}
}

func checkWager(t *testing.T, tr *Trial) {
	checkChoice("decision", 0)(t, tr)
	s, _ := tr.Span("decision")
	want := float32(tr.Vars["wager"])
	if obs(tr, "sure", s) != want || tr.Has("pre_sure") != (want == 1) {
		t.Fatalf("sure cue %v in decision for wager %v", obs(tr, "sure", s), want)
	}
}

func checkComparison(t *testing.T, tr *Trial) {
	checkChoice("decision", 0)(t, tr)
	want := 1
	if tr.Vars["v2"] > tr.Vars["v1"] {
		want = 2
	}
	if s, _ := tr.Span("decision"); tr.GT[s] != want {
		t.Fatalf("v1 %v v2 %v: ground truth %d", tr.Vars["v1"], tr.Vars["v2"], tr.GT[s])
	}
}

func checkDual(t *testing.T, tr *Trial) {
	for _, p := range []string{"test1", "test2"} {
		checkChoice(p, 0)(t, tr)
	}
	first := "cue1"
	if tr.Vars["test_order"] == 1 {
		first = "cue2"
	}
	if s, _ := tr.Span("cue1"); obs(tr, first, s) != 1 {
		t.Fatalf("cue period 1 shows %v, want %s", tr.ObsRow(s), first)
	}
}

func checkGoNogo(scoreNogo bool) func(t *testing.T, tr *Trial) {
	return func(t *testing.T, tr *Trial) {
		s, e := tr.Span("decision")
		gt := int(tr.Vars["ground_truth"])
		for i := s; i < e; i++ {
			if tr.GT[i] != gt {
				t.Fatalf("decision ground truth %v for trial type %d", tr.GT[s:e], gt)
			}
		}
		preset := 0.0
		if scoreNogo {
			preset = float64(1 - gt)
		}
		if tr.Performance != preset || tr.TimeoutReward != -0.5*float64(gt) {
			t.Fatalf("preset performance %g, timeout reward %g for type %d", tr.Performance, tr.TimeoutReward, gt)
		}
	}
}

// checkGo: exactly one go step, at production ms into the production period.
func checkGo(t *testing.T, tr *Trial) {
	s, e := tr.Span("production")
	if e-s != floorSteps(2*tr.Vars["production"], tr.DT) {
		t.Fatalf("production lasts %d steps for %v ms", e-s, tr.Vars["production"])
	}
	n := 0
	for _, g := range tr.GT {
		n += g
	}
	if n != 1 || tr.GT[s+int(tr.Vars["production"]/tr.DT)] != 1 {
		t.Fatalf("go ground truth %v", tr.GT[s:e])
	}
}

func checkInterval(t *testing.T, tr *Trial) {
	checkChoice("decision", 0)(t, tr)
	s1, e1 := tr.Span("stim1")
	s2, e2 := tr.Span("stim2")
	want := 2
	if e1-s1 > e2-s2 {
		want = 1
	}
	if s, _ := tr.Span("decision"); tr.GT[s] != want {
		t.Fatalf("durations %d, %d: ground truth %d", e1-s1, e2-s2, tr.GT[s])
	}
}

func checkAnti(t *testing.T, tr *Trial) {
	checkChoice("decision", 0)(t, tr)
	s, _ := tr.Span("stimulus")
	row := tr.ObsRow(s)[1:]
	peak := slices.Index(row, slices.Max(row))
	ds, _ := tr.Span("decision")
	if (peak+len(row)/2)%len(row) != tr.GT[ds]-1 {
		t.Fatalf("stimulus peaks at %d, anti-response ground truth %d", peak, tr.GT[ds]-1)
	}
}

func checkReach(t *testing.T, tr *Trial) {
	s, e := tr.Span("reach")
	for i := s; i < e; i++ {
		if float64(tr.Target[i]) != float64(float32(tr.Vars["ground_truth"])) {
			t.Fatalf("reach target %v, want %v", tr.Target[i], tr.Vars["ground_truth"])
		}
	}
	if tr.Target[0] != float32(math.Pi) {
		t.Fatalf("fixation target %v, want π", tr.Target[0])
	}
}

// rate is the mean firing rate in Hz of a channel group over a period.
func rate(tr *Trial, period, group string) float64 {
	s, e := tr.Span(period)
	ch := tr.Channels(group)
	var n float64
	for i := s; i < e; i++ {
		for _, c := range ch {
			n += float64(tr.Obs[i*len(tr.spec.Obs)+c])
		}
	}
	return n / float64((e-s)*len(ch)) * 1000 / tr.DT
}

func checkCues(t *testing.T, tr *Trial) {
	for _, v := range tr.Obs {
		if v != 0 && v != 1 {
			t.Fatalf("spike value %v", v)
		}
	}
	if r := rate(tr, "decision", "recall"); r < 20 || r > 65 {
		t.Fatalf("recall population fires at %.1f Hz, want about 40", r)
	}
	if r := rate(tr, "", "noise"); r < 5 || r > 15 {
		t.Fatalf("noise population fires at %.1f Hz, want about 10", r)
	}
	if r := rate(tr, "delay", "left") + rate(tr, "delay", "right"); r != 0 {
		t.Fatalf("cue populations fire at %.1f Hz in the delay", r)
	}
	for i, m := range tr.Mask {
		if want := float32(b2i(tr.In("decision", i))); m != want {
			t.Fatalf("mask %v at step %d", m, i)
		}
	}
	right := tr.Vars["right_cues"]
	if want := b2i(2*right > 7); tr.GT[tr.Len-1] != want {
		t.Fatalf("%v right cues of 7: ground truth %d", right, tr.GT[tr.Len-1])
	}
}

func checkMotion(t *testing.T, tr *Trial) {
	if r := rate(tr, "delay", "motion"); r > 4 {
		t.Fatalf("delay background %.1f Hz, want about 1", r)
	}
	// 24 channels, von Mises κ=2 at 40 Hz peak: mean rate I0(2)·e^-2·40 + 1 ≈
	// 13.3 Hz (TestSpikeRates checks the mean over trials closely).
	if r := rate(tr, "sample", "motion"); r < 8 || r > 20 {
		t.Fatalf("sample population rate %.1f Hz, want about 13.3", r)
	}
	if (tr.Vars["sample_dir"] == tr.Vars["test_dir"]) != (tr.GT[tr.Len-1] == 1) {
		t.Fatalf("sample %v test %v: ground truth %d", tr.Vars["sample_dir"], tr.Vars["test_dir"], tr.GT[tr.Len-1])
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSpikeRates checks the Poisson coding of the spiking tasks on average
// over trials: the rate in Hz of each population against its definition.
func TestSpikeRates(t *testing.T) {
	const n = 200
	e, _ := New("SpikingDelayMatchSample", nil, Options{Seed: 5})
	var sample, delay, peak float64
	for range n {
		tr := e.NewTrial()
		sample += rate(tr, "sample", "motion") / n
		delay += rate(tr, "delay", "motion") / n
		// the channel preferring the sample direction (8 directions, 24 channels)
		s, e2 := tr.Span("sample")
		c := 3 * int(tr.Vars["sample_dir"])
		var k float64
		for i := s; i < e2; i++ {
			k += float64(tr.ObsRow(i)[c])
		}
		peak += k / float64(e2-s) * 1000 / n
	}
	want := 40*math.Exp(-2)*besselI0(2) + 1
	if math.Abs(sample-want) > 0.3 {
		t.Errorf("sample population %.2f Hz, want %.2f", sample, want)
	}
	if math.Abs(delay-1) > 0.1 {
		t.Errorf("delay background %.2f Hz, want 1", delay)
	}
	if math.Abs(peak-41) > 2 {
		t.Errorf("preferred channel %.2f Hz, want 41 (40 peak + 1 background)", peak)
	}
	ea, _ := New("EvidenceAccumulation", nil, Options{Seed: 5})
	var recall, noise float64
	for range n {
		tr := ea.NewTrial()
		recall += rate(tr, "decision", "recall") / n
		noise += rate(tr, "", "noise") / n
	}
	if math.Abs(recall-40) > 1.5 || math.Abs(noise-10) > 0.3 {
		t.Errorf("recall %.2f Hz (want 40), noise %.2f Hz (want 10)", recall, noise)
	}
}

// besselI0 is the modified Bessel function of order 0 by its series.
func besselI0(x float64) float64 {
	s, term := 1.0, 1.0
	for k := 1; k < 30; k++ {
		term *= (x / 2) * (x / 2) / float64(k*k)
		s += term
	}
	return s
}

// The fixation cue: by default on in the fixation period only (NeuroGym
// since May 2025); with fixation_until_decision on in every period before
// the decision, its offset the go signal.
func TestFixationCue(t *testing.T) {
	for _, c := range []struct {
		name  string
		until bool
	}{
		{"PerceptualDecisionMaking", false},
		{"PerceptualDecisionMaking", true},
		{"ContextDecisionMaking", false},
		{"ContextDecisionMaking", true},
	} {
		var p Params
		if c.until {
			p = Params{"fixation_until_decision": 1}
		}
		env, err := New(c.name, p, Options{Seed: 3, Timing: map[string]Timing{"delay": Constant(300)}})
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			tr := env.NewTrial()
			fix := tr.Channels("fixation")[0]
			for step := 0; step < tr.Len; step++ {
				want := float32(0)
				if tr.In("fixation", step) || c.until && !tr.In("decision", step) {
					want = 1
				}
				if got := tr.Obs[step*len(env.Spec().Obs)+fix]; got != want {
					t.Fatalf("%s %v: step %d (%s): fixation cue %v, want %v", c.name, p, step, tr.Current(step), got, want)
				}
			}
		}
	}
}

// The spiking DMS reads its answer over the whole test period: an agent
// wrong on the first test steps but right on most of them is correct, one
// right only at the start is wrong, and the trial ends at the period's end.
func TestSpikingDMSMajorityAnswer(t *testing.T) {
	for _, c := range []struct {
		name     string
		rightAt  func(k int) bool // k: step within the test period
		wantPerf float64
	}{
		{"late majority", func(k int) bool { return k >= 100 }, 1},
		{"early minority", func(k int) bool { return k < 100 }, 0},
	} {
		e, _ := New("SpikingDelayMatchSample", nil, Options{Seed: 3})
		e.Reset()
		tr := e.Trial()
		s, end := tr.Span("test")
		for step := 0; ; step++ {
			gt := tr.GT[tr.T]
			a := 1 - gt
			if step >= s && c.rightAt(step-s) {
				a = gt
			}
			res := e.Step(a)
			if res.NewTrial {
				if step != end-1 {
					t.Fatalf("%s: trial ended at step %d, want %d (end of test)", c.name, step, end-1)
				}
				if res.Performance != c.wantPerf {
					t.Fatalf("%s: performance %v, want %v", c.name, res.Performance, c.wantPerf)
				}
				break
			}
		}
	}
}
