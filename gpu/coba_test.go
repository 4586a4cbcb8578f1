package gpu_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/braingo/braingo/gpu"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

// The COBA network on the device against snn's on the CPU, same seed, JIT
// connectivity: the same spikes at every step (the device's list sorted).
func TestCOBAAgainstCPU(t *testing.T) {
	d := gpu.TestDevice(t)
	const n, steps = 2000, 300
	for _, seed := range []uint64{1, 7} {
		r, err := recipes.Load("coba", []string{fmt.Sprintf("neurons=%d", n), "conn=jit", "method=euler", fmt.Sprintf("seed=%d", seed)})
		if err != nil {
			t.Fatal(err)
		}
		net, err := r.Spec.(*kinds.Sim).Build()
		if err != nil {
			t.Fatal(err)
		}
		g := net.All // every neuron's spikes, global indices, ascending
		m, err := gpu.NewCOBA(d, gpu.COBAConfig{N: n, Seed: seed}, steps)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for s := 0; s < steps; s++ {
			net.Sim.Step()
			if err := m.Step(); err != nil {
				t.Fatal(err)
			}
			got, err := m.Spikes()
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, g.Spikes) {
				t.Fatalf("seed %d step %d: %d spikes on the device, %d on the CPU (first: %v vs %v)", seed, s,
					len(got), len(g.Spikes), got[:min(5, len(got))], g.Spikes[:min(5, len(g.Spikes))])
			}
			total += len(got)
		}
		counts, err := m.Counts()
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, c := range counts {
			sum += int(c)
		}
		if sum != total || total == 0 {
			t.Fatalf("seed %d: per-step counts add to %d, the lists to %d", seed, sum, total)
		}
		m.Free()
		t.Logf("seed %d: %d spikes in %d steps, identical", seed, total, steps)
	}
}
