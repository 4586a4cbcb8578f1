package kinds

import (
	"encoding/binary"
	"hash/fnv"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
)

// The recipes coba, cuba and coba-hh, networks as data, give the spikes of
// the Go code they replaced (snn.BuildCOBA and snn.BuildCOBAHH, one group
// and two projections from its two ranges): the first 300 steps' spikes
// (step, neuron) hashed with FNV-64a and counted, as that code gave them
// before it was deleted. The commit that wrote the recipes compared the two
// paths step by step (TestSimRecipesMatchOldPath).
func TestSimRecipesKeepSpikes(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, c := range []struct {
		recipe string
		sets   []string
		spikes int
		hash   uint64
	}{
		{"coba", []string{"neurons=600", "seed=3"}, 519, 0x1decf19a5d8271ae},
		{"coba", []string{"neurons=600", "seed=3", "conn=jit"}, 519, 0x1decf19a5d8271ae},
		{"coba", []string{"neurons=600", "seed=2", "conn=dense", "method=exact"}, 216, 0x49c86015c593215d},
		{"cuba", []string{"neurons=600", "seed=5"}, 163, 0xadc81b4d8ff24b74},
		{"coba", []string{"scale=0.1"}, 182, 0x55ee4c0064ff2371},
		{"coba-hh", []string{"neurons=400", "seed=4"}, 559, 0x46bd5119b4dc72d7},
	} {
		r, err := recipes.Load(c.recipe, c.sets)
		if err != nil {
			t.Fatal(err)
		}
		net, err := r.Spec.(*Sim).Build()
		if err != nil {
			t.Fatal(err)
		}
		h := fnv.New64a()
		total := 0
		var b [8]byte
		for s := range 300 {
			net.Sim.Step()
			for _, i := range net.All.Spikes {
				binary.LittleEndian.PutUint32(b[:4], uint32(s))
				binary.LittleEndian.PutUint32(b[4:], uint32(i))
				h.Write(b[:])
			}
			total += len(net.All.Spikes)
		}
		if total != c.spikes || h.Sum64() != c.hash {
			t.Errorf("%s %v: %d spikes, hash %#x; the old path gave %d, %#x", c.recipe, c.sets, total, h.Sum64(), c.spikes, c.hash)
		}
	}
}
