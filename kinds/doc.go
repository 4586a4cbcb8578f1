// Package kinds holds braingo's run kinds: each recipe kind (snn-classify,
// seq-classify, task-bptt, force, sim, ...) declares its recipe struct with
// recipes.RegisterKind and turns a loaded recipe into networks, trainers
// and results in a run directory. Importing it registers every kind, so
// recipes.Load can read the embedded catalogue.
//
// The command line sits on top of this package and dispatches through it;
// the recipe language (package recipes) sits below and knows no kind.
package kinds
