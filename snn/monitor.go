package snn

import "math"

// SpikeMonitor records the spikes of a group compactly: for every step the
// indices of the neurons (below Limit) that fired, as one index list with
// per-step offsets (4 bytes per spike plus 4 per step).
type SpikeMonitor struct {
	G *Group
	// Limit records only neurons with index < Limit; 0 means all.
	Limit int32
	// Ptr[s]..Ptr[s+1] delimit the spikes of the s-th recorded step in Idx.
	Ptr []int32
	Idx []int32
	// Count is the number of spikes of every neuron (all of them, whatever
	// Limit).
	Count []int32
	// Start is the step at which recording began.
	Start int32
}

// NewSpikeMonitor returns a monitor of g recording neurons below limit (0:
// all) from step start; add it to Simulation.Monitors.
func NewSpikeMonitor(g *Group, limit int, start int32) *SpikeMonitor {
	return &SpikeMonitor{G: g, Limit: int32(limit), Ptr: []int32{0}, Count: make([]int32, g.Neurons.Len()), Start: start}
}

func (m *SpikeMonitor) Record(t int32) {
	if t < m.Start {
		return
	}
	for _, i := range m.G.Spikes {
		m.Count[i]++
		if m.Limit == 0 || i < m.Limit {
			m.Idx = append(m.Idx, i)
		}
	}
	m.Ptr = append(m.Ptr, int32(len(m.Idx)))
}

// Steps returns the number of recorded steps.
func (m *SpikeMonitor) Steps() int { return len(m.Ptr) - 1 }

// Step returns the recorded spikes of the s-th recorded step.
func (m *SpikeMonitor) Step(s int) []int32 { return m.Idx[m.Ptr[s]:m.Ptr[s+1]] }

// MeanRate returns the mean firing rate (Hz) of neurons [lo, hi) over the
// recorded steps of dt ms.
func (m *SpikeMonitor) MeanRate(lo, hi int, dt float64) float64 {
	if hi <= lo || m.Steps() == 0 {
		return 0
	}
	var n int64
	for _, c := range m.Count[lo:hi] {
		n += int64(c)
	}
	return float64(n) / float64(hi-lo) / (float64(m.Steps()) * dt / 1000)
}

// ISICV returns the mean over neurons [lo, hi) below Limit that fired at
// least three times of the coefficient of variation (std/mean) of their
// inter-spike intervals, and the number of neurons averaged.
func (m *SpikeMonitor) ISICV(lo, hi int) (float64, int) {
	if m.Limit > 0 {
		hi = min(hi, int(m.Limit))
	}
	if hi <= lo {
		return 0, 0
	}
	last := make([]int32, hi-lo)
	for i := range last {
		last[i] = -1
	}
	n := make([]float64, hi-lo)
	s1 := make([]float64, hi-lo)
	s2 := make([]float64, hi-lo)
	for st := 0; st < m.Steps(); st++ {
		for _, i := range m.Step(st) {
			if int(i) < lo || int(i) >= hi {
				continue
			}
			k := int(i) - lo
			if last[k] >= 0 {
				d := float64(int32(st) - last[k])
				n[k]++
				s1[k] += d
				s2[k] += d * d
			}
			last[k] = int32(st)
		}
	}
	var sum float64
	cnt := 0
	for k := range n {
		if n[k] < 2 {
			continue
		}
		mean := s1[k] / n[k]
		v := s2[k]/n[k] - mean*mean
		sum += math.Sqrt(max(v, 0)) / mean
		cnt++
	}
	if cnt == 0 {
		return 0, 0
	}
	return sum / float64(cnt), cnt
}

// RateMonitor records the population rate of a group (Hz) at every step.
type RateMonitor struct {
	G    *Group
	Dt   float64
	Rate []float32
}

func (m *RateMonitor) Record(t int32) {
	m.Rate = append(m.Rate, float32(float64(len(m.G.Spikes))/float64(m.G.Neurons.Len())/(m.Dt/1000)))
}

// StateMonitor samples a state variable of chosen neurons every Every steps.
type StateMonitor struct {
	G       *Group
	Var     string
	Indices []int32
	Every   int32 // 0 means 1
	// Values holds len(Indices) samples per recorded step.
	Values []float32
	src    []float32
}

func (m *StateMonitor) Record(t int32) {
	if m.Every > 1 && t%m.Every != 0 {
		return
	}
	if m.src == nil {
		if sv, ok := m.G.Neurons.(StateVars); ok {
			m.src, _ = sv.State(m.Var)
		}
		if m.src == nil && m.Var == "v" {
			m.src = m.G.Neurons.V()
		}
		if m.src == nil {
			panic("snn: StateMonitor: group " + m.G.Name + " has no variable " + m.Var)
		}
	}
	for _, i := range m.Indices {
		m.Values = append(m.Values, m.src[i])
	}
}
