package recipes_test

import (
	"embed"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/braingo/braingo/recipes"
)

// The test kind: every supported shape of field.

type testCommon struct {
	Seed    int64 `yaml:"seed" default:"1" help:"random seed" alias:"rng_seed"`
	Threads uint  `yaml:"threads" help:"worker goroutines (0: one per core)"`
}

type testSpec struct {
	testCommon                // inlined: seed and threads sit at the top
	Model      testModel      `yaml:"model" help:"the network"`
	Data       testData       `yaml:"data"`
	Train      testTrain      `yaml:"train" help:"the training loop"`
	Layers     []testLayer    `yaml:"layers" default:"[{size: 100}, {size: 10, activation: none}]" help:"layers, input side first"`
	Ignored    map[string]int `yaml:"-"`
	unexported func()         //nolint:unused // skipped by the schema
}

type testModel struct {
	Hidden    []int   `yaml:"hidden" default:"1000" range:"[1,)" help:"hidden layer sizes"`
	Beta      float64 `yaml:"beta" default:"0.95" range:"[0,1]" help:"membrane decay per step"`
	Surrogate string  `yaml:"surrogate" default:"atan" enum:"atan,fast_sigmoid,triangle" help:"surrogate gradient"`
	LearnBeta bool    `yaml:"learn_beta" help:"train beta too"`
	Steps     int     `yaml:"steps" default:"25" help:"time steps per example"`
	Width     float32 `yaml:"width" default:"0.5" help:"surrogate width"`
}

type testData struct {
	Encoders     []string  `yaml:"encoders" default:"direct" enum:"direct,rate,latency" help:"input encoders"`
	TrainLimit   int       `yaml:"train_limit" alias:"train_limit" help:"use at most this many training examples (0: all)"`
	ClassWeights []float64 `yaml:"class_weights" help:"loss weight per class (empty: equal)"`
}

type testTrain struct {
	Epochs    int           `yaml:"epochs" default:"10" alias:"epochs" help:"passes over the training set"`
	BatchSize int           `yaml:"batch_size" default:"128" alias:"batch_size" range:"[1,)" help:"training batch size"`
	LR        float64       `yaml:"lr" default:"5e-4" help:"Adam learning rate"`
	Timeout   time.Duration `yaml:"timeout" default:"1h" help:"stop after this long"`
	Shuffle   bool          `yaml:"shuffle" default:"true" help:"shuffle each epoch"`
}

func (t *testTrain) Validate() error {
	if t.LR <= 0 {
		return recipes.Invalid("lr", "must be positive, got %g", t.LR)
	}
	if t.BatchSize < 1 {
		return recipes.Invalid("batch_size", "must be at least 1")
	}
	return nil
}

type testLayer struct {
	Size       int    `yaml:"size" help:"neurons in the layer"`
	Activation string `yaml:"activation" default:"lif" enum:"lif,none" help:"neuron model"`
}

func (l testLayer) Validate() error {
	if l.Size < 1 {
		return recipes.Invalid("size", "must be at least 1, got %d", l.Size)
	}
	return nil
}

func (s *testSpec) Validate() error {
	if len(s.Layers) == 0 {
		return errors.New("needs at least one layer")
	}
	return nil
}

func init() {
	recipes.RegisterKind("test-classify", func() any { return new(testSpec) })
}

// defaults is testSpec with every default applied.
func defaults() *testSpec {
	return &testSpec{
		testCommon: testCommon{Seed: 1},
		Model:      testModel{Hidden: []int{1000}, Beta: 0.95, Surrogate: "atan", Steps: 25, Width: 0.5},
		Data:       testData{Encoders: []string{"direct"}},
		Train:      testTrain{Epochs: 10, BatchSize: 128, LR: 5e-4, Timeout: time.Hour, Shuffle: true},
		Layers:     []testLayer{{Size: 100, Activation: "lif"}, {Size: 10, Activation: "none"}},
	}
}

const header = "kind: test-classify\nname: t\ndescription: a test\n"

