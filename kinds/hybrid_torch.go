//go:build torch

package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/torchlayer"
	"github.com/braingo/braingo/trainer"
)

func init() {
	runCSNN = (*CSNN).run
	runTaskHybrid = (*TaskHybrid).run
}

// BuildCSNN returns the recipe's network (torchlayer.CSNN), initialized
// from its seed.
func BuildCSNN(c *CSNN) (*torchlayer.CSNN, error) {
	sg, err := surrogateFor(c.Model.Surrogate, c.Model.SurrogateScale)
	if err != nil {
		return nil, err
	}
	cfg := torchlayer.CSNNConfig{Seed: uint64(c.Seed), Side: 28, Channels: c.Model.Channels, Kernel: c.Model.Kernel,
		BatchNorm: c.Model.BatchNorm, Pool: c.Model.Pool, Dropout: c.Model.Dropout, Classes: 10, Steps: c.Data.Steps,
		LIF: snn.LIF{Beta: float32(c.Model.Beta), Threshold: float32(c.Model.Threshold), Surrogate: sg},
		Out: snn.LIF{Beta: float32(c.Model.ReadoutBeta), Threshold: float32(c.Model.Threshold), Surrogate: sg}}
	cfg.Out.Reset, _ = snn.ParseReset(c.Model.ReadoutReset)
	cfg.LIF.Reset, _ = snn.ParseReset(c.Model.Reset)
	in, side, classes := c.inputShape()
	cfg.InChannels, cfg.Side, cfg.Classes, cfg.Dynamic = in, side, classes, c.Data.Dataset == "dvsgesture"
	return torchlayer.NewCSNN(cfg)
}

// csnnTask is one epoch's batches for trainer.Loop.
type csnnTask struct {
	m     *torchlayer.CSNN
	c     *CSNN
	data  CSNNData
	tp    *tensor.Tape
	order []int
	x     []float32
	y     []int
}

func (k *csnnTask) Batches(epoch int) int {
	k.order = datasets.Order(k.data.Len(), k.c.Train.Shuffle, uint64(k.c.Seed), epoch)
	k.m.Store.Timing = torchlayer.Timing{}
	return datasets.NumBatches(k.data.Len(), k.c.Train.BatchSize, true)
}

func (k *csnnTask) TrainStep(epoch, bi int) (trainer.StepResult, error) {
	bs := k.c.Train.BatchSize
	ids := k.order[bi*bs : (bi+1)*bs]
	x, y := csnnBatch(k.m, k.data, ids, &k.x, &k.y)
	tp := k.tp
	k.m.Store.Train = true
	spk, mem, _ := k.m.Run(tp, x)
	var loss *tensor.Tensor
	switch k.c.Train.Loss {
	case "ce_membrane":
		loss = losses.CEMembrane(tp, mem, y)
	case "ce_count":
		loss = losses.CECount(tp, spk, y)
	default:
		loss = tp.Scale(losses.CEMembrane(tp, spk, y), 1/float32(len(spk)))
	}
	v := float64(loss.Item())
	tp.Backward(loss)
	correct := 0
	for i, p := range torchlayer.Predict(spk, mem) {
		if p == y[i] {
			correct++
		}
	}
	tp.Reset()
	k.m.Store.Release()
	return trainer.StepResult{Loss: v, Correct: correct, Samples: bs}, nil
}

// csnnBatch fills samples ids of data into *x and *y (grown as needed) and
// returns the input tensor and the labels.
func csnnBatch(m *torchlayer.CSNN, data CSNNData, ids []int, x *[]float32, y *[]int) (*tensor.Tensor, []int) {
	sh, n := data.Shape(), len(ids)
	rows := n
	if data.Dynamic() {
		rows = m.Steps * n
	}
	size := rows * sh[0] * sh[1] * sh[2]
	if len(*x) < size {
		*x = make([]float32, size)
	}
	if len(*y) < n {
		*y = make([]int, n)
	}
	data.Fill((*x)[:size], (*y)[:n], ids)
	return tensor.New([]int{rows, sh[0], sh[1], sh[2]}, (*x)[:size]), (*y)[:n]
}

