package trainer

import (
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// Progress shows a progress bar per epoch on W (stderr by default) with the
// epoch, running loss and accuracy, samples/s and the ETA. It is silent
// when W is not a terminal, unless Force is set.
type Progress struct {
	W     io.Writer
	Force bool

	bar     *progressbar.ProgressBar
	loss    float64
	correct int
	samples int
	start   time.Time
}

func (p *Progress) Name() string { return "progress" }

func (p *Progress) visible() bool {
	if p.Force {
		return true
	}
	f, ok := p.w().(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *Progress) w() io.Writer {
	if p.W == nil {
		return os.Stderr
	}
	return p.W
}

func (p *Progress) EpochStart(l *Loop) error {
	p.loss, p.correct, p.samples, p.start = 0, 0, 0, time.Now()
	if !p.visible() {
		p.bar = nil
		return nil
	}
	p.bar = progressbar.NewOptions(l.Batches,
		progressbar.OptionSetWriter(p.w()),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", l.Epoch, l.Epochs)),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionClearOnFinish(),
	)
	return nil
}

func (p *Progress) StepEnd(l *Loop, r StepResult) error {
	p.loss += r.Loss
	p.correct += r.Correct
	p.samples += r.Samples
	if p.bar == nil {
		return nil
	}
	n := l.Batch + 1
	desc := fmt.Sprintf("epoch %d/%d loss %.4f", l.Epoch, l.Epochs, p.loss/float64(n))
	if p.samples > 0 {
		desc += fmt.Sprintf(" acc %.3f %.0f samples/s", float64(p.correct)/float64(p.samples),
			float64(p.samples)/time.Since(p.start).Seconds())
	}
	p.bar.Describe(desc)
	return p.bar.Set(n)
}

func (p *Progress) EpochEnd(l *Loop, e *Epoch) error {
	if p.bar != nil {
		p.bar.Finish()
	}
	return nil
}

// EpochFunc adapts a function to an epoch-end hook: evaluation on a test
// set (adding e.Extra["test_acc"]), writing metrics, plotting.
type EpochFunc struct {
	Label string
	Fn    func(l *Loop, e *Epoch) error
}

func (h EpochFunc) Name() string                     { return h.Label }
func (h EpochFunc) EpochEnd(l *Loop, e *Epoch) error { return h.Fn(l, e) }

// EarlyStop ends training when Metric (a key of Epoch.Extra, or
// "train_loss") has not improved by MinDelta for Patience epochs. Higher is
// better unless Minimize.
type EarlyStop struct {
	Metric   string
	Patience int
	MinDelta float64
	Minimize bool

	best  float64
	since int
	seen  bool
}

func (h *EarlyStop) Name() string { return "early_stop" }

func (h *EarlyStop) EpochEnd(l *Loop, e *Epoch) error {
	v, ok := e.Extra[h.Metric]
	if h.Metric == "train_loss" {
		v, ok = e.TrainLoss, true
	}
	if !ok {
		return fmt.Errorf("metric %q not reported (evaluation disabled?)", h.Metric)
	}
	if h.Minimize {
		v = -v
	}
	if !h.seen || v > h.best+h.MinDelta {
		h.best, h.since, h.seen = v, 0, true
		return nil
	}
	h.since++
	if h.since >= h.Patience {
		return ErrStop
	}
	return nil
}

// NaNGuard checks after every step that the parameters are finite; the
// first NaN or Inf stops training with an error naming the parameter, so
// the last checkpoint (written at the previous epoch end) stays the last
// good one.
type NaNGuard struct {
	Params []*tensor.Tensor
}

func (h NaNGuard) Name() string { return "nan_guard" }

func (h NaNGuard) StepEnd(l *Loop, r StepResult) error {
	for _, p := range h.Params {
		// A sum is finite when every element is (and small enough not to
		// overflow): the vectorized sum clears the common case; only a
		// non-finite sum needs the element scan that names the culprit.
		if s := kernels.Sum(p.Data); !math.IsNaN(float64(s)) && !math.IsInf(float64(s), 0) {
			continue
		}
		for i, v := range p.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("epoch %d batch %d: parameter %s%v element %d became %v: %w; training stopped, the last checkpoint is the last good state (lower the learning rate or enable gradient clipping)",
					l.Epoch, l.Batch, p.Name, p.Shape, i, v, ErrNotFinite)
			}
		}
	}
	return nil
}
