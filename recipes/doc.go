// Package recipes declares training and simulation runs as data: YAML
// recipes decoded strictly into typed Go structs, overridable from the
// command line and echoed, fully resolved, into the run directory (STYLE
// items 8 and 18). It is the recipe language only and imports no other
// braingo package: the kinds (package kinds) declare their structs here with
// RegisterKind and run them; the embedded catalogue of recipes is data
// (recipes/builtin), whose kinds a program registers by importing kinds.
//
// # Kinds
//
// A recipe kind is a Go struct. Every hyperparameter is declared once, on a
// field, with its key, default and description; sections are nested structs
// and repeated parts are slices of structs. An illustrative kind (braingo's
// own kinds, such as kinds.Classify for snn-classify, are declared the same
// way in package kinds):
//
//	type SNNClassify struct {
//		Model  Model   `yaml:"model" help:"the network"`
//		Train  Train   `yaml:"train" help:"the training loop"`
//		Layers []Layer `yaml:"layers" default:"[{size: 1000}, {size: 10}]" help:"layers, input side first"`
//	}
//
//	type Train struct {
//		Epochs    int     `yaml:"epochs" default:"1" alias:"epochs" help:"passes over the training set"`
//		BatchSize int     `yaml:"batch_size" default:"128" alias:"batch_size" help:"training batch size"`
//		LR        float64 `yaml:"lr" default:"5e-4" help:"Adam learning rate"`
//	}
//
//	func (t *Train) Validate() error {
//		if t.LR <= 0 {
//			return recipes.Invalid("lr", "must be positive, got %g", t.LR)
//		}
//		return nil
//	}
//
//	func init() {
//		recipes.RegisterKind("example-classify", func() any { return new(SNNClassify) })
//	}
//
// Field types are string, bool, the int, uint and float types,
// time.Duration, structs, and slices of all of these. RegisterKind lists the
// tags (yaml, default, help, enum, alias) and panics on a badly declared
// struct; a Validate() error method on the kind or on any section runs after
// loading. Fields lists a kind's keys for help output.
//
// # Recipe files
//
// A recipe names its kind and has a name and a one-line description; every
// other key belongs to the kind's struct, and keys it omits take their
// defaults:
//
//	kind: snn-classify
//	name: fmnist-snn
//	description: 784-1000-10 LIF network on Fashion-MNIST, snnTorch tutorial 5 settings
//	train:
//	  epochs: 1
//
// Decoding is strict: an unknown key (with the nearest valid names), a value
// of the wrong type, a key set twice, a value outside an enum, a YAML alias or
// a second document is an error that names the file, line, column and dotted
// field: "fmnist.yaml:5:11: train.epochs: expects an integer, got "ten"".
// Errors are *FieldError values, joined with errors.Join when there are
// several.
//
// # Loading and overrides
//
// The embedded catalogue is recipes/builtin/NAME.yaml; Load takes such a
// name or, when the argument contains a path separator or ends in .yaml or
// .yml, a file path, and applies --set overrides after the file:
//
//	r, err := recipes.Load("fmnist-snn", []string{"epochs=3", "layers.0.size=500"})
//	if err != nil {
//		return err // says where and what; no stack trace for a user mistake
//	}
//	spec := r.Spec.(*SNNClassify)
//	if _, err := r.WriteFile(runDir); err != nil { // runDir/recipe.yaml
//		return err
//	}
//
// An override is key=value. Keys are dotted paths (train.lr), with indexes
// into lists (layers.1.size; the index one past the end appends an item with
// its defaults); a field's alias tag gives it a short key (epochs for
// train.epochs). Lists take a,b,c or YAML flow [a, b]; sections and list
// items take YAML flow ({size: 10}); an empty value empties a list.
//
// # Echo
//
// Recipe.Echo writes the resolved recipe: every field present, commented
// with its description and, where it differs, its default. Loading the echo
// gives back an identical Spec, so `braingo train run/recipe.yaml` repeats a
// run exactly.
package recipes
