// Package trainer runs training: a loop over epochs and batches with named
// hooks (progress, evaluation, checkpoints, early stopping, a NaN guard,
// metrics); BPTT and truncated BPTT through spiking and rate networks on
// image classification, binned event data (SeqClassify) and cognitive
// tasks; FORCE/RLS and ridge readouts;
// online rules (e-prop, STDP, reward-modulated STDP); and policy-gradient
// reinforcement learning (A2C).
package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/tensor"
)

// Optimizer is what the loop needs of an optimizer (package optim's
// optimizers satisfy it).
type Optimizer interface {
	// Step applies the accumulated gradients; an error (a NaN gradient)
	// leaves the parameters unchanged.
	Step() error
	// ZeroGrad clears the gradients.
	ZeroGrad()
}

// StepResult is what one training step reports.
type StepResult struct {
	Loss    float64 // mean loss of the batch
	Correct int     // correctly classified samples (classification tasks)
	Samples int     // samples in the batch
}

// Task is one epoch's worth of training work, driven by the loop.
type Task interface {
	// Batches is the number of training steps in epoch e.
	Batches(epoch int) int
	// TrainStep runs forward and backward on batch b of epoch e and leaves
	// gradients in the parameters; the loop then calls the optimizer.
	TrainStep(epoch, b int) (StepResult, error)
}

// ContextTask is a Task that can stop inside a batch: the loop hands it
// the run's context before every batch, and a cancelled context ends the
// batch early with the context's error (the optimizer does not step).
type ContextTask interface {
	SetContext(ctx context.Context)
}

// FillTask is a Task that can leave one parameter's gradient to be
// computed during the optimizer's step, range by range (optim's StepFill:
// the block of a large weight gradient updated while it is in cache). The
// loop offers it before every batch when its optimizer is a FillStepper;
// the parameters after the step are the same bits either way.
type FillTask interface {
	// SetFill tells the task whether its next TrainStep may leave a
	// gradient unfilled.
	SetFill(on bool)
	// Unfilled returns the parameter whose gradient the last TrainStep
	// left unfilled and what computes it, or nil.
	Unfilled() (*tensor.Tensor, optim.GradFill)
}

// FillOverwriter is a FillTask that says, once SetFill has been called,
// which parameter's gradient its next TrainStep will leave unfilled for a
// fill that overwrites it whole (nil if none): the loop then leaves that
// gradient as it is before the step instead of clearing it.
type FillOverwriter interface {
	WillFill() *tensor.Tensor
}

// ZeroGradExcepter is an Optimizer that can clear every gradient but one
// (package optim's optimizers can).
type ZeroGradExcepter interface {
	ZeroGradExcept(p *tensor.Tensor)
}

// zeroGrad clears the gradients before a batch, but for the one the task's
// fill will overwrite (FillOverwriter): clearing fmnist-snn's 3 MB
// first-layer gradient was a pass over memory on one goroutine per batch.
func (l *Loop) zeroGrad() {
	if fo, ok := l.Task.(FillOverwriter); ok {
		if ze, ok := l.Optimizer.(ZeroGradExcepter); ok {
			if p := fo.WillFill(); p != nil {
				ze.ZeroGradExcept(p)
				return
			}
		}
	}
	l.Optimizer.ZeroGrad()
}

// FillStepper is an Optimizer whose step can fill a parameter's gradient
// (package optim's optimizers are).
type FillStepper interface {
	StepFill(p *tensor.Tensor, f optim.GradFill) error
}

// step applies the optimizer after a batch: through StepFill when the task
// left a gradient unfilled.
func (l *Loop) step() error {
	if ft, ok := l.Task.(FillTask); ok {
		if p, f := ft.Unfilled(); p != nil {
			if fs, ok := l.Optimizer.(FillStepper); ok {
				return fs.StepFill(p, f)
			}
			f.Fill(0, len(p.Grad))
		}
	}
	return l.Optimizer.Step()
}

// Epoch summarizes one epoch; hooks may add figures to Extra.
type Epoch struct {
	Epoch        int     // 1-based
	TrainLoss    float64 // mean over batches
	TrainAcc     float64 // fraction of training samples classified right
	Samples      int
	TrainSeconds float64 // wall time of the training steps only
	SamplesPerS  float64
	Extra        map[string]float64
}

// Loop drives a Task for a number of epochs with hooks.
type Loop struct {
	Task      Task
	Optimizer Optimizer
	Epochs    int
	// StartEpoch is the first epoch to run (1 normally; later when resuming).
	StartEpoch int
	Hooks      []Hook

	// State visible to hooks.
	Epoch   int // current epoch, 1-based
	Batch   int // current batch within the epoch
	Batches int // batches in the current epoch
	History []Epoch
}