func parse(t *testing.T, src string, sets ...string) *testSpec {
	t.Helper()
	r, err := recipes.Parse("test.yaml", []byte(src), sets)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r.Spec.(*testSpec)
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		sets []string
		want func(s *testSpec)
	}{
		{"defaults", header, nil, func(*testSpec) {}},
		{"explicit zero beats default", header + "train:\n  shuffle: false\n  epochs: 0\nmodel:\n  hidden: []\n", nil, func(s *testSpec) {
			s.Train.Shuffle, s.Train.Epochs, s.Model.Hidden = false, 0, nil
		}},
		{"sections", header + "seed: 9\nthreads: 3\nmodel:\n  hidden: [20, 10]\n  surrogate: triangle\n  width: 0.125\ndata:\n  encoders: [rate]\n  class_weights: [1, .inf]\ntrain:\n  lr: 1e-2\n  timeout: 1m30s\n", nil, func(s *testSpec) {
			s.Seed, s.Threads = 9, 3
			s.Model.Hidden, s.Model.Surrogate, s.Model.Width = []int{20, 10}, "triangle", 0.125
			s.Data.Encoders, s.Data.ClassWeights = []string{"rate"}, []float64{1, math.Inf(1)}
			s.Train.LR, s.Train.Timeout = 1e-2, 90*time.Second
		}},
		{"list items get defaults", header + "layers:\n  - size: 5\n  - {size: 6, activation: none}\n  - size: 7\n", nil, func(s *testSpec) {
			s.Layers = []testLayer{{5, "lif"}, {6, "none"}, {7, "lif"}}
		}},
		{"quoted string", header + "model:\n  surrogate: 'atan'\n", nil, func(*testSpec) {}},
		{"short keys", header, []string{"epochs=3", "batch_size=32", "rng_seed=5", "train_limit=600", "threads=1"}, func(s *testSpec) {
			s.Train.Epochs, s.Train.BatchSize, s.Seed, s.Data.TrainLimit, s.Threads = 3, 32, 5, 600, 1
		}},
		{"dotted keys", header, []string{"train.epochs=4", "model.beta=0.5", "model.learn_beta=true", "train.timeout=2s", "seed=8"}, func(s *testSpec) {
			s.Train.Epochs, s.Model.Beta, s.Model.LearnBeta, s.Train.Timeout, s.Seed = 4, 0.5, true, 2*time.Second, 8
		}},
		{"lists", header, []string{"model.hidden=300, 100", "data.encoders=[rate, latency]", "data.class_weights=1,2"}, func(s *testSpec) {
			s.Model.Hidden, s.Data.Encoders, s.Data.ClassWeights = []int{300, 100}, []string{"rate", "latency"}, []float64{1, 2}
		}},
		{"empty list", header, []string{"model.hidden="}, func(s *testSpec) { s.Model.Hidden = nil }},
		{"list element", header, []string{"model.hidden.0=9", "model.hidden.1=8"}, func(s *testSpec) { s.Model.Hidden = []int{9, 8} }},
		{"list of sections", header, []string{"layers.1.size=200", "layers.2.size=5", "layers.0={activation: none}"}, func(s *testSpec) {
			s.Layers = []testLayer{{100, "none"}, {200, "none"}, {5, "lif"}}
		}},
		{"whole list", header, []string{"layers=[{size: 1}]"}, func(s *testSpec) { s.Layers = []testLayer{{1, "lif"}} }},
		{"section merges", header + "train:\n  epochs: 2\n", []string{"train={lr: 0.1}"}, func(s *testSpec) { s.Train.Epochs, s.Train.LR = 2, 0.1 }},
		{"later override wins", header, []string{"epochs=1", "train.epochs=2"}, func(s *testSpec) { s.Train.Epochs = 2 }},
		{"override fixes file", header + "train:\n  lr: -1\n", []string{"train.lr=0.5"}, func(s *testSpec) { s.Train.LR = 0.5 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := defaults()
			tc.want(want)
			if got := parse(t, tc.src, tc.sets...); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestHeaderOverrides(t *testing.T) {
	r, err := recipes.Parse("test.yaml", []byte(header), []string{"name=run-2", "description=second try"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != "test-classify" || r.Name != "run-2" || r.Description != "second try" || r.Source != "test.yaml" {
		t.Errorf("header %q %q %q %q", r.Kind, r.Name, r.Description, r.Source)
	}
}

// Every error names where (file:line:col or the --set), the dotted field and
// what is wrong; each want is a substring of the message.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		sets []string
		want []string
	}{
		{"ill-typed", header + "train:\n  epochs: ten\n", nil, []string{`test.yaml:5:11: train.epochs: expects an integer, got "ten"`}},
		{"list for number", header + "train:\n  epochs: [1, 2]\n", nil, []string{"test.yaml:5:11: train.epochs: expects an integer, got a list"}},
		{"number for list", header + "model:\n  hidden: 100\n", nil, []string{"test.yaml:5:11: model.hidden: expects a list such as [1, 2]"}},
		{"bad list element", header + "model:\n  hidden: [1, x]\n", nil, []string{`test.yaml:5:15: model.hidden.1: expects an integer, got "x"`}},
		{"scalar for section", header + "train: 3\n", nil, []string{"test.yaml:4:8: train: expects a section"}},
		{"section for list", header + "layers: {size: 3}\n", nil, []string{"test.yaml:4:9: layers: expects a list of sections"}},
		{"float for int", header + "train:\n  epochs: 1.5\n", nil, []string{"train.epochs: expects an integer"}},
		{"bad float", header + "model:\n  beta: fast\n", nil, []string{`test.yaml:5:9: model.beta: expects a number, got "fast"`}},
		{"nan", header + "model:\n  beta: .nan\n", nil, []string{"model.beta: expects a number"}},
		{"bad bool", header + "train:\n  shuffle: yes\n", nil, []string{`test.yaml:5:12: train.shuffle: expects true or false, got "yes"`}},
		{"bad duration", header + "train:\n  timeout: 5\n", nil, []string{"train.timeout: expects a duration such as 500ms"}},
		{"quoted number", header + "train:\n  epochs: \"10\"\n", nil, []string{`train.epochs: expects an integer, got the string "10" (remove the quotes)`}},
		{"null", header + "train:\n  epochs:\n", nil, []string{"test.yaml:5:10: train.epochs: has no value; it expects an integer"}},
		{"out of range", header + "model:\n  steps: 99999999999999999999\n", nil, []string{"model.steps: 99999999999999999999 is out of range for int"}},
		{"negative uint", header + "threads: -1\n", nil, []string{"threads: expects a non-negative integer"}},
		{"unknown field", header + "train:\n  epocs: 3\n", nil, []string{"test.yaml:5:3: train.epocs: unknown field (did you mean train.epochs?)"}},
		{"field in wrong section", header + "epochs: 3\n", nil, []string{"test.yaml:4:1: epochs: unknown field (did you mean train.epochs?)"}},
		{"unknown, nothing near", header + "model:\n  zzzzzz: 1\n", nil, []string{"model.zzzzzz: unknown field; valid keys in model: hidden, beta, surrogate, learn_beta, steps, width"}},
		{"unknown in list item", header + "layers:\n  - sise: 3\n", nil, []string{"test.yaml:5:5: layers.0.sise: unknown field (did you mean layers.0.size?)"}},
		{"duplicate key", header + "train:\n  epochs: 1\n  lr: 0.1\n  epochs: 2\n", nil, []string{"test.yaml:7:3: train.epochs: is set twice (first at line 5)"}},
		{"duplicate section", header + "train: {}\ntrain: {}\n", nil, []string{"test.yaml:5:1: train: is set twice (first at line 4)"}},
		{"duplicate header", header + "name: u\n", nil, []string{"test.yaml:4:1: name: is set twice (first at line 2)"}},
		{"enum", header + "model:\n  surrogate: atn\n", nil, []string{`test.yaml:5:14: model.surrogate: must be one of atan, fast_sigmoid, triangle, got "atn" (did you mean atan?)`}},
		{"enum in list", header + "data:\n  encoders: [rate, poisson]\n", nil, []string{`data.encoders.1: must be one of direct, rate, latency, got "poisson"`}},
		{"several errors", header + "train:\n  epochs: x\n  lr: y\n", nil, []string{"test.yaml:5:11: train.epochs", "test.yaml:6:7: train.lr"}},
		{"yaml syntax", "kind: test-classify\nname: [x\n", nil, []string{"test.yaml:1: did not find expected ',' or ']'"}},
		{"yaml tabs", "kind: test-classify\n\tname: x\n", nil, []string{"test.yaml:2: "}},
		{"two documents", header + "---\nkind: x\n", nil, []string{"test.yaml:4: a recipe is a single YAML document"}},
		{"alias", header + "model:\n  steps: &s 3\ntrain:\n  epochs: *s\n", nil, []string{"test.yaml:7:11: train.epochs: uses the YAML alias *s"}},
		{"merge key", header + "train:\n  <<: {epochs: 1}\n", nil, []string{"test.yaml:5:3: train: has a key that is not a plain name"}},
		{"not a mapping", "- kind\n", nil, []string{"test.yaml:1:1: a recipe is a mapping of keys to values, got a list"}},
		{"empty", "", nil, []string{"test.yaml: empty recipe"}},
		{"no kind", "name: x\ndescription: y\n", nil, []string{"test.yaml: missing kind", "test-classify"}},
		{"unknown kind", "kind: test-clasify\nname: x\ndescription: y\n", nil, []string{`test.yaml:1:7: kind: unknown recipe kind "test-clasify" (did you mean test-classify?); known kinds: `}},
		{"kind is a list", "kind: [a]\n", nil, []string{"test.yaml:1:7: kind: expects the name of a recipe kind, got a list"}},
		{"no name", "kind: test-classify\ndescription: y\n", nil, []string{"test.yaml: missing name"}},
		{"no description", "kind: test-classify\nname: x\n", nil, []string{"test.yaml: missing description"}},
		{"bad name", "kind: test-classify\nname: a b\ndescription: y\n", nil, []string{`test.yaml:2:7: name: "a b" must be letters, digits`}},
		{"two-line description", "kind: test-classify\nname: x\ndescription: |\n  a\n  b\n", nil, []string{"test.yaml:3:14: description: must be one line"}},
		{"validate in section", header + "train:\n  lr: -1\n", nil, []string{"test.yaml:5:7: train.lr: must be positive, got -1"}},
		{"validate in list", header + "layers:\n  - size: 3\n  - size: 0\n", nil, []string{"test.yaml:6:11: layers.1.size: must be at least 1, got 0"}},
		{"validate plain error", header + "layers: []\n", nil, []string{"test.yaml: needs at least one layer"}},
		{"validate default", header + "train: {}\n", []string{"batch_size=0"}, []string{"--set batch_size=0: train.batch_size: must be at least 1"}},

		{"set ill-typed", header, []string{"epochs=abc"}, []string{`--set epochs=abc: train.epochs: expects an integer, got "abc"`}},
		{"set no equals", header, []string{"epochs"}, []string{"--set epochs: expects key=value"}},
		{"set unknown", header, []string{"train.epochz=3"}, []string{"--set train.epochz=3: train.epochz: unknown field (did you mean train.epochs?)"}},
		{"set unknown short", header, []string{"epoch=3"}, []string{"--set epoch=3: epoch: unknown key (did you mean epochs?)"}},
		{"set misplaced", header, []string{"model.epochs=3"}, []string{"model.epochs: unknown field (did you mean train.epochs?)"}},
		{"set kind", header, []string{"kind=other"}, []string{"--set kind=other: kind: cannot be overridden"}},
		{"set bad name", header, []string{"name=a/b"}, []string{"--set name=a/b: name: "}},
		{"set under scalar", header, []string{"train.epochs.x=1"}, []string{"train.epochs: is an int, not a section or list"}},
		{"set index range", header, []string{"layers.5.size=3"}, []string{"--set layers.5.size=3: layers: has 2 items: index 5 is out of range (index 2 adds an item)"}},
		{"set bad index", header, []string{"layers.x.size=3"}, []string{`layers: is a list: after it comes an index 0, 1, ..., got "x"`}},
		{"set enum", header, []string{"model.surrogate=atn"}, []string{`--set model.surrogate=atn: model.surrogate: must be one of atan, fast_sigmoid, triangle, got "atn" (did you mean atan?)`}},
		{"set enum in list", header, []string{"data.encoders=direct,bogus"}, []string{"data.encoders.1: must be one of direct, rate, latency"}},
		{"set list of sections", header, []string{"layers=[{sise: 3}]"}, []string{"--set layers=[{sise: 3}]: layers.0.sise: unknown field (did you mean layers.0.size?)"}},
		{"set bad yaml", header, []string{"layers=[{size: 3}"}, []string{"--set layers=[{size: 3}: layers: \"[{size: 3}\" is not a valid YAML value"}},
		{"set out of range", header, []string{"train.epochs=99999999999999999999"}, []string{"train.epochs: 99999999999999999999 is out of range for int"}},
		{"set list element", header, []string{"model.hidden.3=1"}, []string{"model.hidden: has 1 items: index 3 is out of range"}},
		{"set validate", header, []string{"train.lr=-2"}, []string{"--set train.lr=-2: train.lr: must be positive, got -2"}},
		{"set validate list", header, []string{"layers.0.size=0"}, []string{"--set layers.0.size=0: layers.0.size: must be at least 1, got 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := recipes.Parse("test.yaml", []byte(tc.src), tc.sets)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n\t%v\ndoes not contain\n\t%s", err, w)
				}
			}
			var fe *recipes.FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error %v is not a *FieldError", err)
			}
		})
	}
}

