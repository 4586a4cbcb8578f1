package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
)

type seqConfig struct {
	name  string
	rsnn  bool
	noise bool
	set   func(s *Sequence)
}

var seqConfigs = []seqConfig{
	{name: "rate-ratereg-l2", set: func(s *Sequence) { s.RateReg, s.RateTarget, s.WeightL2, s.ResponseWeight = 0.5, 0.1, 1e-3, 3 }},
	{name: "rsnn-memreg-ratereg", rsnn: true, set: func(s *Sequence) { s.MemReg, s.RateReg, s.RateTarget = 1, 0.3, 0.05 }},
	{name: "rate-stream", set: func(s *Sequence) { s.Stream = true }},
}

// newSeq builds a Sequence on PerceptualDecisionMaking (batches of 13
// trials: shards of 1 and 2) with a rate network (noisy when noise) or a
// spiking one.
func newSeq(t testing.TB, cfg seqConfig, shards int) *Sequence {
	task, _ := tasks.Lookup("PerceptualDecisionMaking", nil)
	ds, err := tasks.NewDataset(task, tasks.Options{Seed: 1}, tasks.DatasetConfig{BatchSize: 13, SeqLen: 40})
	if err != nil {
		t.Fatal(err)
	}
	var net networks.Recurrent
	if cfg.rsnn {
		net = networks.NewRSNNForTask(ds.Spec(), networks.RSNNTaskConfig{Units: 24, Inhibitory: 0.25})
	} else {
		sigma := 0.0
		if cfg.noise {
			sigma = 0.1
		}
		net = networks.NewRateRNN("rnn", networks.RateConfig{Inputs: 3, Units: 24, Outputs: 3, SigmaRec: sigma}, rand.New(rand.NewPCG(1, 1)))
	}
	s := &Sequence{Net: net, Data: ds, Steps: 3, Seed: 4, Shards: shards}
	cfg.set(s)
	return s
}

// A sharded step computes the loss and gradient of the whole batch: the
// same figures as the unsharded step up to rounding, regularizers
// included (their batch-wide sums are gathered from the shards).
func TestSequenceShardsMatchWholeBatch(t *testing.T) {
	for _, cfg := range seqConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			var losses [2]float64
			var grads [2][][]float32
			for i, shards := range []int{0, 8} {
				s := newSeq(t, cfg, shards)
				for _, p := range s.Net.Params() {
					p.ZeroGrad()
				}
				r, err := s.TrainStep(1, 0)
				if err != nil {
					t.Fatal(err)
				}
				losses[i] = r.Loss
				for _, p := range s.Net.Params() {
					grads[i] = append(grads[i], append([]float32(nil), p.Grad...))
				}
			}
			if math.Abs(losses[1]-losses[0]) > 1e-5*math.Abs(losses[0]) {
				t.Fatalf("loss %v with 8 shards, %v whole", losses[1], losses[0])
			}
			for k := range grads[0] {
				var scale float64
				for _, g := range grads[0][k] {
					scale = max(scale, math.Abs(float64(g)))
				}
				for j, g := range grads[0][k] {
					if d := math.Abs(float64(grads[1][k][j] - g)); d > 1e-4*scale+1e-7 {
						t.Fatalf("parameter %d[%d]: gradient %v with 8 shards, %v whole", k, j, grads[1][k][j], g)
					}
				}
			}
		})
	}
}

// The rate and membrane terms that the shards backpropagate (gradTerm with
// the coefficients of the batch's sums) are the regularizers' gradients.
func TestGradTermIsRegularizerGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var hs []*tensor.Tensor
	for range 3 {
		d := make([]float32, 8)
		for j := range d {
			d[j] = float32(r.NormFloat64())
		}
		hs = append(hs, tensor.NewParam("h", []int{2, 4}, d))
	}
	grad := func(f func(tp *tensor.Tape) *tensor.Tensor) [][]float32 {
		for _, h := range hs {
			h.ZeroGrad()
		}
		tp := tensor.NewTape()
		tp.Backward(f(tp))
		var g [][]float32
		for _, h := range hs {
			g = append(g, append([]float32(nil), h.Grad...))
		}
		return g
	}
	const lambda, target, lo, hi = 0.7, 0.1, -0.5, 0.4
	want := grad(func(tp *tensor.Tape) *tensor.Tensor {
		return tp.Add(RateRegularizer(tp, hs, lambda, target), MembraneRegularizer(tp, hs, lambda, lo, hi))
	})
	s := &Sequence{Shards: 1, RateReg: lambda, RateTarget: target, MemReg: lambda, MemLo: lo, MemHi: hi}
	s.shards = []*seqShard{{loss: tensor.Scalar(0), hid: hs, mem: hs}}
	sums := s.shardSums(0, 1, 4, lo, hi)
	cells := float64(3 * 2)
	coef := make([]float32, 4)
	for j := range coef {
		coef[j] = float32(2 * lambda * (sums[0][j]/cells - target) / cells)
	}
	m := sums[0][4] / sums[0][5]
	c := float32(lambda * 2 * m * 2 / sums[0][5])
	got := grad(func(tp *tensor.Tape) *tensor.Tensor {
		a := gradTerm(tp, hs, func(i int, _ float32) float32 { return coef[i%4] })
		b := gradTerm(tp, hs, func(_ int, x float32) float32 {
			switch {
			case x > hi:
				return c * (x - hi)
			case x < lo:
				return -c * (lo - x)
			}
			return 0
		})
		return tp.Add(a, b)
	})
	for i := range want {
		for j := range want[i] {
			if math.Abs(float64(got[i][j]-want[i][j])) > 1e-6 {
				t.Fatalf("h%d[%d]: %v, the regularizers' gradient %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}

// Training a sharded Sequence on R in-process ranks gives every rank the
// parameters and losses of one process with the same shards, to the bit:
// noise drawn per shard, the regularizers' sums exchanged, a stream's
// state carried by each shard's owner.
func TestSequenceShardExchangeBitIdentical(t *testing.T) {
	configs := append([]seqConfig{{name: "rate-noise", noise: true, set: func(s *Sequence) { s.RateReg = 0.2 }}}, seqConfigs...)
	train := func(cfg seqConfig, ex ShardExchange) ([][]float32, []Epoch) {
		s := newSeq(t, cfg, 8)
		s.Exchange = ex
		return trainTwoEpochs(s, s.Net.Params())
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			sameOnRanks(t, nil, func(ex ShardExchange) ([][]float32, []Epoch) { return train(cfg, ex) })
		})
	}
}
