package trainer

// Online learning rules (FORCE/RLS, LMS, e-prop, STDP, reward-modulated
// STDP) share one small interface. Each is a caller-driven state machine
// (a caller-driven state machine with Init and Step): it is bound to the network whose weights it trains when it
// is built, the caller advances the network one time step and then calls
// Step, and the rule keeps its own state (the RLS P matrix, eligibility and
// spike traces) between calls. Nothing is stored per time step, so memory does
// not grow with the length of a sequence.

// Signal is what the world tells an online rule at one time step.
type Signal struct {
	// Target is the desired network output at this step, for supervised
	// rules (FORCE, LMS, e-prop); nil when there is none at this step (the
	// rule then only advances its traces).
	Target []float32
	// Reward is the reward delivered at this step, for reward-modulated rules
	// (R-STDP); 0 when none was delivered.
	Reward float64
	// Learn enables weight changes. With Learn false a rule still advances
	// its traces (so learning can be switched on mid-sequence) but leaves
	// every weight as it is: the test phase of a recipe.
	Learn bool
}

// OnlineRule is a learning rule that runs forward in time with its network.
type OnlineRule interface {
	// Reset clears per-sequence state (traces, eligibility, pending
	// updates) at a trial boundary. What was learned stays.
	Reset()
	// Step observes the network's state after one time step and the
	// signal of that step, and updates the rule's state and, if sig.Learn,
	// the weights it trains. An error (a NaN, a wrong target length) leaves
	// the weights as they were.
	Step(sig Signal) error
}
