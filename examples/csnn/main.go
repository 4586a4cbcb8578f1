//go:build torch

// Command csnn is the convolutional tutorial of braingo: a spiking
// convolutional network whose convolutions (and batch norm and pooling) are
// libtorch layers on braingo's tape and whose neurons are braingo's LIF
// layers, trained end to end on Fashion-MNIST by BPTT with one optimizer.
// It needs the torch build:
//
//	make torch
//	GOWORK=$PWD/build/go.work go run -tags torch ./examples/csnn -limit 6000
//
// See README.md beside this file for the walk-through.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

func main() {
	limit := flag.Int("limit", 6000, "training images (0: all 60,000)")
	epochs := flag.Int("epochs", 1, "passes over the training images")
	data := flag.String("data", "", "folder of the Fashion-MNIST IDX files (empty: the Debian package's)")
	out := flag.String("out", "", "run directory (empty: a temporary one)")
	flag.Parse()
	acc, err := run(*data, *out, *limit, *epochs, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "csnn:", err)
		os.Exit(1)
	}
	fmt.Printf("test accuracy %.2f%%\n", 100*acc)
}

// run builds the network of the fmnist-csnn recipe (two conv blocks of 12
// and 32 channels, average pooling, LIF neurons, a spiking readout), shows
// its layers, trains it into a run directory and evaluates it again from
// the checkpoint.
func run(data, out string, limit, epochs int, w io.Writer) (float64, error) {
	sets := []string{fmt.Sprintf("train_limit=%d", limit), fmt.Sprintf("epochs=%d", epochs),
		"test_limit=1000", "model.pool=avg", "threads=0"}
	if data != "" {
		sets = append(sets, "data_dir="+data)
	}
	r, err := recipes.Load("fmnist-csnn", sets)
	if err != nil {
		return 0, err
	}
	spec := r.Spec.(*kinds.CSNN)

	// 1. The model: libtorch layers and braingo neurons on one tape.
	m, err := kinds.BuildCSNN(spec)
	if err != nil {
		return 0, err
	}
	for i, b := range m.Blocks {
		fmt.Fprintf(w, "block %d:", i+1)
		for _, p := range b.Parts() {
			fmt.Fprintf(w, " %s", p.Kind)
		}
		fmt.Fprintf(w, " -> LIF (β %.2g), output %v (channels, height, width)\n", m.LIF.Beta, m.Shapes[i])
	}
	fmt.Fprintf(w, "readout: dense %d -> %d, LIF (β %.2g); %d steps per image\n", m.Readout.In(), m.Readout.Out(), m.Out.Beta, m.Steps)
	m.Store.Release()

	// 2. Training: the recipe's runner owns the loop, the checkpoints and
	// the run directory, as `braingo train` does.
	if out == "" {
		tmp, err := os.MkdirTemp("", "csnn-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(tmp)
		out = filepath.Join(tmp, "run")
	}
	if err := kinds.Run(context.Background(), r, kinds.RunOptions{Dir: out, Force: true, Stdout: io.Discard, Stderr: io.Discard, JSON: true}); err != nil {
		return 0, err
	}

	// 3. Evaluation from the checkpoint, as `braingo eval` does.
	rep, err := kinds.Evaluate(out, io.Discard)
	if err != nil {
		return 0, err
	}
	b, err := json.Marshal(rep.JSON())
	if err != nil {
		return 0, err
	}
	var res struct {
		TestAcc float64 `json:"test_acc"`
	}
	return res.TestAcc, json.Unmarshal(b, &res)
}
