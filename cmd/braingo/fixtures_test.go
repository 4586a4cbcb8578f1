package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/braingo/braingo/kinds"
)

var updateFixtures = flag.Bool("update", false, "rewrite testdata/fixtures from the current build")

// fixture is a short run of an embedded recipe at threads=1: its measures
// are pinned in testdata/fixtures/NAME.jsonl, so a change that moves code
// without meaning to change results changes no bit, and a change that
// changes results on purpose regenerates them (go test ./cmd/braingo -run
// Fixtures -update) in the same commit, where the diff shows the figures.
type fixture struct {
	recipe string
	cmd    string   // train or sim
	args   []string // --set overrides that make the run short
	// tiny trains on tinyData (a recipe whose data set this machine may
	// lack); single is for kinds that run on one thread and have no
	// threads field.
	tiny, single bool
}

// fmnistShort is the data and size of a short Fashion-MNIST run.
var fmnistShort = []string{"data.train_limit=512", "data.test_limit=256", "train.epochs=2"}

var fixtures = []fixture{
	{"fmnist-snn", "train", append([]string{"model.hidden=[64]", "train.batch_size=64"}, fmnistShort...), false, false},
	{"fmnist-snn-sparse", "train", append([]string{"model.hidden=[64]", "train.batch_size=64"}, fmnistShort...), false, false},
	{"fmnist-hh", "train", append([]string{"model.hidden=[32]", "train.batch_size=64", "data.steps=20"}, fmnistShort...), false, false},
	{"dms-snn-sparse", "train", []string{"train.epochs=2", "train.batches=2", "train.batch_size=8", "train.eval_trials=16"}, false, false},
	{"mnist-snn", "train", []string{"model.hidden=[64]", "train.batch_size=32", "train.epochs=2"}, true, false},
	{"fmnist-s2", "train", append([]string{"train.batch_size=64"}, fmnistShort...), false, false},
	{"reservoir-fmnist", "train", []string{"model.units=200", "data.train_limit=512", "data.test_limit=256", "readout.train_eval=256", "plots=false"}, false, false},
	{"cdm-rate", "train", []string{"train.epochs=2", "train.batches=3", "train.batch_size=8", "train.eval_trials=32"}, false, false},
	{"pdm-rate", "train", []string{"train.epochs=2", "train.batches=3", "train.batch_size=8", "train.eval_trials=32"}, false, false},
	{"pdm-hh", "train", []string{"task.timing=[fixation=20,stimulus=60,decision=20]", "model.units=16", "train.epochs=2", "train.batches=3", "train.batch_size=8", "train.eval_trials=16"}, false, false},
	{"yang19", "train", []string{"model.units=32", "train.epochs=2", "train.batches=3", "train.batch_size=8", "train.eval_trials=40"}, false, false},
	{"dms-snn", "train", []string{"train.epochs=2", "train.batches=2", "train.batch_size=8", "train.eval_trials=16"}, false, false},
	{"evidence-alif", "train", []string{"train.epochs=2", "train.batches=2", "train.batch_size=8", "train.eval_trials=16"}, false, false},
	{"evidence-eprop", "train", []string{"train.epochs=2", "train.batches=2", "train.batch_size=8", "train.eval_trials=16"}, false, false},
	{"pdm-a2c", "train", []string{"train.epochs=2", "train.updates=3", "train.columns=4", "train.eval_trials=32"}, false, false},
	{"bandit-a2c", "train", []string{"train.epochs=2", "train.updates=3", "train.columns=4", "train.eval_trials=32"}, false, false},
	{"rstdp-task", "train", []string{"train.epochs=2", "train.trials=10", "train.eval_trials=20"}, false, true},
	{"force-sines", "train", []string{"model.units=200", "train.train_s=0.3", "train.test_s=0.2", "plots=false"}, false, false},
	{"force-spiking", "train", []string{"model.units=200", "train.warmup_s=0.05", "train.train_s=0.2", "train.test_s=0.1", "plots=false"}, false, false},
	{"randman-rsnn", "train", []string{"data.randman.units=10", "data.randman.samples_per_class=20", "data.steps=30", "model.hidden=[16]", "train.batch_size=32", "train.epochs=2"}, false, false},
	{"shd-rsnn", "train", []string{"data_dir=../../datasets/events/testdata", "model.hidden=[16]", "model.init_scale=25", "train.batch_size=4", "train.epochs=2"}, false, false},
	{"ssc-rsnn", "train", []string{"data_dir=testdata/events/ssc", "model.hidden=[16]", "model.init_scale=25", "train.batch_size=4", "train.epochs=2"}, false, false},
	{"nmnist-snn", "train", []string{"data_dir=testdata/events/nmnist", "model.hidden=[16]", "train.batch_size=2", "train.epochs=2"}, false, false},
	{"coba", "sim", []string{"scale=0.1", "duration_ms=100", "plots=false"}, false, false},
	{"cuba", "sim", []string{"scale=0.1", "duration_ms=100", "plots=false"}, false, false},
	{"coba-hh", "sim", []string{"scale=0.1", "duration_ms=50", "plots=false"}, false, false},
}

