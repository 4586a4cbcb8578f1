package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/braingo/braingo/gpu"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

// setFlags collects repeated --set key=value arguments.
type setFlags []string

func (s *setFlags) String() string { return strings.Join(*s, " ") }
func (s *setFlags) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want key=value, got %q", v)
	}
	*s = append(*s, v)
	return nil
}

func init() {
	register(&cli.Command{
		Name:  "train",
		Args:  "RECIPE|FILE",
		Short: "train a network from a recipe",
		Long: `Train runs a training recipe: an embedded one by name (see "braingo recipes") or
a YAML file. --set key=value overrides a recipe field (repeatable); common
fields have short keys: epochs, batch_size, lr, seed, steps, train_limit,
test_limit, threads, data_dir. "braingo recipes NAME" lists every field.

The run directory (--out, default runs/NAME-TIMESTAMP) receives the resolved
recipe (recipe.yaml), the metrics of every epoch (metrics.jsonl), a
checkpoint written atomically after every epoch (checkpoint.bgc) and PNG
plots (curves.png, raster.png, confusion.png). --resume continues a run
from its directory's checkpoint. Kinds that train once and then test
(force, spiking-force, reservoir) checkpoint the trained network when
training ends and write one metrics record after the test: --resume then
trains again if training was interrupted, runs only the test if the test
was, and runs nothing for a finished run (it says "already finished" and
prints the recorded measures). Resuming with a recipe that trains
differently is refused. A directory that holds a run is refused
without --resume; --force deletes its results and starts over. One process
owns a run directory at a time (an advisory lock, .lock).

Progress goes to standard error (a progress bar on a terminal); the results
table goes to standard output, or with --json one JSON object per epoch with
at least epoch, train_seconds, samples_per_s, train_loss, test_acc,
hidden_rate and peak_rss_mb.

` + deviceHelp,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			var sets setFlags
			fs.Var(&sets, "set", "override a recipe field: key=value (repeatable)")
			out := fs.String("out", "", "run directory (default runs/NAME-TIMESTAMP)")
			resume := fs.Bool("resume", false, "continue from the run directory's checkpoint (needs --out)")
			force := fs.Bool("force", false, "start over in a run directory that holds a run, deleting its results")
			maxMem := fs.String("max-memory", "", "refuse a run estimated to need more memory than this (e.g. 16G, or off; default: $BRAINGO_MAX_MEMORY, else 90% of this machine's)")
			asJSON := fs.Bool("json", false, "print one JSON object per epoch instead of tables")
			progress := fs.Bool("progress", false, "show the progress bar even when standard error is not a terminal")
			seeds := fs.String("seeds", "", "run once per seed (1,2,3 or 1-5), one run directory each, and summarize the final measures as mean ± std")
			var sweeps setFlags
			fs.Var(&sweeps, "sweep", "run once per value of a recipe key: key=v1,v2,... (repeatable: the grid of several keys)")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want one recipe name or file, got %d arguments", len(args))
				}
				if *resume && *out == "" {
					return cli.Usagef("--resume needs --out DIR, the run to continue")
				}
				dev, err := takeDevice(&sets)
				if err != nil {
					return err
				}
				if *resume && *force {
					return cli.Usagef("--resume continues a run and --force deletes it: give one")
				}
				r, err := recipes.Load(args[0], sets)
				if err != nil {
					return cli.Usagef("%v", err)
				}
				var gpuDev *gpu.Device // nil: the CPU
				if dev == deviceCUDA {
					if ok, _ := gpu.Built(); ok {
						// What the GPU cannot train is refused before the
						// device is opened and anything runs.
						if err := kinds.CheckDevice(r, dev); err != nil {
							return err
						}
					}
					if gpuDev, err = openCUDA(); err != nil {
						return err
					}
					defer gpuDev.Close()
				}
				var limit float64
				if *maxMem != "" {
					if limit, err = kinds.ParseSize(*maxMem); err != nil {
						return cli.Usagef("--max-memory: %v", err)
					}
				}
				dir := *out
				if dir == "" {
					dir = filepath.Join("runs", r.Name+"-"+time.Now().Format("20060102-150405"))
				}
				ctx, stop := interruptContext(env)
				defer stop()
				if *seeds != "" || len(sweeps) > 0 {
					if *resume {
						return cli.Usagef("--seeds and --sweep resume every run that exists; --resume is not needed")
					}
					return experiment(ctx, env, args[0], sets, *seeds, sweeps, dir, kinds.RunOptions{MaxMemory: limit, Force: *force,
						Stderr: env.Stderr, ForceProgress: *progress, Device: gpuDev}, *asJSON)
				}
				err = kinds.Run(ctx, r, kinds.RunOptions{MaxMemory: limit, Dir: dir, Resume: *resume, Force: *force, Stdout: env.Stdout, Stderr: env.Stderr, JSON: *asJSON, ForceProgress: *progress, Device: gpuDev})
				if errors.Is(err, context.Canceled) {
					if _, serr := os.Stat(filepath.Join(dir, kinds.CheckpointFile)); serr != nil {
						return fmt.Errorf("interrupted before a checkpoint was written; start again with --out %s --force", dir)
					}
					return fmt.Errorf("interrupted; %s keeps the checkpoint of the last finished epoch (continue with --out %s --resume)", dir, dir)
				}
				return err
			}
		},
	})
}

// experiment runs --seeds and --sweep: every point of the grid at every
// seed, each in its own run directory under root, then a summary table
// (or one JSON object per point) and, for a one-key numeric sweep, a plot.
func experiment(ctx context.Context, env *cli.Env, recipe string, sets []string, seedList string, sweeps []string, root string, o kinds.RunOptions, asJSON bool) error {
	var seeds []int
	if seedList != "" {
		var err error
		if seeds, err = kinds.ParseSeeds(seedList); err != nil {
			return cli.Usagef("%v", err)
		}
	}
	var axes []kinds.Axis
	for _, s := range sweeps {
		ax, err := kinds.ParseAxis(s)
		if err != nil {
			return cli.Usagef("%v", err)
		}
		axes = append(axes, ax)
	}
	points, err := kinds.Experiment(ctx, recipe, sets, seeds, axes, root, o)
	if err != nil {
		return err
	}
	if err := kinds.WriteSweepPlot(root, axes, points); err != nil {
		return err
	}
	if asJSON {
		for _, p := range points {
			if err := cli.WriteJSON(env.Stdout, p.JSON()); err != nil {
				return err
			}
		}
		return nil
	}
	if err := kinds.WriteExperimentTable(env.Stdout, axes, points); err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "runs under %s\n", root)
	return err
}