// A Validate error keeps its cause for errors.Is.
func TestValidateUnwrap(t *testing.T) {
	_, err := recipes.Parse("test.yaml", []byte(header+"layers: []\n"), nil)
	var fe *recipes.FieldError
	if !errors.As(err, &fe) || fe.Err == nil || fe.Err.Error() != "needs at least one layer" || fe.Pos.File != "test.yaml" {
		t.Errorf("got %#v", err)
	}
}

func TestEchoRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		sets []string
	}{
		{"defaults", header, nil},
		{"full", readFile(t, "testdata/full.yaml"), nil},
		{"overrides", header, []string{"epochs=2", "layers.2.size=3", "model.hidden=", "data.class_weights=-.inf,1e-300,0.1", "name=x.y", "description=with: colon # and hash"}},
		{"awkward strings", "kind: test-classify\nname: '10'\ndescription: \"yes\"\n", []string{"model.surrogate=fast_sigmoid"}},
		{"float edge values", header + "model:\n  beta: 1\n  width: 3.4028234663852886e+38\ntrain:\n  lr: 5e-324\n", nil},
		{"empty layers list", header + "layers: [{size: 1}]\n", []string{"data.encoders=", "train.timeout=0s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := recipes.Parse("test.yaml", []byte(tc.src), tc.sets)
			if err != nil {
				t.Fatal(err)
			}
			echo := r.Echo()
			r2, err := recipes.Parse("recipe.yaml", echo, nil)
			if err != nil {
				t.Fatalf("reloading the echo: %v\n%s", err, echo)
			}
			if !reflect.DeepEqual(r.Spec, r2.Spec) || r.Name != r2.Name || r.Description != r2.Description || r.Kind != r2.Kind {
				t.Errorf("round trip changed the recipe:\n%+v\n%+v\n%s", r.Spec, r2.Spec, echo)
			}
			if again := r2.Echo(); !strings.Contains(string(again), "train:") {
				t.Errorf("second echo lacks sections:\n%s", again)
			}
		})
	}
}

