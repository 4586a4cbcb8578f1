package trainer

import (
	"fmt"
	"sync"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/datasets/events"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tensor"
)

// Decodes names the ways SeqClassify reads a class from the output layer:
//
//	max    CE of the maximum over time of the output membrane (SpyTorch's
//	       tutorials, Cramer et al. 2020); predict its argmax
//	last   CE of the last step's membrane; predict its argmax
//	mean   CE of the time-averaged membrane; predict its argmax
//	count  CE of the output spike counts (snnTorch's ce_count_loss); predict
//	       the neuron that fired most (first on ties)
var Decodes = []string{"max", "last", "mean", "count"}

// SeqClassify trains a spiking network (feed-forward or with recurrent
// layers, networks.RecurrentCell) on binned event data, [T][channels] per
// sample, by backpropagation through time over the whole sequence. Each
// batch is filled time-major ([T][batch][channels]) and split among
// Shards shares by sample index (each with its own tape and shadow of the
// network, gradients summed in share order), so the results are the same
// bits on any thread count.
type SeqClassify struct {
	Net  *networks.FeedForward
	Data *events.Binned
	// Samples are the indices of Data to train on (nil: all).
	Samples   []int
	BatchSize int
	// Shuffle the samples each epoch with a permutation derived from
	// (Seed, epoch); DropLast skips a final partial batch.
	Shuffle, DropLast bool
	Seed              uint64
	// Decode is one of Decodes (default "max").
	Decode string
	// Binary says the inputs are 0/1, so the first projection may be
	// event-driven (counts above 1 must take the dense product).
	Binary bool
	// L1 and L2 weight the spike-count regularizers of the hidden layers
	// (losses.SpikeCountL1, SpikeCountL2; L2 forces one worker).
	L1, L2 float32
	// Workers is the number of shares a batch is split into, each run by a
	// goroutine (0: Shards, whatever the thread count, so that results do
	// not depend on it).
	Workers int
	// Exchange shares each batch's shares with other processes (data-
	// parallel training, e.g. on MPI ranks): each computes the shares
	// Exchange.Own gives it of the batch's (min(Workers, batch) of them)
	// and takes the others' gradients, losses and scores, so every process
	// has the bits of one. nil: this process computes every share. It
	// cannot be used with L2, whose regularizer needs the whole batch on
	// one tape.
	Exchange ShardExchange

	order   []int
	x, scr  []float32
	y       []int
	workers []*seqWorker
	xbuf    [][]float32
}

type seqWorker struct {
	tp     *tensor.Tape
	net    *networks.FeedForward
	params []*tensor.Tensor
	loss   float64
	score  []float32
}

func (c *SeqClassify) samples() []int {
	if c.Samples != nil {
		return c.Samples
	}
	return datasets.Order(c.Data.Len(), false, 0, 0)
}

// Validate checks the configuration.
func (c *SeqClassify) Validate() error {
	switch {
	case c.Net == nil || len(c.Net.Blocks) == 0:
		return fmt.Errorf("seq-classify: no network")
	case c.Data == nil || len(c.samples()) == 0:
		return fmt.Errorf("seq-classify: no training data")
	case c.BatchSize < 1:
		return fmt.Errorf("seq-classify: batch_size must be at least 1, got %d", c.BatchSize)
	case c.Net.Blocks[0].Projection().In() != c.Data.Channels:
		return fmt.Errorf("seq-classify: network input size %d does not match the data's %d channels", c.Net.Blocks[0].Projection().In(), c.Data.Channels)
	case c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out() < len(c.Data.Classes()):
		return fmt.Errorf("seq-classify: network has %d outputs for %d classes", c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out(), len(c.Data.Classes()))
	case c.Exchange != nil && c.L2 != 0:
		return fmt.Errorf("seq-classify: the L2 spike-count regularizer runs each batch at once (it squares the whole batch's counts), so it cannot be shared among processes: set l2 to 0")
	}
	return checkDecode(c.Decode)
}

func checkDecode(d string) error {
	for _, n := range Decodes {
		if d == n || d == "" {
			return nil
		}
	}
	return fmt.Errorf("seq-classify: unknown decode %q (valid: %v)", d, Decodes)
}

