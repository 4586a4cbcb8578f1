package trainer

import (
	"fmt"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
)

// NewSequence returns BPTT training of net on the trial-aligned batches of
// data, with the defaults of Sequence's fields (100 batches an epoch), and
// Continuous set when the task has continuous targets and no actions. It
// panics when net's sizes do not fit the task (networks.NewRSNNForTask and
// the task's Spec().Inputs and Outputs give a network that does).
func NewSequence(net networks.Recurrent, data *tasks.Dataset) *Sequence {
	spec := data.Spec()
	if net.Inputs() != spec.Inputs() || net.Outputs() < spec.Outputs() {
		panic(fmt.Sprintf("trainer: NewSequence: a network of %d inputs and %d outputs cannot play %s (%d observations, %d outputs)",
			net.Inputs(), net.Outputs(), spec.Name, spec.Inputs(), spec.Outputs()))
	}
	return &Sequence{Net: net, Data: data, Continuous: len(spec.Targets) > 0 && len(spec.Actions) == 0}
}

// NewAgent returns an Agent that plays task with net in columns
// environments side by side (0: 16), each built with options o on seed
// seed and stream column+1: evaluation environments that are the same at
// every call of Play. It panics when net's sizes do not fit the task.
func NewAgent(net networks.Recurrent, task tasks.Task, o tasks.Options, seed uint64, columns int) *Agent {
	env, err := tasks.NewEnv(task, o)
	if err != nil {
		panic("trainer: NewAgent: " + err.Error())
	}
	spec := env.Spec()
	if net.Inputs() != spec.Inputs() || net.Outputs() < len(spec.Actions) {
		panic(fmt.Sprintf("trainer: NewAgent: a network of %d inputs and %d outputs cannot play %s (%d observations, %d actions)",
			net.Inputs(), net.Outputs(), spec.Name, spec.Inputs(), len(spec.Actions)))
	}
	return &Agent{Net: net, Actions: len(spec.Actions), Columns: columns,
		Envs: func(col, _ int) (*tasks.Env, map[string]float64, error) {
			oo := o
			oo.Seed, oo.Stream = seed, uint64(col+1)
			e, err := tasks.NewEnv(task, oo)
			return e, nil, err
		}}
}

// PlayStats are the figures of a PlayResult as plain fields.
type PlayStats struct {
	Trials      int     // finished trials
	Performance float64 // mean performance per trial (the task's own score)
	MeanReward  float64 // mean reward per trial
}

// Stats returns the result's figures as fields: Performance and MeanReward
// are methods of PlayResult (res.Performance(), not res.Performance), and
// Stats gives them, with the number of trials, as one value to print or
// store.
func (p *PlayResult) Stats() PlayStats {
	return PlayStats{Trials: len(p.Trials), Performance: p.Performance(), MeanReward: p.MeanReward()}
}
