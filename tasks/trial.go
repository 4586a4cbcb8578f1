package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Trial is one trial laid out in steps of DT ms: its periods, the
// observation of every step, the ground-truth action of every step, an
// optional continuous target, a loss mask and the trial's variables. A task's
// NewTrial fills it with the helpers below (NeuroGym's add_period, add_ob,
// add_randn, set_ob, set_groundtruth); the engine then steps through it.
//
// Periods must all be added before observations are written, as in NeuroGym;
// steps are indices 0..Len-1 and a period covers [Start, End).
type Trial struct {
	DT      float64    // ms per step
	Rng     *rand.Rand // the environment's random source
	Len     int        // steps
	Periods []Period
	// Obs holds Len rows of len(Spec.Obs) values, row-major by step.
	Obs []float32
	// GT is the ground-truth action of every step (0 where none is set).
	GT []int
	// Target holds Len rows of len(Spec.Targets) continuous targets.
	Target []float32
	// Mask weighs every step's loss; 1 unless the task sets it (the spiking
	// tasks score only their response period).
	Mask []float32
	// Vars are the trial's variables ("ground_truth", "coh", ...), for
	// judges, analysis and tests.
	Vars map[string]float64
	// Carry persists from trial to trial within one environment (DawTwoStep's
	// reward contingency).
	Carry map[string]float64
	// Rewards are the effective rewards, Abort the effective abort flag.
	Rewards map[string]float64
	Abort   bool
	// Performance is reported when the trial ends; NewTrial may preset it
	// (GoNogo's no-go trials start at 1) and judges update it.
	Performance float64
	// TimeoutReward is added when the trial runs out of steps without a
	// judge ending it (NeuroGym's r_tmax; GoNogo's "miss").
	TimeoutReward float64
	// T is the current step while the engine steps the trial.
	T int
	// Index counts the trials drawn by the environment before this one.
	Index int

	spec     *Spec
	where    map[string][]int
	nobs     int
	ntarget  int
	obsBuilt bool
	built    bool
}

// Spec is the effective spec of the environment that drew the trial.
func (tr *Trial) Spec() *Spec { return tr.spec }

// Sample draws the duration of a period from the spec's timing, in ms
// rounded down to a multiple of DT.
func (tr *Trial) Sample(period string) float64 {
	tm, ok := tr.spec.Timing(period)
	if !ok {
		panic(fmt.Sprintf("tasks: %s has no timing for period %q", tr.spec.Name, period))
	}
	return float64(tm.Sample(tr.Rng, tr.DT)) * tr.DT
}

// Add appends periods one after another at the current end of the trial,
// each with a duration drawn from the spec's timing.
func (tr *Trial) Add(periods ...string) {
	for _, p := range periods {
		tr.AddFor(p, tr.Sample(p))
	}
}

// AddFor appends a period of ms milliseconds (rounded down to a multiple of
// DT) at the current end of the trial.
func (tr *Trial) AddFor(period string, ms float64) {
	tr.AddAt(period, float64(tr.Len)*tr.DT, ms)
}

// AddAt places a period starting at startMS lasting ms milliseconds, both
// rounded down to multiples of DT; periods may overlap (NeuroGym's
// add_period with after=).
func (tr *Trial) AddAt(period string, startMS, ms float64) {
	if tr.obsBuilt {
		panic("tasks: " + tr.spec.Name + ": period " + period + " added after observations were written")
	}
	if tr.period(period) != nil {
		panic("tasks: " + tr.spec.Name + ": period " + period + " added twice")
	}
	s := floorSteps(startMS, tr.DT)
	e := s + floorSteps(ms, tr.DT)
	tm, _ := tr.spec.Timing(period)
	tr.Periods = append(tr.Periods, Period{Name: period, Timing: tm, Start: s, End: e})
	if e > tr.Len {
		tr.Len = e
	}
}

