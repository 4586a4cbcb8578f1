package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/recipes"
)

// TestRunForceKinds runs small versions of the FORCE recipes end to end:
// the JSON line carries test_nmse, the plot is written, and the short
// training already brings the error well below an untrained readout's
// (NMSE 1).
func TestRunForceKinds(t *testing.T) {
	for _, c := range []struct {
		name string
		sets []string
		max  float64
	}{
		{"force-sines", []string{"units=300", "train_s=2", "test_s=0.5", "period_ms=300"}, 0.2},
		{"force-sines", []string{"units=200", "method=full-force", "conn=dense", "dt=0.5", "train_s=6", "test_s=1", "period_ms=1200", "plots=false"}, 0.2},
		{"force-spiking", []string{"units=500", "train_s=1", "test_s=0.5", "train.warmup_s=0.2"}, 0.5},
	} {
		r, err := recipes.Load(c.name, c.sets)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var out bytes.Buffer
		if err := Run(context.Background(), r, RunOptions{Dir: dir, Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
			t.Fatalf("%s %v: %v", c.name, c.sets, err)
		}
		if !strings.Contains(out.String(), `"test_nmse"`) {
			t.Errorf("%s: no test_nmse in %s", c.name, out.String())
		}
		var line ForceLine
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatalf("%s: %v in %q", c.name, err, out.String())
		}
		t.Logf("%s %v: %+v", c.name, c.sets, line)
		if !(line.TestNMSE < c.max) || line.Updates == 0 {
			t.Errorf("%s %v: test NMSE %v (want < %v) after %d updates", c.name, c.sets, line.TestNMSE, c.max, line.Updates)
		}
		plots := !strings.Contains(strings.Join(c.sets, " "), "plots=false")
		if _, err := os.Stat(filepath.Join(dir, ForceFile)); (err == nil) != plots {
			t.Errorf("%s: plot written %v, want %v", c.name, err == nil, plots)
		}
	}
	if _, err := recipes.Load("force-sines", []string{"method=full-force", "conn=csr"}); err == nil {
		t.Error("full-force with CSR recurrent weights was accepted")
	}
}

// TestRunReservoir runs a small reservoir on the first Fashion-MNIST
// images with each readout; skipped when the dataset is not installed.
func TestRunReservoir(t *testing.T) {
	if _, err := os.Stat(datasets.FashionMNIST.Dir("")); err != nil {
		t.Skip("Fashion-MNIST not installed (make setup)")
	}
	for _, sets := range [][]string{
		{"units=200", "train_limit=1000", "test_limit=300", "readout.train_eval=200"},
		{"units=100", "neuron=lif", "conn=jit", "train_limit=600", "test_limit=300", "model.include_input=false", "model.input_scale=1", "steps=5", "model.leak=0.3", "plots=false"},
		{"units=100", "method=rls", "conn=csr", "train_limit=600", "test_limit=300", "plots=false"},
		{"units=100", "method=lms", "train_limit=600", "test_limit=300", "plots=false"},
	} {
		r, err := recipes.Load("reservoir-fmnist", sets)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Run(context.Background(), r, RunOptions{Dir: t.TempDir(), Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
			t.Fatalf("%v: %v", sets, err)
		}
		var line ReservoirLine
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatalf("%v: %v in %q", sets, err, out.String())
		}
		t.Logf("%v: test %.3f train %.3f rate %.3f", sets, line.TestAcc, line.TrainAcc, line.HiddenRate)
		// Ten classes: chance is 0.1; a few hundred images give well above.
		if !(line.TestAcc > 0.5) {
			t.Errorf("%v: test accuracy %.3f", sets, line.TestAcc)
		}
	}
}
