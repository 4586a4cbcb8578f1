package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/recipes"
)

// The online-rule recipes run end to end on a few trials: JSON lines with
// performance, the metrics, the learning curve and a checkpoint in the run
// directory.
func TestRunOnlineRecipes(t *testing.T) {
	for _, c := range []struct {
		name string
		sets []string
	}{
		{"evidence-eprop", []string{"epochs=1", "batches=2", "batch_size=4", "eval_trials=8", "model.units=20"}},
		{"evidence-eprop", []string{"epochs=1", "batches=1", "batch_size=2", "eval_trials=4", "model.units=10", "model.neuron=lif", "feedback=adaptive", "train.rate_reg=0.1"}},
		{"rstdp-task", []string{"epochs=2", "train.trials=5", "eval_trials=5"}},
	} {
		r, err := recipes.Load(c.name, c.sets)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var out bytes.Buffer
		if err := Run(context.Background(), r, RunOptions{Dir: dir, Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
			t.Fatalf("%s %v: %v", c.name, c.sets, err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var last TaskLine
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
			t.Fatalf("%s: %v in %q", c.name, err, out.String())
		}
		if last.Epoch < 1 || last.Performance == nil || *last.Performance < 0 || *last.Performance > 1 || last.TrainSeconds <= 0 {
			t.Errorf("%s %v: %+v", c.name, c.sets, last)
		}
		for _, f := range []string{recipes.EchoFile, "metrics.jsonl", "curves.png", CheckpointFile} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
	}
}

func TestOnlineRecipesInvalid(t *testing.T) {
	for _, c := range []struct {
		name string
		sets []string
	}{
		{"evidence-eprop", []string{"model.type=rate"}},
		{"evidence-eprop", []string{"model.neuron=gif"}},
		{"evidence-eprop", []string{"model.tau_in=5"}},
		{"rstdp-task", []string{"net.sim_dt=0"}},
		{"rstdp-task", []string{"plasticity.baseline=2"}},
	} {
		if _, err := recipes.Load(c.name, c.sets); err == nil {
			t.Errorf("%s %v: no error", c.name, c.sets)
		}
	}
	// A task without a fixation cue cannot tell the network when to choose.
	r, err := recipes.Load("rstdp-task", []string{"task.name=EvidenceAccumulation"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), r, RunOptions{Dir: t.TempDir(), Stdout: io.Discard, Stderr: io.Discard, JSON: true}); err == nil {
		t.Error("rstdp-task on EvidenceAccumulation: no error")
	}
}
