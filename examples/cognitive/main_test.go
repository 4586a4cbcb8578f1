package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestCognitive(t *testing.T) {
	out := t.TempDir()
	var b bytes.Buffer
	st, err := run(context.Background(), &b, config{task: "PerceptualDecisionMaking", units: 16, epochs: 2, batches: 3,
		batch: 8, evalTrials: 16, dt: 20, seed: 1, out: out})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if st.Trials < 16 || math.IsNaN(st.Performance) {
		t.Errorf("played %d trials, performance %v", st.Trials, st.Performance)
	}
	for _, f := range []string{"trial.png", "curves.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
