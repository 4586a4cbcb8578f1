package trainer

import (
	"fmt"
	"math/rand/v2"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
)

// Sequence trains a recurrent network (rate or spiking) on a task's
// batches by backpropagation through time. Every step's output is scored
// against the task's ground truth where the batch's mask is nonzero:
// cross-entropy of the output as logits for discrete actions, or the squared
// error of the first outputs against the continuous targets (Continuous).
// The loss is the mask-weighted mean over steps and columns, plus the
// regularizers:
//
//	rate:   RateReg · Σ_j (mean_{t,b} h[t,b,j] − RateTarget)²   (BrainPy's firing-rate term;
//	        h is spikes per step, or rates for a rate network)
//	membrane: MemReg · (mean_{t,b,j} relu(v − MemHi)² + relu(MemLo − v)²)²
//	        (BrainPy's working-memory model; v = (V − θ)/θ; spiking networks only)
//	weights: WeightL2 · Σ w² over every matrix parameter
type Sequence struct {
	Net  networks.Recurrent
	Data *tasks.Dataset
	// Steps is the number of batches per epoch (default 100).
	Steps int
	// Stream trains on the dataset's endless stream (SeqLen steps per
	// batch, the state carried across batches and detached between them)
	// instead of trial-aligned batches from rest.
	Stream bool
	// Continuous scores the continuous targets by squared error.
	Continuous bool
	// Seed drives the network's noise.
	Seed uint64
	// ResponseWeight multiplies the mask of steps whose ground truth is not
	// action 0 (the response steps of tasks with a fixation action), so
	// that the few decision steps are not swamped by fixation (Yang et al.
	// 2019 weigh the response period 5 times). 0 means 1.
	ResponseWeight float32

	RateReg, RateTarget  float32
	MemReg, MemLo, MemHi float32 // MemLo, MemHi default −2 and 0.4 when MemReg is set
	WeightL2             float32
	// Shards > 0 splits each batch's trials into that many shards, each
	// run forward and backward on its own and added in shard order
	// (sequence_shards.go): the results depend on Shards, and with an
	// Exchange several processes share them with the bits of one. 0 runs
	// the batch at once.
	Shards int
	// Exchange shares the shards with other processes (data-parallel
	// training; nil: this process computes them all). It needs Shards.
	Exchange ShardExchange

	shards []*seqShard
	xbuf   [][]float32
	tp     *tensor.Tape
	src    *rand.PCG // rng's source, whose state State saves
	rng    *rand.Rand
	state  []*tensor.Tensor
}

func (s *Sequence) initRNG() {
	if s.rng == nil {
		s.src = rand.NewPCG(s.Seed, 0x5e9)
		s.rng = rand.New(s.src)
	}
}

// SequenceState is the random state a Sequence carries from one epoch to
// the next: its noise generator and the task environments'. A training
// checkpoint saves it, so that resuming gives the same bits as never
// stopping.
type SequenceState struct {
	RNG  []byte           `json:"rng"`
	Data []tasks.EnvState `json:"data"`
}

// State returns the state to save between epochs. Stream training, which
// carries trials and network state across batches, has none.
func (s *Sequence) State() (*SequenceState, error) {
	if s.Stream {
		return nil, fmt.Errorf("trainer: stream training carries trials and network state across batches, which checkpoints do not hold")
	}
	s.initRNG()
	b, err := s.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	d, err := s.Data.State()
	if err != nil {
		return nil, err
	}
	return &SequenceState{RNG: b, Data: d}, nil
}

// SetState restores a state State returned.
func (s *Sequence) SetState(st *SequenceState) error {
	s.initRNG()
	if err := s.src.UnmarshalBinary(st.RNG); err != nil {
		return fmt.Errorf("trainer: noise generator state: %v", err)
	}
	return s.Data.SetState(st.Data)
}

func (s *Sequence) Batches(epoch int) int {
	if s.Steps <= 0 {
		return 100
	}
	return s.Steps
}

// stepInputs returns the inputs of step t of a batch as a tensor view.
func stepInputs(b *tasks.Batch, t int) *tensor.Tensor {
	w := b.Size * b.NObs
	return tensor.New([]int{b.Size, b.NObs}, b.Inputs[t*w:(t+1)*w])
}

