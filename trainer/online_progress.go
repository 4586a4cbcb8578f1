package trainer

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// StepBar is a progress bar over the time steps of an online run (FORCE,
// reservoirs), shown on W when it is a terminal or Force is set; its zero
// value with W nil writes to os.Stderr. Start, then Set as the run goes,
// then Finish.
type StepBar struct {
	W     io.Writer
	Force bool
	bar   *progressbar.ProgressBar
}

// Start begins a bar of total steps described by desc.
func (b *StepBar) Start(total int, desc string) {
	w := b.W
	if w == nil {
		w = os.Stderr
	}
	f, ok := w.(*os.File)
	if !b.Force && !(ok && term.IsTerminal(int(f.Fd()))) {
		b.bar = nil
		return
	}
	b.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// Set moves the bar to done steps, with an optional note (such as the
// running error) after the description.
func (b *StepBar) Set(done int, note string) {
	if b.bar == nil {
		return
	}
	if note != "" {
		b.bar.Describe(fmt.Sprint(note))
	}
	b.bar.Set(done)
}

// Finish clears the bar.
func (b *StepBar) Finish() {
	if b.bar != nil {
		b.bar.Finish()
		b.bar = nil
	}
}
