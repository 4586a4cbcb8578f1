package trainer

import (
	"fmt"
	"sync"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tensor"
)

// Classify trains a feed-forward spiking network on an image dataset by
// backpropagation through time (full, or truncated to windows of Truncate
// steps with gradients accumulated over the windows of a batch).
type Classify struct {
	Net       *networks.FeedForward
	Data      *datasets.Images
	Encoder   datasets.Encoder
	Steps     int
	BatchSize int
	// Shuffle the training set each epoch with a permutation derived from
	// (Seed, epoch); DropLast skips a final partial batch.
	Shuffle, DropLast bool
	Seed              uint64
	// Loss is one of losses.Names (default "ce_membrane").
	Loss string
	// CorrectRate and IncorrectRate are mse_count's targets.
	CorrectRate, IncorrectRate float64
	// L1 and L2 weight the spike-count regularizers of the hidden layers.
	L1, L2 float32
	// Truncate > 0 backpropagates through windows of that many steps.
	Truncate int
	// Workers splits each batch among that many goroutines, each running
	// forward and backward on its share with its own tape and gradients,
	// summed in worker order afterwards (data parallelism; 0: one per
	// kernels.Threads(), at most one per 32 samples). Results depend on the
	// number of workers only through float32 rounding, and are the same
	// bits for the same number. The L2 spike-count regularizer (a square
	// of a sum over the batch) forces one worker.
	Workers int

	order   []int
	x       []float32
	y       []int
	workers []*worker
}

// worker is one share of a data-parallel batch: a tape and a shadow of the
// network whose parameters share values but not gradients.
type worker struct {
	tp     *tensor.Tape
	net    *networks.FeedForward
	params []*tensor.Tensor
	loss   float64
	counts []float32
	outMax []float32
}

// Validate checks the configuration.
func (c *Classify) Validate() error {
	switch {
	case c.Net == nil || len(c.Net.Blocks) == 0:
		return fmt.Errorf("classify: no network")
	case c.Data == nil || c.Data.N == 0:
		return fmt.Errorf("classify: no training data")
	case c.Steps < 1:
		return fmt.Errorf("classify: steps must be at least 1, got %d", c.Steps)
	case c.BatchSize < 1:
		return fmt.Errorf("classify: batch_size must be at least 1, got %d", c.BatchSize)
	case c.Loss != "" && !losses.Valid(c.Loss):
		return fmt.Errorf("classify: unknown loss %q (valid: %v)", c.Loss, losses.Names)
	case c.Net.Blocks[0].Projection().In() != c.Data.Features():
		return fmt.Errorf("classify: network input size %d does not match the %d features of %s", c.Net.Blocks[0].Projection().In(), c.Data.Features(), c.Data.Name)
	case c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out() < c.Data.Classes:
		return fmt.Errorf("classify: network has %d outputs for %d classes", c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out(), c.Data.Classes)
	}
	return nil
}

func (c *Classify) Batches(epoch int) int {
	c.order = datasets.Order(c.Data.N, c.Shuffle, c.Seed, epoch)
	return datasets.NumBatches(c.Data.N, c.BatchSize, c.DropLast)
}

// input prepares a batch's input for the network.
func input(tp *tensor.Tape, enc datasets.Encoder, x *tensor.Tensor, ids []int) networks.Input {
	if s, ok := enc.(datasets.StaticEncoder); ok && s.Static() {
		st := x
		if d, ok := enc.(datasets.Direct); ok && d.Gain != 0 && d.Gain != 1 {
			st = tp.Scale(x, d.Gain)
		}
		return networks.Input{Static: st}
	}
	f := x.Shape[1]
	if fs, ok := enc.(datasets.FirstSpikeEncoder); ok {
		// Latency codes: each feature's firing step, computed once.
		at := tp.AllocInt32(len(x.Data))
		for i, v := range x.Data {
			at[i] = int32(fs.SpikeStep(v))
		}
		return networks.Input{Binary: true, Step: func(t int) *tensor.Tensor {
			out := tp.NewResult(x.Shape)
			for i, s := range at {
				out.Data[i] = 0
				if s == int32(t) {
					out.Data[i] = 1
				}
			}
			return out
		}}
	}
	return networks.Input{Binary: enc.Binary(), Step: func(t int) *tensor.Tensor {
		out := tp.NewResult(x.Shape)
		enc.Encode(out.Data, x.Data, ids, f, t)
		return out
	}}
}

