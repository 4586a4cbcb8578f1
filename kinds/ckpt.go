package kinds

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tensor"
)

// checkpointMeta is the JSON metadata of a training checkpoint: what it
// holds (Format), the recipe that made it (resolved, as recipe.yaml), the
// last finished epoch and the optimizer's state less its buffers, which are
// arrays named optim/PARAM/BUFFER beside the parameters.
type checkpointMeta struct {
	Format string          `json:"format"`
	Kind   string          `json:"kind"`
	Recipe string          `json:"recipe"`
	Epoch  int             `json:"epoch"`
	Optim  json.RawMessage `json:"optim"`
	// RNG is the random state the run carries across epochs (task
	// recipes: the trial and noise generators), absent where every epoch's
	// randomness derives from the seed and the epoch alone.
	RNG json.RawMessage `json:"rng,omitempty"`
	// ZeroReset names the rule the recipe's reset "zero" meant when the
	// checkpoint was written (zeroResetRule). Checkpoints written before
	// braingo followed snnTorch ≥ 0.8 lack it: their "zero" is
	// snn.ResetZeroLegacy.
	ZeroReset string `json:"zero_reset,omitempty"`
}

// zeroResetRule is checkpointMeta.ZeroReset for snn.ResetZero:
// U = β·(1 − r)·U[t−1] + I (snnTorch ≥ 0.8, NIR, BrainPy).
const zeroResetRule = "snntorch-0.8"

// legacyZeroResetter is implemented by specs with reset fields: it turns
// each "zero" into "zero_legacy" and returns the keys it changed.
type legacyZeroResetter interface {
	legacyZeroReset() []string
}

// keepLegacyZeroReset makes r mean what it meant when the checkpoint at
// path was written: a checkpoint from before the zero-reset change (no
// ZeroReset in its metadata) keeps the old rule, with a one-line warning
// on warn. A missing checkpoint is no error (nothing to keep); a damaged
// one is left to the restore that follows to report.
func keepLegacyZeroReset(r *recipes.Recipe, path string, warn io.Writer) {
	lz, ok := r.Spec.(legacyZeroResetter)
	if !ok {
		return
	}
	ck, err := loadCheckpoint(path)
	if err != nil {
		return
	}
	var meta checkpointMeta
	if json.Unmarshal(ck.Meta, &meta) != nil || meta.ZeroReset != "" {
		return
	}
	warnLegacyZeroReset(warn, path, lz.legacyZeroReset())
}

// warnLegacyZeroReset prints the one-line warning for a file that keeps the
// legacy zero reset on keys (none: no warning).
func warnLegacyZeroReset(warn io.Writer, path string, keys []string) {
	if len(keys) == 0 || warn == nil {
		return
	}
	fmt.Fprintf(warn, "warning: %s was written before braingo's zero reset followed snnTorch ≥ 0.8 and NIR: it keeps its old rule (%s: zero_legacy)\n", path, strings.Join(keys, ", "))
}

// saveTraining writes parameters and optimizer state atomically to path.
func saveTraining(path, format string, r *recipes.Recipe, params []*tensor.Tensor, opt optim.Checkpointer, epoch int) error {
	return saveTrainingRNG(path, format, r, params, opt, epoch, nil)
}

// saveTrainingRNG is saveTraining with the run's random state (nil: none).
func saveTrainingRNG(path, format string, r *recipes.Recipe, params []*tensor.Tensor, opt optim.Checkpointer, epoch int, rng json.RawMessage) error {
	st := opt.State()
	ck := &checkpoint.Checkpoint{}
	for _, p := range params {
		ck.Add(p.Name, p.Shape, p.Data)
	}
	for gi := range st.Groups {
		for pi := range st.Groups[gi].Params {
			ps := &st.Groups[gi].Params[pi]
			for name, buf := range ps.Buffers {
				ck.Add(fmt.Sprintf("optim/%s/%s", ps.Name, name), []int{len(buf)}, buf)
				ps.Buffers[name] = nil
			}
		}
	}
	ostate, err := json.Marshal(st)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(checkpointMeta{Format: format, Kind: r.Kind, Recipe: string(r.Echo()), Epoch: epoch, Optim: ostate, RNG: rng, ZeroReset: zeroResetRule})
	if err != nil {
		return err
	}
	ck.Meta = meta
	return saveCheckpoint(path, ck)
}

// restoreTraining loads a checkpoint of the given format into params and,
// unless opt is nil, the optimizer, and returns its epoch. Any mismatch with
// the recipe's network is an error naming the checkpoint and the array.
func restoreTraining(path, format string, params []*tensor.Tensor, opt optim.Checkpointer) (int, error) {
	ep, _, err := restoreTrainingRNG(path, format, params, opt)
	return ep, err
}

// restoreTrainingRNG is restoreTraining that also returns the saved random
// state (nil if none).
func restoreTrainingRNG(path, format string, params []*tensor.Tensor, opt optim.Checkpointer) (int, json.RawMessage, error) {
	ep, meta, err := restoreMeta(path, format, params, opt)
	return ep, meta.RNG, err
}

func restoreMeta(path, format string, params []*tensor.Tensor, opt optim.Checkpointer) (int, checkpointMeta, error) {
	var meta checkpointMeta
	ck, err := takeCheckpoint(path)
	if err != nil {
		return 0, meta, err
	}
	if err := json.Unmarshal(ck.Meta, &meta); err != nil {
		return 0, meta, fmt.Errorf("checkpoint %s: metadata: %v", path, err)
	}
	if meta.Format != format {
		return 0, meta, fmt.Errorf("checkpoint %s holds %q, not %q", path, meta.Format, format)
	}
	for _, p := range params {
		if err := ck.Into(p.Name, p.Data); err != nil {
			return 0, meta, fmt.Errorf("checkpoint %s does not match the recipe's network: %v", path, err)
		}
	}
	if opt == nil {
		return meta.Epoch, meta, nil
	}
	var st optim.State
	if err := json.Unmarshal(meta.Optim, &st); err != nil {
		return 0, meta, fmt.Errorf("checkpoint %s: optimizer state: %v", path, err)
	}
	for gi := range st.Groups {
		for pi := range st.Groups[gi].Params {
			ps := &st.Groups[gi].Params[pi]
			for name := range ps.Buffers {
				a, ok := ck.Get(fmt.Sprintf("optim/%s/%s", ps.Name, name))
				if !ok {
					return 0, meta, fmt.Errorf("checkpoint %s lacks optimizer buffer %s of %s", path, name, ps.Name)
				}
				ps.Buffers[name] = a.Data
			}
		}
	}
	if err := opt.SetState(st); err != nil {
		return 0, meta, fmt.Errorf("checkpoint %s: %v", path, err)
	}
	return meta.Epoch, meta, nil
}

// decodeMeta reads a training checkpoint's metadata.
func decodeMeta(ck *checkpoint.Checkpoint, path string) (checkpointMeta, error) {
	var meta checkpointMeta
	if err := json.Unmarshal(ck.Meta, &meta); err != nil {
		return meta, fmt.Errorf("checkpoint %s: metadata: %v", path, err)
	}
	return meta, nil
}
