package kinds

import (
	"fmt"
	"slices"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/gpu"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/trainer"
)

// DeviceChecker is implemented by the kinds that can run on a device
// other than the CPU (RunOptions.Device): CheckDevice says, before
// anything runs, whether the recipe's run can, naming the recipe field
// that keeps it from it.
type DeviceChecker interface {
	CheckDevice(device string) error
}

// CheckDevice checks that r can run on device ("cpu" or "": always; "cuda":
// the kinds whose DeviceChecker accepts the recipe). Its errors are the
// recipe's to fix (exit 2), in one line.
func CheckDevice(r *recipes.Recipe, device string) error {
	if device == "" || device == "cpu" {
		return nil
	}
	dc, ok := r.Spec.(DeviceChecker)
	if !ok {
		return recipes.Invalid("kind", "%s recipes do not train on the GPU yet (--set device=%s trains snn-classify's dense LIF networks); use device=cpu", r.Kind, device)
	}
	return dc.CheckDevice(device)
}

// CheckDevice accepts the recipes whose training runs on the GPU
// (gpu.FF): a dense feed-forward LIF network with a LIF readout, a direct
// input, the ce_membrane loss, Adam or AdamW and full BPTT.
func (c *Classify) CheckDevice(device string) error {
	if device != "cuda" {
		return recipes.Invalid("device", "unknown device %q (cpu or cuda)", device)
	}
	m, t := c.Model, c.Train
	not := func(field, what string) error {
		return recipes.Invalid(field, "%s: not trained on the GPU yet (device=cuda trains dense LIF networks with a LIF readout, direct input, ce_membrane, adam or adamw, full BPTT); use device=cpu", what)
	}
	switch {
	case c.Data.Encoding != "direct":
		return not("data.encoding", c.Data.Encoding+" input")
	case m.Neuron != "lif":
		return not("model.neuron", "a hidden layer of "+m.Neuron+" neurons")
	case m.Readout != "lif":
		return not("model.readout", "the "+m.Readout+" readout")
	case m.LearnBeta:
		return not("model.learn_beta", "a trainable decay")
	case m.Connectivity < 1:
		return not("model.connectivity", fmt.Sprintf("sparse connectivity (%g)", m.Connectivity))
	case slices.ContainsFunc(m.Delay, func(d int) bool { return d != 0 }):
		return not("model.delay", "an axonal delay")
	case m.HiddenGain != 1:
		return not("model.hidden_gain", fmt.Sprintf("an input gain (%g)", m.HiddenGain))
	case m.ReadoutGain != 1:
		return not("model.readout_gain", fmt.Sprintf("an input gain (%g)", m.ReadoutGain))
	case t.Loss != "ce_membrane":
		return not("train.loss", "the "+t.Loss+" loss")
	case t.Optimizer != "adam" && t.Optimizer != "adamw":
		return not("train.optimizer", "the "+t.Optimizer+" optimizer")
	case t.GradClip != 0:
		return not("train.grad_clip", "gradient clipping")
	case t.L1 != 0:
		return not("train.l1", "the L1 spike-count regularizer")
	case t.L2 != 0:
		return not("train.l2", "the L2 spike-count regularizer")
	case t.Truncate != 0:
		return not("train.truncate", "truncated BPTT")
	}
	sg, err := c.surrogate()
	if err != nil {
		return err
	}
	if _, _, ok := (snn.LIF{Surrogate: sg}).Kernel(); !ok {
		return not("model.surrogate", "the "+m.Surrogate+" surrogate (the GPU evaluates atan, fast_sigmoid, sigmoid and triangle)")
	}
	return nil
}

// gpuEvalBatch is the samples per batch of an evaluation on the GPU, as
// trainer.Evaluate's on the CPU.
const gpuEvalBatch = 256

// classifyGPU trains an snn-classify network on the GPU: it is the loop's
// task (forward and backward of a batch) and optimizer (Adam on the
// device). The parameters live on the device; sync copies them, and Adam's
// state, into the CPU network and optimizer for checkpoints, and upload
// copies them back (a resumed run, the best epoch's parameters).
type classifyGPU struct {
	c    *Classify
	d    *gpu.Device
	ff   *gpu.FF
	net  *networks.FeedForward
	opt  optimizer
	data *datasets.Images
	// step is the number of Adam steps taken (the checkpoint's count).
	step  int
	order []int
}