func TestEchoContents(t *testing.T) {
	r, err := recipes.Parse("test.yaml", []byte(header+"train:\n  epochs: 3\n"), []string{"batch_size=64"})
	if err != nil {
		t.Fatal(err)
	}
	echo := string(r.Echo())
	for _, want := range []string{
		"# From test.yaml with --set \"batch_size=64\".",
		"kind: test-classify\n",
		"# random seed\nseed: 1\n",
		"  # passes over the training set [default 10]\n  epochs: 3\n",
		"  # training batch size [default 128]\n  batch_size: 64\n",
		"  # surrogate gradient (one of atan, fast_sigmoid, triangle)\n  surrogate: atan\n",
		"  hidden: [1000]\n",
		"  timeout: 1h0m0s\n",
		"  beta: 0.95\n",
		"# layers, input side first\n#   size: neurons in the layer\n#   activation: neuron model (one of lif, none)\nlayers:\n  - size: 100\n    activation: lif\n",
		"  class_weights: []\n",
	} {
		if !strings.Contains(echo, want) {
			t.Errorf("echo lacks %q:\n%s", want, echo)
		}
	}
}

func TestWriteFile(t *testing.T) {
	r, err := recipes.Parse("test.yaml", []byte(header), []string{"epochs=1"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run-1")
	path, err := r.WriteFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, recipes.EchoFile) {
		t.Errorf("path %s", path)
	}
	r2, err := recipes.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Spec, r2.Spec) || r2.Source != path {
		t.Errorf("reloaded %+v from %s", r2.Spec, r2.Source)
	}
}

