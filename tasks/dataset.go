package tasks

import "fmt"

// Batch is a time-major batch for supervised training (NeuroGym's Dataset
// layout, batch_first=False). Element (t, b) of a per-step array of width w
// starts at (t·Size + b)·w.
type Batch struct {
	Steps, Size int // time steps and columns
	NObs        int // observation channels
	NTarget     int // continuous target dimensions (0 for discrete tasks)
	// Inputs are the observations, (Steps, Size, NObs).
	Inputs []float32
	// Labels are the ground-truth actions, (Steps, Size).
	Labels []int
	// Targets are the continuous targets, (Steps, Size, NTarget); nil when
	// the task has none.
	Targets []float32
	// Mask is the loss weight, (Steps, Size): the trial's mask, 0 on padding.
	Mask []float32
	// Lengths are the column lengths of a trial-aligned batch (nil for a
	// stream).
	Lengths []int
}

// DatasetConfig shapes a Dataset. The zero value works.
type DatasetConfig struct {
	BatchSize int // columns, each its own environment; 0 means 16
	SeqLen    int // steps per Stream batch; 0 means 1000 (NeuroGym's default)
}

// Dataset turns a task into batches (NeuroGym's ngym.Dataset): BatchSize
// environments, environment i seeded with (Options.Seed, stream i+1), so the
// batches depend only on the task, the options and the call sequence.
type Dataset struct {
	envs   []*Env
	spec   Spec
	seqLen int
	cur    []*Trial // the stream's current trial per column
	pos    []int    // the stream's next step in cur
}

// NewDataset builds a dataset of task t with options o.
func NewDataset(t Task, o Options, c DatasetConfig) (*Dataset, error) {
	bs, sl := orInt(c.BatchSize, 16), orInt(c.SeqLen, 1000)
	if bs < 0 || sl < 0 {
		return nil, fmt.Errorf("tasks: dataset batch size %d and sequence length %d must be positive", bs, sl)
	}
	d := &Dataset{envs: make([]*Env, bs), seqLen: sl, cur: make([]*Trial, bs), pos: make([]int, bs)}
	for i := range d.envs {
		oi := o
		oi.Stream = uint64(i) + 1
		e, err := NewEnv(t, oi)
		if err != nil {
			return nil, err
		}
		d.envs[i] = e
	}
	d.spec = d.envs[0].Spec()
	return d, nil
}

// Spec is the effective spec of the dataset's environments.
func (d *Dataset) Spec() Spec { return d.spec }

func (d *Dataset) alloc(steps int) *Batch {
	bs, no, nt := len(d.envs), len(d.spec.Obs), len(d.spec.Targets)
	b := &Batch{Steps: steps, Size: bs, NObs: no, NTarget: nt,
		Inputs: make([]float32, steps*bs*no),
		Labels: make([]int, steps*bs),
		Mask:   make([]float32, steps*bs),
	}
	if nt > 0 {
		b.Targets = make([]float32, steps*bs*nt)
	}
	return b
}

// put copies steps [from, from+n) of trial tr into column col from row t0.
func (b *Batch) put(col, t0 int, tr *Trial, from, n int) {
	for k := range n {
		t, s := t0+k, from+k
		i := t*b.Size + col
		copy(b.Inputs[i*b.NObs:(i+1)*b.NObs], tr.Obs[s*b.NObs:(s+1)*b.NObs])
		b.Labels[i] = tr.GT[s]
		b.Mask[i] = tr.Mask[s]
		if b.NTarget > 0 {
			copy(b.Targets[i*b.NTarget:(i+1)*b.NTarget], tr.Target[s*b.NTarget:(s+1)*b.NTarget])
		}
	}
}

// Trials returns a trial-aligned batch: column b holds one new trial of
// environment b from its first step, padded to the longest trial with zero
// inputs, label 0 and mask 0.
func (d *Dataset) Trials() *Batch {
	trs := make([]*Trial, len(d.envs))
	steps := 0
	for i, e := range d.envs {
		trs[i] = e.NewTrial()
		steps = max(steps, trs[i].Len)
	}
	b := d.alloc(steps)
	b.Lengths = make([]int, len(trs))
	for i, tr := range trs {
		b.put(i, 0, tr, 0, tr.Len)
		b.Lengths[i] = tr.Len
	}
	return b
}

// Stream returns the next SeqLen steps of each column's endless sequence of
// consecutive trials (NeuroGym's Dataset batches). A trial cut at the end of
// one batch continues at the start of the next. The mask is the trials' own.
func (d *Dataset) Stream() *Batch {
	b := d.alloc(d.seqLen)
	for i, e := range d.envs {
		for t := 0; t < d.seqLen; {
			if d.cur[i] == nil || d.pos[i] == d.cur[i].Len {
				d.cur[i], d.pos[i] = e.NewTrial(), 0
			}
			n := min(d.seqLen-t, d.cur[i].Len-d.pos[i])
			b.put(i, t, d.cur[i], d.pos[i], n)
			t += n
			d.pos[i] += n
		}
	}
	return b
}
