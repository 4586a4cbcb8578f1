package main

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/braingo/braingo/gpu"
	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

// The device a run uses, chosen with --set device=cpu|cuda. It is read by
// the command line, not by the recipes: the CPU path and its run
// directories stay as they are, and the key is taken out of the --set list
// before the recipe sees it.
const (
	deviceCPU  = "cpu"
	deviceCUDA = "cuda"
)

// deviceHelp is the line the train and sim help adds about the key.
const deviceHelp = `--set device=cuda (bin/braingo-cuda, make cuda) runs on an NVIDIA GPU what runs
there today: train of snn-classify recipes with dense LIF layers, a LIF
readout, direct input, ce_membrane and adam or adamw (fmnist-snn; the run
directory as on the CPU), and sim's COBA network with conn=jit and
method=euler; device=cpu is the default.`

// takeDevice removes the device=... entries from sets and returns the last
// one's value ("cpu" when none). An unknown device is a usage error.
func takeDevice(sets *setFlags) (string, error) {
	dev := deviceCPU
	kept := (*sets)[:0]
	for _, s := range *sets {
		k, v, _ := strings.Cut(s, "=")
		if strings.TrimSpace(k) != "device" {
			kept = append(kept, s)
			continue
		}
		dev = strings.TrimSpace(v)
	}
	*sets = kept
	switch dev {
	case deviceCPU, deviceCUDA:
		return dev, nil
	}
	return "", cli.Usagef("--set device=%s: unknown device (cpu or cuda)", dev)
}

// openCUDA opens GPU 0 for a run with device=cuda: a usage error in a build
// without CUDA, a failure (exit 1) without a usable GPU.
func openCUDA() (*gpu.Device, error) {
	if ok, _ := gpu.Built(); !ok {
		return nil, cli.Usagef("--set device=cuda: %v", gpu.ErrNotBuilt)
	}
	// The first backend of the build: the CUDA driver, or in a test build
	// with only the emulator (tag cudaemu), the emulator.
	d, err := gpu.Open(0, "")
	if err != nil {
		return nil, fmt.Errorf("--set device=cuda: no usable GPU: %v", err)
	}
	return d, nil
}

// notOnDevice is the usage error of a run that has no GPU path yet.
func notOnDevice(what string) error {
	return cli.Usagef("--set device=cuda: %s does not run on the GPU yet (the GPU runs sim coba with conn=jit and method=euler, and trains snn-classify's dense LIF networks); use device=cpu", what)
}

// cudaSimResult is the result line of a sim run on the GPU.
type cudaSimResult struct {
	Model        string  `json:"model"`
	Conn         string  `json:"conn"`
	Device       string  `json:"device"`
	GPU          string  `json:"gpu"`
	Neurons      int     `json:"neurons"`
	DurationMS   float64 `json:"duration_ms"`
	Steps        int     `json:"steps"`
	RunSeconds   float64 `json:"run_seconds"`
	SetupSeconds float64 `json:"setup_seconds"`
	RateHz       float64 `json:"rate_hz"`
}

// isCOBABenchmark reports whether s is the builtin coba recipe's network:
// its groups and projections those of coba loaded with s's short keys (the
// device runs that network only, gpu.RunCOBA).
func isCOBABenchmark(s *kinds.Sim) bool {
	ref, err := recipes.Load("coba", []string{fmt.Sprintf("scale=%v", s.Scale), fmt.Sprintf("neurons=%d", s.Neurons),
		fmt.Sprintf("fixed_k=%v", s.FixedK), "conn=" + s.Conn, fmt.Sprintf("dt=%v", s.Dt), "method=" + s.Method, fmt.Sprintf("seed=%d", s.Seed)})
	if err != nil {
		return false
	}
	c := ref.Spec.(*kinds.Sim)
	return reflect.DeepEqual(c.Groups, s.Groups) && reflect.DeepEqual(c.Projections, s.Projections)
}

// simOnCUDA runs a sim recipe on the GPU: the COBA network with JIT
// connectivity and Euler steps (gpu.RunCOBA, the network snn builds for the
// same recipe, spike for spike). It writes no run directory yet.
func simOnCUDA(env *cli.Env, r *recipes.Recipe, asJSON bool) error {
	s, ok := r.Spec.(*kinds.Sim)
	if !ok {
		return notOnDevice("a recipe of kind " + r.Kind)
	}
	if !isCOBABenchmark(s) || s.Conn != "jit" || s.Method != "euler" {
		return notOnDevice(fmt.Sprintf("sim of recipe %s with conn=%s method=%s (the device runs the coba recipe's network with conn=jit, method=euler)", r.Name, s.Conn, s.Method))
	}
	if s.FixedK > float64(s.N()) {
		return cli.Usagef("fixed_k: %g connections per neuron exceed the %d neurons", s.FixedK, s.N())
	}
	d, err := openCUDA()
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := gpu.RunCOBA(d, gpu.COBAConfig{N: s.N(), K: s.FixedK, Dt: s.Dt, Seed: uint64(s.Seed)}, s.DurationMS)
	if err != nil {
		return err
	}
	out := cudaSimResult{Model: r.Name, Conn: s.Conn, Device: deviceCUDA, GPU: d.Info().Name, Neurons: res.N,
		DurationMS: res.DurationMS, Steps: res.Steps, RunSeconds: res.RunS, SetupSeconds: res.SetupS, RateHz: res.RateHz}
	if asJSON {
		return cli.WriteJSON(env.Stdout, out)
	}
	_, err = fmt.Fprintf(env.Stdout, "%s on %s: %d neurons, %g ms in %.3f s (setup %.3f s), rate %.2f Hz\n",
		r.Name, out.GPU, out.Neurons, out.DurationMS, out.RunSeconds, out.SetupSeconds, out.RateHz)
	return err
}
