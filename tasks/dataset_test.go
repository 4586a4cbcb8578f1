package tasks

import (
	"slices"
	"testing"
)

func TestDatasetTrials(t *testing.T) {
	for _, name := range []string{"PerceptualDecisionMakingDelayResponse", "Reaching1D", "EvidenceAccumulation"} {
		t.Run(name, func(t *testing.T) {
			task, _ := Lookup(name, nil)
			d, err := NewDataset(task, Options{Seed: 7}, DatasetConfig{BatchSize: 5})
			if err != nil {
				t.Fatal(err)
			}
			b := d.Trials()
			spec := d.Spec()
			if b.Size != 5 || b.NObs != len(spec.Obs) || b.NTarget != len(spec.Targets) || b.Steps != slices.Max(b.Lengths) {
				t.Fatalf("batch %d×%d×%d (targets %d), lengths %v", b.Steps, b.Size, b.NObs, b.NTarget, b.Lengths)
			}
			if len(b.Inputs) != b.Steps*b.Size*b.NObs || len(b.Labels) != b.Steps*b.Size || len(b.Mask) != b.Steps*b.Size ||
				len(b.Targets) != b.Steps*b.Size*b.NTarget {
				t.Fatalf("array sizes %d %d %d %d", len(b.Inputs), len(b.Labels), len(b.Mask), len(b.Targets))
			}
			if (b.Targets == nil) != (len(spec.Targets) == 0) {
				t.Fatalf("targets %v for target dims %v", b.Targets != nil, spec.Targets)
			}
			// Each column is the trial an identically seeded environment draws.
			for col := range b.Size {
				e, _ := NewEnv(task, Options{Seed: 7, Stream: uint64(col) + 1})
				tr := e.NewTrial()
				if tr.Len != b.Lengths[col] {
					t.Fatalf("column %d: length %d, want %d", col, b.Lengths[col], tr.Len)
				}
				for s := range b.Steps {
					i := s*b.Size + col
					if s >= tr.Len {
						if b.Mask[i] != 0 || b.Labels[i] != 0 || slices.ContainsFunc(b.Inputs[i*b.NObs:(i+1)*b.NObs], func(v float32) bool { return v != 0 }) {
							t.Fatalf("column %d step %d: padding not zero", col, s)
						}
						continue
					}
					if b.Labels[i] != tr.GT[s] || b.Mask[i] != tr.Mask[s] ||
						!slices.Equal(b.Inputs[i*b.NObs:(i+1)*b.NObs], tr.ObsRow(s)) ||
						!slices.Equal(b.Targets[i*b.NTarget:(i+1)*b.NTarget], tr.Target[s*b.NTarget:(s+1)*b.NTarget]) {
						t.Fatalf("column %d step %d differs from the trial", col, s)
					}
				}
			}
		})
	}
}

func TestDatasetMask(t *testing.T) {
	d, _ := NewDataset(&SpikingDelayMatchSample{}, Options{}, DatasetConfig{BatchSize: 2})
	b := d.Trials()
	var on int
	for _, m := range b.Mask {
		if m == 1 {
			on++
		}
	}
	if on != 2*500 {
		t.Fatalf("%d masked-in steps, want the 500 test steps of 2 columns", on)
	}
	d, _ = NewDataset(&PerceptualDecisionMaking{}, Options{}, DatasetConfig{BatchSize: 3, SeqLen: 50})
	for _, m := range d.Stream().Mask {
		if m != 1 {
			t.Fatal("a NeuroGym task's stream mask must be all 1")
		}
	}
}

// TestDatasetStream: the stream batches of a column, end to end, are the
// consecutive trials of an identically seeded environment, cut anywhere.
func TestDatasetStream(t *testing.T) {
	task := &ContextDecisionMaking{}
	const bs, sl, calls = 3, 7, 40
	d, err := NewDataset(task, Options{Seed: 11}, DatasetConfig{BatchSize: bs, SeqLen: sl})
	if err != nil {
		t.Fatal(err)
	}
	cols := make([][]int, bs)
	obs := make([][]float32, bs)
	no := len(d.Spec().Obs)
	for range calls {
		b := d.Stream()
		if b.Steps != sl || b.Size != bs || b.Lengths != nil {
			t.Fatalf("stream batch %d×%d", b.Steps, b.Size)
		}
		for s := range sl {
			for c := range bs {
				i := s*bs + c
				cols[c] = append(cols[c], b.Labels[i])
				obs[c] = append(obs[c], b.Inputs[i*no:(i+1)*no]...)
			}
		}
	}
	for c := range bs {
		e, _ := NewEnv(task, Options{Seed: 11, Stream: uint64(c) + 1})
		var gt []int
		var ob []float32
		for len(gt) < sl*calls {
			tr := e.NewTrial()
			gt = append(gt, tr.GT...)
			ob = append(ob, tr.Obs...)
		}
		if !slices.Equal(cols[c], gt[:sl*calls]) || !slices.Equal(obs[c], ob[:sl*calls*no]) {
			t.Fatalf("column %d: stream is not the concatenated trials", c)
		}
	}
	if slices.Equal(obs[0], obs[1]) {
		t.Fatal("columns 0 and 1 are identical")
	}
}

func TestDatasetDeterministic(t *testing.T) {
	mk := func(seed uint64) (*Batch, *Batch) {
		d, _ := NewDataset(&DelayMatchSample{}, Options{Seed: seed}, DatasetConfig{BatchSize: 4, SeqLen: 30})
		return d.Trials(), d.Stream()
	}
	a1, a2 := mk(1)
	b1, b2 := mk(1)
	c1, _ := mk(2)
	if !slices.Equal(a1.Inputs, b1.Inputs) || !slices.Equal(a2.Inputs, b2.Inputs) || !slices.Equal(a2.Labels, b2.Labels) {
		t.Fatal("same seed, different batches")
	}
	if slices.Equal(a1.Inputs, c1.Inputs) {
		t.Fatal("different seeds, same batch")
	}
}

func TestDatasetErrors(t *testing.T) {
	if _, err := NewDataset(&GoNogo{}, Options{Timing: map[string]Timing{"nope": Constant(1)}}, DatasetConfig{}); err == nil {
		t.Fatal("no error for an unknown period")
	}
	d, err := NewDataset(&GoNogo{}, Options{}, DatasetConfig{})
	if err != nil || len(d.Stream().Labels) != 16*1000 {
		t.Fatal("defaults: want 16 columns of 1000 steps")
	}
}

func BenchmarkStream(b *testing.B) {
	for _, name := range []string{"PerceptualDecisionMaking", "SpikingDelayMatchSample"} {
		b.Run(name, func(b *testing.B) {
			task, _ := Lookup(name, nil)
			d, _ := NewDataset(task, Options{}, DatasetConfig{BatchSize: 32, SeqLen: 1000})
			for b.Loop() {
				d.Stream()
			}
		})
	}
}