func (s *Sequence) TrainStep(epoch, bi int) (StepResult, error) {
	if s.tp == nil {
		s.tp = tensor.NewTape()
	}
	s.initRNG()
	var b *tasks.Batch
	if s.Stream {
		b = s.Data.Stream()
	} else {
		b = s.Data.Trials()
	}
	if b.NObs != s.Net.Inputs() {
		return StepResult{}, fmt.Errorf("the task has %d observation channels, the network %d inputs", b.NObs, s.Net.Inputs())
	}
	if s.Shards > 0 {
		return s.trainShards(b)
	}
	if s.Exchange != nil {
		panic("trainer: Sequence: an Exchange needs Shards")
	}
	tp := s.tp
	var init []*tensor.Tensor
	if s.Stream {
		init = s.state
	}
	st := s.Net.Start(tp, b.Size, init, s.rng)
	outs := make([]*tensor.Tensor, b.Steps)
	var hid, mem []*tensor.Tensor
	for t := range b.Steps {
		o, h := st.Step(stepInputs(b, t))
		outs[t] = o
		if s.RateReg != 0 {
			hid = append(hid, h)
		}
		if s.MemReg != 0 {
			if m := st.Mem(); m != nil {
				mem = append(mem, m)
			}
		}
	}
	loss, correct, scored := s.loss(tp, b, outs)
	if s.RateReg != 0 {
		loss = tp.Add(loss, RateRegularizer(tp, hid, s.RateReg, s.RateTarget))
	}
	if len(mem) > 0 {
		lo, hi := s.MemLo, s.MemHi
		if lo == 0 && hi == 0 {
			lo, hi = -2, 0.4
		}
		loss = tp.Add(loss, MembraneRegularizer(tp, mem, s.MemReg, lo, hi))
	}
	if s.WeightL2 != 0 {
		loss = tp.Add(loss, WeightL2(tp, s.Net.Params(), s.WeightL2))
	}
	v := float64(loss.Item())
	tp.Backward(loss)
	if s.Stream {
		s.state = nil
		for _, x := range st.State() {
			s.state = append(s.state, x.Clone())
		}
	}
	tp.Reset()
	// Samples are columns; Correct scales the fraction of scored steps
	// answered right to columns.
	res := StepResult{Loss: v, Samples: b.Size}
	if scored > 0 {
		res.Correct = int(float64(b.Size)*float64(correct)/float64(scored) + 0.5)
	}
	return res, nil
}

// loss returns the masked task loss and, for discrete targets, how many
// scored steps the argmax of the output got right.
func (s *Sequence) loss(tp *tensor.Tape, b *tasks.Batch, outs []*tensor.Tensor) (*tensor.Tensor, int, int) {
	y := tp.Stack(outs) // (T, B, C)
	c := y.Shape[2]
	var msum float64
	for _, m := range b.Mask {
		msum += float64(m)
	}
	if msum == 0 {
		msum = 1
	}
	if s.Continuous {
		if b.NTarget == 0 || b.NTarget > c {
			panic(fmt.Sprintf("trainer: Sequence: %d continuous targets for %d outputs", b.NTarget, c))
		}
		tgt := make([]float32, len(y.Data))
		w := make([]float32, len(y.Data))
		for i, m := range b.Mask {
			for k := range b.NTarget {
				tgt[i*c+k] = b.Targets[i*b.NTarget+k]
				w[i*c+k] = m / float32(msum)
			}
		}
		d := tp.Sub(y, tensor.New(y.Shape, tgt))
		return tp.Sum(tp.Mul(tp.Square(d), tensor.New(y.Shape, w))), 0, 0
	}
	mask := b.Mask
	if s.ResponseWeight != 0 && s.ResponseWeight != 1 {
		mask = make([]float32, len(b.Mask))
		for i, m := range b.Mask {
			mask[i] = m
			if b.Labels[i] != 0 {
				mask[i] *= s.ResponseWeight
			}
		}
	}
	return MaskedCE(tp, y, b.Labels, mask)
}

