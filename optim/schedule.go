package optim

import (
	"errors"
	"fmt"
	"math"
)

// Schedule is a learning-rate schedule in closed form: LR returns the
// learning rate at epoch t (t = 0 before the first Scheduler.Step, counting
// whatever unit the caller steps it by: epochs or batches) of a group whose
// initial learning rate is base.
//
// The schedules of this package are the closed forms of PyTorch's
// torch.optim.lr_scheduler classes of the same names; a Scheduler checks
// them (a zero step size, a missing γ) when it is made.
type Schedule interface {
	LR(base float64, t int) float64
}

// validator is implemented by schedules that can be checked.
type validator interface{ validate() error }

func validateSchedule(s Schedule) error {
	if s == nil {
		return errors.New("nil schedule")
	}
	if v, ok := s.(validator); ok {
		return v.validate()
	}
	return nil
}

// StepLR decays the learning rate by Gamma every StepSize epochs:
//
//	lr(t) = base · γ^⌊t / StepSize⌋
//
// (PyTorch's StepLR.)
type StepLR struct {
	// StepSize is the decay period in epochs; it must be positive.
	StepSize int
	// Gamma is the decay factor γ; zero means 0.1.
	Gamma float64
}

// LR implements Schedule.
func (s StepLR) LR(base float64, t int) float64 {
	return base * math.Pow(orDefault(s.Gamma, 0.1), float64(t/s.StepSize))
}

func (s StepLR) validate() error {
	if s.StepSize <= 0 {
		return fmt.Errorf("StepLR: StepSize %d must be positive", s.StepSize)
	}
	return checkGamma("StepLR", orDefault(s.Gamma, 0.1))
}

// MultiStepLR decays the learning rate by Gamma at each milestone:
//
//	lr(t) = base · γ^(number of milestones ≤ t)
//
// (PyTorch's MultiStepLR; a milestone listed twice decays twice.)
type MultiStepLR struct {
	// Milestones are the epochs at which the rate decays, in any order.
	Milestones []int
	// Gamma is the decay factor γ; zero means 0.1.
	Gamma float64
}

// LR implements Schedule.
func (s MultiStepLR) LR(base float64, t int) float64 {
	n := 0
	for _, m := range s.Milestones {
		if m <= t {
			n++
		}
	}
	return base * math.Pow(orDefault(s.Gamma, 0.1), float64(n))
}

func (s MultiStepLR) validate() error { return checkGamma("MultiStepLR", orDefault(s.Gamma, 0.1)) }

// ExponentialLR decays the learning rate by Gamma every epoch:
//
//	lr(t) = base · γ^t
//
// (PyTorch's ExponentialLR.)
type ExponentialLR struct {
	// Gamma is the decay factor γ; it must be positive (PyTorch has no
	// default).
	Gamma float64
}

// LR implements Schedule.
func (s ExponentialLR) LR(base float64, t int) float64 { return base * math.Pow(s.Gamma, float64(t)) }

func (s ExponentialLR) validate() error { return checkGamma("ExponentialLR", s.Gamma) }

// CosineAnnealingLR anneals the learning rate from base to EtaMin over TMax
// epochs along half a cosine (Loshchilov and Hutter, "SGDR: Stochastic
// Gradient Descent with Warm Restarts", ICLR 2017, without restarts):
//
//	lr(t) = η_min + (base − η_min) · (1 + cos(π t / T_max)) / 2
//
// (the closed form of PyTorch's CosineAnnealingLR; past TMax it rises
// again, with period 2·TMax.)
type CosineAnnealingLR struct {
	// TMax is the number of epochs to the minimum; it must be positive.
	TMax int
	// EtaMin is the minimum learning rate η_min; default 0.
	EtaMin float64
}

// LR implements Schedule.
func (s CosineAnnealingLR) LR(base float64, t int) float64 {
	return s.EtaMin + (base-s.EtaMin)*(1+math.Cos(math.Pi*float64(t)/float64(s.TMax)))/2
}

func (s CosineAnnealingLR) validate() error {
	if s.TMax <= 0 {
		return fmt.Errorf("CosineAnnealingLR: TMax %d must be positive", s.TMax)
	}
	if !(s.EtaMin >= 0) || math.IsInf(s.EtaMin, 0) {
		return fmt.Errorf("CosineAnnealingLR: EtaMin %v must be finite and >= 0", s.EtaMin)
	}
	return nil
}

