package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

func init() {
	register(&cli.Command{
		Name:  "sim",
		Args:  "RECIPE|FILE",
		Short: "simulate a spiking network from a recipe",
		Long: `Sim simulates a spiking network recipe without training: coba (the COBA E/I
benchmark of LIF neurons), cuba, coba-hh (Hodgkin-Huxley), or a YAML file of
kind sim. --set key=value overrides a field (repeatable); short keys: scale
(N = 4000·scale), neurons, duration_ms, conn (dense, csr or jit), fixed_k
(connections per neuron, p = fixed_k/N), method, threads, seed, dt, plots.
"braingo recipes coba" lists every field.

The run directory (--out, default runs/NAME-TIMESTAMP) receives the resolved
recipe (recipe.yaml), raster.png, rate.png and checkpoint.bgc, the state of
the simulation (membranes, conductances, last spikes, the spikes and rates
recorded so far), written when the run is interrupted (Ctrl-C), every
checkpoint_s simulated seconds and at the end. --resume continues a stopped
run from it to duration_ms (a longer duration extends a finished run) with
the spikes and rates of an uninterrupted run. The result goes to standard
output as a line, or with --json as one JSON object with neurons, synapses,
duration_ms, run_seconds (the simulation loop only), setup_seconds (building
the network), rate_hz, exc_rate_hz, inh_rate_hz, isi_cv and peak_rss_mb.

` + deviceHelp + ` On the GPU the run writes no run
directory yet and prints neurons, duration_ms, steps, run_seconds,
setup_seconds and rate_hz.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			var sets setFlags
			fs.Var(&sets, "set", "override a recipe field: key=value (repeatable)")
			out := fs.String("out", "", "run directory (default runs/NAME-TIMESTAMP)")
			asJSON := fs.Bool("json", false, "print the result as one JSON object")
			force := fs.Bool("force", false, "start over in a run directory that holds a run, deleting its results")
			maxMem := fs.String("max-memory", "", "refuse a run estimated to need more memory than this (e.g. 16G, or off; default: $BRAINGO_MAX_MEMORY, else 90% of this machine's)")
			resume := fs.Bool("resume", false, "continue the simulation in --out from its checkpoint")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want one recipe name or file, got %d arguments", len(args))
				}
				dev, err := takeDevice(&sets)
				if err != nil {
					return err
				}
				r, err := recipes.Load(args[0], sets)
				if err != nil {
					return err
				}
				if r.Kind != kinds.SimKind {
					return fmt.Errorf("recipe %s is of kind %s; sim runs recipes of kind %s (train runs the others)", r.Name, r.Kind, kinds.SimKind)
				}
				if dev == deviceCUDA {
					if *out != "" || *resume || *force {
						return cli.Usagef("--set device=cuda writes no run directory yet: drop --out, --resume and --force")
					}
					return simOnCUDA(env, r, *asJSON)
				}
				var limit float64
				if *maxMem != "" {
					if limit, err = kinds.ParseSize(*maxMem); err != nil {
						return cli.Usagef("--max-memory: %v", err)
					}
				}
				dir := *out
				if *resume && dir == "" {
					return cli.Usagef("--resume needs the run directory: --out DIR")
				}
				if dir == "" {
					dir = filepath.Join("runs", r.Name+"-"+time.Now().Format("20060102-150405"))
				}
				ctx, stop := interruptContext(env)
				defer stop()
				err = kinds.Run(ctx, r, kinds.RunOptions{MaxMemory: limit, Dir: dir, Resume: *resume, Force: *force, Stdout: env.Stdout, Stderr: env.Stderr, JSON: *asJSON})
				if errors.Is(err, context.Canceled) {
					return fmt.Errorf("interrupted")
				}
				return err
			}
		},
	})
}