// newClassifyGPU puts net (its parameters, as initialized or restored)
// and opt's state on d, to train on data.
func newClassifyGPU(d *gpu.Device, c *Classify, net *networks.FeedForward, opt optimizer, data *datasets.Images) (*classifyGPU, error) {
	if err := c.CheckDevice("cuda"); err != nil {
		return nil, err
	}
	cfg := gpu.FFConfig{Sizes: []int{net.Blocks[0].Projection().In()}, Steps: c.Data.Steps,
		Batch: max(c.Train.BatchSize, gpuEvalBatch), Bias: c.Model.Bias}
	for i, b := range net.Blocks {
		cell, ok := b.Cell.(networks.LIFCell)
		if !ok || b.Proj == nil || b.Conn != nil {
			return nil, fmt.Errorf("gpu: block %d (%s) is not a dense LIF layer", i, b.Name)
		}
		reset, sur, ok := cell.LIF.Kernel()
		if !ok {
			return nil, recipes.Invalid("model.surrogate", "%s does not run on the GPU", c.Model.Surrogate)
		}
		cfg.Sizes = append(cfg.Sizes, b.Proj.Out())
		cfg.Beta = append(cfg.Beta, cell.Beta)
		cfg.Theta, cfg.Reset, cfg.Surrogate = cell.Threshold, reset, sur
	}
	ff, err := gpu.NewFF(d, cfg)
	if err != nil {
		return nil, err
	}
	g := &classifyGPU{c: c, d: d, ff: ff, net: net, opt: opt, data: data}
	if err := g.upload(); err != nil {
		ff.Free()
		return nil, err
	}
	if err := g.uploadData(); err != nil {
		ff.Free()
		return nil, err
	}
	return g, nil
}

// uploadData keeps the training set on the device (its pixels scaled as
// datasets.Images.Fill scales them, in pieces of 4,096 images), so that a
// batch sends only its sample indices.
func (g *classifyGPU) uploadData() error {
	n, f := g.data.N, g.data.Features()
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = int32(g.data.Labels[i])
	}
	if err := g.ff.AllocData(labels); err != nil {
		return err
	}
	const piece = 4096
	x, y := make([]float32, min(n, piece)*f), make([]int, min(n, piece))
	ids := make([]int, 0, piece)
	for lo := 0; lo < n; lo += piece {
		hi := min(lo+piece, n)
		ids = ids[:0]
		for i := lo; i < hi; i++ {
			ids = append(ids, i)
		}
		g.data.Fill(x[:(hi-lo)*f], y[:hi-lo], ids)
		if err := g.d.Upload(g.ff.DataAt(lo, hi), x[:(hi-lo)*f]); err != nil {
			return err
		}
	}
	return nil
}

func (g *classifyGPU) free() { g.ff.Free() }

