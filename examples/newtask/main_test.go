package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/braingo/braingo/tasks"
)

// A perfect agent (acting the ground truth) scores 1 on the task.
func TestTaskPerfectAgent(t *testing.T) {
	env, err := tasks.NewEnv(flashMemory{Delay: 400, Sigma: 0.1}, tasks.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	env.Reset()
	perf, trials := 0.0, 0
	for trials < 50 {
		r := env.Step(env.GroundTruth())
		if r.NewTrial {
			perf += r.Performance
			trials++
		}
	}
	if perf != 50 {
		t.Errorf("perfect agent scored %v of 50", perf)
	}
}

func TestNewTask(t *testing.T) {
	var b bytes.Buffer
	perf, err := run(context.Background(), &b, config{delay: 300, units: 32, epochs: 4, batches: 20, batch: 16, evalTrials: 32, seed: 1})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if last := perf[len(perf)-1]; last < 0.6 {
		t.Errorf("performance %.2f after %d epochs, want at least 0.6", last, len(perf))
	}
}