// EvaluateCSNN runs the model without gradients over data and returns the
// predictions and each layer's firing rate (spikes per neuron per step).
func EvaluateCSNN(m *torchlayer.CSNN, data CSNNData, batch int) (pred []int, rates []eval.LayerRate) {
	m.Store.Train = false
	defer func() { m.Store.Train = true }()
	tp := tensor.NewTape()
	var xbuf []float32
	var ybuf []int
	sums := make([]float64, len(m.Blocks)+1)
	for _, ids := range datasets.Batches(datasets.Order(data.Len(), false, 0, 0), batch, false) {
		x, _ := csnnBatch(m, data, ids, &xbuf, &ybuf)
		tp.NoGrad(func() {
			spk, mem, hidden := m.Run(tp, x)
			pred = append(pred, torchlayer.Predict(spk, mem)...)
			for i, h := range hidden {
				sums[i] += h
			}
			for _, s := range spk {
				sums[len(m.Blocks)] += float64(kernels.Sum(s.Data))
			}
		})
		tp.Reset()
	}
	for i, sh := range m.Shapes {
		nn := sh[0] * sh[1] * sh[2]
		rates = append(rates, eval.LayerRate{Layer: fmt.Sprintf("block%d", i+1), Neurons: nn,
			Rate: sums[i] / float64(data.Len()*m.Steps*nn), Silent: -1})
	}
	no := m.Readout.Out()
	rates = append(rates, eval.LayerRate{Layer: "output", Neurons: no, Rate: sums[len(m.Blocks)] / float64(data.Len()*m.Steps*no), Silent: -1})
	return pred, rates
}

// evaluateCSNNAcc is EvaluateCSNN with the accuracy of its predictions.
func evaluateCSNNAcc(m *torchlayer.CSNN, data CSNNData) (pred []int, rates []eval.LayerRate, acc float64) {
	pred, rates = EvaluateCSNN(m, data, 256)
	correct := 0
	for i, p := range pred {
		if p == data.Label(i) {
			correct++
		}
	}
	return pred, rates, float64(correct) / float64(data.Len())
}

// CSNNLine is the JSON object printed per epoch with --json: TestAcc is
// the epoch's test accuracy or, with data.validation, ValAcc its
// validation accuracy.
type CSNNLine struct {
	Epoch         int      `json:"epoch"`
	TrainSeconds  float64  `json:"train_seconds"`
	TorchSeconds  float64  `json:"libtorch_seconds"`
	BridgeSeconds float64  `json:"bridge_seconds"`
	BridgePct     float64  `json:"bridge_pct"`
	SamplesPerS   float64  `json:"samples_per_s"`
	TrainLoss     float64  `json:"train_loss"`
	TrainAcc      float64  `json:"train_acc"`
	TestAcc       *float64 `json:"test_acc,omitempty"`
	ValAcc        *float64 `json:"val_acc,omitempty"`
	PeakRSSMB     float64  `json:"peak_rss_mb"`
}

const csnnFormat = "braingo-csnn/1"