func (c *Classify) TrainStep(epoch, b int) (StepResult, error) {
	lo := b * c.BatchSize
	ids := c.order[lo:min(lo+c.BatchSize, len(c.order))]
	n, f := len(ids), c.Data.Features()
	if cap(c.x) < n*f {
		c.x, c.y = make([]float32, n*f), make([]int, n)
	}
	c.x, c.y = c.x[:n*f], c.y[:n]
	c.Data.Fill(c.x, c.y, ids)

	nw := c.numWorkers(n)
	c.ensureWorkers(nw)
	params := c.Net.Params()
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wlo, whi := w*n/nw, (w+1)*n/nw
		wk := c.workers[w]
		run := func() {
			x := tensor.New([]int{whi - wlo, f}, c.x[wlo*f:whi*f])
			c.runShare(wk, x, c.y[wlo:whi], ids[wlo:whi], float32(whi-wlo)/float32(n))
		}
		if nw == 1 {
			run()
			break
		}
		wg.Add(1)
		go func() { defer wg.Done(); run() }()
	}
	wg.Wait()
	// Sum the workers' gradients into the parameters, in worker order.
	var lossSum float64
	var counts, outMax []float32
	for w := 0; w < nw; w++ {
		wk := c.workers[w]
		lossSum += wk.loss
		counts = append(counts, wk.counts...)
		outMax = append(outMax, wk.outMax...)
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
	if len(outMax) != len(counts) {
		outMax = nil
	}
	return StepResult{Loss: lossSum, Correct: countCorrect(counts, outMax, c.y), Samples: n}, nil
}

func (c *Classify) numWorkers(n int) int {
	w := c.Workers
	if w <= 0 {
		w = kernels.Threads()
	}
	if c.L2 != 0 {
		w = 1
	}
	return max(1, min(w, n/32))
}

