package snn

import "fmt"

// StateArray is one named array of a network's state between steps: float
// values in F or integer values in I, the network's own slices (writing
// them restores a state).
type StateArray struct {
	Name string
	F    []float32
	I    []int32
}

// State lists the state a network carries from one step to the next, so
// that saving it after step T and writing it back into a network built the
// same way (with T set) continues the simulation exactly: each group's
// neuron state (LIF: v and the step of the last spike; HH: v, m, h, n and
// the last spike) and each projection's synapse state. Connectivity is
// fixed (or regenerated from the seed) and is not listed. Parts whose state
// it does not know return an error: other neuron models, delays, short-term
// plasticity and per-connection synapses.
func (n *Simulation) State() ([]StateArray, error) {
	var out []StateArray
	for _, g := range n.Groups {
		p := "group/" + g.Name + "/"
		switch m := g.Neurons.(type) {
		case *LIFGroup:
			out = append(out, StateArray{Name: p + "v", F: m.Vm}, StateArray{Name: p + "last", I: m.Last})
		case *HHGroup:
			out = append(out, StateArray{Name: p + "v", F: m.Vm}, StateArray{Name: p + "m", F: m.M}, StateArray{Name: p + "h", F: m.H},
				StateArray{Name: p + "n", F: m.N}, StateArray{Name: p + "last", I: m.Last})
		case *PoissonGroup: // no state: its spikes are keyed by the step
		default:
			return nil, fmt.Errorf("snn: group %s: the state of %T cannot be saved", g.Name, g.Neurons)
		}
	}
	for _, pr := range n.Projs {
		p := "proj/" + pr.Name + "/"
		if pr.Delay != 0 || pr.STP != nil {
			return nil, fmt.Errorf("snn: projection %s: the state of delays and short-term plasticity cannot be saved", pr.Name)
		}
		switch s := pr.Syn.(type) {
		case *Exponential:
			out = append(out, StateArray{Name: p + "g", F: s.g})
		case *DualExponential:
			out = append(out, StateArray{Name: p + "g", F: s.g}, StateArray{Name: p + "h", F: s.h})
		default:
			return nil, fmt.Errorf("snn: projection %s: the state of %T cannot be saved", pr.Name, pr.Syn)
		}
	}
	return out, nil
}
