// Package tasks holds cognitive task environments in the shape of NeuroGym
// (Molano-Mazón et al. 2022, github.com/neurogym/neurogym) and the batch
// datasets built from them, for training rate and spiking networks.
//
// # The contract
//
// A Task is a Spec and a NewTrial function. The Spec names the periods of a
// trial with their duration distributions (Constant, Uniform, Choice,
// TruncExp: NeuroGym's timing spec), the observation channels (channel 0 is
// "fixation" where the task has a fixation cue; "group.k" names let a group
// be addressed at once), the discrete actions (action 0 is "fixation" where
// there is one), optional continuous target dimensions, the default rewards
// and the periods in which the agent must fixate (Fixate) or respond
// (Respond). NewTrial lays out one trial on a Trial: it adds periods (their
// durations rounded down to multiples of dt, as NeuroGym does), writes
// observations (AddObs, SetObs, AddNoise, PoissonSpikes), ground truth
// (SetGT, SetTarget) and, if the task scores only part of the trial, a loss
// mask (SetMask).
//
// An Env runs a task with its own seeded random source (math/rand/v2 PCG,
// keyed by Options.Seed and Options.Stream). Reset draws a trial and returns
// its first observation; Step(a) scores action a at the current step,
// advances, and returns the next observation, the reward, whether a new
// trial began and then the ended trial's performance. The shared Standard
// rule is NeuroGym's: a non-fixation action in a Fixate period earns "abort"
// (−0.1; it ends the trial only with Options.Abort), a non-fixation action in
// a Respond period ends the trial with "correct" (+1, performance 1) when it
// equals the ground truth and "fail" (0) otherwise, and a trial that runs out
// of steps ends with its TimeoutReward. A task with another rule implements
// the optional Judge interface.
//
// A Dataset (NeuroGym's ngym.Dataset) runs BatchSize environments, column i
// on stream i+1 of the seed, and returns time-major batches: Trials gives
// one trial per column from its first step, padded with mask 0; Stream gives
// the next SeqLen steps of each column's endless run of trials, continuing
// across calls.
//
// Tasks register themselves by name (Register, New, Names); Rows and
// Describe give the listing `braingo tasks` prints.
//
// # Time step
//
// dt is in ms: 100 for most NeuroGym tasks, 80 for the timing tasks, 50 for
// ToneDetection, 10 for PulseDecisionMaking, 1 for the spiking tasks; Options.DT changes it (for example to 1 to drive a
// spiking network with a NeuroGym task). Input noise follows NeuroGym's
// σ/√dt scaling.
//
// # Differences from NeuroGym
//
// Reset does not take a first step with a random action, so the first Step
// acts on step 0. Deviations in individual tasks (a fixed scoring bug in
// PostDecisionWager, ground truth added where NeuroGym has none,
// DualDelayMatchSample's performance) are in each task's documentation.
// Where NeuroGym changed a behaviour, braingo follows its current code and
// keeps the old behaviour as a task parameter: fixation_until_decision for
// PerceptualDecisionMaking and ContextDecisionMaking (the fixation cue,
// shown during the fixation period only since May 2025), and score_nogo for
// GoNogo, Detection and DelayPairedAssociation (NeuroGym scores a withheld
// no-go trial 0). HierarchicalReasoning fixes NeuroGym's unseen interval by
// default (neurogym_delay restores it). neurogym_test.go compares every
// task but Bandit and DawTwoStep with NeuroGym's own code, the Yang et al.
// 2019 collection (Yang19) included; brainpy_test.go compares BrainPy's
// SingleContextDecisionMaking with BrainPy's code. docs/tasks.md lists the
// departures.
//
// NeuroGym's continuous-action tasks also implement ContinuousJudge, which
// Env.StepContinuous uses.
package tasks
