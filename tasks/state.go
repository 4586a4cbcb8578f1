package tasks

import (
	"errors"
	"fmt"
	"maps"
)

// EnvState is what an Env carries from one trial to the next: its random
// generator, the variables tasks carry across trials and the trial count.
// Restoring it makes the following trials the same as if the Env had never
// stopped (a training checkpoint saves it).
type EnvState struct {
	RNG    []byte             `json:"rng"`
	Carry  map[string]float64 `json:"carry,omitempty"`
	Trials int                `json:"trials"`
}

// State returns the Env's state between trials.
func (e *Env) State() (EnvState, error) {
	b, err := e.src.MarshalBinary()
	if err != nil {
		return EnvState{}, err
	}
	return EnvState{RNG: b, Carry: maps.Clone(e.carry), Trials: e.n}, nil
}

// SetState restores a state State returned.
func (e *Env) SetState(s EnvState) error {
	if err := e.src.UnmarshalBinary(s.RNG); err != nil {
		return fmt.Errorf("tasks: %s: random generator state: %v", e.spec.Name, err)
	}
	clear(e.carry)
	maps.Copy(e.carry, s.Carry)
	e.n, e.trial = s.Trials, nil
	return nil
}

// State returns the states of the dataset's environments. A stream cut in
// the middle of trials cannot be saved (the trials are not).
func (d *Dataset) State() ([]EnvState, error) {
	for i, tr := range d.cur {
		if tr != nil && d.pos[i] < tr.Len {
			return nil, errors.New("tasks: a stream in the middle of a trial has no saved state")
		}
	}
	out := make([]EnvState, len(d.envs))
	for i, e := range d.envs {
		s, err := e.State()
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// SetState restores the states State returned.
func (d *Dataset) SetState(st []EnvState) error {
	if len(st) != len(d.envs) {
		return fmt.Errorf("tasks: state of %d environments for a dataset of %d", len(st), len(d.envs))
	}
	for i, e := range d.envs {
		if err := e.SetState(st[i]); err != nil {
			return err
		}
		d.cur[i], d.pos[i] = nil, 0
	}
	return nil
}

// TrialState is an Env's state in the middle of a trial: the state the
// current trial was drawn from and the actions applied to it since.
// Restoring it draws the trial again and replays the actions, which gives
// the same trial, step, variables and random state as the Env that saved
// it (every random draw of a trial and of its judge comes from the Env's
// source).
type TrialState struct {
	Before  EnvState `json:"before"`
	Actions []int    `json:"actions,omitempty"`
}

// TrialState returns the Env's state in the current trial. A trial stepped
// with StepContinuous has none (its actions are not kept).
func (e *Env) TrialState() (TrialState, error) {
	if e.trial == nil {
		return TrialState{}, fmt.Errorf("tasks: %s: no trial drawn yet", e.spec.Name)
	}
	if e.cont {
		return TrialState{}, fmt.Errorf("tasks: %s: a trial stepped with continuous actions has no saved state", e.spec.Name)
	}
	b, err := e.before.MarshalBinary()
	if err != nil {
		return TrialState{}, err
	}
	return TrialState{Before: EnvState{RNG: b, Carry: maps.Clone(e.beforeCarry), Trials: e.n - 1},
		Actions: append([]int(nil), e.acts...)}, nil
}

// SetTrialState restores a state TrialState returned and gives the
// observation of the current step.
func (e *Env) SetTrialState(s TrialState) ([]float32, error) {
	if err := e.SetState(s.Before); err != nil {
		return nil, err
	}
	tr := e.NewTrial()
	for i, a := range s.Actions {
		if a < 0 || a >= len(e.spec.Actions) {
			return nil, fmt.Errorf("tasks: %s: saved action %d outside [0, %d)", e.spec.Name, a, len(e.spec.Actions))
		}
		if res := e.Step(a); res.NewTrial {
			return nil, fmt.Errorf("tasks: %s: saved trial ended after %d of its %d actions", e.spec.Name, i+1, len(s.Actions))
		}
	}
	return tr.ObsRow(tr.T), nil
}
