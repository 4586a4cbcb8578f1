//go:build cuda || cudaemu

package main

import (
	"flag"
	"fmt"

	"github.com/braingo/braingo/gpu"
	"github.com/braingo/braingo/internal/cli"
)

func init() {
	register(&cli.Command{
		Name:  "gpu",
		Args:  "on|coba",
		Short: "run the GPU benchmarks (builds with CUDA)",
		Long: `Gpu runs braingo's benchmarks on GPU 0 and prints one result per size, or with
--json one JSON object per line:

  gpu on     the Open Neuromorphic SNN benchmark: Linear n→n with bias, then
             LIF (β 0.95, threshold 1, subtract reset, arctan surrogate α 2),
             batch 16, 500 steps, forward over all steps then the backward
             pass of the sum of the spikes; --n sizes (default
             4096,8192,16384), --warmup untimed and --rounds timed rounds
             (the median is printed). Keys: bench, n, batch, steps,
             forward_s (gemm_s of it: the forward GEMM, and its gemm_tflops),
             backward_s, total_s, mem_bytes, spike_rate, gpu.
  gpu coba   the COBA E/I network (80 connections per neuron, JIT
             connectivity generated on the GPU from the CPU's Philox streams,
             dt 0.1 ms) for --duration-ms; --neurons sizes (default
             4000,40000,400000,4000000). Keys: bench, neurons, duration_ms,
             steps, run_s, setup_s, rate_hz, realtime_factor (run time over
             biological time), gpu.

--backend emu runs the CPU emulator of a cudaemu build (tests only).`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			sizes := fs.String("n", "4096,8192,16384", "gpu on: neuron counts")
			neurons := fs.String("neurons", "4000,40000,400000,4000000", "gpu coba: network sizes")
			duration := fs.Float64("duration-ms", 5000, "gpu coba: biological time (ms)")
			warmup := fs.Int("warmup", 1, "gpu on: untimed rounds")
			rounds := fs.Int("rounds", 3, "gpu on: timed rounds")
			steps := fs.Int("steps", 500, "gpu on: time steps")
			batch := fs.Int("batch", 16, "gpu on: batch size")
			backend := fs.String("backend", "", "cuda or emu (default: the first that opens)")
			asJSON := fs.Bool("json", false, "print one JSON object per result")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 || (args[0] != "on" && args[0] != "coba") {
					return cli.Usagef("want on or coba")
				}
				flag, list := "-n", *sizes
				if args[0] == "coba" {
					flag, list = "--neurons", *neurons
				}
				ns, err := parseSizes(flag, list)
				if err != nil {
					return err
				}
				if *duration <= 0 || *warmup < 0 || *rounds < 1 || *steps < 1 || *batch < 1 {
					return cli.Usagef("--duration-ms, --steps, --batch and --rounds must be positive, --warmup at least 0")
				}
				d, err := gpu.Open(0, *backend)
				if err != nil {
					return fmt.Errorf("no usable GPU: %v", err)
				}
				defer d.Close()
				name := d.Info().Name
				for _, n := range ns {
					if args[0] == "on" {
						r, err := gpu.RunON(d, gpu.ONConfig{N: n, Batch: *batch, Steps: *steps, Seed: 1}, *warmup, *rounds)
						if err != nil {
							return fmt.Errorf("gpu on, n %d: %v", n, err)
						}
						if *asJSON {
							err = cli.WriteJSON(env.Stdout, map[string]any{"bench": "on", "n": r.N, "batch": r.Batch,
								"steps": r.Steps, "forward_s": r.ForwardS, "gemm_s": r.GemmS,
								"gemm_tflops": 2 * float64(r.Steps*r.Batch) * float64(r.N) * float64(r.N) / r.GemmS / 1e12, "backward_s": r.BackwardS, "total_s": r.TotalS,
								"mem_bytes": r.PeakBytes, "spike_rate": r.SpikeRate, "gpu": name})
						} else {
							_, err = fmt.Fprintf(env.Stdout, "on n=%d batch=%d steps=%d: forward %.4f s, backward %.4f s, total %.4f s, %.2f GiB, spike rate %.3f (%s)\n",
								r.N, r.Batch, r.Steps, r.ForwardS, r.BackwardS, r.TotalS, float64(r.PeakBytes)/(1<<30), r.SpikeRate, name)
						}
						if err != nil {
							return err
						}
						continue
					}
					r, err := gpu.RunCOBA(d, gpu.COBAConfig{N: n, Seed: 1}, *duration)
					if err != nil {
						return fmt.Errorf("gpu coba, %d neurons: %v", n, err)
					}
					rt := r.RunS / (r.DurationMS / 1000)
					if *asJSON {
						err = cli.WriteJSON(env.Stdout, map[string]any{"bench": "coba", "neurons": r.N, "duration_ms": r.DurationMS,
							"steps": r.Steps, "run_s": r.RunS, "setup_s": r.SetupS, "rate_hz": r.RateHz, "realtime_factor": rt, "gpu": name})
					} else {
						_, err = fmt.Fprintf(env.Stdout, "coba %d neurons: %g ms in %.3f s (%.2fx real time), setup %.3f s, rate %.2f Hz (%s)\n",
							r.N, r.DurationMS, r.RunS, rt, r.SetupS, r.RateHz, name)
					}
					if err != nil {
						return err
					}
				}
				return nil
			}
		},
	})
}
