package kinds

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"reflect"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/recipes"
)

// The kinds that train once and then test (force, spiking-force,
// reservoir) checkpoint as one "epoch": epoch 1 is written when training
// ends, before the test, and holds the trained readout and everything the
// test needs to run again identically (network state, RLS P matrix). One
// metrics.jsonl record (epoch 1) follows the test. On --resume:
//
//   - no checkpoint (interrupted while training): training starts over;
//   - a checkpoint but no record (interrupted while testing): training is
//     skipped and the test runs from the checkpoint;
//   - a checkpoint and its record (finished): nothing runs again; the run
//     says it is already finished and prints its measures from the record.
//
// braingo eval replays the test from the checkpoint.

// stateArray is one named array of a state checkpoint.
type stateArray struct {
	name string
	data []float32
}

// stateMeta is the metadata of a state checkpoint: the training
// checkpoint's, and what training measured.
type stateMeta struct {
	checkpointMeta
	Trained trainedMeta `json:"trained"`
}

// trainedMeta is what the training phase measured, kept for the test's
// report after a resume or an eval.
type trainedMeta struct {
	Updates      int     `json:"updates,omitempty"`
	TrainMSE     float64 `json:"train_mse,omitempty"`
	TrainSeconds float64 `json:"train_seconds"`
	// Steps is the simulated steps done when the checkpoint was written.
	Steps int `json:"steps,omitempty"`
	// Extra holds other figures of the training phase by name.
	Extra map[string]float64 `json:"extra,omitempty"`
}

// saveState writes arrays and meta as epoch epoch of format to path,
// atomically.
func saveState(path, format string, r *recipes.Recipe, arrays []stateArray, epoch int, tm trainedMeta) error {
	ck := &checkpoint.Checkpoint{}
	for _, a := range arrays {
		ck.Add(a.name, []int{len(a.data)}, a.data)
	}
	meta, err := json.Marshal(stateMeta{checkpointMeta{Format: format, Kind: r.Kind, Recipe: string(r.Echo()), Epoch: epoch,
		ZeroReset: zeroResetRule}, tm})
	if err != nil {
		return err
	}
	ck.Meta = meta
	return saveCheckpoint(path, ck)
}

// restoreState reads a state checkpoint of format into arrays (each must
// be present with its length) and returns its metadata.
func restoreState(path, format string, arrays []stateArray) (stateMeta, error) {
	var meta stateMeta
	ck, err := takeCheckpoint(path)
	if err != nil {
		return meta, err
	}
	if err := json.Unmarshal(ck.Meta, &meta); err != nil {
		return meta, fmt.Errorf("checkpoint %s: metadata: %v", path, err)
	}
	if meta.Format != format {
		return meta, fmt.Errorf("checkpoint %s holds %q, not %q", path, meta.Format, format)
	}
	for _, a := range arrays {
		if err := ck.Into(a.name, a.data); err != nil {
			return meta, fmt.Errorf("checkpoint %s does not match the recipe's network: %v", path, err)
		}
	}
	return meta, nil
}

// int32Array is a stateArray view of integer state (refractory counters):
// the values are exact in float32 below 2²⁴. Call back after a restore.
func int32Array(name string, v []int32) (a stateArray, back func()) {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return stateArray{name, f}, func() {
		for i, x := range f {
			v[i] = int32(x)
		}
	}
}

// finishedRecord returns the run's record of epoch 1 when its test
// finished (the record follows the test).
func finishedRecord(d *RunDir) (eval.EpochRecord, bool) {
	for _, rec := range d.Metrics() {
		if rec.Epoch == 1 {
			return rec, true
		}
	}
	return eval.EpochRecord{}, false
}

// extra returns rec.Extra[k], NaN when absent.
func extra(rec eval.EpochRecord, k string) float64 {
	if v, ok := rec.Extra[k]; ok {
		return v
	}
	return math.NaN()
}

// sameRecipe refuses to continue from the checkpoint at path when the
// recipe that wrote it (meta.Recipe) differs from r in anything but the
// fields normalize clears (threads, plots: what does not change results).
// normalize gets copies of the two specs.
func sameRecipe[S any](path string, meta checkpointMeta, r *recipes.Recipe, normalize func(*S)) error {
	old, err := recipes.Parse(path, []byte(meta.Recipe), nil)
	if err != nil {
		return fmt.Errorf("checkpoint %s: its recipe: %v", path, err)
	}
	a, ok1 := old.Spec.(*S)
	b, ok2 := r.Spec.(*S)
	if !ok1 || !ok2 {
		return fmt.Errorf("checkpoint %s holds a %s run, not %s", path, old.Kind, r.Kind)
	}
	x, y := *a, *b
	normalize(&x)
	normalize(&y)
	if !reflect.DeepEqual(x, y) {
		return usageError(fmt.Sprintf("%s was run with another recipe than this one (compare its recipe.yaml): resume it with its own recipe, or start over with --force", filepath.Dir(path)))
	}
	return nil
}

// needCheckpoint is the error of evaluating a run without a checkpoint
// (nil when it has one).
func needCheckpoint(d *RunDir) error {
	if d.HasCheckpoint() {
		return nil
	}
	return fmt.Errorf("%s holds no checkpoint: its training did not finish; continue it with braingo train %s --resume --out %s",
		d.Dir, d.Path(recipes.EchoFile), d.Dir)
}
