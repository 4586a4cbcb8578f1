package main

import (
	"bytes"
	"context"
	"testing"
)

func TestEProp(t *testing.T) {
	var b bytes.Buffer
	all, err := run(context.Background(), &b, config{task: "PerceptualDecisionMaking", units: 16, epochs: 2, batches: 3,
		batch: 8, evalTrials: 16, dt: 20, seed: 1})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		if len(all[m]) != 2 {
			t.Errorf("%s: %d epochs evaluated, want 2", m, len(all[m]))
		}
	}
}