// Hook is a named participant in the loop; it implements any of the
// optional interfaces below (io.WriterTo style), which the loop finds by
// type assertion.
type Hook interface{ Name() string }

// EpochStarter is called before an epoch's first batch.
type EpochStarter interface {
	EpochStart(l *Loop) error
}

// StepEnder is called after each optimizer step.
type StepEnder interface {
	StepEnd(l *Loop, r StepResult) error
}

// EpochEnder is called after an epoch, with its summary (which it may
// extend through Extra; later hooks see earlier hooks' additions).
type EpochEnder interface {
	EpochEnd(l *Loop, e *Epoch) error
}

// Ender is called once when the loop stops, with the reason (nil after the
// last epoch, ErrStop after an early stop, or the error that ended it).
type Ender interface {
	End(l *Loop, err error)
}

// ErrStop is returned by a hook to end training early without failure.
var ErrStop = errors.New("trainer: stop requested")

// ErrNotFinite reports a loss or gradient that is NaN or infinite.
var ErrNotFinite = errors.New("not finite")

// Run trains until the last epoch, a hook's ErrStop, an error or ctx's end.
// It returns nil for a normal or early stop.
func (l *Loop) Run(ctx context.Context) (err error) {
	if l.StartEpoch < 1 {
		l.StartEpoch = 1
	}
	defer func() {
		for _, h := range l.Hooks {
			if e, ok := h.(Ender); ok {
				e.End(l, err)
			}
		}
		if errors.Is(err, ErrStop) {
			err = nil
		}
	}()
	for l.Epoch = l.StartEpoch; l.Epoch <= l.Epochs; l.Epoch++ {
		if l.Epoch > l.StartEpoch {
			// Collect the previous epoch's garbage (its evaluation,
			// checkpoint and plots) now, outside the timed steps. The
			// heap is mostly the tapes' pointer-free buffers, so a
			// collection is quick; left to the pacer, which collects when
			// the heap doubles its live size, the garbage of several
			// epochs piled up and the peak RSS of fmnist-s2 (live heap
			// about 450 MB) climbed from 600 MB to 1.1 GB over 5 epochs.
			runtime.GC()
		}
		l.Batches = l.Task.Batches(l.Epoch)
		for _, h := range l.Hooks {
			if s, ok := h.(EpochStarter); ok {
				if err := s.EpochStart(l); err != nil {
					return hookErr(h, err)
				}
			}
		}
		ep := Epoch{Epoch: l.Epoch, Extra: map[string]float64{}}
		var lossSum float64
		var correct int
		var elapsed time.Duration
		for l.Batch = 0; l.Batch < l.Batches; l.Batch++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			if ct, ok := l.Task.(ContextTask); ok {
				ct.SetContext(ctx)
			}
			if ft, ok := l.Task.(FillTask); ok {
				_, on := l.Optimizer.(FillStepper)
				ft.SetFill(on)
			}
			start := time.Now()
			l.zeroGrad()
			r, err := l.Task.TrainStep(l.Epoch, l.Batch)
			if err != nil {
				return fmt.Errorf("epoch %d batch %d: %w", l.Epoch, l.Batch, err)
			}
			if math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) {
				return fmt.Errorf("epoch %d batch %d: loss is %v: %w (lower the learning rate, check the input scale, or clip gradients)", l.Epoch, l.Batch, r.Loss, ErrNotFinite)
			}
			if err := l.step(); err != nil {
				return fmt.Errorf("epoch %d batch %d: %w", l.Epoch, l.Batch, err)
			}
			elapsed += time.Since(start)
			lossSum += r.Loss
			correct += r.Correct
			ep.Samples += r.Samples
			for _, h := range l.Hooks {
				if s, ok := h.(StepEnder); ok {
					if err := s.StepEnd(l, r); err != nil {
						return hookErr(h, err)
					}
				}
			}
		}
		ep.TrainSeconds = elapsed.Seconds()
		if l.Batches > 0 {
			ep.TrainLoss = lossSum / float64(l.Batches)
		}
		if ep.Samples > 0 {
			ep.TrainAcc = float64(correct) / float64(ep.Samples)
			ep.SamplesPerS = float64(ep.Samples) / ep.TrainSeconds
		}
		for _, h := range l.Hooks {
			if e, ok := h.(EpochEnder); ok {
				if err := e.EpochEnd(l, &ep); err != nil {
					l.History = append(l.History, ep)
					return hookErr(h, err)
				}
			}
		}
		l.History = append(l.History, ep)
	}
	return nil
}

func hookErr(h Hook, err error) error {
	if errors.Is(err, ErrStop) {
		return err
	}
	return fmt.Errorf("%s: %w", h.Name(), err)
}
