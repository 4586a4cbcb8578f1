package recipes_test

import (
	"fmt"
	"os"

	"github.com/braingo/braingo/recipes"
)

// A small kind, as another package would declare it.

type exampleSpec struct {
	Train  exampleTrain   `yaml:"train" help:"the training loop"`
	Layers []exampleLayer `yaml:"layers" default:"[{size: 1000}, {size: 10}]" help:"layers, input side first"`
}

type exampleTrain struct {
	Epochs    int     `yaml:"epochs" default:"1" alias:"epochs" help:"passes over the training set"`
	LR        float64 `yaml:"lr" default:"5e-4" help:"Adam learning rate"`
	Surrogate string  `yaml:"surrogate" default:"atan" enum:"atan,fast_sigmoid" help:"surrogate gradient"`
}

type exampleLayer struct {
	Size int     `yaml:"size" help:"neurons"`
	Beta float64 `yaml:"beta" default:"0.95" help:"membrane decay per step"`
}

func init() {
	recipes.RegisterKind("example-classify", func() any { return new(exampleSpec) })
}

func Example() {
	src := []byte(`
kind: example-classify
name: tiny
description: a two-layer classifier
train:
  lr: 1e-3
`)
	// recipes.Load("tiny", overrides) does the same for an embedded recipe
	// or a file.
	r, err := recipes.Parse("tiny.yaml", src, []string{"epochs=3", "layers.0.size=500"})
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := r.Spec.(*exampleSpec)
	fmt.Println(r.Name, spec.Train.Epochs, spec.Train.LR, spec.Layers)
	os.Stdout.Write(r.Echo())

	// Mistakes name the file, line, column and field.
	_, err = recipes.Parse("tiny.yaml", []byte("kind: example-classify\nname: t\ndescription: d\ntrain:\n  epoch: 3\n"), nil)
	fmt.Println(err)
	_, err = recipes.Parse("tiny.yaml", src, []string{"epochs=abc"})
	fmt.Println(err)
	// Output:
	// tiny 3 0.001 [{500 0.95} {10 0.95}]
	// # Resolved braingo recipe: defaults and overrides applied, every field present.
	// # From tiny.yaml with --set "epochs=3" --set "layers.0.size=500".
	//
	// # the recipe kind: which struct reads it and which runner runs it
	// kind: example-classify
	// # a short name for the recipe and its runs
	// name: tiny
	// # what the recipe does, in one line
	// description: a two-layer classifier
	// # the training loop
	// train:
	//   # passes over the training set [default 1]
	//   epochs: 3
	//   # Adam learning rate [default 0.0005]
	//   lr: 0.001
	//   # surrogate gradient (one of atan, fast_sigmoid)
	//   surrogate: atan
	// # layers, input side first [default [{size: 1000, beta: 0.95}, {size: 10, beta: 0.95}]]
	// #   size: neurons
	// #   beta: membrane decay per step
	// layers:
	//   - size: 500
	//     beta: 0.95
	//   - size: 10
	//     beta: 0.95
	// tiny.yaml:5:3: train.epoch: unknown field (did you mean train.epochs?)
	// --set epochs=abc: train.epochs: expects an integer, got "abc"
}

func ExampleFields() {
	fields, err := recipes.Fields("example-classify")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range fields {
		fmt.Printf("%-22s %-8s %-10s %s\n", f.Key, f.Type, f.Default, f.Help)
	}
	// Output:
	// train                  section             the training loop
	// train.epochs           int      1          passes over the training set
	// train.lr               float    0.0005     Adam learning rate
	// train.surrogate        string   atan       surrogate gradient
	// layers                 list     [{size: 1000, beta: 0.95}, {size: 10, beta: 0.95}] layers, input side first
	// layers.<i>.size        int      0          neurons
	// layers.<i>.beta        float    0.95       membrane decay per step
}
