//go:build !torch

package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

// Without libtorch, exporting a csnn-classify checkpoint says how to build
// the torch binary that can.
func TestExportCSNNNeedsTorch(t *testing.T) {
	r, err := recipes.Load("fmnist-csnn", nil)
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(map[string]any{"format": "braingo-csnn/1", "kind": r.Kind, "recipe": string(r.Echo())})
	path := filepath.Join(t.TempDir(), kinds.CheckpointFile)
	if err := checkpoint.Save(path, &checkpoint.Checkpoint{Meta: meta}); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, "export", path, "--format", "nir", "-o", filepath.Join(t.TempDir(), "m.nir"))
	if code != 1 || !strings.Contains(stderr, "make torch") || !strings.Contains(stderr, "csnn-classify") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
