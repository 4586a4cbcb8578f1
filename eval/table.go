package eval

import (
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// newTable returns a table of cols columns writing to w, whose headers are
// printed as given and whose columns are right-aligned except, if firstLeft,
// the first.
func newTable(w io.Writer, cols int, firstLeft bool) *tablewriter.Table {
	align := make([]tw.Align, cols)
	for i := range align {
		align[i] = tw.AlignRight
	}
	if firstLeft {
		align[0] = tw.AlignLeft
	}
	ca := tw.CellAlignment{PerColumn: align}
	return tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithFooterAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignmentConfig(ca),
		tablewriter.WithRowAlignmentConfig(ca),
		tablewriter.WithFooterAlignmentConfig(ca),
	)
}

// fmtFixed formats v with prec decimals, or "-" for NaN.
func fmtFixed(v float64, prec int) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// fmtPct formats the fraction v as a percentage with two decimals.
func fmtPct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
}

// fmtG formats v with four significant digits.
func fmtG(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// epochColumn is one column of the epoch table.
type epochColumn struct {
	head string
	cell func(EpochRecord) string
	val  func(EpochRecord) float64 // nil: always shown
}

// WriteEpochTable renders the per-epoch summary of recs to w: epoch, train
// loss, train acc, test loss, test acc, seconds and samples/s, a "rate LAYER"
// column (spikes per neuron per step) for each layer in recs in order of
// first appearance, then one column per Extra key in sorted order. A metric
// column that is NaN in every record is left out; a missing cell is "-".
func WriteEpochTable(w io.Writer, recs []EpochRecord) error {
	cols := []epochColumn{
		{"epoch", func(r EpochRecord) string { return strconv.Itoa(r.Epoch) }, nil},
		{"train loss", func(r EpochRecord) string { return fmtFixed(r.TrainLoss, 4) }, func(r EpochRecord) float64 { return r.TrainLoss }},
		{"train acc", func(r EpochRecord) string { return fmtPct(r.TrainAcc) }, func(r EpochRecord) float64 { return r.TrainAcc }},
		{"test loss", func(r EpochRecord) string { return fmtFixed(r.TestLoss, 4) }, func(r EpochRecord) float64 { return r.TestLoss }},
		{"test acc", func(r EpochRecord) string { return fmtPct(r.TestAcc) }, func(r EpochRecord) float64 { return r.TestAcc }},
		{"seconds", func(r EpochRecord) string { return fmtFixed(r.Seconds, 1) }, func(r EpochRecord) float64 { return r.Seconds }},
		{"samples/s", func(r EpochRecord) string { return fmtFixed(r.SamplesPerSec, 0) }, func(r EpochRecord) float64 { return r.SamplesPerSec }},
	}
	var layers []string
	seen := map[string]bool{}
	extras := map[string]bool{}
	for _, r := range recs {
		for _, l := range r.Rates {
			if !seen[l.Layer] {
				seen[l.Layer] = true
				layers = append(layers, l.Layer)
			}
		}
		for k := range r.Extra {
			extras[k] = true
		}
	}
	for _, name := range layers {
		rate := func(r EpochRecord) float64 {
			for _, l := range r.Rates {
				if l.Layer == name {
					return l.Rate
				}
			}
			return math.NaN()
		}
		cols = append(cols, epochColumn{"rate " + name, func(r EpochRecord) string { return fmtFixed(rate(r), 4) }, nil})
	}
	keys := make([]string, 0, len(extras))
	for k := range extras {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		get := func(r EpochRecord) float64 {
			if v, ok := r.Extra[k]; ok {
				return v
			}
			return math.NaN()
		}
		cols = append(cols, epochColumn{k, func(r EpochRecord) string { return fmtG(get(r)) }, nil})
	}

	shown := cols[:0:0]
	for _, c := range cols {
		if c.val != nil && len(recs) > 0 {
			any := false
			for _, r := range recs {
				if !math.IsNaN(c.val(r)) {
					any = true
					break
				}
			}
			if !any {
				continue
			}
		}
		shown = append(shown, c)
	}

	t := newTable(w, len(shown), false)
	head := make([]any, len(shown))
	for i, c := range shown {
		head[i] = c.head
	}
	t.Header(head...)
	for _, r := range recs {
		row := make([]any, len(shown))
		for i, c := range shown {
			row[i] = c.cell(r)
		}
		if err := t.Append(row...); err != nil {
			return err
		}
	}
	return t.Render()
}

// className returns names[c], or c in decimal when names is short.
func className(names []string, c int) string {
	if c < len(names) && names[c] != "" {
		return names[c]
	}
	return strconv.Itoa(c)
}

// WriteConfusionTable renders m to w with true classes in rows and
// predictions in columns, labelled by names (class numbers where names is
// nil or short). The last column is each class's recall, the footer row
// each class's precision and, in the corner, the overall accuracy. A
// precision or recall with no samples behind it is "-".
func WriteConfusionTable(w io.Writer, m *ConfusionMatrix, names []string) error {
	k := m.Classes()
	t := newTable(w, k+2, true)
	head := make([]any, 0, k+2)
	head = append(head, `true \ pred`)
	for c := range k {
		head = append(head, className(names, c))
	}
	t.Header(append(head, "recall")...)
	for tc, row := range m.Counts {
		cells := make([]any, 0, k+2)
		cells = append(cells, className(names, tc))
		for _, n := range row {
			cells = append(cells, strconv.Itoa(n))
		}
		rec := "-"
		if m.Actual(tc) > 0 {
			rec = fmtPct(m.Recall(tc))
		}
		if err := t.Append(append(cells, rec)...); err != nil {
			return err
		}
	}
	foot := make([]any, 0, k+2)
	foot = append(foot, "precision")
	for c := range k {
		p := "-"
		if m.Predicted(c) > 0 {
			p = fmtPct(m.Precision(c))
		}
		foot = append(foot, p)
	}
	acc := "-"
	if m.Total() > 0 {
		acc = "acc " + fmtPct(m.Accuracy())
	}
	t.Footer(append(foot, acc)...)
	return t.Render()
}

// WriteRateTable renders firing statistics to w: layer, neurons, rate
// (spikes per neuron per step) and the percentage of silent neurons ("-"
// when unknown).
func WriteRateTable(w io.Writer, rates []LayerRate) error {
	t := newTable(w, 4, true)
	t.Header("layer", "neurons", "rate (spikes/neuron/step)", "silent")
	for _, r := range rates {
		silent := "-"
		if r.Silent >= 0 {
			silent = fmtPct(r.Silent)
		}
		if err := t.Append(r.Layer, strconv.Itoa(r.Neurons), fmtFixed(r.Rate, 4), silent); err != nil {
			return err
		}
	}
	return t.Render()
}