func TestSetDefaults(t *testing.T) {
	s := &testSpec{Train: testTrain{Epochs: 3}, Layers: []testLayer{{Size: 4}}}
	recipes.SetDefaults(s)
	want := defaults()
	want.Train.Epochs, want.Layers = 3, []testLayer{{4, "lif"}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
}

func TestFields(t *testing.T) {
	fields, err := recipes.Fields("test-classify")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]recipes.Field{}
	var keys []string
	for _, f := range fields {
		got[f.Key] = f
		keys = append(keys, f.Key)
	}
	wantKeys := "seed threads model model.hidden model.beta model.surrogate model.learn_beta model.steps model.width " +
		"data data.encoders data.train_limit data.class_weights train train.epochs train.batch_size train.lr train.timeout train.shuffle " +
		"layers layers.<i>.size layers.<i>.activation"
	if strings.Join(keys, " ") != wantKeys {
		t.Errorf("keys\n%s\nwant\n%s", strings.Join(keys, " "), wantKeys)
	}
	for _, w := range []recipes.Field{
		{Key: "seed", Type: "int", Default: "1", Help: "random seed", Alias: "rng_seed"},
		{Key: "threads", Type: "uint", Default: "0", Help: "worker goroutines (0: one per core)"},
		{Key: "model", Type: "section", Help: "the network"},
		{Key: "model.hidden", Type: "[]int", Default: "1000", Help: "hidden layer sizes"},
		{Key: "model.beta", Type: "float", Default: "0.95", Help: "membrane decay per step"},
		{Key: "model.surrogate", Type: "string", Default: "atan", Help: "surrogate gradient", Enum: []string{"atan", "fast_sigmoid", "triangle"}},
		{Key: "model.learn_beta", Type: "bool", Default: "false", Help: "train beta too"},
		{Key: "data.class_weights", Type: "[]float", Default: "", Help: "loss weight per class (empty: equal)"},
		{Key: "train.epochs", Type: "int", Default: "10", Help: "passes over the training set", Alias: "epochs"},
		{Key: "train.lr", Type: "float", Default: "0.0005", Help: "Adam learning rate"},
		{Key: "train.timeout", Type: "duration", Default: "1h0m0s", Help: "stop after this long"},
		{Key: "layers", Type: "list", Default: "[{size: 100, activation: lif}, {size: 10, activation: none}]", Help: "layers, input side first"},
		{Key: "layers.<i>.activation", Type: "string", Default: "lif", Help: "neuron model", Enum: []string{"lif", "none"}},
	} {
		if !reflect.DeepEqual(got[w.Key], w) {
			t.Errorf("field %s:\ngot  %+v\nwant %+v", w.Key, got[w.Key], w)
		}
	}
	// Every listed default is accepted by --set and gives the default back.
	var sets []string
	for _, f := range fields {
		if f.Type != "section" && !strings.Contains(f.Key, "<i>") {
			sets = append(sets, f.Key+"="+f.Default)
		}
	}
	if s := parse(t, header, sets...); !reflect.DeepEqual(s, defaults()) {
		t.Errorf("setting every default gave %+v", s)
	}
	if _, err := recipes.Fields("nope"); err == nil || !strings.Contains(err.Error(), `unknown recipe kind "nope"`) {
		t.Errorf("Fields(nope): %v", err)
	}
}

