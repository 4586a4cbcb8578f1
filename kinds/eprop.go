package kinds

import (
	"context"
	"io"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/trainer"
)

// TaskEPropKind is the recipe kind of a recurrent spiking network (LIF or
// ALIF) trained on a cognitive task by e-prop (Bellec et al. 2020): online
// eligibility traces, the batch's summed gradient applied by Adam.
const TaskEPropKind = "task-eprop"

func init() {
	recipes.RegisterKind(TaskEPropKind, func() any { return new(TaskEProp) })
}

// TaskEProp is the spec of a task-eprop recipe.
type TaskEProp struct {
	Seed    int       `yaml:"seed" default:"1" help:"seed of initialization, trials and feedback" alias:"seed"`
	Threads int       `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`
	Task    TaskSpec  `yaml:"task"`
	Model   TaskModel `yaml:"model"`
	Train   struct {
		TaskLoop      `yaml:",inline"`
		Feedback      string  `yaml:"feedback" default:"symmetric" enum:"symmetric,random,adaptive" help:"learning-signal weights: readout transposed, fixed random (feedback alignment), or random and trained like the readout" alias:"feedback"`
		FeedbackDecay float64 `yaml:"feedback_decay" default:"0" help:"adaptive feedback: weight decay"`
		RateReg       float64 `yaml:"rate_reg" default:"0" help:"firing-rate regularizer weight (Bellec et al.'s c_reg)"`
		RateTarget    float64 `yaml:"rate_target" default:"0" help:"target rate of the regularizer in spikes per step"`
	} `yaml:"train"`
}

// Validate checks cross-field constraints.
func (c *TaskEProp) Validate() error {
	switch {
	case c.Model.Type != "rsnn":
		return recipes.Invalid("model.type", "e-prop trains a recurrent spiking network: want rsnn, got %q", c.Model.Type)
	case c.Model.Neuron != "lif" && c.Model.Neuron != "alif":
		return recipes.Invalid("model.neuron", "e-prop supports lif and alif, got %q", c.Model.Neuron)
	case c.Model.HiddenGain != 1:
		return recipes.Invalid("model.hidden_gain", "e-prop supports no current gain: want 1, got %v", c.Model.HiddenGain)
	case c.Model.TauIn != 0:
		return recipes.Invalid("model.tau_in", "e-prop supports no input stage: want 0, got %v", c.Model.TauIn)
	}
	return c.Model.validate()
}

// Run trains a task-eprop recipe into opts.Dir.
func (c *TaskEProp) Run(ctx context.Context, opts *RunDir) error {
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	tr, seq, err := c.prepare(opts.Recipe, opts)
	if err != nil {
		return err
	}
	return tr.run(ctx, seq, c.Train.Epochs, c.Train.Optim)
}

// prepare builds a task-eprop run: its network, evaluation agent and e-prop
// sequence, whose trial generators' state goes into checkpoints.
func (c *TaskEProp) prepare(r *recipes.Recipe, opts *RunDir) (*taskRun, *trainer.EPropSequence, error) {
	task, o, err := c.Task.options(uint64(c.Seed))
	if err != nil {
		return nil, nil, err
	}
	ds, err := tasks.NewDataset(task, o, tasks.DatasetConfig{BatchSize: c.Train.BatchSize})
	if err != nil {
		return nil, nil, recipes.Invalid("task", "%v", err)
	}
	spec := ds.Spec()
	if len(spec.Actions) == 0 {
		return nil, nil, recipes.Invalid("task.name", "%s has no discrete actions to score", spec.Name)
	}
	rec, err := c.Model.build(len(spec.Obs), len(spec.Actions), spec.DT, c.Seed)
	if err != nil {
		return nil, nil, err
	}
	net := rec.(*networks.RSNN)
	run, err := net.NewRun(c.Train.BatchSize)
	if err != nil {
		return nil, nil, recipes.Invalid("model", "%v", err)
	}
	rule, err := trainer.NewEProp(run, trainer.EPropConfig{Feedback: c.Train.Feedback, FeedbackDecay: c.Train.FeedbackDecay,
		RateReg: c.Train.RateReg, RateTarget: c.Train.RateTarget, Seed: uint64(c.Seed)})
	if err != nil {
		return nil, nil, recipes.Invalid("train", "%v", err)
	}
	var extra []*tensor.Tensor
	if rule.Feedback != nil && rule.Feedback.RequiresGrad() {
		extra = append(extra, rule.Feedback)
	}
	tr := &taskRun{r: r, opts: opts, spec: spec, net: net, extra: extra, seed: uint64(c.Seed), target: c.Train.Target, evalN: c.Train.EvalTrials,
		data: ds}
	tr.agent = &trainer.Agent{Net: net, Actions: len(spec.Actions), Columns: c.Train.BatchSize, Envs: evalEnvs(task, o, uint64(c.Seed)+testSeed)}
	tr.validation(c.Train.TaskSelection, evalEnvs(task, o, uint64(c.Seed)+valSeed))
	return tr, &trainer.EPropSequence{Rule: rule, Data: ds, Steps: c.Train.Batches}, nil
}

// Evaluate plays the evaluation trials of training's per-epoch evaluation
// with the checkpoint's network: the last epoch's performance and mean
// reward, bit for bit.
func (c *TaskEProp) Evaluate(d *RunDir) (Report, error) {
	if err := needCheckpoint(d); err != nil {
		return nil, err
	}
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	tr, _, err := c.prepare(d.Recipe, &RunDir{RunOptions: RunOptions{Dir: d.Dir, Stdout: io.Discard, Stderr: io.Discard}, Recipe: d.Recipe})
	if err != nil {
		return nil, err
	}
	return evaluateTaskRun(tr, d.Dir)
}
