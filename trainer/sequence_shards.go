package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
)

// A sharded Sequence step (Sequence.Shards > 0) splits the batch's trials
// (columns) into Shards shards by index, as Classify splits its samples:
// shard k holds the columns [k·B/S, (k+1)·B/S). Each shard runs forward and
// backward on its own tape, its gradient computed from zero; the shards'
// gradients and losses are then added in shard order. The results depend
// on S, not on which process computed which shard, so a Sequence with an
// Exchange (data-parallel training on several processes) gives the bits of
// one process with the same Shards.
//
// The batch-wide terms stay exact: the task loss is normalized by the whole
// batch's mask sum; the rate and membrane regularizers, which are not sums
// over trials, are computed from the shards' sums (added in shard order,
// exchanged between the forward and the backward passes) and each shard
// backpropagates their gradient through its own activity; the weight
// penalty belongs to shard 0. The network's noise is drawn per shard from
// its own stream, keyed by one number drawn from the Sequence's generator
// per batch, so that a process draws only its shards' noise.

// seqShard is one shard's work in flight between forward and backward.
type seqShard struct {
	tp             *tensor.Tape
	lo, hi         int
	loss           *tensor.Tensor
	lossV          float64
	correct, score int
	hid, mem       []*tensor.Tensor
	st             networks.Stepper
	state          []*tensor.Tensor // carried across stream batches
	grad           []float32        // the shard's gradient, parameters flattened
}

func (s *Sequence) ownShards() (lo, hi int) {
	if s.Exchange == nil {
		return 0, s.Shards
	}
	lo, hi = s.Exchange.Own(s.Shards)
	if lo < 0 || hi > s.Shards || lo >= hi {
		panic("trainer: ShardExchange.Own returned an empty or out-of-range run of shards")
	}
	return lo, hi
}

