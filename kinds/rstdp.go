package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/trainer"
)

// TaskRSTDPKind is the recipe kind of a spiking decision network trained
// on a two-choice (or n-choice) task by reward-modulated STDP: Poisson input
// populations code the observations, competing output populations with
// lateral inhibition choose, and the task's reward minus a running
// baseline, delivered at the decision, turns the synapses' STDP
// eligibility traces into weight changes (Izhikevich 2007; Florian 2007).
const TaskRSTDPKind = "task-rstdp"

func init() {
	recipes.RegisterKind(TaskRSTDPKind, func() any { return new(TaskRSTDP) })
}

// TaskRSTDP is the spec of a task-rstdp recipe.
type TaskRSTDP struct {
	Seed int      `yaml:"seed" default:"1" help:"seed of weights, trials and spikes" alias:"seed"`
	Task TaskSpec `yaml:"task"`
	Net  struct {
		PerInput   int     `yaml:"per_input" default:"20" help:"Poisson input neurons per observation channel"`
		MaxRate    float64 `yaml:"max_rate" default:"100" help:"input rate in Hz for an observation of 1 (rate = max(0, obs)·max_rate)"`
		PerChoice  int     `yaml:"per_choice" default:"20" help:"output LIF neurons per choice"`
		SimDT      float64 `yaml:"sim_dt" default:"1" help:"simulation step in ms (the task step is split into task.dt/sim_dt steps)"`
		TauMem     float64 `yaml:"tau_mem" default:"20" help:"output membrane time constant in ms"`
		TauSyn     float64 `yaml:"tau_syn" default:"5" help:"output synaptic time constant in ms"`
		WMax       float64 `yaml:"w_max" default:"0.02" help:"largest input weight"`
		Inhibition float64 `yaml:"inhibition" default:"0.01" help:"lateral inhibition per output spike onto the other populations"`
		NoiseRate  float64 `yaml:"noise_rate" default:"0" help:"Poisson background rate per output neuron in Hz"`
		Normalize  bool    `yaml:"normalize" default:"true" help:"synaptic scaling: after each reward, rescale every output neuron's input weights to their initial total"`
		Fixation   bool    `yaml:"encode_fixation" default:"false" help:"also code the fixation observation by an input population (it always cues the decision)"`
	} `yaml:"net"`
	Plasticity struct {
		Rule        string  `yaml:"rule" default:"pair" enum:"pair,nearest,triplet" help:"STDP rule feeding the eligibility traces"`
		APlus       float64 `yaml:"a_plus" default:"1" help:"STDP potentiation amplitude (in eligibility units)"`
		AMinus      float64 `yaml:"a_minus" default:"0.5" help:"STDP depression amplitude"`
		TauPlus     float64 `yaml:"tau_plus" default:"20" help:"presynaptic trace time constant in ms"`
		TauMinus    float64 `yaml:"tau_minus" default:"20" help:"postsynaptic trace time constant in ms"`
		TauElig     float64 `yaml:"tau_elig" default:"1000" help:"eligibility trace time constant in ms"`
		TauDopamine float64 `yaml:"tau_dopamine" default:"0" help:"dopamine trace time constant in ms (0: the reward acts at its step only)"`
		LR          float64 `yaml:"lr" range:"(0,)" default:"2e-5" help:"weight change per unit of reward and eligibility" alias:"lr"`
		Baseline    float64 `yaml:"baseline" default:"0.05" help:"rate of the running reward baseline subtracted from the reward"`
	} `yaml:"plasticity"`
	Train struct {
		Epochs        int     `yaml:"epochs" range:"[1,)" default:"10" help:"epochs (each: training trials, then an evaluation)" alias:"epochs"`
		Trials        int     `yaml:"trials" range:"[1,)" default:"100" help:"training trials per epoch" alias:"batches"`
		Block         int     `yaml:"block" default:"10" help:"trials per progress step"`
		EvalTrials    int     `yaml:"eval_trials" range:"[1,)" default:"400" help:"trials played with learning off after each epoch" alias:"eval_trials"`
		Target        float64 `yaml:"target" default:"0" help:"stop once performance reaches this (0: never)"`
		TaskSelection `yaml:",inline"`
	} `yaml:"train"`
}

