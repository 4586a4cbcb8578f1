package kinds

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

// A sim run's checkpoint holds the simulation as it stood after a number
// of steps (its "epoch"): the network's state (snn.Simulation.State: membranes,
// gates, last spikes, conductances), the spike monitor's record and counts
// and the population rate so far. It is written when the run is
// interrupted, every checkpoint_s simulated seconds and at the end; --resume
// continues from it to duration_ms (which may be longer than the stopped
// run's: a simulation can be extended), giving the spikes and rates of an
// uninterrupted run. The simulation draws no random numbers after it is
// built, so no generator state is needed.

const simCheckpointFormat = "braingo-sim/1"

// int32Bits stores integers in a float32 array bit for bit (the checkpoint
// format holds float32 arrays; the bits are copied, never computed with).
func int32Bits(v []int32) []float32 {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = math.Float32frombits(uint32(x))
	}
	return f
}

func bitsInt32(f []float32) []int32 {
	v := make([]int32, len(f))
	for i, x := range f {
		v[i] = int32(math.Float32bits(x))
	}
	return v
}

// writeSimCheckpoint writes the state st of a network after steps steps
// (a distributed run passes its ranks' state gathered in neuron order).
func writeSimCheckpoint(path string, r *recipes.Recipe, st []snn.StateArray, steps int32, mon *snn.SpikeMonitor, rate *snn.RateMonitor, runSeconds float64) error {
	ck := &checkpoint.Checkpoint{}
	add := func(name string, f []float32) { ck.Add(name, []int{len(f)}, f) }
	for _, a := range st {
		if a.I != nil {
			add(a.Name, int32Bits(a.I))
		} else {
			add(a.Name, a.F)
		}
	}
	add("monitor/ptr", int32Bits(mon.Ptr))
	add("monitor/idx", int32Bits(mon.Idx))
	add("monitor/count", int32Bits(mon.Count))
	add("rate", rate.Rate)
	meta, err := json.Marshal(stateMeta{checkpointMeta{Format: simCheckpointFormat, Kind: r.Kind, Recipe: string(r.Echo()),
		Epoch: int(steps), ZeroReset: zeroResetRule}, trainedMeta{Steps: int(steps), TrainSeconds: runSeconds}})
	if err != nil {
		return err
	}
	ck.Meta = meta
	return saveCheckpoint(path, ck)
}

// readSimCheckpoint writes a saved state into the arrays st (a whole
// network's, as Network.State lists them) and the monitors, and returns the
// steps taken and the run seconds spent so far.
func readSimCheckpoint(path string, r *recipes.Recipe, st []snn.StateArray, mon *snn.SpikeMonitor, rate *snn.RateMonitor) (int32, float64, error) {
	ck, err := takeCheckpoint(path)
	if err != nil {
		return 0, 0, err
	}
	var meta stateMeta
	if err := json.Unmarshal(ck.Meta, &meta); err != nil {
		return 0, 0, fmt.Errorf("checkpoint %s: metadata: %v", path, err)
	}
	if meta.Format != simCheckpointFormat {
		return 0, 0, fmt.Errorf("checkpoint %s holds %q, not %q", path, meta.Format, simCheckpointFormat)
	}
	if err := sameRecipe(path, meta.checkpointMeta, r, func(s *Sim) {
		s.DurationMS, s.Threads, s.Plots, s.Raster, s.CheckpointS, s.Monitors = 0, 0, false, 0, 0, nil
	}); err != nil {
		return 0, 0, err
	}
	get := func(name string, n int) ([]float32, error) {
		a, ok := ck.Get(name)
		if !ok {
			return nil, fmt.Errorf("checkpoint %s does not match the recipe's network: no array %q", path, name)
		}
		if n >= 0 && len(a.Data) != n {
			return nil, fmt.Errorf("checkpoint %s does not match the recipe's network: %q has %d values, want %d", path, name, len(a.Data), n)
		}
		return a.Data, nil
	}
	for _, a := range st {
		if a.I != nil {
			f, err := get(a.Name, len(a.I))
			if err != nil {
				return 0, 0, err
			}
			copy(a.I, bitsInt32(f))
			continue
		}
		f, err := get(a.Name, len(a.F))
		if err != nil {
			return 0, 0, err
		}
		copy(a.F, f)
	}
	ptr, err := get("monitor/ptr", meta.Trained.Steps+1-int(mon.Start))
	if err != nil {
		return 0, 0, err
	}
	idx, err := get("monitor/idx", -1)
	if err != nil {
		return 0, 0, err
	}
	count, err := get("monitor/count", len(mon.Count))
	if err != nil {
		return 0, 0, err
	}
	rt, err := get("rate", meta.Trained.Steps)
	if err != nil {
		return 0, 0, err
	}
	mon.Ptr, mon.Idx = bitsInt32(ptr), bitsInt32(idx)
	copy(mon.Count, bitsInt32(count))
	rate.Rate = append(rate.Rate[:0], rt...)
	return int32(meta.Trained.Steps), meta.Trained.TrainSeconds, nil
}
