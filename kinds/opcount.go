package kinds

import (
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/trainer"
)

// opCount is a spiking network's synaptic operations per sample (an
// image, a sequence, a task trial), counted from the activity of an
// evaluation:
//
//   - AC, accumulates driven by spikes: every spike of a layer reaches
//     each of its targets once (the next layer's projection, and the
//     layer's own recurrent weights), so spikes × fan-out; spike inputs
//     count the same way;
//   - MAC, multiply-accumulates of real-valued (dense) inputs: every
//     nonzero input value at every step is multiplied into each of its
//     targets (a static image counts at every step, as the network is
//     defined, though braingo computes its projection once per sample).
//
// A sparse projection's fan-out is its mean (connections / sources); a
// dense one's, all its targets (less the self-connection with no_self).
// synops_per_sample in metrics.jsonl is AC + MAC.
type opCount struct{ AC, MAC float64 }

func (o opCount) total() float64 { return o.AC + o.MAC }

// add puts the counts into a metrics record's extra measures.
func (o opCount) add(extra map[string]float64) {
	extra["synops_per_sample"] = o.total()
	extra["acs_per_sample"], extra["macs_per_sample"] = o.AC, o.MAC
}

// input counts n input values of a projection of fan-out fan.
func (o *opCount) input(n, fan float64, binary bool) {
	if binary {
		o.AC += n * fan
	} else {
		o.MAC += n * fan
	}
}

// fanOut is the mean number of targets of one source neuron of p.
func fanOut(p networks.Projection) float64 {
	switch q := p.(type) {
	case *networks.Sparse:
		return float64(q.Conn.NNZ()) / float64(q.In())
	case *networks.JITProj:
		return q.M.P * float64(q.Out()) // expected
	}
	return float64(p.Out())
}

// feedForwardOps counts the operations per sample of net in evaluation
// ev (snn-classify, seq-classify).
func feedForwardOps(net *networks.FeedForward, ev *trainer.Evaluation) opCount {
	var o opCount
	n := float64(len(ev.Pred))
	if n == 0 || len(ev.Spikes) != len(net.Blocks) {
		return o
	}
	o.input(ev.Inputs/n, fanOut(net.Blocks[0].Projection()), ev.InputBinary)
	for l, b := range net.Blocks {
		s := ev.Spikes[l] / n
		if l+1 < len(net.Blocks) {
			o.AC += s * fanOut(net.Blocks[l+1].Projection())
		}
		if rc, ok := b.Cell.(networks.RecurrentCell); ok {
			o.AC += s * float64(rc.W.Shape[1])
		}
	}
	return o
}

// rsnnOps counts the operations per trial of a task's recurrent spiking
// network in the finished trials of p, and its hidden layer's spikes per
// neuron per step; ok is false for other networks (rate networks, hybrids)
// or no finished trial.
func rsnnOps(net networks.Recurrent, p *trainer.PlayResult) (o opCount, rate float64, ok bool) {
	rs, isRSNN := net.(*networks.RSNN)
	if !isRSNN || len(p.Trials) == 0 || p.Steps == 0 {
		return o, 0, false
	}
	n := float64(len(p.Trials))
	units := rs.In.Out()
	o.input(p.Inputs/n, float64(units), p.InputBinary)
	rec := float64(units)
	switch {
	case rs.RecSparse != nil:
		rec = fanOut(rs.RecSparse)
	case rs.NoSelf:
		rec = float64(units - 1)
	}
	o.AC += p.Hidden / n * (rec + float64(rs.Out.Out()))
	return o, p.Hidden / float64(p.Steps*units), true
}

// competitionOps counts the operations per trial of an R-STDP competition
// network (networks.Competition) from its input and output spikes per
// trial: every input spike reaches every output neuron through W, every
// output spike inhibits the neurons of the other populations.
func competitionOps(c networks.CompetitionConfig, inSpikes, outSpikes float64) opCount {
	outputs := c.Choices * c.PerChoice
	return opCount{AC: inSpikes*float64(outputs) + outSpikes*float64(outputs-c.PerChoice)}
}