// Validate checks cross-field constraints.
func (c *TaskRSTDP) Validate() error {
	switch {
	case c.Train.Epochs < 1 || c.Train.Trials < 1 || c.Train.Block < 1:
		return recipes.Invalid("train.trials", "epochs, trials and block must be at least 1")
	case c.Net.PerInput < 1 || c.Net.PerChoice < 1:
		return recipes.Invalid("net.per_input", "per_input and per_choice must be at least 1")
	case c.Net.SimDT <= 0:
		return recipes.Invalid("net.sim_dt", "must be positive, got %v", c.Net.SimDT)
	case c.Net.MaxRate < 0 || c.Net.MaxRate*c.Net.SimDT > 1000:
		return recipes.Invalid("net.max_rate", "must be in [0, 1000/sim_dt] Hz, got %v", c.Net.MaxRate)
	case c.Plasticity.Baseline < 0 || c.Plasticity.Baseline > 1:
		return recipes.Invalid("plasticity.baseline", "must be in [0, 1], got %v", c.Plasticity.Baseline)
	}
	return nil
}

// rstdpTrain is the loop's task: blocks of training trials.
type rstdpTrain struct {
	a   *trainer.RSTDPAgent
	env *tasks.Env
	obs []float32
	// pre is env's state at the start of the current trial, which was
	// drawn from it: restoring it and drawing again gives that trial
	// (checkpoints hold it).
	pre     tasks.EnvState
	trials  int
	block   int
	correct float64
}

func (t *rstdpTrain) Batches(int) int { return (t.trials + t.block - 1) / t.block }

func (t *rstdpTrain) TrainStep(epoch, b int) (trainer.StepResult, error) {
	n := min(t.block, t.trials-b*t.block)
	var res trainer.StepResult
	var perf, rew float64
	for range n {
		pre, err := t.env.State()
		if err != nil {
			return res, err
		}
		t.pre = pre
		p, r, next, err := t.a.Trial(t.env, t.obs, true)
		if err != nil {
			return res, err
		}
		t.obs = next
		perf += p
		rew += r
	}
	res.Samples = n
	res.Correct = int(perf + 0.5)
	res.Loss = -rew / float64(n) // the negative mean reward
	return res, nil
}

// nopOptimizer stands in for an optimizer: R-STDP changes the weights
// itself.
type nopOptimizer struct{}

func (nopOptimizer) Step() error                { return nil }
func (nopOptimizer) ZeroGrad()                  {}
func (nopOptimizer) State() optim.State         { return optim.State{} }
func (nopOptimizer) SetState(optim.State) error { return nil }

const rstdpCheckpointFormat = "braingo-rstdp/1"

// rstdpRun is a built task-rstdp run.
type rstdpRun struct {
	task    tasks.Task
	o       tasks.Options
	env     *tasks.Env
	spec    tasks.Spec
	choices int
	agent   *trainer.RSTDPAgent
	weights *tensor.Tensor
}