// run trains a csnn-classify recipe into opts.Dir.
func (c *CSNN) run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	train, test, err := c.LoadData()
	if err != nil {
		return err
	}
	var val CSNNData
	if v := c.Data.Validation; v > 0 {
		if v >= train.Len() {
			return recipes.Invalid("data.validation", "%d leaves none of the %d training samples to train on", v, train.Len())
		}
		train, val = splitCSNN(train, v)
	}
	if train.Len() < c.Train.BatchSize {
		return recipes.Invalid("train.batch_size", "%d is larger than the %d training samples", c.Train.BatchSize, train.Len())
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	if opts.Resume {
		keepLegacyZeroReset(r, filepath.Join(opts.Dir, CheckpointFile), opts.Stderr)
	}
	m, err := BuildCSNN(c)
	if err != nil {
		return err
	}
	torchlayer.SetThreads(c.TorchThreads)
	opt, err := optim.New(m.Params(), optim.AdamConfig{LR: c.Train.LR, Beta1: 0.9, Beta2: 0.999})
	if err != nil {
		return err
	}
	start := 1
	var history []eval.EpochRecord
	ckpt := filepath.Join(opts.Dir, CheckpointFile)
	epoch, history, err := opts.resume(func(path string) (int, error) { return restoreTraining(path, csnnFormat, m.Saved(), opt) })
	if err != nil {
		return err
	}
	start = epoch + 1
	if epoch > 0 {
		// The learning rate of epoch start, whatever the checkpoint holds.
		for _, lr := range opt.LRs() {
			*lr = c.Train.LR * math.Pow(c.Train.LRDecay, float64(epoch))
		}
	}
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	task := &csnnTask{m: m, c: c, data: train, tp: tensor.NewTape()}
	var lastPred []int
	var lastRates []eval.LayerRate
	lastAcc := math.NaN()
	// With a validation set, each epoch is scored on it, and the best
	// epoch's parameters are kept for the one test evaluation at the end.
	evalSet, measure, what := test, "test_acc", "test"
	if val != nil {
		evalSet, measure, what = val, "val_acc", "validation"
	}
	// A resumed run's history seeds the selection and early stopping.
	sel := newSelection(measure, c.Train.Patience, history)
	evalHook := trainer.EpochFunc{Label: "evaluate", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		tm := m.Store.Timing
		var acc float64
		lastPred, lastRates, acc = evaluateCSNNAcc(m, evalSet)
		e.Extra[measure] = acc
		rec := eval.NewRecord(e.Epoch)
		rec.TrainLoss, rec.TrainAcc = e.TrainLoss, e.TrainAcc
		line := CSNNLine{Epoch: e.Epoch, TrainSeconds: e.TrainSeconds, TorchSeconds: tm.Torch.Seconds(), BridgeSeconds: tm.Bridge.Seconds(),
			SamplesPerS: e.SamplesPerS, TrainLoss: e.TrainLoss, TrainAcc: e.TrainAcc}
		if val == nil {
			lastAcc, rec.TestAcc, line.TestAcc = acc, acc, &acc
		} else {
			line.ValAcc = &acc
		}
		rec.Seconds, rec.SamplesPerSec = e.TrainSeconds, e.SamplesPerS
		rec.Rates = lastRates
		bridgePct := 100 * tm.Bridge.Seconds() / e.TrainSeconds
		rec.Extra = map[string]float64{"peak_rss_mb": sysinfo.PeakRSSMB(), "libtorch_seconds": tm.Torch.Seconds(),
			"bridge_seconds": tm.Bridge.Seconds(), "bridge_pct": bridgePct}
		if val != nil {
			rec.Extra["val_acc"] = acc
		}
		history = append(history, rec)
		if err := opts.AppendMetrics(rec); err != nil {
			return err
		}
		if val != nil && sel.improved(acc) {
			if err := saveTraining(opts.Path(BestFile), csnnFormat, r, m.Saved(), opt, e.Epoch); err != nil {
				return err
			}
		}
		if err := saveTraining(ckpt, csnnFormat, r, m.Saved(), opt, e.Epoch); err != nil {
			return err
		}
		fmt.Fprintf(opts.Stderr, "epoch %d: train %.1f s (libtorch %.1f s, bridge %.2f s = %.2f%%, braingo and the rest %.1f s), %s accuracy %.2f%%\n",
			e.Epoch, e.TrainSeconds, tm.Torch.Seconds(), tm.Bridge.Seconds(), bridgePct,
			e.TrainSeconds-tm.Torch.Seconds()-tm.Bridge.Seconds(), what, 100*acc)
		for _, lr := range opt.LRs() {
			*lr *= c.Train.LRDecay
		}
		if opts.JSON {
			line.BridgePct, line.PeakRSSMB = bridgePct, sysinfo.PeakRSSMB()
			return json.NewEncoder(opts.Stdout).Encode(line)
		}
		return nil
	}}
	hooks := append([]trainer.Hook{&trainer.Progress{W: opts.Stderr, Force: opts.ForceProgress}, trainer.NaNGuard{Params: m.Params()}, evalHook}, sel.hooks()...)
	loop := &trainer.Loop{Task: task, Optimizer: opt, Epochs: c.Train.Epochs, StartEpoch: start, Hooks: hooks}
	runErr := loop.Run(ctx)
	if val != nil && runErr == nil {
		// The one test evaluation: the best validation epoch's parameters.
		ep, err := restoreTraining(opts.Path(BestFile), csnnFormat, m.Saved(), nil)
		if err != nil {
			return err
		}
		lastPred, lastRates, lastAcc = evaluateCSNNAcc(m, test)
		res := TestResult{BestEpoch: ep, ValAcc: sel.best, TestAcc: lastAcc, Samples: len(lastPred)}
		if err := writeTestFile(opts, res); err != nil {
			return err
		}
		if opts.JSON {
			if err := json.NewEncoder(opts.Stdout).Encode(res); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(opts.Stdout, "\ntest accuracy %.2f%% with the parameters of epoch %d (best validation accuracy %.2f%%)\n", 100*res.TestAcc, ep, 100*sel.best)
		}
	} else if val != nil {
		lastPred = nil // the last evaluation was of the validation set: no test report
	}
	if lastPred != nil {
		if err := csnnReport(opts, c, test, lastPred, lastRates, history, lastAcc); err != nil && runErr == nil {
			runErr = err
		}
	}
	return runErr
}

