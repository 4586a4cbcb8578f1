package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/recipes"
)

// stopAfter is a context cancelled from its n-th Err call on: an interrupt
// at a chosen point of a run's loop, the same at every run.
type stopAfter struct {
	context.Context
	n int
}

func (c *stopAfter) Err() error {
	c.n--
	if c.n < 0 {
		return context.Canceled
	}
	return nil
}

// sameArrays fails unless two checkpoints hold the same arrays bit for bit.
func sameArrays(t *testing.T, a, b string) {
	t.Helper()
	x, err := checkpoint.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := checkpoint.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Arrays) != len(y.Arrays) {
		t.Fatalf("%d vs %d arrays", len(x.Arrays), len(y.Arrays))
	}
	for _, ax := range x.Arrays {
		ay, ok := y.Get(ax.Name)
		if !ok || len(ay.Data) != len(ax.Data) {
			t.Fatalf("%s: %s missing or of another size", b, ax.Name)
		}
		for j, v := range ax.Data {
			if math.Float32bits(v) != math.Float32bits(ay.Data[j]) {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", ax.Name, j, v, ay.Data[j])
			}
		}
	}
}

// A run interrupted by a cancelled context (Ctrl-C) and resumed ends with
// the checkpoint and the result of an uninterrupted run: sim (the state is
// saved on the interrupt and every checkpoint_s), force and spiking-force
// (interrupted in the test: the test reruns from the training checkpoint;
// interrupted in training: training starts over).
func TestInterruptAndResume(t *testing.T) {
	for _, c := range []struct {
		recipe string
		sets   []string
		stop   int    // Err calls before the interrupt
		says   string // on stderr when resuming
	}{
		{"coba", []string{"neurons=500", "duration_ms=400", "conn=jit", "plots=false", "threads=1"}, 2, "resuming"},
		{"coba", []string{"neurons=500", "duration_ms=400", "plots=false", "checkpoint_s=0.15"}, 3, "resuming"},
		{"cuba", []string{"neurons=400", "duration_ms=300", "plots=false", "threads=1"}, 1, "resuming"},
		{"coba-hh", []string{"neurons=200", "duration_ms=300", "plots=false", "threads=1"}, 2, "resuming"},
		{"force-sines", []string{"model.units=50", "train.train_s=0.5", "train.test_s=0.3", "plots=false"}, 1, ""},             // in training
		{"force-sines", []string{"model.units=50", "train.train_s=0.5", "train.test_s=0.3", "plots=false"}, 2, "testing only"}, // in the test
		{"force-sines", []string{"method=full-force", "model.conn=dense", "model.units=40", "train.train_s=0.5", "train.test_s=0.3", "plots=false"}, 2, "testing only"},
		{"force-spiking", []string{"model.units=60", "train.warmup_s=0.1", "train.train_s=0.2", "train.test_s=0.3", "plots=false"}, 1, ""},             // in training
		{"force-spiking", []string{"model.units=60", "train.warmup_s=0.1", "train.train_s=0.2", "train.test_s=0.3", "plots=false"}, 2, "testing only"}, // in the test
	} {
		t.Run(c.recipe, func(t *testing.T) {
			r, err := recipes.Load(c.recipe, c.sets)
			if err != nil {
				t.Fatal(err)
			}
			once, twice := filepath.Join(t.TempDir(), "once"), filepath.Join(t.TempDir(), "twice")
			var want, got bytes.Buffer
			if err := Run(context.Background(), r, RunOptions{Dir: once, Stdout: &want, Stderr: io.Discard, JSON: true}); err != nil {
				t.Fatal(err)
			}
			err = Run(&stopAfter{context.Background(), c.stop}, r, RunOptions{Dir: twice, Stdout: io.Discard, Stderr: io.Discard, JSON: true})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: %v", err)
			}
			var stderr bytes.Buffer
			if err := Run(context.Background(), r, RunOptions{Dir: twice, Resume: true, Stdout: &got, Stderr: &stderr, JSON: true}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stderr.String(), c.says) {
				t.Errorf("resume did not say %q: %s", c.says, stderr.String())
			}
			sameArrays(t, filepath.Join(once, CheckpointFile), filepath.Join(twice, CheckpointFile))
			if !bytes.Equal(stripTimesJSON(t, want.Bytes()), stripTimesJSON(t, got.Bytes())) {
				t.Errorf("results differ:\nuninterrupted %s\nresumed       %s", want.String(), got.String())
			}
		})
	}
}

// stripTimesJSON returns a JSON object without its times and memory sizes,
// keys sorted.
func stripTimesJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %q", err, b)
	}
	for k := range v {
		if strings.Contains(k, "seconds") || strings.Contains(k, "per_s") || strings.Contains(k, "peak_rss") {
			delete(v, k)
		}
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