// prepare builds a task-rstdp run: the training environment, the network,
// its rule and agent.
func (c *TaskRSTDP) prepare() (*rstdpRun, error) {
	task, o, err := c.Task.options(uint64(c.Seed))
	if err != nil {
		return nil, err
	}
	env, err := tasks.NewEnv(task, o)
	if err != nil {
		return nil, recipes.Invalid("task", "%v", err)
	}
	spec := env.Spec()
	fix := -1
	for i, name := range spec.Obs {
		if name == "fixation" {
			fix = i
		}
	}
	if !spec.HasFixation() || fix < 0 {
		return nil, recipes.Invalid("task.name", "%s: task-rstdp needs a fixation action and a fixation observation whose offset cues the decision", spec.Name)
	}
	choices := len(spec.Actions) - 1
	if choices < 2 {
		return nil, recipes.Invalid("task.name", "%s has %d choices, want at least 2", spec.Name, choices)
	}
	sub := int(math.Round(spec.DT / c.Net.SimDT))
	if sub < 1 || math.Abs(float64(sub)*c.Net.SimDT-spec.DT) > 1e-9*spec.DT {
		return nil, recipes.Invalid("net.sim_dt", "the task step %v ms is not a multiple of sim_dt %v ms", spec.DT, c.Net.SimDT)
	}
	var chans []int
	for i := range spec.Obs {
		if i != fix || c.Net.Fixation {
			chans = append(chans, i)
		}
	}
	nin := len(chans) * c.Net.PerInput
	wr := rand.New(rand.NewPCG(uint64(c.Seed), 0x57d9))
	net, err := networks.NewCompetition(networks.CompetitionConfig{Inputs: nin, Choices: choices, PerChoice: c.Net.PerChoice,
		DT: c.Net.SimDT, TauMem: c.Net.TauMem, TauSyn: c.Net.TauSyn, WMax: c.Net.WMax, Inhibition: c.Net.Inhibition,
		NoiseRate: c.Net.NoiseRate}, wr)
	if err != nil {
		return nil, recipes.Invalid("net", "%v", err)
	}
	p := c.Plasticity
	rule, err := trainer.NewRSTDP(net.W, nin, net.Outputs(), trainer.RSTDPConfig{
		STDPConfig: trainer.STDPConfig{Rule: p.Rule, APlus: p.APlus, AMinus: p.AMinus, TauPlus: p.TauPlus, TauMinus: p.TauMinus,
			DT: c.Net.SimDT, WMin: 0, WMax: c.Net.WMax},
		TauElig: p.TauElig, TauDopamine: p.TauDopamine, LR: p.LR})
	if err != nil {
		return nil, recipes.Invalid("plasticity", "%v", err)
	}
	src := rand.NewPCG(uint64(c.Seed), 0x5b1e)
	agent := &trainer.RSTDPAgent{Net: net, Rule: rule, Task: spec.Name, Fix: fix, Chans: chans, Sub: sub, PerInput: c.Net.PerInput,
		SpikeProb: c.Net.MaxRate * c.Net.SimDT / 1000, BaselineRate: c.Plasticity.Baseline, Normalize: c.Net.Normalize,
		RNG: rand.New(src), Src: src}
	weights := tensor.NewParam("rstdp.w", []int{nin, net.Outputs()}, net.W)
	return &rstdpRun{task: task, o: o, env: env, spec: spec, choices: choices, agent: agent, weights: weights}, nil
}

// rstdpState is the random state a task-rstdp run carries from one epoch
// to the next: the agent's generator, the reward baseline, and the
// training environment's state before it drew the pending trial.
type rstdpState struct {
	Agent    []byte         `json:"agent"`
	Baseline float64        `json:"baseline"`
	Env      tasks.EnvState `json:"env"`
}

// evaluate plays the evaluation trials: a fresh environment on a seed of
// its own, learning off, the same trials at every evaluation (the agent's
// training generator is left as it was). It returns the performance, mean
// reward, output rate (Hz) and the trials, appended to records.
func (rr *rstdpRun) evaluate(c *TaskRSTDP, records []trainer.TrialRecord) (perf, rew, rate float64, _ []trainer.TrialRecord, err error) {
	return rr.evaluateOps(c, records, nil)
}

// evaluateOps is evaluate that also counts the synaptic operations per
// trial into ops (when not nil).
func (rr *rstdpRun) evaluateOps(c *TaskRSTDP, records []trainer.TrialRecord, ops *opCount) (perf, rew, rate float64, _ []trainer.TrialRecord, err error) {
	return rr.play(c, uint64(c.Seed)+testSeed, 0xe7a1, c.Train.EvalTrials, records, ops)
}