func (c *SeqClassify) Batches(epoch int) int {
	s := c.samples()
	perm := datasets.Order(len(s), c.Shuffle, c.Seed, epoch)
	c.order = make([]int, len(perm))
	for i, p := range perm {
		c.order[i] = s[p]
	}
	return datasets.NumBatches(len(s), c.BatchSize, c.DropLast)
}

// seqInput feeds step t of a time-major batch x ([T][n][f]), rows lo..hi.
func seqInput(x []float32, n, f, lo, hi int, binary bool) networks.Input {
	return networks.Input{Binary: binary, Step: func(t int) *tensor.Tensor {
		base := t * n * f
		return tensor.New([]int{hi - lo, f}, x[base+lo*f:base+hi*f])
	}}
}

func (c *SeqClassify) TrainStep(epoch, b int) (StepResult, error) {
	lo := b * c.BatchSize
	ids := c.order[lo:min(lo+c.BatchSize, len(c.order))]
	n, f, steps := len(ids), c.Data.Channels, c.Data.Spec.Steps
	if cap(c.x) < steps*n*f {
		c.x = make([]float32, steps*n*f)
	}
	if cap(c.y) < n {
		c.y = make([]int, n)
	}
	c.x, c.y = c.x[:steps*n*f], c.y[:n]
	c.scr = c.Data.FillTimeMajor(c.x, c.y, ids, c.scr)

	// A fixed split (Shards shares by sample index, summed in share order)
	// keeps the results independent of the thread count.
	nw := c.Workers
	if nw <= 0 {
		nw = Shards
	}
	nw = max(1, min(nw, n))
	if c.L2 != 0 {
		nw = 1
	}
	c.ensureWorkers(nw)
	own0, own1 := c.ownShares(nw)
	params := c.Net.Params()
	var wg sync.WaitGroup
	for w := own0; w < own1; w++ {
		wlo, whi := w*n/nw, (w+1)*n/nw
		wk := c.workers[w]
		run := func() {
			c.runShare(wk, seqInput(c.x, n, f, wlo, whi, c.Binary), steps, c.y[wlo:whi], float32(whi-wlo)/float32(n))
		}
		if own1-own0 == 1 {
			run()
			break
		}
		wg.Add(1)
		go func() { defer wg.Done(); run() }()
	}
	wg.Wait()
	if c.Exchange != nil {
		c.exchangeShares(n, nw, own0, own1)
	}
	var lossSum float64
	var score []float32
	for w := 0; w < nw; w++ {
		wk := c.workers[w]
		lossSum += wk.loss
		score = append(score, wk.score...)
		if wk.net == c.Net {
			continue
		}
		for i, p := range params {
			if g := wk.params[i].Grad; g != nil {
				if p.Grad == nil {
					p.ZeroGrad()
				}
				addGrad(p.Grad, g)
			}
		}
	}
	correct := 0
	for i, p := range argmaxRows(score, n) {
		if p == c.y[i] {
			correct++
		}
	}
	return StepResult{Loss: lossSum, Correct: correct, Samples: n}, nil
}

func (c *SeqClassify) ensureWorkers(nw int) {
	for len(c.workers) < nw {
		wk := &seqWorker{tp: tensor.NewTape()}
		if len(c.workers) == 0 && nw == 1 {
			wk.net, wk.params = c.Net, c.Net.Params()
		} else {
			wk.net, wk.params = c.Net.Shadow()
		}
		c.workers = append(c.workers, wk)
	}
	if nw > 1 && c.workers[0].net == c.Net {
		c.workers[0].net, c.workers[0].params = c.Net.Shadow()
	}
}

func (c *SeqClassify) runShare(wk *seqWorker, in networks.Input, steps int, y []int, frac float32) {
	if wk.net != c.Net {
		for _, p := range wk.params {
			p.ZeroGrad()
		}
	}
	tr := wk.net.Run(wk.tp, in, steps)
	loss := SeqLoss(wk.tp, tr, y, c.Decode)
	if frac != 1 {
		loss = wk.tp.Scale(loss, frac)
	}
	for i := 0; i < len(tr.Spikes)-1; i++ {
		if tr.Spikes[i][0] == nil {
			continue
		}
		if c.L1 != 0 {
			loss = wk.tp.Add(loss, losses.SpikeCountL1(wk.tp, tr.Spikes[i], c.L1))
		}
		if c.L2 != 0 {
			loss = wk.tp.Add(loss, losses.SpikeCountL2(wk.tp, tr.Spikes[i], c.L2))
		}
	}
	wk.loss = float64(loss.Item())
	wk.score = SeqScores(tr, c.Decode)
	wk.tp.Backward(loss)
	wk.tp.Reset()
}