func TestKinds(t *testing.T) {
	found := false
	for _, k := range recipes.Kinds() {
		found = found || k == "test-classify"
	}
	if !found {
		t.Errorf("Kinds() = %v lacks test-classify", recipes.Kinds())
	}
}

// Mistakes in a kind's declaration panic at registration.

type noKey struct {
	Epochs int `help:"x"`
}
type noHelp struct {
	Epochs int `yaml:"epochs"`
}
type badType struct {
	M map[string]int `yaml:"m" help:"x"`
}
type badDefault struct {
	Epochs int `yaml:"epochs" default:"ten" help:"x"`
}
type badEnumDefault struct {
	S string `yaml:"s" default:"c" enum:"a,b" help:"x"`
}
type enumOnInt struct {
	N int `yaml:"n" enum:"1,2" help:"x"`
}
type headerClash struct {
	Name string `yaml:"name" help:"x"`
}
type dupKey struct {
	A int `yaml:"a" help:"x"`
	B int `yaml:"a" help:"y"`
}
type aliasClash struct {
	A int      `yaml:"a" help:"x"`
	S aliasSec `yaml:"s"`
}
type aliasSec struct {
	B int `yaml:"b" alias:"a" help:"y"`
}
type aliasTwice struct {
	S aliasSec  `yaml:"s"`
	T aliasSec2 `yaml:"t"`
}
type aliasSec2 struct {
	C int `yaml:"c" alias:"a" help:"y"`
}
type aliasInList struct {
	L []aliasSec `yaml:"l" help:"x"`
}
type dottedKey struct {
	A int `yaml:"a.b" help:"x"`
}
type sectionDefault struct {
	S aliasSec `yaml:"s" default:"x"`
}
type recursive struct {
	L []recursive `yaml:"l" help:"x"`
}

func TestRegisterKindPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind string
		ctor func() any
		want string
	}{
		{"duplicate", "test-classify", func() any { return new(testSpec) }, "RegisterKind called twice for kind test-classify"},
		{"nil ctor", "p-nil", nil, "nil constructor"},
		{"bad name", "p bad", func() any { return new(testSpec) }, "bad kind name"},
		{"not a pointer", "p-value", func() any { return testSpec{} }, "want a pointer to a struct"},
		{"no yaml key", "p-nokey", func() any { return new(noKey) }, "noKey.Epochs has no yaml key: add a tag such as `yaml:\"epochs\"`"},
		{"no help", "p-nohelp", func() any { return new(noHelp) }, "noHelp.Epochs has no help tag"},
		{"bad type", "p-type", func() any { return new(badType) }, "badType.M has unsupported type map[string]int"},
		{"bad default", "p-default", func() any { return new(badDefault) }, `badDefault.Epochs: bad default "ten": expects an integer`},
		{"enum default", "p-enum", func() any { return new(badEnumDefault) }, `badEnumDefault.S: bad default "c": must be one of a, b`},
		{"enum on int", "p-enumint", func() any { return new(enumOnInt) }, "enum is only for strings"},
		{"header clash", "p-header", func() any { return new(headerClash) }, `has a field with key "name"`},
		{"duplicate key", "p-dup", func() any { return new(dupKey) }, `yaml key "a" is used twice`},
		{"alias clash", "p-alias", func() any { return new(aliasClash) }, `alias "a" is already a top-level key`},
		{"alias twice", "p-alias2", func() any { return new(aliasTwice) }, `alias "a" names both s.b and t.c`},
		{"alias in list", "p-alias3", func() any { return new(aliasInList) }, "a field inside a list cannot have an alias"},
		{"dotted key", "p-dot", func() any { return new(dottedKey) }, `yaml key "a.b" must be a name`},
		{"section default", "p-secdef", func() any { return new(sectionDefault) }, "a section takes no default"},
		{"recursive", "p-rec", func() any { return new(recursive) }, "contains itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if s, _ := p.(string); !strings.Contains(s, tc.want) {
					t.Errorf("panic %v, want %q", p, tc.want)
				}
			}()
			recipes.RegisterKind(tc.kind, tc.ctor)
		})
	}
}

//go:embed testdata/catalogue testdata/badcatalogue
var testFS embed.FS