// validate plays the validation trials as evaluateOps plays the test
// trials, on environments and choices of their own seeds (never trained or
// tested on), the same trials at every epoch.
func (rr *rstdpRun) validate(c *TaskRSTDP, records []trainer.TrialRecord, ops *opCount) (perf, rew, rate float64, _ []trainer.TrialRecord, err error) {
	return rr.play(c, uint64(c.Seed)+valSeed, valSeed, c.Train.Validation, records, ops)
}

// play plays n trials with learning off on a fresh environment of seed
// envSeed, the agent's random choices drawn from stream of the recipe's
// seed, and restores the agent's training generator after.
func (rr *rstdpRun) play(c *TaskRSTDP, envSeed, stream uint64, n int, records []trainer.TrialRecord, ops *opCount) (perf, rew, rate float64, _ []trainer.TrialRecord, err error) {
	agent := rr.agent
	evalOpts := rr.o
	evalOpts.Seed = envSeed
	eenv, err := tasks.NewEnv(rr.task, evalOpts)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	saved := agent.RNG
	defer func() { agent.RNG = saved }()
	agent.RNG = rand.New(rand.NewPCG(uint64(c.Seed), stream))
	agent.Spikes, agent.Steps, agent.InSpikes = 0, 0, 0
	obs := eenv.Reset()
	for range n {
		vars := map[string]float64{}
		for k, v := range eenv.Trial().Vars {
			vars[k] = v
		}
		pf, rw, next, err := agent.Trial(eenv, obs, false)
		if err != nil {
			return 0, 0, 0, nil, err
		}
		obs, perf, rew = next, perf+pf, rew+rw
		records = append(records, trainer.TrialRecord{Vars: vars, Choice: agent.Choice, Reward: rw, Performance: pf})
	}
	fn := float64(max(1, n))
	rate = 1000 * agent.Spikes / math.Max(1, agent.Steps) / c.Net.SimDT
	if ops != nil {
		*ops = competitionOps(agent.Net.Cfg, agent.InSpikes/fn, agent.Spikes/fn)
	}
	return perf / fn, rew / fn, rate, records, nil
}

// Evaluate plays the evaluation trials of training's per-epoch evaluation
// with the checkpoint's weights: the last epoch's performance and mean
// reward, bit for bit; for a validated run, with the best validation
// epoch's weights (best.bgc): test.json's figures.
func (c *TaskRSTDP) Evaluate(d *RunDir) (Report, error) {
	if err := needCheckpoint(d); err != nil {
		return nil, err
	}
	rr, err := c.prepare()
	if err != nil {
		return nil, err
	}
	if _, err := restoreTraining(bestOrLast(d), rstdpCheckpointFormat, []*tensor.Tensor{rr.weights}, nil); err != nil {
		return nil, err
	}
	perf, rew, _, recs, err := rr.evaluate(c, nil)
	if err != nil {
		return nil, err
	}
	return &taskReport{d.Dir, &TaskEvaluation{Task: rr.spec.Name, Trials: len(recs), Performance: perf, MeanReward: rew,
		Regret: math.NaN(), RegretFixed: math.NaN()}}, nil
}