func (tr *Trial) period(name string) *Period {
	for i := range tr.Periods {
		if tr.Periods[i].Name == name {
			return &tr.Periods[i]
		}
	}
	return nil
}

// Span returns the steps [start, end) of a period; the empty name means the
// whole trial. It panics for a period the trial does not have.
func (tr *Trial) Span(period string) (start, end int) {
	if period == "" {
		return 0, tr.Len
	}
	p := tr.period(period)
	if p == nil {
		panic(fmt.Sprintf("tasks: %s: trial has no period %q", tr.spec.Name, period))
	}
	return p.Start, p.End
}

// Has reports whether the trial has a period.
func (tr *Trial) Has(period string) bool { return tr.period(period) != nil }

// In reports whether step t lies in a period (false if the trial lacks it).
func (tr *Trial) In(period string, t int) bool {
	p := tr.period(period)
	return p != nil && p.Start <= t && t < p.End
}

// InAny reports whether the current step T lies in any of the periods.
func (tr *Trial) InAny(periods []string) bool {
	for _, p := range periods {
		if tr.In(p, tr.T) {
			return true
		}
	}
	return false
}

// Current returns the names of the periods containing step t.
func (tr *Trial) Current(t int) []string {
	var n []string
	for _, p := range tr.Periods {
		if p.Start <= t && t < p.End {
			n = append(n, p.Name)
		}
	}
	return n
}

// build sizes the per-step arrays once the periods are final.
func (tr *Trial) build() {
	if tr.obsBuilt {
		return
	}
	tr.obsBuilt = true
	tr.Obs = make([]float32, tr.Len*tr.nobs)
	tr.GT = make([]int, tr.Len)
	tr.Target = make([]float32, tr.Len*tr.ntarget)
	tr.Mask = make([]float32, tr.Len)
	for i := range tr.Mask {
		tr.Mask[i] = 1
	}
}

// Channels returns the observation channels a name addresses: a channel, a
// group ("stimulus" for "stimulus.1".."stimulus.n") or, for the empty name,
// all channels.
func (tr *Trial) Channels(where string) []int {
	if where == "" {
		ch := make([]int, tr.nobs)
		for i := range ch {
			ch[i] = i
		}
		return ch
	}
	ch, ok := tr.where[where]
	if !ok {
		panic(fmt.Sprintf("tasks: %s has no observation channel or group %q (channels: %s)",
			tr.spec.Name, where, strings.Join(tr.spec.Obs, ", ")))
	}
	return ch
}

// ObsRow returns the observation of step t (aliasing Obs).
func (tr *Trial) ObsRow(t int) []float32 {
	tr.build()
	return tr.Obs[t*tr.nobs : (t+1)*tr.nobs : (t+1)*tr.nobs]
}

// AddObs adds values to the channels where addresses over every step of a
// period ("" for the whole trial). One value is added to every channel;
// otherwise there must be one value per channel.
func (tr *Trial) AddObs(period, where string, v ...float64) {
	tr.writeObs(period, where, v, false)
}

// AddObsAt is AddObs over the steps [start, end) rather than a period.
func (tr *Trial) AddObsAt(start, end int, where string, v ...float64) {
	tr.build()
	if start < 0 || end > tr.Len || start > end {
		panic(fmt.Sprintf("tasks: %s: steps [%d, %d) outside the trial's %d", tr.spec.Name, start, end, tr.Len))
	}
	ch := tr.Channels(where)
	if len(v) != 1 && len(v) != len(ch) {
		panic(fmt.Sprintf("tasks: %s: %d values for %d channels of %q", tr.spec.Name, len(v), len(ch), where))
	}
	for t := start; t < end; t++ {
		row := tr.Obs[t*tr.nobs : (t+1)*tr.nobs]
		for i, c := range ch {
			x := v[0]
			if len(v) > 1 {
				x = v[i]
			}
			row[c] += float32(x)
		}
	}
}

