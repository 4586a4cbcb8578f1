package tasks

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Task is a trial-based cognitive task: its static description and a
// function that lays out one trial. A task value holds configuration only;
// everything random comes from the trial's Rng and everything that changes
// lives in the Trial (or in Trial.Carry across trials), so one Task may feed
// many environments.
type Task interface {
	Spec() Spec
	// NewTrial lays out a trial: periods (Add, AddFor, AddAt), observations
	// (AddObs, SetObs, AddNoise, PoissonSpikes), ground truth (SetGT,
	// SetTarget), loss mask (SetMask) and trial variables (Vars).
	NewTrial(tr *Trial)
}

// Judge is an optional interface of a Task whose step rule is not the
// Standard one. It scores action a at the trial's current step tr.T and may
// write the next step's observation (row tr.T+1) or ground truth when they
// depend on the action.
type Judge interface {
	Judge(tr *Trial, a int) Outcome
}

// ContinuousJudge is an optional interface of a Task whose native actions
// are continuous vectors (NeuroGym's Box action spaces, e.g.
// ReachingDelayResponse's (go, position)): it scores vector a at the trial's
// current step. Env.StepContinuous uses it.
type ContinuousJudge interface {
	JudgeContinuous(tr *Trial, a []float64) Outcome
}

// Grouped is an optional interface of a Task whose trials fall into named
// groups (the rules of the Yang19 collection): trial variable v holds the
// group's index into names. Evaluations report performance per group.
type Grouped interface {
	Groups() (v string, names []string)
}

// GroupReferenced is an optional interface of a Grouped task with a
// reference performance per group from outside braingo: label says whose
// figures they are, at what budget and by what criterion; ref maps a group
// name to its figures (one per seed or run). Evaluations print them beside
// the trained network's.
type GroupReferenced interface {
	GroupReference() (label string, ref map[string][]float64)
}

// Outcome is the verdict on one action.
type Outcome struct {
	Reward float64
	End    bool // the trial ends after this step
}

// Spec describes a task: what the listing shows and what the engine needs.
type Spec struct {
	Name    string
	Summary string  // one line
	Source  string  // the paper (and the code) the task follows
	DT      float64 // default step in ms
	// Periods lists the trial's periods in order with their duration
	// distributions; Options.Timing overrides them by name.
	Periods []Period
	// Obs names the observation channels. Channel 0 is "fixation" where the
	// task has a fixation cue. A name "group.k" puts the channel in group
	// "group", which AddObs and friends address as a whole.
	Obs []string
	// Actions names the discrete actions. Action 0 is the fixation action
	// when it is named "fixation"; a task without one (Bandit, the spiking
	// tasks) treats every action as a response.
	Actions []string
	// Targets names the dimensions of a continuous target (Reaching1D's
	// "angle"); nil for tasks with discrete ground truth only.
	Targets []string
	// Rewards are the default rewards by name ("abort", "correct", "fail",
	// ...); Options.Rewards overrides them. A missing name reads as 0.
	Rewards map[string]float64
	// Fixate lists the periods in which any action but fixation is a
	// fixation break (reward "abort", ending the trial when Options.Abort).
	Fixate []string
	// Respond lists the periods in which a non-fixation action is the
	// response: it ends the trial, rewarded "correct" when it equals the
	// ground truth and "fail" otherwise.
	Respond []string
}

// Period is a named span of a trial. In a Spec it carries the duration
// distribution; in a Trial, its placement in steps [Start, End).
type Period struct {
	Name       string
	Timing     Timing
	Start, End int
}

// HasFixation reports whether action 0 is the fixation action.
func (s Spec) HasFixation() bool { return len(s.Actions) > 0 && s.Actions[0] == "fixation" }

// Timing returns the duration distribution of a period and whether the spec
// has it.
func (s Spec) Timing(period string) (Timing, bool) {
	for _, p := range s.Periods {
		if p.Name == period {
			return p.Timing, true
		}
	}
	return Timing{}, false
}

func (s Spec) periodNames() []string {
	n := make([]string, len(s.Periods))
	for i, p := range s.Periods {
		n[i] = p.Name
	}
	return n
}

// Options configure an environment. The zero value gives the task's
// defaults (NeuroGym's), seed 0.
type Options struct {
	Seed uint64
	// Stream selects an independent random stream of the same seed; Dataset
	// gives column i stream i+1.
	Stream uint64
	// DT is the step in ms; 0 means the task's default (100 ms for most
	// NeuroGym tasks, 80 for the timing tasks, 1 for the spiking ones).
	DT float64
	// Timing overrides period durations by period name.
	Timing map[string]Timing
	// Rewards overrides rewards by name.
	Rewards map[string]float64
	// Abort ends the trial on a fixation break (NeuroGym's abort; off by
	// default as in NeuroGym, where a break only costs the abort reward).
	Abort bool
}