// Run trains a task-rstdp recipe into opts.Dir.
func (c *TaskRSTDP) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	rr, err := c.prepare()
	if err != nil {
		return err
	}
	env, spec, choices, agent, weights := rr.env, rr.spec, rr.choices, rr.agent, rr.weights
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	startEpoch := 1
	ckpt := filepath.Join(opts.Dir, CheckpointFile)
	var history []eval.EpochRecord
	ep, history, err := opts.resume(func(path string) (int, error) {
		ep, rng, err := restoreTrainingRNG(path, rstdpCheckpointFormat, []*tensor.Tensor{weights}, nopOptimizer{})
		if err != nil || rng == nil {
			return ep, err // older checkpoints hold the weights only
		}
		var st rstdpState
		if err := json.Unmarshal(rng, &st); err != nil {
			return 0, fmt.Errorf("checkpoint %s: random state: %v", path, err)
		}
		if err := agent.Src.UnmarshalBinary(st.Agent); err != nil {
			return 0, fmt.Errorf("checkpoint %s: random state: %v", path, err)
		}
		if err := env.SetState(st.Env); err != nil {
			return 0, fmt.Errorf("checkpoint %s: %v", path, err)
		}
		agent.Base = st.Baseline
		return ep, nil
	})
	if err != nil {
		return err
	}
	startEpoch = ep + 1
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	train := &rstdpTrain{a: agent, env: env, obs: env.Reset(), trials: c.Train.Trials, block: c.Train.Block}
	start := time.Now()
	var trainSeconds, lastPerf float64
	var records []trainer.TrialRecord
	// With validation trials, each epoch is scored on them, and the best
	// epoch's weights are kept for the one test evaluation at the end.
	validated := c.Train.Validation > 0
	measure := "performance"
	if validated {
		measure = "val_performance"
	}
	sel := newSelection(measure, c.Train.Patience, history)
	hook := trainer.EpochFunc{Label: "evaluate", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		trainSeconds += e.TrainSeconds
		var perf, rew, rate float64
		var err error
		var ops opCount
		if validated {
			perf, rew, rate, records, err = rr.validate(c, records[:0], &ops)
		} else {
			perf, rew, rate, records, err = rr.evaluateOps(c, records[:0], &ops)
		}
		if err != nil {
			return err
		}
		lastPerf = perf
		e.Extra[measure] = perf
		rec := eval.NewRecord(e.Epoch)
		rec.TrainLoss, rec.TrainAcc = e.TrainLoss, e.TrainAcc
		rec.Seconds, rec.SamplesPerSec = e.TrainSeconds, e.SamplesPerS
		rec.Extra = map[string]float64{"output_rate_hz": rate, "baseline": agent.Base, "peak_rss_mb": sysinfo.PeakRSSMB()}
		line := TaskLine{Epoch: e.Epoch, TrainSeconds: trainSeconds, TotalSeconds: time.Since(start).Seconds(),
			TrainLoss: e.TrainLoss, TrainAcc: e.TrainAcc, HiddenRate: agent.Spikes / math.Max(1, agent.Steps), SynOps: ops.total(), PeakRSSMB: sysinfo.PeakRSSMB()}
		if validated {
			rec.Extra["val_performance"], rec.Extra["val_mean_reward"] = perf, rew
			line.ValPerformance, line.ValMeanReward = &perf, &rew
		} else {
			rec.TestAcc = perf
			rec.Extra["performance"], rec.Extra["mean_reward"] = perf, rew
			line.Performance, line.MeanReward = &perf, &rew
		}
		ops.add(rec.Extra)
		history = append(history, rec)
		if err := opts.AppendMetrics(rec); err != nil {
			return err
		}
		ab, err := agent.Src.MarshalBinary()
		if err != nil {
			return err
		}
		rng, err := json.Marshal(rstdpState{Agent: ab, Baseline: agent.Base, Env: train.pre})
		if err != nil {
			return err
		}
		if validated && sel.improved(perf) {
			if err := saveTrainingRNG(opts.Path(BestFile), rstdpCheckpointFormat, r, []*tensor.Tensor{weights}, nopOptimizer{}, e.Epoch, rng); err != nil {
				return err
			}
		}
		if err := saveTrainingRNG(ckpt, rstdpCheckpointFormat, r, []*tensor.Tensor{weights}, nopOptimizer{}, e.Epoch, rng); err != nil {
			return err
		}
		if opts.JSON {
			if err := json.NewEncoder(opts.Stdout).Encode(line); err != nil {
				return err
			}
		} else {
			set := "test"
			if validated {
				set = "validation"
			}
			fmt.Fprintf(opts.Stderr, "epoch %d: training performance %.3f, %s performance %.3f, reward %.3f, output rate %.1f Hz\n",
				e.Epoch, e.TrainAcc, set, perf, rew, rate)
		}
		if c.Train.Target > 0 && perf >= c.Train.Target {
			return trainer.ErrStop
		}
		return nil
	}}
	hooks := append([]trainer.Hook{&trainer.Progress{W: opts.Stderr, Force: opts.ForceProgress}, hook}, sel.hooks()...)
	loop := &trainer.Loop{Task: train, Optimizer: nopOptimizer{}, Epochs: c.Train.Epochs, StartEpoch: startEpoch, Hooks: hooks}
	runErr := loop.Run(ctx)
	if len(history) == 0 {
		return runErr
	}
	files := []string{recipes.EchoFile, eval.MetricsFile, CheckpointFile, eval.CurvesFile}
	if validated && runErr == nil {
		// The test trials, once, with the best validation epoch's weights;
		// the psychometric curve and the summary are then the test's.
		if lastPerf, records, err = rr.test(c, opts, sel.best, records[:0]); err != nil {
			return err
		}
		files = append(files, BestFile, TestFile)
	}
	if err := eval.WriteCurves(opts.Dir, history); err != nil && runErr == nil {
		runErr = err
	}
	// Percent choice of the second option against the signed coherence,
	// for tasks whose trials carry one ("coh"), from the last evaluation.
	var psy *eval.Psychometric
	if choices == 2 && runErr == nil {
		if p := eval.PsychometricFromTrials(records, "coh", 1); len(p.X) > 1 {
			psy = &p
			if err := eval.WritePsychometric(filepath.Join(opts.Dir, eval.PsychometricFile), p, "signed coherence (%)", spec.Actions[len(spec.Actions)-1]); err != nil {
				return err
			}
			files = append(files, eval.PsychometricFile)
		}
	}
	if opts.JSON || runErr != nil {
		return runErr
	}
	w := opts.Stdout
	fmt.Fprintf(w, "\n%s by reward-modulated STDP: %d epochs, performance %.1f%%\n", spec.Name, len(history), 100*lastPerf)
	if err := eval.WriteEpochTable(w, history); err != nil {
		return err
	}
	if psy != nil {
		fmt.Fprintf(w, "psychometric: logistic bias %.3f slope %.3f per %% coherence\n", psy.Fit.Bias, psy.Fit.Slope)
	}
	fmt.Fprintf(w, "run directory %s: %s\n", opts.Dir, strings.Join(files, ", "))
	return nil
}

// test plays the test trials once with the best validation epoch's
// weights (best.bgc, of validation performance best), writes test.json and
// returns the test performance and the trials appended to records.
func (rr *rstdpRun) test(c *TaskRSTDP, opts *RunDir, best float64, records []trainer.TrialRecord) (float64, []trainer.TrialRecord, error) {
	ep, _, err := restoreMeta(opts.Path(BestFile), rstdpCheckpointFormat, []*tensor.Tensor{rr.weights}, nil)
	if err != nil {
		return 0, nil, err
	}
	perf, rew, _, records, err := rr.evaluate(c, records)
	if err != nil {
		return 0, nil, err
	}
	out := TaskTestResult{BestEpoch: ep, ValPerformance: best, Performance: perf, MeanReward: rew, Trials: c.Train.EvalTrials}
	if err := writeTestFile(opts, out); err != nil {
		return 0, nil, err
	}
	if opts.JSON {
		return perf, records, json.NewEncoder(opts.Stdout).Encode(out)
	}
	fmt.Fprintf(opts.Stdout, "\ntest performance %.1f%% with the weights of epoch %d (best validation performance %.1f%%)\n",
		100*out.Performance, ep, 100*best)
	return perf, records, nil
}
