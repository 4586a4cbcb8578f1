package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
)

// RSTDPAgent plays trials of a task environment with a competition
// network (networks.Competition) trained by reward-modulated STDP: while
// the fixation input is on, Poisson-coded observations drive the network
// for Sub simulation steps per task step; at the cue the population with
// the most spikes is the choice, and at the end of the trial the reward
// minus a running baseline modulates the rule's eligibility traces.
type RSTDPAgent struct {
	Net  *networks.Competition
	Rule *RSTDP
	Task string // the task's name, for errors
	Fix  int    // index of the fixation observation
	// Chans are the observation channels coded by input populations of
	// PerInput neurons each, firing with probability SpikeProb per step at
	// an observation of 1.
	Chans     []int
	PerInput  int
	SpikeProb float64
	Sub       int // simulation steps per task step
	// BaselineRate is the running baseline's update rate; Normalize
	// renormalizes the weights after each learned trial.
	BaselineRate float64
	Normalize    bool
	RNG          *rand.Rand
	Src          *rand.PCG // RNG's source in training, whose state checkpoints hold
	Base         float64   // the reward baseline
	// Spikes and Steps count output spikes and neuron-steps, for the rate;
	// InSpikes the input spikes, for operation counts.
	Spikes, Steps, InSpikes float64
	Choice                  int // the last trial's choice (population index; −1: none)
	in                      []float32
}

func (a *RSTDPAgent) encode(obs []float32) {
	p := a.SpikeProb
	n := a.PerInput
	if len(a.in) != n*len(a.Chans) {
		a.in = make([]float32, n*len(a.Chans))
	}
	for k, ch := range a.Chans {
		pr := p * math.Max(0, float64(obs[ch]))
		ch := k
		for k := range n {
			a.in[ch*n+k] = 0
			if a.RNG.Float64() < pr {
				a.in[ch*n+k] = 1
			}
		}
	}
}

// Trial plays one trial of env from its current state and returns the
// trial's performance and reward and the next observation; with learn the
// reward (minus the baseline) changes the weights at the decision.
func (a *RSTDPAgent) Trial(env *tasks.Env, obs []float32, learn bool) (perf, reward float64, next []float32, err error) {
	a.Net.Reset()
	a.Rule.Reset()
	a.Choice = -1
	for range 100000 {
		if obs[a.Fix] > 0 {
			// Not yet cued: listen for one task step, fixating.
			for range a.Sub {
				a.encode(obs)
				copy(a.Rule.Pre, a.in)
				copy(a.Rule.Post, a.Net.Step(a.in, a.RNG))
				a.Spikes += sum32(a.Rule.Post)
				a.InSpikes += sum32(a.in)
				a.Steps += float64(len(a.Rule.Post))
				if err := a.Rule.Step(Signal{Learn: learn}); err != nil {
					return 0, 0, nil, err
				}
			}
			res := env.Step(0)
			reward += res.Reward
			if res.NewTrial { // aborted or timed out
				return res.Performance, reward, res.Obs, nil
			}
			obs = res.Obs
			continue
		}
		// Cued: choose the population with the most spikes (ties at random).
		best, ties := 0, 1
		for p, n := range a.Net.Counts {
			switch {
			case n > a.Net.Counts[best]:
				best, ties = p, 1
			case p > 0 && n == a.Net.Counts[best]:
				ties++
				if a.RNG.IntN(ties) == 0 {
					best = p
				}
			}
		}
		a.Choice = best
		res := env.Step(best + 1) // action 0 is fixation
		reward += res.Reward
		if !res.NewTrial {
			obs = res.Obs
			continue
		}
		clear(a.Rule.Pre)
		clear(a.Rule.Post)
		r := reward - a.Base
		if err := a.Rule.Step(Signal{Reward: r, Learn: learn}); err != nil {
			return 0, 0, nil, err
		}
		if learn {
			a.Base += a.BaselineRate * (reward - a.Base)
			if a.Normalize {
				a.Net.Normalize(0)
			}
		}
		return res.Performance, reward, res.Obs, nil
	}
	return 0, 0, nil, fmt.Errorf("%s: no decision in 100000 steps", a.Task)
}

func sum32(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}
