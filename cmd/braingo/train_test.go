package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/datasets"
)

// tinyData writes a small learnable Fashion-MNIST-shaped dataset: the class
// is written as a bright band in a class-specific row range.
func tinyData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(split string, n int) {
		px := make([]uint8, n*28*28)
		lb := make([]uint8, n)
		for i := range lb {
			c := (i * 7) % 10
			lb[i] = uint8(c)
			for r := 2 * c; r < 2*c+6; r++ {
				for col := 4; col < 24; col++ {
					px[i*784+r*28+col] = uint8(150 + (i*31+col)%100)
				}
			}
		}
		var b bytes.Buffer
		datasets.EncodeIDX(&b, []int{n, 28, 28}, px)
		os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), b.Bytes(), 0o644)
		b.Reset()
		datasets.EncodeIDX(&b, []int{n}, lb)
		os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte"), b.Bytes(), 0o644)
	}
	write("train", 256)
	write("t10k", 64)
	return dir
}

func TestTrainJSONEvalAndResume(t *testing.T) {
	data := tinyData(t)
	base := []string{"--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=64", "--set", "steps=8", "--json"}
	out := filepath.Join(t.TempDir(), "run")
	stdout, stderr, code := run(t, append([]string{"train", "fmnist-snn", "--out", out, "--set", "epochs=2"}, base...)...)
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", stdout)
	}
	var last map[string]any
	for _, l := range lines {
		last = map[string]any{}
		if err := json.Unmarshal([]byte(l), &last); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
		for _, k := range []string{"epoch", "train_seconds", "samples_per_s", "train_loss", "test_acc", "hidden_rate", "peak_rss_mb"} {
			if _, ok := last[k]; !ok {
				t.Fatalf("line %q lacks %s", l, k)
			}
		}
	}
	if acc := last["test_acc"].(float64); acc < 0.5 {
		t.Errorf("tiny separable task learnt only %.2f test accuracy", acc)
	}
	for _, f := range []string{"recipe.yaml", "metrics.jsonl", "checkpoint.bgc", "curves.png", "raster.png", "confusion.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("run directory lacks %s", f)
		}
	}
	// eval reproduces the final test accuracy from the checkpoint.
	stdout, stderr, code = run(t, "eval", out, "--json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["test_acc"] != last["test_acc"] {
		t.Errorf("eval test_acc %v, training reported %v", ev["test_acc"], last["test_acc"])
	}
	// Stopping after epoch 1 and resuming gives the same bits as never stopping.
	out2 := filepath.Join(t.TempDir(), "run2")
	if _, stderr, code := run(t, append([]string{"train", "fmnist-snn", "--out", out2, "--set", "epochs=1"}, base...)...); code != 0 {
		t.Fatalf("train epoch 1: %s", stderr)
	}
	if _, stderr, code := run(t, append([]string{"train", "fmnist-snn", "--out", out2, "--resume", "--set", "epochs=2"}, base...)...); code != 0 {
		t.Fatalf("resume: %s", stderr)
	}
	a, err := checkpoint.Load(filepath.Join(out, "checkpoint.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Load(filepath.Join(out2, "checkpoint.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Arrays) != len(b.Arrays) {
		t.Fatalf("%d vs %d arrays", len(a.Arrays), len(b.Arrays))
	}
	for i := range a.Arrays {
		x, ok := b.Get(a.Arrays[i].Name)
		if !ok {
			t.Fatalf("resumed checkpoint lacks %s", a.Arrays[i].Name)
		}
		for j, v := range a.Arrays[i].Data {
			if x.Data[j] != v {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", a.Arrays[i].Name, j, v, x.Data[j])
			}
		}
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train"}, 2, "want one recipe"},
		{[]string{"train", "nosuch"}, 2, "no recipe named"},
		{[]string{"train", "fmnist-snn", "--set", "epochs=ten"}, 2, "expects an integer"},
		{[]string{"train", "fmnist-snn", "--set", "model.surrogate=relu"}, 2, "atan"},
		{[]string{"train", "fmnist-snn", "--set", "nosuch=1"}, 2, "nosuch"},
		{[]string{"train", "fmnist-snn", "--resume"}, 2, "--resume needs --out"},
		{[]string{"train", "fmnist-snn", "--set", "data_dir=/nonexistent", "--out", tmp + "/nodata"}, 1, "not found"},
		{[]string{"eval", "/nonexistent-run"}, 1, "nonexistent-run"},
		{[]string{"train", "fmnist-snn", "--set", "model.init_file=/nonexistent.json", "--out", tmp + "/noinit"}, 2, "model.init_file"},
		{[]string{"train", "fmnist-snn", "--resume", "--force", "--out", tmp + "/x"}, 2, "give one"},
		{[]string{"sim", "coba", "--set", "scale=-1", "--out", tmp + "/sim"}, 2, "scale"},
	} {
		_, stderr, code := run(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d containing %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// The cosine schedule (task and classification recipes) sets the learning
// rate per epoch: the first epoch runs at lr under either schedule (same
// bits), the second at lr·(1 + cos(π/2))/2 = lr/2 under cosine (different
// weights).
func TestCosineSchedule(t *testing.T) {
	data := tinyData(t)
	for _, c := range []struct {
		name string
		args []string
		key  string
	}{
		{"task", []string{"pdm-rate", "--set", "train.batches=2", "--set", "batch_size=4", "--set", "eval_trials=10"}, "train.optim.schedule"},
		{"classify", []string{"fmnist-snn", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16",
			"--set", "steps=6"}, "train.schedule"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ckpt := func(schedule string, epochs int) *checkpoint.Checkpoint {
				out := filepath.Join(t.TempDir(), "run")
				args := append(append([]string{"train"}, c.args...), "--out", out, "--json", "--set", "epochs="+strconv.Itoa(epochs),
					"--set", c.key+"="+schedule)
				if _, stderr, code := run(t, args...); code != 0 {
					t.Fatalf("%v: %s", args, stderr)
				}
				ck, err := checkpoint.Load(filepath.Join(out, "checkpoint.bgc"))
				if err != nil {
					t.Fatal(err)
				}
				return ck
			}
			same := func(a, b *checkpoint.Checkpoint) bool {
				for _, x := range a.Arrays {
					y, ok := b.Get(x.Name)
					if !ok || !slices.Equal(x.Data, y.Data) {
						return false
					}
				}
				return true
			}
			if !same(ckpt("none", 1), ckpt("cosine", 1)) {
				t.Fatal("first epoch differs between constant and cosine schedules (both run at lr)")
			}
			if same(ckpt("none", 2), ckpt("cosine", 2)) {
				t.Fatal("second epoch identical under cosine: the schedule is not applied")
			}
		})
	}
}

// braingo eval on task runs plays training's evaluation trials again: it
// reproduces the last epoch's performance (and a bandit's regrets) from the
// checkpoint; other kinds get an error naming what eval takes.
func TestEvalTaskRuns(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"task-bptt", []string{"pdm-rate", "--set", "epochs=2", "--set", "train.batches=2", "--set", "batch_size=4", "--set", "eval_trials=16"}},
		{"task-rl bandit", []string{"bandit-a2c", "--set", "epochs=1", "--set", "train.updates=2", "--set", "train.columns=4",
			"--set", "train.eval_trials=50"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			stdout, stderr, code := run(t, append(append([]string{"train"}, c.args...), "--out", out, "--json")...)
			if code != 0 {
				t.Fatalf("train: %s", stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			var last map[string]any
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code = run(t, "eval", out, "--json")
			if code != 0 {
				t.Fatalf("eval: exit %d: %s", code, stderr)
			}
			var ev map[string]any
			if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
				t.Fatalf("eval --json: %v: %q", err, stdout)
			}
			for _, k := range []string{"performance", "mean_reward", "regret", "regret_fixed_arm"} {
				if ev[k] != last[k] {
					t.Errorf("eval %s = %v, the last epoch reported %v", k, ev[k], last[k])
				}
			}
			if n, _ := ev["trials"].(float64); n < 1 {
				t.Errorf("eval trials %v", ev["trials"])
			}
			if stdout, stderr, code := run(t, "eval", out); code != 0 || !strings.Contains(stdout, "performance") {
				t.Errorf("eval table: exit %d: %s%s", code, stdout, stderr)
			}
		})
	}
	t.Run("other kinds", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "run")
		if _, stderr, code := run(t, "sim", "coba", "--out", out, "--set", "scale=0.02", "--set", "duration_ms=5", "--set", "plots=false",
			"--json"); code != 0 {
			t.Fatalf("sim coba: %s", stderr)
		}
		_, stderr, code := run(t, "eval", out)
		if code == 0 || !strings.Contains(stderr, "task-bptt") || !strings.Contains(stderr, "force") {
			t.Errorf("eval of a sim run: exit %d, stderr %q", code, stderr)
		}
	})
}
