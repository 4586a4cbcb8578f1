package kinds

import (
	"encoding/json"
	"os"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/fileio"
	"github.com/braingo/braingo/trainer"
)

// selection is a validated run's model selection: it reports when an
// epoch's validation measure beats every earlier epoch's (the caller then
// saves best.bgc), and stops training after patience epochs without one.
// A resumed run seeds both from the metrics of its finished epochs, so it
// selects and stops where the uninterrupted run does.
type selection struct {
	measure string // the key of the validation measure in Epoch.Extra and the records
	best    float64
	stop    *trainer.EarlyStop // nil: no early stopping
}

// newSelection starts a selection on measure (higher is better) with
// early stopping after patience epochs without improvement (0: never),
// seeded from history.
func newSelection(measure string, patience int, history []eval.EpochRecord) *selection {
	s := &selection{measure: measure, best: -1}
	if patience > 0 {
		s.stop = &trainer.EarlyStop{Metric: measure, Patience: patience}
	}
	for _, h := range history {
		v, ok := h.Extra[measure]
		if !ok {
			continue
		}
		s.improved(v)
		if s.stop != nil {
			_ = s.stop.EpochEnd(nil, &trainer.Epoch{Epoch: h.Epoch, Extra: map[string]float64{measure: v}})
		}
	}
	return s
}

// improved reports whether v beats the best so far, and keeps it if so.
func (s *selection) improved(v float64) bool {
	if v > s.best {
		s.best = v
		return true
	}
	return false
}

// hooks is the early-stopping hook, if any.
func (s *selection) hooks() []trainer.Hook {
	if s.stop == nil {
		return nil
	}
	return []trainer.Hook{s.stop}
}

// writeTestFile writes a validated run's one test evaluation (test.json).
func writeTestFile(d *RunDir, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return fileio.WriteAtomic(d.Path(TestFile), append(b, '\n'), 0o644)
}

// bestOrLast is the checkpoint braingo eval reads: a validated run's best
// epoch (best.bgc) where there is one, else the last.
func bestOrLast(d *RunDir) string {
	if _, err := os.Stat(d.Path(BestFile)); err == nil {
		return d.Path(BestFile)
	}
	return d.CheckpointPath()
}
