package tasks

// Inputs is the number of observation channels: the input size of a network
// that plays the task (len(s.Obs)).
func (s Spec) Inputs() int { return len(s.Obs) }

// Outputs is the output size of a network that plays the task: one logit per
// discrete action, or, for a task with continuous targets only, one output
// per target dimension.
func (s Spec) Outputs() int {
	if len(s.Actions) == 0 {
		return len(s.Targets)
	}
	return len(s.Actions)
}

// StepMs is the time step of the task in ms (s.DT; for a Dataset's or an
// Env's Spec, the effective step after Options.DT).
func (s Spec) StepMs() float64 { return s.DT }