// Warmup raises the learning rate linearly from StartFactor·base to base
// over Steps epochs, then follows Then, started afresh:
//
//	lr(t) = base · (f₀ + (1 − f₀) · t / Steps)    for t < Steps
//	lr(t) = Then.LR(base, t − Steps)               for t ≥ Steps (base if Then is nil)
//
// The warm-up is PyTorch's LinearLR (end factor 1) and the hand-over its
// SequentialLR with one milestone at Steps.
type Warmup struct {
	// Steps is the length of the warm-up; zero means 5 (LinearLR's
	// total_iters).
	Steps int
	// StartFactor is f₀, in (0, 1]; zero means 1/3 (LinearLR's default).
	StartFactor float64
	// Then is the schedule after the warm-up; nil keeps base.
	Then Schedule
}

// LR implements Schedule.
func (s Warmup) LR(base float64, t int) float64 {
	n := s.Steps
	if n == 0 {
		n = 5
	}
	if t < n {
		f0 := orDefault(s.StartFactor, 1.0/3)
		return base * (f0 + (1-f0)*float64(t)/float64(n))
	}
	if s.Then == nil {
		return base
	}
	return s.Then.LR(base, t-n)
}

func (s Warmup) validate() error {
	if s.Steps < 0 {
		return fmt.Errorf("Warmup: Steps %d must be >= 0", s.Steps)
	}
	if f := orDefault(s.StartFactor, 1.0/3); !(f > 0 && f <= 1) {
		return fmt.Errorf("Warmup: StartFactor %v must be in (0, 1]", s.StartFactor)
	}
	if s.Then != nil {
		if err := validateSchedule(s.Then); err != nil {
			return fmt.Errorf("Warmup: Then: %w", err)
		}
	}
	return nil
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func checkGamma(name string, g float64) error {
	if !(g > 0) || math.IsInf(g, 0) {
		return fmt.Errorf("%s: Gamma %v must be positive and finite", name, g)
	}
	return nil
}

// Scheduler applies a Schedule to an optimizer's parameter groups, driven
// by the caller: each Step advances the epoch and sets every group's
// learning rate to Schedule.LR(base, epoch), base being the group's
// learning rate when the Scheduler was made.
//
//	sched, err := optim.NewScheduler(opt, optim.Warmup{Steps: 500, Then: optim.CosineAnnealingLR{TMax: 9500}})
//	for each batch { ...; opt.Step(); sched.Step() }
type Scheduler struct {
	opt      Optimizer
	schedule Schedule
	base     []float64
	epoch    int
}

// SchedulerState is a Scheduler's state for checkpoints: the epoch and the
// base learning rates of the groups.
type SchedulerState struct {
	Epoch   int
	BaseLRs []float64
}

// NewScheduler records the optimizer's current learning rates as the bases
// and sets each group's rate to its value at epoch 0, as PyTorch's
// schedulers do when made. It returns an error for an invalid schedule.
func NewScheduler(opt Optimizer, s Schedule) (*Scheduler, error) {
	if err := validateSchedule(s); err != nil {
		return nil, fmt.Errorf("optim: NewScheduler: %w", err)
	}
	sc := &Scheduler{opt: opt, schedule: s}
	for _, lr := range opt.LRs() {
		sc.base = append(sc.base, *lr)
	}
	sc.apply()
	return sc, nil
}

// Step advances the epoch by one and sets the groups' learning rates.
func (s *Scheduler) Step() {
	s.epoch++
	s.apply()
}

// Epoch returns the number of Steps taken (PyTorch's last_epoch).
func (s *Scheduler) Epoch() int { return s.epoch }

// LRs returns the groups' learning rates as last set.
func (s *Scheduler) LRs() []float64 {
	lrs := make([]float64, len(s.base))
	for i, b := range s.base {
		lrs[i] = s.schedule.LR(b, s.epoch)
	}
	return lrs
}

// apply sets each group's rate; a group added to the optimizer after the
// Scheduler was made takes its rate at that moment as its base.
func (s *Scheduler) apply() {
	for i, lr := range s.opt.LRs() {
		if i == len(s.base) {
			s.base = append(s.base, *lr)
		}
		*lr = s.schedule.LR(s.base[i], s.epoch)
	}
}

// State returns the scheduler's state.
func (s *Scheduler) State() SchedulerState {
	return SchedulerState{Epoch: s.epoch, BaseLRs: append([]float64(nil), s.base...)}
}

// SetState restores a state taken by State. It does not change the
// optimizer's learning rates, which the optimizer's own state restores.
func (s *Scheduler) SetState(st SchedulerState) error {
	if n := len(s.opt.LRs()); len(st.BaseLRs) != n {
		return fmt.Errorf("optim: Scheduler.SetState: state has %d base learning rates, optimizer has %d groups", len(st.BaseLRs), n)
	}
	if st.Epoch < 0 {
		return fmt.Errorf("optim: Scheduler.SetState: negative epoch %d", st.Epoch)
	}
	s.epoch = st.Epoch
	s.base = append(s.base[:0], st.BaseLRs...)
	return nil
}
