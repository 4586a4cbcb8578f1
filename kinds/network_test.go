package kinds

import (
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
)

// testdata/run-v1 is a run directory written by braingo train fmnist-snn
// (checkpoint format 1, content braingo-feedforward-snn/1, a 784-4-10
// network) and kept on disk: later braingo must keep loading it, from the
// directory and from the checkpoint alone.
func TestLoadNetworkVersion1Run(t *testing.T) {
	dir := filepath.Join("testdata", "run-v1")
	ck, err := checkpoint.Load(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	var meta checkpointMeta
	if err := json.Unmarshal(ck.Meta, &meta); err != nil || meta.Format != ffFormat || meta.Recipe == "" || meta.Epoch != 1 {
		t.Fatalf("metadata %+v (%v)", meta, err)
	}
	if _, ok := ck.Get("optim/fc1.weight/exp_avg"); !ok {
		t.Error("no optimizer moment in the checkpoint")
	}
	for _, path := range []string{dir, filepath.Join(dir, CheckpointFile)} {
		r, net, err := LoadNetwork(path, io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ff, ok := net.(*networks.FeedForward)
		if !ok || r.Kind != ClassifyKind || len(ff.Blocks) != 2 || ff.Blocks[0].Proj.Out() != 4 {
			t.Fatalf("%s: %T %v", path, net, net)
		}
		for _, p := range ff.Params() {
			a, _ := ck.Get(p.Name)
			if !slices.Equal(a.Data, p.Data) {
				t.Errorf("%s: %s differs from the checkpoint", path, p.Name)
			}
		}
	}
}

func TestImportClassifyRefusesMixedLayers(t *testing.T) {
	r, _, err := LoadNetwork(filepath.Join("testdata", "run-v1"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Spec.(*Classify)
	c.Model.Hidden = []int{3, 3}
	net, err := c.Build(784, 10)
	if err != nil {
		t.Fatal(err)
	}
	net.Blocks[1].Cell = networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.5, LIF: snn.LIF{Beta: 0.9}}}
	if _, err := ImportClassify(t.TempDir(), r, net); err == nil || !strings.Contains(err.Error(), "differs from the first hidden layer") {
		t.Errorf("mixed neuron models: %v", err)
	}
}