func (c *Classify) ensureWorkers(nw int) {
	for len(c.workers) < nw {
		wk := &worker{tp: tensor.NewTape()}
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

// runShare runs forward and backward on one worker's share of the batch,
// its loss scaled by the share's fraction so that the workers' gradients
// add up to the whole batch's (spike-count L1 terms are sums over the
// batch and take no scale).
func (c *Classify) runShare(wk *worker, x *tensor.Tensor, y, ids []int, frac float32) {
	if wk.net != c.Net {
		for _, p := range wk.params {
			p.ZeroGrad()
		}
	}
	window := c.Steps
	if c.Truncate > 0 {
		window = c.Truncate
	}
	var st networks.State
	wk.loss = 0
	wk.counts = make([]float32, len(y)*c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out())
	wk.outMax = nil
	for t0 := 0; t0 < c.Steps; t0 += window {
		t1 := min(t0+window, c.Steps)
		tr, next := wk.net.RunFrom(wk.tp, input(wk.tp, c.Encoder, x, ids), st, t0, t1)
		loss := c.loss(wk.tp, tr, y, frac)
		wk.loss += float64(loss.Item())
		accumulateOutputs(tr, wk.counts, &wk.outMax)
		wk.tp.Backward(loss)
		if t1 < c.Steps {
			st = next.Detach()
		}
		wk.tp.Reset()
	}
}

// loss computes the configured loss over a window, scaled so windows of a
// truncated run add up to the full-sequence loss (count-based losses see
// each window's counts separately).
func (c *Classify) loss(tp *tensor.Tape, tr *networks.Trace, y []int, frac float32) *tensor.Tensor {
	var l *tensor.Tensor
	switch c.Loss {
	case "", "ce_membrane":
		l = losses.CEMembrane(tp, tr.Out(), y)
	case "ce_rate":
		l = tp.Scale(losses.CEMembrane(tp, tr.OutSpikes(), y), 1/float32(c.Steps))
	case "ce_count":
		l = losses.CECount(tp, tr.OutSpikes(), y)
	case "mse_count":
		l = losses.MSECount(tp, tr.OutSpikes(), y, c.CorrectRate, c.IncorrectRate)
	case "nll_max_membrane":
		l = losses.NLLMaxMembrane(tp, tr.Out(), y)
	default:
		panic("trainer: unknown loss " + c.Loss)
	}
	if frac != 1 {
		l = tp.Scale(l, frac)
	}
	for i := 0; i < len(tr.Spikes)-1; i++ {
		if tr.Spikes[i][0] == nil {
			continue
		}
		if c.L1 != 0 {
			l = tp.Add(l, losses.SpikeCountL1(tp, tr.Spikes[i], c.L1))
		}
		if c.L2 != 0 {
			l = tp.Add(l, losses.SpikeCountL2(tp, tr.Spikes[i], c.L2))
		}
	}
	return l
}

// accumulateOutputs adds the output layer's spike counts into counts and,
// for non-spiking outputs, keeps the running maximum of the membrane.
func accumulateOutputs(tr *networks.Trace, counts []float32, outMax *[]float32) {
	for t, s := range tr.OutSpikes() {
		if s != nil {
			for i, v := range s.Data {
				counts[i] += v
			}
			continue
		}
		m := tr.Out()[t].Data
		if *outMax == nil {
			*outMax = append([]float32(nil), m...)
			continue
		}
		for i, v := range m {
			(*outMax)[i] = max((*outMax)[i], v)
		}
	}
}

// predict returns the class of each row: the output neuron with the most
// spikes (first on ties), or with the largest membrane over time when the
// output layer does not spike.
func predict(counts, outMax []float32, rows int) []int {
	score := counts
	if outMax != nil {
		score = outMax
	}
	c := len(score) / rows
	pred := make([]int, rows)
	for r := range pred {
		best := 0
		for j := 1; j < c; j++ {
			if score[r*c+j] > score[r*c+best] {
				best = j
			}
		}
		pred[r] = best
	}
	return pred
}

func countCorrect(counts, outMax []float32, y []int) int {
	n := 0
	for i, p := range predict(counts, outMax, len(y)) {
		if p == y[i] {
			n++
		}
	}
	return n
}

// LayerRate is a layer's mean firing: spikes per neuron per step.
type LayerRate struct {
	Name    string
	Neurons int
	Rate    float64
}

// Evaluation is the result of running a network over a dataset.
type Evaluation struct {
	Pred, Labels []int
	Rates        []LayerRate
	// Raster holds, for the first RasterSamples samples, each spiking
	// layer's spikes as (step, neuron) pairs: [sample][layer][]{t, i}.
	Raster [][][][2]int
}

// Accuracy is the fraction of correct predictions.
func (e *Evaluation) Accuracy() float64 {
	if len(e.Pred) == 0 {
		return 0
	}
	n := 0
	for i, p := range e.Pred {
		if p == e.Labels[i] {
			n++
		}
	}
	return float64(n) / float64(len(e.Pred))
}

// Evaluate runs net without gradients over data in batches and returns
// predictions, firing rates and a raster of the first rasterSamples samples.
func Evaluate(net *networks.FeedForward, data *datasets.Images, enc datasets.Encoder, steps, batch, rasterSamples int) *Evaluation {
	tp := tensor.NewTape()
	ev := &Evaluation{Labels: make([]int, 0, data.N), Pred: make([]int, 0, data.N)}
	f := data.Features()
	x, y := make([]float32, batch*f), make([]int, batch)
	spikes := make([]float64, len(net.Blocks))
	order := datasets.Order(data.N, false, 0, 0)
	for _, ids := range datasets.Batches(order, batch, false) {
		n := len(ids)
		data.Fill(x[:n*f], y[:n], ids)
		xt := tensor.New([]int{n, f}, x[:n*f])
		tp.NoGrad(func() {
			tr := net.Run(tp, input(tp, enc, xt, ids), steps)
			counts := make([]float32, n*net.Blocks[len(net.Blocks)-1].Projection().Out())
			var outMax []float32
			accumulateOutputs(tr, counts, &outMax)
			ev.Pred = append(ev.Pred, predict(counts, outMax, n)...)
			for l := range net.Blocks {
				for _, s := range tr.Spikes[l] {
					if s == nil {
						break
					}
					// Spikes are 0 or 1: the float32 sum of a step's
					// (fewer than 2^24) is exact.
					spikes[l] += float64(kernels.Sum(s.Data))
				}
			}
			for k := 0; k < n && ids[k] < rasterSamples; k++ {
				ev.Raster = append(ev.Raster, raster(tr, k))
			}
		})
		ev.Labels = append(ev.Labels, y[:n]...)
		tp.Reset()
	}
	for l, b := range net.Blocks {
		if b.Cell == nil {
			continue
		}
		name := b.Name
		if name == "" {
			name = fmt.Sprintf("layer%d", l+1)
		}
		ev.Rates = append(ev.Rates, LayerRate{Name: name, Neurons: b.Projection().Out(),
			Rate: spikes[l] / float64(data.N*steps*b.Projection().Out())})
	}
	return ev
}

func raster(tr *networks.Trace, row int) [][][2]int {
	out := make([][][2]int, len(tr.Spikes))
	for l, steps := range tr.Spikes {
		for t, s := range steps {
			if s == nil {
				break
			}
			n := s.Shape[1]
			for i, v := range s.Data[row*n : (row+1)*n] {
				if v != 0 {
					out[l] = append(out[l], [2]int{t, i})
				}
			}
		}
	}
	return out
}

// addGrad adds a worker's gradient g into dst, large ones split between
// goroutines (elementwise, so the result does not depend on the split).
func addGrad(dst, g []float32) {
	const grain = 1 << 15
	if len(g) < 2*grain {
		kernels.AddTo(dst, g)
		return
	}
	kernels.Parallel(len(g), grain, func(lo, hi int) { kernels.AddTo(dst[lo:hi], g[lo:hi]) })
}