// SeqLoss is the classification loss of a decode (see Decodes) on a run's
// output layer.
func SeqLoss(tp *tensor.Tape, tr *networks.Trace, y []int, decode string) *tensor.Tensor {
	mem := tr.Out()
	switch decode {
	case "", "max":
		return losses.NLLMaxMembrane(tp, mem, y)
	case "last":
		return tp.CrossEntropy(mem[len(mem)-1], y)
	case "mean":
		return tp.CrossEntropy(tp.Scale(tp.SumAxis(tp.Stack(mem), 0), 1/float32(len(mem))), y)
	case "count":
		return losses.CECount(tp, tr.OutSpikes(), y)
	}
	panic("trainer: unknown decode " + decode)
}

// SeqScores returns a fresh copy of the per-class scores (rows × classes)
// a decode predicts by: the maximum, last or mean output membrane, or the
// output spike counts.
func SeqScores(tr *networks.Trace, decode string) []float32 {
	var src []*tensor.Tensor
	if decode == "count" {
		src = tr.OutSpikes()
	} else {
		src = tr.Out()
	}
	if decode == "last" {
		return append([]float32(nil), src[len(src)-1].Data...)
	}
	out := append([]float32(nil), src[0].Data...)
	for _, t := range src[1:] {
		for i, v := range t.Data {
			if decode == "" || decode == "max" {
				out[i] = max(out[i], v)
			} else {
				out[i] += v
			}
		}
	}
	return out
}

// argmaxRows is the first largest column of each of rows rows.
func argmaxRows(score []float32, rows int) []int {
	return predict(score, nil, rows)
}

// SeqEvaluate runs net without gradients over samples of data (nil: all) in
// batches and returns predictions by decode, firing rates and a raster of
// the first rasterSamples of the samples.
func SeqEvaluate(net *networks.FeedForward, data *events.Binned, samples []int, decode string, binary bool, batch, rasterSamples int) *Evaluation {
	if samples == nil {
		samples = datasets.Order(data.Len(), false, 0, 0)
	}
	tp := tensor.NewTape()
	ev := &Evaluation{Labels: make([]int, 0, len(samples)), Pred: make([]int, 0, len(samples))}
	f, steps := data.Channels, data.Spec.Steps
	x, y := make([]float32, steps*batch*f), make([]int, batch)
	var scr []float32
	spikes := make([]float64, len(net.Blocks))
	seen := 0
	for _, ids := range datasets.Batches(samples, batch, false) {
		n := len(ids)
		scr = data.FillTimeMajor(x[:steps*n*f], y[:n], ids, scr)
		ev.Inputs += float64(nonzero(x[:steps*n*f]))
		tp.NoGrad(func() {
			tr := net.Run(tp, seqInput(x, n, f, 0, n, binary), steps)
			ev.Pred = append(ev.Pred, argmaxRows(SeqScores(tr, decode), n)...)
			for l := range net.Blocks {
				for _, s := range tr.Spikes[l] {
					if s == nil {
						break
					}
					spikes[l] += float64(kernels.Sum(s.Data))
				}
			}
			for k := 0; k < n && seen+k < rasterSamples; k++ {
				ev.Raster = append(ev.Raster, raster(tr, k))
			}
		})
		seen += n
		ev.Labels = append(ev.Labels, y[:n]...)
		tp.Reset()
	}
	ev.Spikes, ev.InputBinary = spikes, binary
	for l, b := range net.Blocks {
		name := b.Name
		if name == "" {
			name = fmt.Sprintf("layer%d", l+1)
		}
		ev.Rates = append(ev.Rates, LayerRate{Name: name, Neurons: b.Projection().Out(),
			Rate: spikes[l] / float64(len(samples)*steps*b.Projection().Out())})
	}
	return ev
}

// addGrad adds g into dst, in parallel for long slices (each element once:
// the same bits on any thread count).
func addGrad(dst, g []float32) {
	const grain = 1 << 15
	if len(g) < 2*grain {
		kernels.AddTo(dst, g)
		return
	}
	kernels.Parallel(len(g), grain, func(lo, hi int) { kernels.AddTo(dst[lo:hi], g[lo:hi]) })
}