func (s *Sequence) trainShards(b *tasks.Batch) (StepResult, error) {
	S, B, T := s.Shards, b.Size, b.Steps
	for len(s.shards) < S {
		s.shards = append(s.shards, &seqShard{tp: tensor.NewTape()})
	}
	own0, own1 := s.ownShards()
	key := s.rng.Uint64() // the noise streams of this batch's shards
	mask := b.Mask
	if !s.Continuous && s.ResponseWeight != 0 && s.ResponseWeight != 1 {
		mask = make([]float32, len(b.Mask))
		for i, m := range b.Mask {
			mask[i] = m
			if b.Labels[i] != 0 {
				mask[i] *= s.ResponseWeight
			}
		}
	}
	var msum float64
	for _, m := range mask {
		msum += float64(m)
	}
	if msum == 0 {
		msum = 1
	}
	params := s.Net.Params()
	units := 0
	// Forward every owned shard; keep its tape for the backward pass.
	for k := own0; k < own1; k++ {
		sh := s.shards[k]
		sh.lo, sh.hi = k*B/S, (k+1)*B/S
		sh.hid, sh.mem, sh.loss = sh.hid[:0], sh.mem[:0], nil
		if sh.hi == sh.lo {
			continue
		}
		n, tp := sh.hi-sh.lo, sh.tp
		var init []*tensor.Tensor
		if s.Stream {
			init = sh.state
		}
		st := s.Net.Start(tp, n, init, rand.New(rand.NewPCG(key, uint64(k))))
		sh.st = st
		outs := make([]*tensor.Tensor, T)
		w := B * b.NObs
		for t := range T {
			x := tensor.New([]int{n, b.NObs}, b.Inputs[t*w+sh.lo*b.NObs:t*w+sh.hi*b.NObs])
			o, h := st.Step(x)
			outs[t] = o
			units = h.Shape[1]
			if s.RateReg != 0 {
				sh.hid = append(sh.hid, h)
			}
			if s.MemReg != 0 {
				if m := st.Mem(); m != nil {
					sh.mem = append(sh.mem, m)
				}
			}
		}
		sh.loss, sh.correct, sh.score = s.shardLoss(tp, b, outs, sh.lo, sh.hi, mask, msum)
		if s.WeightL2 != 0 && k == 0 {
			sh.loss = tp.Add(sh.loss, WeightL2(tp, params, s.WeightL2))
		}
		sh.lossV = float64(sh.loss.Item())
	}
	// The regularizers of the whole batch, from the shards' sums.
	var regV float64
	var rateCoef []float32
	var memC float32
	memLo, memHi := s.MemLo, s.MemHi
	if memLo == 0 && memHi == 0 {
		memLo, memHi = -2, 0.4
	}
	if s.RateReg != 0 || s.MemReg != 0 {
		sums := s.shardSums(own0, own1, units, memLo, memHi)
		if s.RateReg != 0 {
			var total []float64
			for _, v := range sums {
				if v == nil {
					continue
				}
				if total == nil {
					total = make([]float64, len(v)-2)
				}
				for j := range total {
					total[j] += v[j]
				}
			}
			rateCoef = make([]float32, len(total))
			cells := float64(T * B)
			var r float64
			for j, t := range total {
				d := t/cells - float64(s.RateTarget)
				r += d * d
				rateCoef[j] = float32(2 * float64(s.RateReg) * d / cells)
			}
			regV += float64(s.RateReg) * r
		}
		if s.MemReg != 0 {
			var sum, count float64
			for _, v := range sums {
				if v != nil {
					sum += v[len(v)-2]
					count += v[len(v)-1]
				}
			}
			if count > 0 {
				m := sum / count
				regV += float64(s.MemReg) * m * m
				memC = float32(float64(s.MemReg) * 2 * m * 2 / count)
			}
		}
	}
	// Backward every owned shard from zero gradients; keep its gradient.
	size := 0
	for _, p := range params {
		size += p.Len()
	}
	for k := own0; k < own1; k++ {
		sh := s.shards[k]
		if sh.loss == nil {
			sh.tp.Reset()
			continue
		}
		tp, l := sh.tp, sh.loss
		if rateCoef != nil && len(sh.hid) > 0 {
			l = tp.Add(l, gradTerm(tp, sh.hid, func(i int, _ float32) float32 { return rateCoef[i%len(rateCoef)] }))
		}
		if memC != 0 && len(sh.mem) > 0 {
			l = tp.Add(l, gradTerm(tp, sh.mem, func(_ int, x float32) float32 {
				switch {
				case x > memHi:
					return memC * (x - memHi)
				case x < memLo:
					return -memC * (memLo - x)
				}
				return 0
			}))
		}
		for _, p := range params {
			p.ZeroGrad()
		}
		tp.Backward(l)
		sh.grad = sh.grad[:0]
		for _, p := range params {
			sh.grad = append(sh.grad, p.Grad...)
		}
		if s.Stream {
			sh.state = sh.state[:0]
			for _, x := range sh.st.State() {
				sh.state = append(sh.state, x.Clone())
			}
		}
		tp.Reset()
		sh.hid, sh.mem, sh.st = sh.hid[:0], sh.mem[:0], nil
	}
	if s.Exchange != nil {
		s.exchangeResults(own0, own1, size)
	}
	// Add the shards' gradients and losses in shard order.
	first := true
	var lossSum float64
	correct, scored := 0, 0
	for k := range S {
		sh := s.shards[k]
		if k*B/S == (k+1)*B/S {
			continue
		}
		if len(sh.grad) != size {
			panic(fmt.Sprintf("trainer: Sequence: shard %d's gradient has %d values, the parameters %d", k, len(sh.grad), size))
		}
		off := 0
		for _, p := range params {
			g := sh.grad[off : off+p.Len()]
			if first {
				if p.Grad == nil {
					p.ZeroGrad()
				}
				copy(p.Grad, g)
			} else {
				kernels.AddTo(p.Grad, g)
			}
			off += p.Len()
		}
		first = false
		lossSum += sh.lossV
		correct += sh.correct
		scored += sh.score
	}
	res := StepResult{Loss: lossSum + regV, Samples: B}
	if scored > 0 {
		res.Correct = int(float64(B)*float64(correct)/float64(scored) + 0.5)
	}
	return res, nil
}

// shardLoss is the task loss of columns [lo, hi) of the batch, normalized
// by the whole batch's mask sum msum (so that the shards' losses add up to
// the batch's), with the number of scored steps answered right and scored.
func (s *Sequence) shardLoss(tp *tensor.Tape, b *tasks.Batch, outs []*tensor.Tensor, lo, hi int, mask []float32, msum float64) (*tensor.Tensor, int, int) {
	y := tp.Stack(outs) // (T, n, C)
	n, c := hi-lo, y.Shape[2]
	rows := func(t, j int) int { return t*b.Size + lo + j }
	if s.Continuous {
		if b.NTarget == 0 || b.NTarget > c {
			panic(fmt.Sprintf("trainer: Sequence: %d continuous targets for %d outputs", b.NTarget, c))
		}
		tgt := make([]float32, len(y.Data))
		w := make([]float32, len(y.Data))
		for t := range b.Steps {
			for j := range n {
				i, r := t*n+j, rows(t, j)
				for k := range b.NTarget {
					tgt[i*c+k] = b.Targets[r*b.NTarget+k]
					w[i*c+k] = mask[r] / float32(msum)
				}
			}
		}
		d := tp.Sub(y, tensor.New(y.Shape, tgt))
		return tp.Sum(tp.Mul(tp.Square(d), tensor.New(y.Shape, w))), 0, 0
	}
	labels := make([]int, b.Steps*n)
	m := make([]float32, b.Steps*n)
	for t := range b.Steps {
		for j := range n {
			labels[t*n+j], m[t*n+j] = b.Labels[rows(t, j)], mask[rows(t, j)]
		}
	}
	return maskedCE(tp, y, labels, m, msum)
}