func csnnReport(opts *RunDir, c *CSNN, test CSNNData, pred []int, rates []eval.LayerRate, history []eval.EpochRecord, acc float64) error {
	cm := eval.NewConfusionMatrix(test.Classes())
	labels := make([]int, test.Len())
	for i := range labels {
		labels[i] = test.Label(i)
	}
	cm.Add(pred, labels)
	if err := eval.WriteCurves(opts.Dir, history); err != nil {
		return err
	}
	if err := eval.WriteConfusion(opts.Dir, cm, test.ClassNames()); err != nil {
		return err
	}
	if opts.JSON {
		return nil
	}
	w := opts.Stdout
	fmt.Fprintf(w, "\n%s, conv SNN %v: %d epochs, test accuracy %.2f%%\n", c.Data.Dataset, c.Model.Channels, len(history), 100*acc)
	if err := eval.WriteEpochTable(w, history); err != nil {
		return err
	}
	if err := eval.WriteRateTable(w, rates); err != nil {
		return err
	}
	if err := eval.WriteConfusionTable(w, cm, test.ClassNames()); err != nil {
		return err
	}
	fmt.Fprintf(w, "run directory %s: %s, %s, %s, %s, %s\n", opts.Dir, recipes.EchoFile, eval.MetricsFile, CheckpointFile, eval.CurvesFile, eval.ConfusionFile)
	return nil
}

// run trains a task-hybrid recipe: task-bptt with a libtorch
// MLP encoder in front of the recurrent spiking network.
func (c *TaskHybrid) run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	d, err := c.data()
	if err != nil {
		return err
	}
	spec := d.spec
	store := torchlayer.NewStore(uint64(c.Seed))
	torchlayer.SetThreads(c.TorchThreads)
	var layers []*torchlayer.Layer
	in := len(spec.Obs)
	for i, h := range c.Encoder.Hidden {
		lin, err := store.Linear(fmt.Sprintf("enc%d", i+1), in, h)
		if err != nil {
			return err
		}
		act, err := store.Activation(c.Encoder.Activation)
		if err != nil {
			return recipes.Invalid("encoder.activation", "%v", err)
		}
		layers = append(layers, lin, act)
		in = h
	}
	enc, err := store.Seq("encoder", layers...)
	if err != nil {
		return err
	}
	core, err := c.Model.build(in, len(spec.Actions), spec.DT, c.Seed)
	if err != nil {
		return err
	}
	if rs, ok := core.(*networks.RSNN); ok {
		rs.BinaryInput = false // the encoder's output is a current, not spikes
	}
	net := &torchlayer.Recurrent{Encoder: enc, Net: core, In: len(spec.Obs)}
	tr, seq := c.taskRun(r, opts, d, net)
	start := time.Now()
	err = tr.run(ctx, seq, c.Train.Epochs, c.Train.Optim)
	store.Release()
	fmt.Fprintf(opts.Stderr, "task-hybrid: %.1f s, of which libtorch encoder %.2f s and bridge %.2f s\n",
		time.Since(start).Seconds(), store.Timing.Torch.Seconds(), store.Timing.Bridge.Seconds())
	return err
}