// Env runs a Task: it draws trials and steps through them with the
// fixation / abort / decision logic (NeuroGym's TrialEnv). An Env is not safe
// for concurrent use; make one per goroutine.
type Env struct {
	task  Task
	judge Judge
	spec  Spec
	abort bool
	src   *rand.PCG // rng's source, whose state State saves
	rng   *rand.Rand
	where map[string][]int
	carry map[string]float64
	trial *Trial
	n     int // trials drawn
	// before is the state the current trial was drawn from (the source
	// and the carried variables before NewTrial); acts are the actions
	// Step applied to it since, and cont reports a StepContinuous among
	// them. TrialState saves them: drawing the trial again and replaying
	// the actions gives the same environment.
	before      rand.PCG
	beforeCarry map[string]float64
	acts        []int
	cont        bool
}

// NewEnv builds an environment for t with the options applied to its spec.
// It returns an error for an override that names no period or reward, or a
// malformed timing.
func NewEnv(t Task, o Options) (*Env, error) {
	spec := t.Spec()
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if o.DT < 0 || math.IsNaN(o.DT) {
		return nil, fmt.Errorf("tasks: %s: dt %v ms must be positive", spec.Name, o.DT)
	}
	if o.DT > 0 {
		spec.DT = o.DT
	}
	spec.Periods = slices.Clone(spec.Periods)
	for name, tm := range o.Timing {
		i := slices.IndexFunc(spec.Periods, func(p Period) bool { return p.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("tasks: %s has no period %q to time (periods: %s)",
				spec.Name, name, strings.Join(spec.periodNames(), ", "))
		}
		if err := tm.validate(); err != nil {
			return nil, fmt.Errorf("tasks: %s: timing of %q: %w", spec.Name, name, err)
		}
		spec.Periods[i].Timing = tm
	}
	rw := make(map[string]float64, len(spec.Rewards))
	for k, v := range spec.Rewards {
		rw[k] = v
	}
	for k, v := range o.Rewards {
		if _, ok := rw[k]; !ok {
			return nil, fmt.Errorf("tasks: %s has no reward %q (rewards: %s)", spec.Name, k, strings.Join(sortedKeys(rw), ", "))
		}
		rw[k] = v
	}
	spec.Rewards = rw
	src := rand.NewPCG(o.Seed, o.Stream^0xda3e39cb94b95bdb)
	e := &Env{
		task:  t,
		spec:  spec,
		abort: o.Abort,
		src:   src,
		rng:   rand.New(src),
		where: channelIndex(spec.Obs),
		carry: map[string]float64{},
	}
	e.judge, _ = t.(Judge)
	return e, nil
}

func (s Spec) validate() error {
	if s.Name == "" || s.DT <= 0 || len(s.Obs) == 0 || len(s.Actions) == 0 {
		return fmt.Errorf("tasks: spec %q needs a name, a positive dt, observations and actions", s.Name)
	}
	seen := map[string]bool{}
	for _, p := range s.Periods {
		if seen[p.Name] {
			return fmt.Errorf("tasks: %s: period %q listed twice", s.Name, p.Name)
		}
		seen[p.Name] = true
		if err := p.Timing.validate(); err != nil {
			return fmt.Errorf("tasks: %s: timing of %q: %w", s.Name, p.Name, err)
		}
	}
	return nil
}

// channelIndex maps every channel name and every group name ("stimulus" for
// "stimulus.1", "stimulus.2") to its channel indices.
func channelIndex(names []string) map[string][]int {
	m := map[string][]int{}
	for i, n := range names {
		m[n] = append(m[n], i)
		if g, _, ok := strings.Cut(n, "."); ok && g != n {
			m[g] = append(m[g], i)
		}
	}
	return m
}

// Spec returns the effective spec: the task's with the options applied.
func (e *Env) Spec() Spec { return e.spec }

// Trial returns the current trial (nil before Reset).
func (e *Env) Trial() *Trial { return e.trial }

// NewTrial draws the next trial and makes it current, without stepping (the
// Dataset builds its batches this way). It returns the trial.
func (e *Env) NewTrial() *Trial {
	e.before, e.acts, e.cont = *e.src, e.acts[:0], false
	e.beforeCarry = nil
	if len(e.carry) > 0 {
		e.beforeCarry = maps.Clone(e.carry)
	}
	tr := &Trial{
		DT:      e.spec.DT,
		Rng:     e.rng,
		Vars:    map[string]float64{},
		Carry:   e.carry,
		Rewards: e.spec.Rewards,
		Abort:   e.abort,
		Index:   e.n,
		spec:    &e.spec,
		where:   e.where,
		nobs:    len(e.spec.Obs),
		ntarget: len(e.spec.Targets),
	}
	e.task.NewTrial(tr)
	tr.build()
	if tr.Len == 0 {
		panic(fmt.Sprintf("tasks: %s: NewTrial laid out an empty trial", e.spec.Name))
	}
	tr.built = true
	e.n++
	e.trial = tr
	return tr
}

// Reset draws a new trial and returns the observation of its first step.
// (NeuroGym's reset also takes one step with a random action; this one does
// not, so the first Step acts on step 0.)
func (e *Env) Reset() []float32 {
	return e.NewTrial().ObsRow(0)
}

// GroundTruth is the ground-truth action of the current step.
func (e *Env) GroundTruth() int { return e.trial.GT[e.trial.T] }

// StepResult is what one Step returns (NeuroGym's ob, reward and info).
type StepResult struct {
	// Obs is the observation of the next step: the following step of this
	// trial, or the first step of a new trial when NewTrial is set. It
	// aliases the trial's storage and is valid until the next Step.
	Obs    []float32
	Reward float64
	// NewTrial reports that the trial ended with this step and a new one
	// began (NeuroGym's info["new_trial"]).
	NewTrial bool
	// Performance is the ended trial's performance, set when NewTrial
	// (NeuroGym's info["performance"]): 1 for a correct trial, 0 for an
	// error, abort or no response, graded for some tasks.
	Performance float64
	// Vars are the ended trial's variables as its judge left them, set
	// when NewTrial (a judge may add figures of its own, as Yang19's
	// perf_yang).
	Vars map[string]float64
	// GT is the ground truth of the step just acted on (info["gt"]).
	GT int
}

// Step applies action a to the current step and advances. The trial ends
// when the judge says so or after its last step (adding the trial's
// TimeoutReward, NeuroGym's r_tmax); then a new trial is drawn.
func (e *Env) Step(a int) StepResult {
	tr := e.trial
	if tr == nil {
		panic("tasks: Step before Reset")
	}
	if a < 0 || a >= len(e.spec.Actions) {
		panic(fmt.Sprintf("tasks: %s: action %d outside [0, %d)", e.spec.Name, a, len(e.spec.Actions)))
	}
	var out Outcome
	if e.judge != nil {
		out = e.judge.Judge(tr, a)
	} else {
		out = Standard(tr, a)
	}
	e.acts = append(e.acts, a)
	return e.advance(out)
}

// StepContinuous is Step for a continuous action vector, scored by the
// task's ContinuousJudge; it panics for a task without one.
func (e *Env) StepContinuous(a []float64) StepResult {
	tr := e.trial
	if tr == nil {
		panic("tasks: StepContinuous before Reset")
	}
	cj, ok := e.task.(ContinuousJudge)
	if !ok {
		panic("tasks: " + e.spec.Name + " has no continuous actions")
	}
	e.cont = true
	return e.advance(cj.JudgeContinuous(tr, a))
}

// advance applies an outcome to the current step and moves on.
func (e *Env) advance(out Outcome) StepResult {
	tr := e.trial
	res := StepResult{Reward: out.Reward, GT: tr.GT[tr.T]}
	tr.T++
	if !out.End && tr.T >= tr.Len {
		out.End = true
		res.Reward += tr.TimeoutReward
	}
	if out.End {
		res.NewTrial = true
		res.Performance, res.Vars = tr.Performance, tr.Vars
		tr = e.NewTrial()
	}
	res.Obs = tr.ObsRow(tr.T)
	return res
}

// Standard is the step rule shared by most NeuroGym tasks: in a Fixate
// period a non-fixation action earns the "abort" reward (and ends the trial
// when Options.Abort); in a Respond period a non-fixation action ends the
// trial, earning "correct" and performance 1 when it equals the ground truth
// and "fail" and performance 0 otherwise. Other steps earn nothing. For a task without a
// fixation action every action in a Respond period is a response.
func Standard(tr *Trial, a int) Outcome {
	fix := tr.spec.HasFixation()
	responded := a != 0 || !fix
	if fix && a != 0 && tr.InAny(tr.spec.Fixate) {
		return Outcome{Reward: tr.Rewards["abort"], End: tr.Abort}
	}
	if responded && tr.InAny(tr.spec.Respond) {
		if a == tr.GT[tr.T] {
			tr.Performance = 1
			return Outcome{Reward: tr.Rewards["correct"], End: true}
		}
		tr.Performance = 0
		return Outcome{Reward: tr.Rewards["fail"], End: true}
	}
	return Outcome{}
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}
