package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListsTheTask(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-tasks"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "FlashMemory") || !strings.Contains(out.String(), "PerceptualDecisionMaking") {
		t.Errorf("listing lacks FlashMemory or the built-in tasks:\n%s", out.String())
	}
}

func TestTrainsTheTaskFromARecipe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-out", dir, "-json",
		"-set", "task.name=FlashMemory", "-set", "task.params=[delay=300]",
		"-set", "epochs=2", "-set", "train.batches=10", "-set", "train.batch_size=16", "-set", "train.eval_trials=32",
		"pdm-rate"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if _, ok := last["performance"]; !ok {
		t.Errorf("no performance in %v", last)
	}
	echo, err := os.ReadFile(filepath.Join(dir, "recipe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(echo), "FlashMemory") {
		t.Errorf("recipe.yaml does not name the task:\n%s", echo)
	}
	// A bad recipe field is a usage error.
	if code := run(context.Background(), []string{"-out", t.TempDir(), "-set", "task.nonsense=1", "pdm-rate"}, &out, &errb); code != 2 {
		t.Errorf("bad field: exit %d, want 2", code)
	}
}