func TestCatalogue(t *testing.T) {
	c := recipes.NewCatalogue(testFS, "testdata/catalogue")
	list, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []recipes.Entry{
		{Name: "other", Kind: "test-classify", Description: "a second recipe, with the .yml ending", File: "testdata/catalogue/other.yml"},
		{Name: "tiny", Kind: "test-classify", Description: "a small classifier for the catalogue tests", File: "testdata/catalogue/tiny.yaml"},
	}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("List:\n%+v\nwant\n%+v", list, want)
	}
	r, err := c.Load("tiny", []string{"epochs=2"})
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Spec.(*testSpec); s.Train.Epochs != 2 || r.Name != "tiny" || r.Source != "testdata/catalogue/tiny.yaml" {
		t.Errorf("tiny: epochs %d name %s source %s", s.Train.Epochs, r.Name, r.Source)
	}
	if r, err := c.Load("other", nil); err != nil || r.Spec.(*testSpec).Model.Surrogate != "triangle" {
		t.Errorf("other: %v", err)
	}
	// A path loads the file from disk, the same recipe.
	r2, err := c.Load(filepath.Join("testdata", "catalogue", "tiny.yaml"), []string{"epochs=2"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Spec, r2.Spec) {
		t.Errorf("file and embedded differ: %+v %+v", r.Spec, r2.Spec)
	}

	for _, tc := range []struct{ arg, want string }{
		{"tiyn", `no recipe named "tiyn" (did you mean tiny?); embedded recipes: other, tiny; a file path needs a / or a .yaml ending, such as ./tiyn.yaml`},
		{"tiny.yaml", "stat tiny.yaml: no such file or directory (the embedded recipe is named tiny, without .yaml)"},
		{"nowhere/x.yml", "stat nowhere/x.yml: no such file or directory"},
	} {
		if _, err := c.Load(tc.arg, nil); err == nil || err.Error() != tc.want {
			t.Errorf("Load(%q):\n got %v\nwant %s", tc.arg, err, tc.want)
		}
	}
	if _, err := c.Load("tiny", []string{"epochs=x"}); err == nil || !strings.Contains(err.Error(), "--set epochs=x: train.epochs: expects an integer") {
		t.Errorf("override error: %v", err)
	}

	bad := recipes.NewCatalogue(testFS, "testdata/badcatalogue")
	if _, err := bad.Load("misnamed", nil); err == nil || !strings.Contains(err.Error(),
		`testdata/badcatalogue/misnamed.yaml:2:7: name: is "not-misnamed", but this recipe is looked up as "misnamed"`) {
		t.Errorf("misnamed: %v", err)
	}
	empty := recipes.NewCatalogue(fstest.MapFS{}, ".")
	if _, err := empty.Load("x", nil); err == nil || !strings.Contains(err.Error(), `no recipe named "x"; there are no embedded recipes`) {
		t.Errorf("empty catalogue: %v", err)
	}
}

func TestIsPath(t *testing.T) {
	for s, want := range map[string]bool{"fmnist-snn": false, "a.yaml": true, "a.yml": true, "./a": true, "dir/a": true, "v1.2": false} {
		if recipes.IsPath(s) != want {
			t.Errorf("IsPath(%q) = %v", s, !want)
		}
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A range tag bounds a number (and every element of a list of numbers) and
// refuses infinities; fields without one take .inf as YAML spells it.
func TestRangeTag(t *testing.T) {
	for _, c := range []struct {
		set  string
		want string // "" for no error
	}{
		{"model.beta=1", ""},
		{"model.beta=1.5", "model.beta: must be in [0, 1], got 1.5"},
		{"model.beta=.inf", "model.beta: must be in [0, 1], got +Inf"},
		{"batch_size=0", "train.batch_size: must be in [1, ∞), got 0"},
		{"model.hidden=10,0", "model.hidden.1: must be in [1, ∞), got 0"},
		{"data.class_weights=.inf", ""},
	} {
		_, err := recipes.Parse("r.yaml", []byte(header), []string{c.set})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.set, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.set, err, c.want)
		}
	}
}

func TestRangeTagPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "range tag") {
			t.Errorf("recover() = %v", r)
		}
	}()
	type bad struct {
		N int `yaml:"n" range:"1..3" help:"n"`
	}
	recipes.RegisterKind("bad-range", func() any { return new(bad) })
}
