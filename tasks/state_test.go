package tasks

import (
	"slices"
	"testing"
)

// Restoring a dataset's state replays the same trials; a stream in the
// middle of a trial has no state to save.
func TestDatasetStateReplays(t *testing.T) {
	d, err := NewDataset(&PerceptualDecisionMaking{}, Options{Seed: 3}, DatasetConfig{BatchSize: 3, SeqLen: 7})
	if err != nil {
		t.Fatal(err)
	}
	d.Trials()
	st, err := d.State()
	if err != nil {
		t.Fatal(err)
	}
	a1, a2 := d.Trials(), d.Trials()
	if err := d.SetState(st); err != nil {
		t.Fatal(err)
	}
	b1, b2 := d.Trials(), d.Trials()
	if !slices.Equal(a1.Inputs, b1.Inputs) || !slices.Equal(a2.Inputs, b2.Inputs) || !slices.Equal(a2.Labels, b2.Labels) {
		t.Fatal("restored dataset draws other trials")
	}
	if slices.Equal(a1.Inputs, a2.Inputs) {
		t.Fatal("consecutive batches are equal: the test tests nothing")
	}
	d.Stream()
	if _, err := d.State(); err == nil {
		t.Error("a stream cut mid-trial reported a state")
	}
	if err := d.SetState(st[:1]); err == nil {
		t.Error("state of one environment accepted for three")
	}
}
