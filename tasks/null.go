package tasks

func init() {
	Register("Null", func(Params) (Task, error) { return &Null{}, nil })
}

// Null is NeuroGym's null environment (neurogym/envs/native/null.py): it
// shows a constant 0 and ignores its single action, never rewarding. Its
// trials have no periods, so NeuroGym ends them when the time reaches
// TrialEnv's initial tmax of 10,000 ms: 100 steps at the default dt of
// 100 ms. Here that is one 10,000 ms period, "trial"; performance is 0.
type Null struct{}

func (t *Null) Spec() Spec {
	return Spec{
		Name:    "Null",
		Summary: "a constant 0 observation and no reward (a placeholder)",
		Source:  "NeuroGym null.py",
		DT:      100,
		Periods: periods("trial", Constant(10000)),
		Obs:     []string{"null"},
		Actions: []string{"none"},
		Rewards: map[string]float64{},
	}
}

func (t *Null) NewTrial(tr *Trial) { tr.Add("trial") }

// Judge never rewards and never ends a trial early.
func (t *Null) Judge(*Trial, int) Outcome { return Outcome{} }
