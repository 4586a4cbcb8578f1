package eval

import (
	"io"
	"strconv"
)

// SimRow is one line of a simulation's results table: a group of neurons
// (or the whole network) with its mean rate, the mean coefficient of
// variation of the inter-spike intervals of its recorded neurons that fired
// at least three times (and their number), and its incoming synapses.
type SimRow struct {
	Group, Model string
	Neurons      int
	RateHz       float64
	ISICV        float64
	ISICVNeurons int
	Synapses     int64
}

// WriteSimTable renders rows to w: group, model, neurons, rate (Hz), ISI CV
// (with the neurons it averages) and synapses in.
func WriteSimTable(w io.Writer, rows []SimRow) error {
	t := newTable(w, 6, true)
	t.Header("group", "model", "neurons", "rate (Hz)", "ISI CV (neurons)", "synapses in")
	for _, r := range rows {
		cv := "-"
		if r.ISICVNeurons > 0 {
			cv = fmtFixed(r.ISICV, 3) + " (" + strconv.Itoa(r.ISICVNeurons) + ")"
		}
		if err := t.Append(r.Group, r.Model, strconv.Itoa(r.Neurons), fmtFixed(r.RateHz, 2), cv, strconv.FormatInt(r.Synapses, 10)); err != nil {
			return err
		}
	}
	return t.Render()
}
