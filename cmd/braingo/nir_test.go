package main

import (
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/nir"
	"github.com/braingo/braingo/tensor"
)

// A network trained by the fmnist-snn recipe, exported to NIR and imported
// into a new run directory, predicts the same class for every test image
// with the same firing rates; its default reset by subtraction is refused
// without --lossy. A zero-reset synaptic network with an LI readout needs
// no --lossy.
func TestExportImportFMNIST(t *testing.T) {
	data := tinyData(t)
	base := []string{"--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=48", "--set", "steps=8", "--json"}
	for _, c := range []struct {
		name  string
		sets  []string
		lossy bool
	}{
		{"default", nil, true},
		{"synaptic zero li", []string{"--set", "model.neuron=synaptic", "--set", "model.reset=zero", "--set", "model.readout=li", "--set", "model.hidden_gain=0.5"}, false},
		{"learned decays", []string{"--set", "model.learn_beta=true", "--set", "model.reset=zero", "--set", "model.readout_gain=2"}, false},
		// NIR Delay nodes in front of the projections, read back as model.delay.
		{"delays", []string{"--set", "model.hidden=48,32", "--set", "model.delay=2,1", "--set", "model.reset=zero"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			trained, imported, file := filepath.Join(dir, "run"), filepath.Join(dir, "imported"), filepath.Join(dir, "model.nir")
			if _, stderr, code := run(t, append(append([]string{"train", "fmnist-snn", "--out", trained}, base...), c.sets...)...); code != 0 {
				t.Fatalf("train exit %d: %s", code, stderr)
			}
			_, stderr, code := run(t, "export", trained, "--format", "nir", "-o", file)
			if c.lossy {
				if code != 1 || !strings.Contains(stderr, "reset by subtraction") || !strings.Contains(stderr, "--lossy") {
					t.Fatalf("export without --lossy: exit %d, %s", code, stderr)
				}
				_, stderr, code = run(t, "export", filepath.Join(trained, kinds.CheckpointFile), "--format", "nir", "-o", file, "--lossy")
				if !strings.Contains(stderr, "warning: dropped: hidden1: reset by subtraction") {
					t.Errorf("lossy export warned %q", stderr)
				}
			}
			if code != 0 {
				t.Fatalf("export exit %d: %s", code, stderr)
			}
			if _, stderr, code := run(t, "import", file, "-o", imported); code != 0 {
				t.Fatalf("import exit %d: %s", code, stderr)
			}
			_, _, ev1, err := kinds.EvaluateRun(trained, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			_, _, ev2, err := kinds.EvaluateRun(imported, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if len(ev1.Pred) == 0 || !slices.Equal(ev1.Pred, ev2.Pred) {
				t.Fatalf("predictions differ after export and import:\n%v\n%v", ev1.Pred, ev2.Pred)
			}
			for i := range ev1.Rates {
				if ev1.Rates[i].Rate != ev2.Rates[i].Rate {
					t.Errorf("layer %s rate %v, imported %v", ev1.Rates[i].Name, ev1.Rates[i].Rate, ev2.Rates[i].Rate)
				}
			}
			if ev1.Rates[0].Rate == 0 {
				t.Error("silent hidden layer: the comparison tests little")
			}
			if stdout, stderr, code := run(t, "eval", imported); code != 0 || !strings.Contains(stdout, "test accuracy") {
				t.Fatalf("eval of the imported run: exit %d: %s%s", code, stdout, stderr)
			}
		})
	}
}

// A recurrent SNN trained by a task recipe exports as a NIR graph with a
// recurrent edge and reads back as the same network, bit for bit; ALIF is
// refused unless lossy.
func TestExportRSNN(t *testing.T) {
	dir := t.TempDir()
	common := []string{"--set", "model.units=16", "--set", "train.epochs=1", "--set", "train.batches=1", "--set", "train.batch_size=4", "--set", "train.eval_trials=4", "--json"}
	lif := filepath.Join(dir, "lif")
	if _, stderr, code := run(t, append([]string{"train", "dms-snn", "--out", lif, "--set", "model.neuron=lif", "--set", "model.dale=true"}, common...)...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	file := filepath.Join(dir, "rsnn.nir")
	if _, stderr, code := run(t, "export", lif, "-o", file); code != 1 || !strings.Contains(stderr, "Dale") {
		t.Fatalf("Dale's-law network exported without --lossy: exit %d %s", code, stderr)
	}
	if _, stderr, code := run(t, "export", lif, "-o", file, "--lossy"); code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr)
	}
	_, orig, err := kinds.LoadNetwork(lif, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g, err := nir.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(g.Edges, nir.Edge{From: "rec", To: "lif"}) {
		t.Fatalf("no recurrent edge in %v", g.Edges)
	}
	back, err := nir.ToRSNN(g, nir.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := stepRSNN(orig.(*networks.RSNN)), stepRSNN(back)
	if len(a) != len(b) {
		t.Fatal("lengths differ")
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("read-back RSNN differs at value %d: %v vs %v", i, a[i], b[i])
		}
	}
	if !slices.Contains(a, 1) {
		t.Error("no spikes: the comparison tests little")
	}
	alif := filepath.Join(dir, "alif")
	if _, stderr, code := run(t, append([]string{"train", "evidence-alif", "--out", alif}, common...)...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, "export", alif, "-o", file); code != 1 || !strings.Contains(stderr, "ALIF") {
		t.Fatalf("ALIF exported without --lossy: exit %d %s", code, stderr)
	}
	if _, stderr, code := run(t, "export", alif, "-o", file, "--lossy"); code != 0 || !strings.Contains(stderr, "adaptive threshold") {
		t.Fatalf("lossy ALIF export: exit %d %s", code, stderr)
	}
}

func stepRSNN(net *networks.RSNN) []float32 {
	r := rand.New(rand.NewPCG(2, 3))
	tp := tensor.NewTape()
	st := net.Start(tp, 3, nil, nil)
	var out []float32
	for range 30 {
		x := make([]float32, 3*net.Inputs())
		for i := range x {
			if r.Float64() < 0.3 {
				x[i] = 1
			}
		}
		o, h := st.Step(tensor.New([]int{3, net.Inputs()}, x))
		out = append(out, o.Data...)
		out = append(out, h.Data...)
	}
	return out
}