// SetObs is AddObs that first zeroes the addressed values.
func (tr *Trial) SetObs(period, where string, v ...float64) {
	tr.writeObs(period, where, v, true)
}

func (tr *Trial) writeObs(period, where string, v []float64, reset bool) {
	tr.build()
	ch := tr.Channels(where)
	if len(v) != 1 && len(v) != len(ch) {
		panic(fmt.Sprintf("tasks: %s: %d values for %d channels of %q", tr.spec.Name, len(v), len(ch), where))
	}
	s, e := tr.Span(period)
	for t := s; t < e; t++ {
		row := tr.Obs[t*tr.nobs : (t+1)*tr.nobs]
		for i, c := range ch {
			x := v[0]
			if len(v) > 1 {
				x = v[i]
			}
			if reset {
				row[c] = 0
			}
			row[c] += float32(x)
		}
	}
}

// AddNoise adds independent Gaussian noise of standard deviation sigma to the
// addressed channels over a period (NeuroGym's add_randn).
func (tr *Trial) AddNoise(period, where string, sigma float64) {
	tr.build()
	ch := tr.Channels(where)
	s, e := tr.Span(period)
	for t := s; t < e; t++ {
		row := tr.Obs[t*tr.nobs : (t+1)*tr.nobs]
		for _, c := range ch {
			row[c] += float32(tr.Rng.NormFloat64() * sigma)
		}
	}
}

// PoissonSpikes turns the observations of the addressed channels ("" for
// all), read as firing rates in Hz, into spikes: each step holds 1 with
// probability rate·DT/1000 (capped at 1) and 0 otherwise. Call it once,
// after all rates are written.
func (tr *Trial) PoissonSpikes(where string) {
	tr.build()
	ch := tr.Channels(where)
	for t := 0; t < tr.Len; t++ {
		row := tr.Obs[t*tr.nobs : (t+1)*tr.nobs]
		for _, c := range ch {
			p := float64(row[c]) * tr.DT / 1000
			row[c] = 0
			if tr.Rng.Float64() < p {
				row[c] = 1
			}
		}
	}
}

// SetGT sets the ground-truth action over a period ("" for the whole trial).
func (tr *Trial) SetGT(period string, action int) {
	tr.build()
	if action < 0 || action >= len(tr.spec.Actions) {
		panic(fmt.Sprintf("tasks: %s: ground truth %d outside the %d actions", tr.spec.Name, action, len(tr.spec.Actions)))
	}
	s, e := tr.Span(period)
	for t := s; t < e; t++ {
		tr.GT[t] = action
	}
}

// SetTarget sets the continuous target over a period, one value per target
// dimension.
func (tr *Trial) SetTarget(period string, v ...float64) {
	tr.build()
	if len(v) != tr.ntarget {
		panic(fmt.Sprintf("tasks: %s: %d target values for %d dimensions", tr.spec.Name, len(v), tr.ntarget))
	}
	s, e := tr.Span(period)
	for t := s; t < e; t++ {
		for i, x := range v {
			tr.Target[t*tr.ntarget+i] = float32(x)
		}
	}
}

// SetMask sets the loss weight over a period ("" for the whole trial).
func (tr *Trial) SetMask(period string, w float32) {
	tr.build()
	s, e := tr.Span(period)
	for t := s; t < e; t++ {
		tr.Mask[t] = w
	}
}

// Action returns the index of a named action; it panics for an unknown one.
func (tr *Trial) Action(name string) int {
	i := slices.Index(tr.spec.Actions, name)
	if i < 0 {
		panic(fmt.Sprintf("tasks: %s has no action %q", tr.spec.Name, name))
	}
	return i
}

// ring returns n angles evenly spaced on [0, 2π) (NeuroGym's theta).
func ring(n int) []float64 {
	th := make([]float64, n)
	for i := range th {
		th[i] = 2 * math.Pi * float64(i) / float64(n)
	}
	return th
}