// MaskedCE returns the mask-weighted mean cross-entropy of logits y of
// shape (..., C) against one label per row, Σ m·(−log softmax(y)[label]) / Σ m,
// with the number of rows of nonzero mask whose argmax equals the label and
// the number of such rows.
func MaskedCE(tp *tensor.Tape, y *tensor.Tensor, labels []int, mask []float32) (*tensor.Tensor, int, int) {
	var msum float64
	for _, m := range mask {
		msum += float64(m)
	}
	if msum == 0 {
		msum = 1
	}
	return maskedCE(tp, y, labels, mask, msum)
}

// maskedCE is MaskedCE normalized by msum instead of the mask's sum (a
// shard's part of a batch's loss).
func maskedCE(tp *tensor.Tape, y *tensor.Tensor, labels []int, mask []float32, msum float64) (*tensor.Tensor, int, int) {
	c := y.Shape[len(y.Shape)-1]
	rows := y.Len() / c
	if len(labels) != rows || len(mask) != rows {
		panic(fmt.Sprintf("trainer: MaskedCE: %d rows, %d labels, %d mask values", rows, len(labels), len(mask)))
	}
	w := make([]float32, y.Len())
	correct, scored := 0, 0
	for r, m := range mask {
		if m == 0 {
			continue
		}
		w[r*c+labels[r]] = -m / float32(msum)
		scored++
		row := y.Data[r*c : (r+1)*c]
		best := 0
		for j := range row {
			if row[j] > row[best] {
				best = j
			}
		}
		if best == labels[r] {
			correct++
		}
	}
	return tp.Sum(tp.Mul(tp.LogSoftmax(y), tensor.New(y.Shape, w))), correct, scored
}

// RateRegularizer is λ·Σ_j (mean_{t,b} h[t][b,j] − target)² over per-step
// activities h (batch × units).
func RateRegularizer(tp *tensor.Tape, h []*tensor.Tensor, lambda, target float32) *tensor.Tensor {
	st := tp.Stack(h) // (T, B, N)
	n := st.Shape[2]
	mean := tp.MeanAxis(tp.Reshape(st, -1, n), 0)
	return tp.Scale(tp.Sum(tp.Square(tp.AddScalar(mean, -target))), lambda)
}

// MembraneRegularizer is λ·(mean(relu(v − hi)² + relu(lo − v)²))² over
// per-step scaled membranes v, BrainPy's working-memory regularizer. It is
// one op over the per-step tensors (no stacked copy, no temporaries): the
// mean is summed in float64, and the gradient of element x is
// λ·2m·(2·relu(x − hi) − 2·relu(lo − x))/count.
func MembraneRegularizer(tp *tensor.Tape, v []*tensor.Tensor, lambda, lo, hi float32) *tensor.Tensor {
	var sum float64
	count := 0
	for _, t := range v {
		for _, x := range t.Data {
			if x > hi {
				sum += float64(x-hi) * float64(x-hi)
			} else if x < lo {
				sum += float64(lo-x) * float64(lo-x)
			}
		}
		count += t.Len()
	}
	if count == 0 {
		return tensor.Scalar(0)
	}
	m := sum / float64(count)
	out := tp.NewResult([]int{}, v...)
	out.Data[0] = float32(float64(lambda) * m * m)
	if !out.RequiresGrad() {
		return out
	}
	tp.Record(func() {
		if out.Grad == nil {
			return
		}
		c := out.Grad[0] * float32(float64(lambda)*2*m*2/float64(count))
		for _, t := range v {
			if !t.RequiresGrad() {
				continue
			}
			g, fresh := tp.GradAcc(t)
			for i, x := range t.Data {
				var d float32
				if x > hi {
					d = c * (x - hi)
				} else if x < lo {
					d = -c * (lo - x)
				}
				if fresh {
					g[i] = d
				} else {
					g[i] += d
				}
			}
		}
	})
	return out
}

// WeightL2 is λ·Σ w² over the matrix (two-dimensional) parameters.
func WeightL2(tp *tensor.Tape, params []*tensor.Tensor, lambda float32) *tensor.Tensor {
	var l *tensor.Tensor
	for _, p := range params {
		if p.Dim() != 2 {
			continue
		}
		q := tp.Sum(tp.Square(p))
		if l == nil {
			l = q
		} else {
			l = tp.Add(l, q)
		}
	}
	if l == nil {
		return tensor.Scalar(0)
	}
	return tp.Scale(l, lambda)
}