// shardSums returns, per shard (nil for the empty ones and, before the
// exchange, for other processes' shards), the sums the regularizers need:
// each hidden unit's activity over the shard's steps and columns, then the
// membrane penalty's sum and count (float64s; in float32 pairs through the
// exchange, bits kept).
func (s *Sequence) shardSums(own0, own1, units int, lo, hi float32) [][]float64 {
	sums := make([][]float64, s.Shards)
	for k := own0; k < own1; k++ {
		sh := s.shards[k]
		if sh.loss == nil {
			continue
		}
		v := make([]float64, units+2)
		for _, h := range sh.hid {
			for i, x := range h.Data {
				v[i%units] += float64(x)
			}
		}
		for _, m := range sh.mem {
			for _, x := range m.Data {
				if x > hi {
					v[units] += float64(x-hi) * float64(x-hi)
				} else if x < lo {
					v[units] += float64(lo-x) * float64(lo-x)
				}
			}
			v[units+1] += float64(m.Len())
		}
		sums[k] = v
	}
	if s.Exchange == nil {
		return sums
	}
	bufs := s.xbufs()
	for k := range bufs {
		bufs[k] = bufs[k][:0]
		if sums[k] != nil {
			bufs[k] = appendFloat64s(bufs[k], sums[k])
		}
	}
	s.Exchange.Exchange(bufs)
	for k := range bufs {
		if (k < own0 || k >= own1) && len(bufs[k]) > 0 {
			sums[k] = float64s(bufs[k])
		}
	}
	return sums
}

// exchangeResults sends the owned shards' gradients, losses and scores to
// the other processes and takes theirs.
func (s *Sequence) exchangeResults(own0, own1, size int) {
	bufs := s.xbufs()
	for k := range bufs {
		bufs[k] = bufs[k][:0]
		sh := s.shards[k]
		if k < own0 || k >= own1 || sh.loss == nil {
			continue
		}
		b := append(bufs[k], sh.grad...)
		b = appendFloat64s(b, []float64{sh.lossV, float64(sh.correct), float64(sh.score)})
		bufs[k] = b
	}
	s.Exchange.Exchange(bufs)
	for k := range bufs {
		sh := s.shards[k]
		if k >= own0 && k < own1 {
			continue
		}
		sh.grad = sh.grad[:0]
		b := bufs[k]
		if len(b) == 0 {
			continue
		}
		if len(b) != size+6 {
			panic(fmt.Sprintf("trainer: ShardExchange: shard %d's results hold %d values, want %d", k, len(b), size+6))
		}
		sh.grad = append(sh.grad, b[:size]...)
		v := float64s(b[size:])
		sh.lossV, sh.correct, sh.score = v[0], int(v[1]), int(v[2])
	}
}

func (s *Sequence) xbufs() [][]float32 {
	for len(s.xbuf) < s.Shards {
		s.xbuf = append(s.xbuf, nil)
	}
	return s.xbuf[:s.Shards]
}

// appendFloat64s appends each value's bits as two float32s (never
// computed with, so the bits travel unchanged).
func appendFloat64s(dst []float32, v []float64) []float32 {
	for _, x := range v {
		b := math.Float64bits(x)
		dst = append(dst, math.Float32frombits(uint32(b>>32)), math.Float32frombits(uint32(b)))
	}
	return dst
}

func float64s(b []float32) []float64 {
	v := make([]float64, len(b)/2)
	for i := range v {
		v[i] = math.Float64frombits(uint64(math.Float32bits(b[2*i]))<<32 | uint64(math.Float32bits(b[2*i+1])))
	}
	return v
}

// gradTerm is a scalar of value 0 whose gradient with respect to element i
// (of value x) of each tensor of v is d(i, x): the gradient of a batch-wide
// term that the shards backpropagate through their own activity.
func gradTerm(tp *tensor.Tape, v []*tensor.Tensor, d func(i int, x float32) float32) *tensor.Tensor {
	out := tp.NewResult([]int{}, v...)
	out.Data[0] = 0
	if !out.RequiresGrad() {
		return out
	}
	tp.Record(func() {
		if out.Grad == nil {
			return
		}
		g0 := out.Grad[0]
		for _, t := range v {
			if !t.RequiresGrad() {
				continue
			}
			g, fresh := tp.GradAcc(t)
			for i, x := range t.Data {
				dv := g0 * d(i, x)
				if fresh {
					g[i] = dv
				} else {
					g[i] += dv
				}
			}
		}
	})
	return out
}
