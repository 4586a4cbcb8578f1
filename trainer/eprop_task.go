package trainer

import (
	"fmt"

	"github.com/braingo/braingo/tasks"
)

// EPropSequence trains an RSNN on a task's trial-aligned batches by e-prop
// (a Task for Loop): per batch it runs Rule's network forward once over
// the trials, the rule accumulating its gradients online step by step, so
// the loop's optimizer then applies the batch's summed gradient (as in
// Bellec et al.'s code, with Adam). The loss is the task's: the
// mask-weighted mean cross-entropy over the scored steps, as in Sequence,
// plus the rule's rate regularizer.
type EPropSequence struct {
	Rule *EProp
	Data *tasks.Dataset
	// Steps is the number of batches per epoch (default 100).
	Steps int

	target []float32
}

func (s *EPropSequence) Batches(epoch int) int {
	if s.Steps <= 0 {
		return 100
	}
	return s.Steps
}

func (s *EPropSequence) TrainStep(epoch, bi int) (StepResult, error) {
	run := s.Rule.Run
	b := s.Data.Trials()
	if b.NObs != run.Net.Inputs() {
		return StepResult{}, fmt.Errorf("the task has %d observation channels, the network %d inputs", b.NObs, run.Net.Inputs())
	}
	if b.Size != run.Batch {
		return StepResult{}, fmt.Errorf("the batch has %d trials, the e-prop run %d columns", b.Size, run.Batch)
	}
	no := run.Net.Outputs()
	if len(s.target) != b.Size*no {
		s.target = make([]float32, b.Size*no)
	}
	var msum float64
	for _, m := range b.Mask {
		msum += float64(m)
	}
	if msum == 0 {
		msum = 1
	}
	run.Reset()
	s.Rule.Reset()
	correct, scored := 0, 0
	for t := range b.Steps {
		w := b.Size * b.NObs
		out := run.Step(b.Inputs[t*w : (t+1)*w])
		clear(s.target)
		any := false
		for c := range b.Size {
			m := b.Mask[t*b.Size+c]
			if m == 0 {
				continue
			}
			lab := b.Labels[t*b.Size+c]
			if lab < 0 || lab >= no {
				return StepResult{}, fmt.Errorf("label %d at step %d outside the network's %d outputs", lab, t, no)
			}
			s.target[c*no+lab] = float32(float64(m) / msum)
			any = true
			scored++
			if argmax(out[c*no:(c+1)*no]) == lab {
				correct++
			}
		}
		sig := Signal{Learn: true}
		if any {
			sig.Target = s.target
		}
		if err := s.Rule.Step(sig); err != nil {
			return StepResult{}, fmt.Errorf("step %d: %w", t, err)
		}
	}
	s.Rule.Reset() // adds the regularizer's gradient of this batch
	res := StepResult{Loss: s.Rule.LastLoss(), Samples: b.Size}
	if scored > 0 {
		res.Correct = int(float64(b.Size)*float64(correct)/float64(scored) + 0.5)
	}
	return res, nil
}
