package recipes_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/braingo/braingo/internal/fuzzopt"
	"github.com/braingo/braingo/recipes"
)

// checkLoaded checks the loader's contract on one outcome: errors are
// *FieldError values, and a recipe that loads survives its echo unchanged.
func checkLoaded(t *testing.T, r *recipes.Recipe, err error) {
	if err != nil {
		var fe *recipes.FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("error %q is not a *FieldError", err)
		}
		return
	}
	echo := r.Echo()
	r2, err := recipes.Parse(recipes.EchoFile, echo, nil)
	if err != nil {
		t.Fatalf("echo does not load: %v\n%s", err, echo)
	}
	if !reflect.DeepEqual(r.Spec, r2.Spec) || r.Name != r2.Name || r.Description != r2.Description {
		t.Fatalf("echo changed the recipe:\n%+v\n%+v\n%s", r.Spec, r2.Spec, echo)
	}
}

// FuzzParse feeds the loader arbitrary bytes, seeded from testdata.
func FuzzParse(f *testing.F) {
	fuzzopt.BoundMinimization(100)
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.y*ml"))
	if err != nil {
		f.Fatal(err)
	}
	top, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, name := range append(top, files...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(header + "layers: [{size: 1}, {size: &a 2}, *a]\nmodel: {hidden: [1, 2], steps: 0x10}\n"))
	f.Add([]byte("kind: test-classify\nname: x\ndescription: y\n---\n"))
	f.Add([]byte("{kind: test-classify, name: n, description: d, train: {epochs: 1, epochs: 2}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := recipes.Parse("fuzz.yaml", data, nil)
		checkLoaded(t, r, err)
	})
}

// FuzzSet applies an arbitrary override to a valid recipe.
func FuzzSet(f *testing.F) {
	fuzzopt.BoundMinimization(100)
	for _, s := range []string{
		"epochs=3", "train.epochs=abc", "layers.2.size=5", "layers.0={size: 3}", "layers=[{sise: 1}]",
		"model.hidden=1,2,3", "model.hidden.0=7", "model.hidden=[1, 2]", "data.encoders=rate,latency",
		"data.class_weights=.inf", "train.timeout=1m", "name=x", "description=d", "kind=k", "=", "...=", "layers.-1.size=1",
		"train={lr: 0.1}", "model=", "layers=", "rng_seed=3", "threads=-1", "layers.1=", "data.class_weights=1e400",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, set string) {
		r, err := recipes.Parse("fuzz.yaml", []byte(header), []string{set})
		checkLoaded(t, r, err)
	})
}