// stripTimes removes timing keys at every depth.
func stripTimes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if kinds.TimingKey(k) {
				delete(x, k)
			} else {
				x[k] = stripTimes(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = stripTimes(e)
		}
	}
	return v
}

// normalize returns the JSON lines of b without timing keys, keys sorted,
// numbers as written.
func normalize(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		enc, err := json.Marshal(stripTimes(v)) // maps marshal with sorted keys
		if err != nil {
			t.Fatal(err)
		}
		out.Write(enc)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// runFixture runs f and returns its normalized measures: the run's
// metrics.jsonl where it writes one, else its --json output.
func runFixture(t *testing.T, f fixture) []byte {
	t.Helper()
	return runFixtureThreads(t, f, 1)
}

// runFixtureThreads is runFixture at the given thread count.
func runFixtureThreads(t *testing.T, f fixture, threads int) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{f.cmd, f.recipe, "--out", dir, "--json"}
	if !f.single {
		args = append(args, "--set", fmt.Sprintf("threads=%d", threads))
	}
	if f.tiny {
		args = append(args, "--set", "data_dir="+tinyData(t))
	}
	for _, s := range f.args {
		args = append(args, "--set", s)
	}
	stdout, stderr, code := run(t, args...)
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl")); err == nil {
		return normalize(t, b)
	}
	return normalize(t, []byte(stdout))
}

func checkFixtures(t *testing.T, fs []fixture) {
	names := map[string]bool{}
	for _, f := range fs {
		names[f.recipe] = true
		t.Run(f.recipe, func(t *testing.T) {
			got := runFixture(t, f)
			path := filepath.Join("testdata", "fixtures", f.recipe+".jsonl")
			if *updateFixtures {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (write it with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("measures differ from %s (a change of results on purpose rewrites it with -update):\n got %s\nwant %s", path, got, want)
			}
		})
	}
}

// Every embedded recipe gives the measures pinned in its fixture, to the
// bit (the torch recipes in fixtures_torch_test.go).
func TestFixtures(t *testing.T) {
	checkFixtures(t, fixtures)
}

// Every embedded recipe has a fixture, here or in the torch build's list.
func TestFixturesCoverEveryRecipe(t *testing.T) {
	have := map[string]bool{}
	for _, f := range append(fixtures, torchFixtures...) {
		have[f.recipe] = true
	}
	stdout, _, code := run(t, "recipes", "--json")
	if code != 0 {
		t.Fatal("recipes --json failed")
	}
	var missing []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r struct{ Name string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if !have[r.Name] {
			missing = append(missing, r.Name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("recipes without a fixture: %s", fmt.Sprint(missing))
	}
}

// torchFixtures are the recipes that need the torch build.
var torchFixtures = []fixture{
	{"fmnist-csnn", "train", append([]string{"train.batch_size=64", "data.steps=4"}, fmnistShort...), false, false},
	{"pdm-hybrid", "train", []string{"train.epochs=2", "train.batches=3", "train.batch_size=8", "train.eval_trials=32"}, false, false},
	// The fixture recordings of datasets/events: two gestures to train on, two to
	// test; a low threshold, so that their few events make the blocks fire.
	{"dvsgesture-csnn", "train", []string{"data_dir=../../datasets/events/testdata/gesture", "data.steps=4", "data.side=16",
		"model.channels=[4,8]", "model.threshold=0.1", "train.batch_size=2", "train.epochs=2"}, false, false},
}

// Training gives the same bits on any thread count (each batch in 8 shards
// by sample index, summed in shard order): the recipes that train in
// parallel give their threads=1 fixtures at threads=2 and 3.
func TestFixturesThreadIndependent(t *testing.T) {
	for _, f := range fixtures {
		switch f.recipe {
		case "fmnist-snn", "fmnist-s2", "dms-snn", "evidence-eprop", "pdm-a2c", "randman-rsnn", "fmnist-snn-sparse", "fmnist-hh", "pdm-hh":
		default:
			continue
		}
		t.Run(f.recipe, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "fixtures", f.recipe+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			for _, th := range []int{2, 3} {
				if got := runFixtureThreads(t, f, th); !bytes.Equal(got, want) {
					t.Errorf("threads=%d: measures differ from the threads=1 fixture:\n got %s\nwant %s", th, got, want)
				}
			}
		})
	}
}
