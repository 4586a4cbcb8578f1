package trainer

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
)

// evalData is a small image set with varied pixels (every encoder fires
// some features at various steps).
func evalData(n int) *datasets.Images {
	d := &datasets.Images{Name: "eval", N: n, Rows: 6, Cols: 6, Classes: 4,
		Pixels: make([]uint8, n*36), Labels: make([]uint8, n)}
	for i := range n {
		d.Labels[i] = uint8(i % 4)
		for p := range 36 {
			d.Pixels[i*36+p] = uint8((i*37 + p*91 + i*p*13) % 256)
		}
	}
	return d
}

// TestEvaluateWindows: Evaluate's windows of steps change where its tape
// is reset, not its results: predictions, rates and rasters are the same
// for every window, with static, per-step and latency inputs and cells
// whose state has one or two variables.
func TestEvaluateWindows(t *testing.T) {
	data := evalData(70)
	lif := networks.LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 0.5}}
	syn := networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.8, LIF: snn.LIF{Beta: 0.9, Threshold: 0.3, Reset: snn.ResetZero}}}
	li := networks.CubaLICell{Alpha: 0.9, LI: snn.LI{Beta: 0.95}}
	for _, tc := range []struct {
		name        string
		hidden, out networks.Cell
		enc         datasets.Encoder
	}{
		{"lif-direct", lif, nil, datasets.Direct{}},
		{"lif-rate", lif, nil, datasets.Poisson{Seed: 3}},
		{"synaptic-ttfs-li", syn, li, datasets.TTFS{Steps: 12, Tau: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := networks.NewFeedForward(networks.FeedForwardConfig{Sizes: []int{36, 40, 4}, Hidden: tc.hidden, Output: tc.out, Seed: 5})
			for i := range net.Blocks[0].Proj.W.Data {
				net.Blocks[0].Proj.W.Data[i] *= 3 // enough input to fire
			}
			const steps = 12
			want := evaluate(net, data, tc.enc, steps, 32, 5, steps)
			var fired float64
			for _, r := range want.Rates {
				fired += r.Rate
			}
			if fired == 0 || len(want.Raster) != 5 {
				t.Fatalf("nothing to compare: rates %v, %d rasters", want.Rates, len(want.Raster))
			}
			for _, w := range []int{1, 5, 11} {
				got := evaluate(net, data, tc.enc, steps, 32, 5, w)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("window %d: predictions, rates or rasters differ from one window of all steps:\n got %+v\nwant %+v", w, got.Rates, want.Rates)
				}
			}
		})
	}
}

// TestEvaluateMemoryFlat: Evaluate's allocations do not grow with the
// number of steps (they grew with it when a batch's whole run stayed on the
// tape: fmnist-s2's 100 steps held 270 MB, and each epoch's evaluation left
// that much garbage, so the peak RSS climbed over the epochs).
func TestEvaluateMemoryFlat(t *testing.T) {
	data := evalData(64)
	net := networks.NewFeedForward(networks.FeedForwardConfig{Sizes: []int{36, 200, 4}, Seed: 5})
	enc := datasets.Poisson{Seed: 1}
	alloc := func(steps int) uint64 {
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		evaluate(net, data, enc, steps, 64, 0, 4)
		runtime.ReadMemStats(&b)
		return b.TotalAlloc - a.TotalAlloc
	}
	short, long := alloc(8), alloc(200)
	// A whole run on the tape allocates 25 times as much for 200 steps as
	// for 8; windows of 4 steps reuse the same buffers.
	if long > 3*short {
		t.Errorf("Evaluate allocated %d bytes for 200 steps against %d for 8: memory grows with the steps", long, short)
	}
}