// upload copies the CPU network's parameters and the optimizer's moments
// and step count to the device.
func (g *classifyGPU) upload() error {
	params := g.net.Params()
	host := make([][]float32, len(params))
	for i, p := range params {
		host[i] = p.Data
	}
	if err := g.ff.Upload(g.ff.Params(), host); err != nil {
		return err
	}
	st := g.opt.State()
	ms, vs := g.ff.Moments()
	g.step = 0
	for _, gs := range st.Groups {
		for _, ps := range gs.Params {
			i := ps.Index
			g.step = int(ps.Step)
			for name, dst := range map[string]*gpu.Buf{"exp_avg": ms[i], "exp_avg_sq": vs[i]} {
				v := ps.Buffers[name]
				if v == nil {
					v = make([]float32, ps.Len)
				}
				if err := g.ff.Upload([]*gpu.Buf{dst}, [][]float32{v}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// sync copies the device's parameters into the CPU network and Adam's
// moments and step count into the CPU optimizer, so that checkpoints and
// braingo eval see the trained network.
func (g *classifyGPU) sync() error {
	params := g.net.Params()
	host := make([][]float32, len(params))
	for i, p := range params {
		host[i] = p.Data
	}
	if err := g.ff.Download(host, g.ff.Params()); err != nil {
		return err
	}
	if g.step == 0 {
		return nil
	}
	st := g.opt.State()
	ms, vs := g.ff.Moments()
	for gi := range st.Groups {
		for pi := range st.Groups[gi].Params {
			ps := &st.Groups[gi].Params[pi]
			m, v := make([]float32, ps.Len), make([]float32, ps.Len)
			if err := g.ff.Download([][]float32{m, v}, []*gpu.Buf{ms[ps.Index], vs[ps.Index]}); err != nil {
				return err
			}
			ps.Step, ps.Buffers = int64(g.step), map[string][]float32{"exp_avg": m, "exp_avg_sq": v}
		}
	}
	return g.opt.SetState(st)
}

// Batches is trainer.Classify's: the same order of the same samples.
func (g *classifyGPU) Batches(epoch int) int {
	g.order = datasets.Order(g.data.N, g.c.Train.Shuffle, uint64(g.c.Seed), epoch)
	return datasets.NumBatches(g.data.N, g.c.Train.BatchSize, true)
}

// TrainStep runs batch b's forward and backward passes on the device: its
// sample indices go to the device (the training set is there), its loss
// and number of correct predictions come back.
func (g *classifyGPU) TrainStep(epoch, b int) (trainer.StepResult, error) {
	lo := b * g.c.Train.BatchSize
	ids := g.order[lo:min(lo+g.c.Train.BatchSize, len(g.order))]
	loss, correct, err := g.ff.TrainIndexed(ids)
	if err != nil {
		return trainer.StepResult{}, err
	}
	return trainer.StepResult{Loss: loss, Correct: correct, Samples: len(ids)}, nil
}

// ZeroGrad does nothing: each TrainStep overwrites the gradients.
func (g *classifyGPU) ZeroGrad() {}

// Step is one Adam (AdamW) step on the device with the CPU optimizer's
// hyperparameters as they are now (a schedule changes its rate).
func (g *classifyGPU) Step() error {
	h, err := adamHyper(g.opt)
	if err != nil {
		return err
	}
	g.step++
	h.Step = g.step
	return g.ff.Adam(h)
}

// adamHyper reads an Adam or AdamW optimizer's hyperparameters (one
// group).
func adamHyper(opt optimizer) (kernels.AdamHyper, error) {
	switch o := opt.(type) {
	case *optim.Adam:
		c := o.Groups[0].Config
		return kernels.AdamHyper{LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay, Maximize: c.Maximize}, nil
	case *optim.AdamW:
		c := o.Groups[0].Config
		return kernels.AdamHyper{LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay, Decoupled: true, Maximize: c.Maximize}, nil
	}
	return kernels.AdamHyper{}, fmt.Errorf("gpu: optimizer %T does not run on the GPU", opt)
}

// evaluate runs the network on the device over data in batches of 256, as
// trainer.Evaluate does on the CPU: predictions (the most output spikes),
// each layer's spike count and rate, the input count and the raster of
// the first 3 samples.
func (g *classifyGPU) evaluate(data *datasets.Images) (*trainer.Evaluation, error) {
	const rasterSamples = 3
	steps, f := g.c.Data.Steps, data.Features()
	ev := &trainer.Evaluation{Labels: make([]int, 0, data.N), Pred: make([]int, 0, data.N)}
	spikes := make([]float64, len(g.net.Blocks))
	x, y := make([]float32, gpuEvalBatch*f), make([]int, gpuEvalBatch)
	pred := make([]int32, gpuEvalBatch)
	for _, ids := range datasets.Batches(datasets.Order(data.N, false, 0, 0), gpuEvalBatch, false) {
		n := len(ids)
		data.Fill(x[:n*f], y[:n], ids)
		for _, v := range x[:n*f] {
			if v != 0 {
				ev.Inputs += float64(steps) // a static input counts once per step
			}
		}
		if err := g.ff.Forward(x[:n*f], n); err != nil {
			return nil, err
		}
		if err := g.ff.Predict(pred[:n]); err != nil {
			return nil, err
		}
		for _, p := range pred[:n] {
			ev.Pred = append(ev.Pred, int(p))
		}
		ev.Labels = append(ev.Labels, y[:n]...)
		for l := range g.net.Blocks {
			s, err := g.ff.SpikeCount(l)
			if err != nil {
				return nil, err
			}
			spikes[l] += s
		}
		for k := 0; k < n && ids[k] < rasterSamples; k++ {
			r := make([][][2]int, len(g.net.Blocks))
			for l, b := range g.net.Blocks {
				s, err := g.ff.SpikesOf(l, k)
				if err != nil {
					return nil, err
				}
				h := b.Proj.Out()
				for i, v := range s {
					if v != 0 {
						r[l] = append(r[l], [2]int{i / h, i % h})
					}
				}
			}
			ev.Raster = append(ev.Raster, r)
		}
	}
	ev.Spikes = spikes
	for l, b := range g.net.Blocks {
		out := b.Proj.Out()
		ev.Rates = append(ev.Rates, trainer.LayerRate{Name: b.Name, Neurons: out, Rate: spikes[l] / float64(data.N*steps*out)})
	}
	return ev, nil
}
