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
