package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/kernels/kbench"
)

// benchTweak, when set (by tests), adjusts the suite's configuration
// before it runs, e.g. to shrink the shapes.
var benchTweak func(*kbench.Config)

func init() {
	register(&cli.Command{
		Name:  "bench",
		Args:  "kernels|models",
		Short: "run a benchmark suite (kernels, models)",
		Long: `Bench runs a benchmark suite: "kernels", braingo's compute kernels on the
shapes its models use, or "models", whole networks trained as other SNN
libraries' benchmarks define them.

The kernels suite times the dense GEMM (128x784x1000, 128x1000x10 and
1024x1024x1024, m x k x n, each as A·B, Aᵀ·B and A·Bᵀ: gemm_nn, gemm_tn,
gemm_nt) and, as kernels land, the event-driven matmul and its weight
gradient at spike densities 1% to 50% beside the dense GEMM that computes
the same result, and the CSR and just-in-time connectivity event matvecs.

Each entry is warmed up, then timed in several runs filling about 0.3 s
(--quick: 20 ms); the median time per call is reported. Inputs come from a
seeded generator, so every run measures the same work.

Results go to standard output as a table, or with --json as one JSON object
per entry and line, with the keys kernel, shape, density, seconds,
best_seconds, gflops, gbps (memory-bound kernels), events_per_s (sparse
kernels), speedup_vs_dense (1 for dense entries, null where no dense
reference exists), dense_ref, runs, iters and threads. Progress goes to
standard error.

` + modelsLong,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object per measurement instead of a table")
			quick := fs.Bool("quick", false, "smoke run: a much shorter time budget per entry")
			threads := fs.Int("threads", 0, "goroutines the kernels may use (0: GOMAXPROCS)")
			run := fs.String("run", "", "only entries whose \"kernel shape\" matches this regular expression\n(their dense references are measured too)")
			list := fs.Bool("list", false, "list the entries that would run, without running them")
			sizes := fs.String("sizes", "4096,8192,16384", "models: the layer sizes n, comma-separated")
			batch := fs.Int("batch", 16, "models: batch size")
			steps := fs.Int("steps", 500, "models: time steps")
			rounds := fs.Int("rounds", 3, "models: timed forward and backward passes per size")
			seed := fs.Uint64("seed", 1, "models: seed of the weights and inputs")
			warmup := fs.Bool("warmup", true, "models: an untimed forward and backward pass before the timed rounds")
			gemmKind := fs.String("gemm", "blocked", "models: the layer's products: blocked (kernels.Gemm) or strassen (the Strassen-Winograd recursion: --strassen-levels, --strassen-min)")
			strLevels := fs.Int("strassen-levels", kernels.StrassenLevels(), "models, --gemm strassen: how many times at most a product is halved")
			strMin := fs.Int("strassen-min", kernels.StrassenMin(), "models, --gemm strassen: a product is halved while its three sides are all at least twice this")
			precision := fs.String("precision", "float32", "models: precision of the layer's products: float32, or bf16 (bf16 inputs, float32 sums; needs AVX512_BF16)")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want exactly one suite name (kernels, models), got %d arguments", len(args))
				}
				if args[0] != "kernels" && args[0] != "models" {
					return cli.Usagef("unknown suite %q (known suites: kernels, models)", args[0])
				}
				if *threads < 0 {
					return cli.Usagef("--threads must be >= 0, got %d", *threads)
				}
				if args[0] == "models" {
					ns, err := parseSizes("--sizes", *sizes)
					if err != nil {
						return err
					}
					for _, f := range []struct {
						name string
						v    int
					}{{"--batch", *batch}, {"--steps", *steps}, {"--rounds", *rounds}, {"--strassen-min", *strMin}} {
						if f.v < 1 {
							return cli.Usagef("%s must be >= 1, got %d", f.name, f.v)
						}
					}
					if *strLevels < 0 {
						return cli.Usagef("--strassen-levels must be >= 0, got %d", *strLevels)
					}
					cfg := modelsConfig{Sizes: ns, Batch: *batch, Steps: *steps, Rounds: *rounds, Threads: *threads, Seed: *seed, Warmup: *warmup, Precision: *precision, Gemm: *gemmKind, StrassenLevels: *strLevels, StrassenMin: *strMin}
					if *list {
						for _, n := range ns {
							fmt.Fprintf(env.Stdout, "linear-lif n=%d batch=%d steps=%d\n", n, *batch, *steps)
						}
						return nil
					}
					return benchModels(env, cfg, *asJSON)
				}
				cfg := kbench.Config{Quick: *quick, Threads: *threads}
				if *run != "" {
					re, err := regexp.Compile(*run)
					if err != nil {
						return cli.Usagef("bad --run pattern: %v", err)
					}
					cfg.Filter = re
				}
				if benchTweak != nil {
					benchTweak(&cfg)
				}
				if *list {
					for _, name := range kbench.Suite(cfg) {
						fmt.Fprintln(env.Stdout, name)
					}
					return nil
				}
				return benchKernels(env, cfg, *asJSON)
			}
		},
	})
}

func benchKernels(env *cli.Env, cfg kbench.Config, asJSON bool) error {
	var werr error
	results, err := kbench.Run(cfg, func(i, n int, r kbench.Result) {
		env.Errorf("bench: [%d/%d] %-16s %-22s %s", i+1, n, r.Kernel, r.Shape, fmtSeconds(r.Seconds))
		if asJSON && werr == nil {
			werr = cli.WriteJSON(env.Stdout, r)
		}
	})
	if err != nil {
		return err
	}
	if werr != nil || asJSON {
		return werr
	}
	return benchTable(env.Stdout, results)
}

func benchTable(w io.Writer, results []kbench.Result) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{
			PerColumn: []tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight,
				tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight},
		}),
	)
	t.Header("kernel", "shape", "density", "seconds", "GFLOP/s", "GB/s", "Mevents/s", "speed-up vs dense")
	for _, r := range results {
		gf := "-"
		if r.GFLOPS > 0 {
			gf = strconv.FormatFloat(r.GFLOPS, 'f', 2, 64)
		}
		if err := t.Append(r.Kernel, r.Shape, fmtDensity(r.Density), fmtSeconds(r.Seconds), gf,
			fmtOpt(r.GBps, 1, 2), fmtOpt(r.EventsPerSec, 1e-6, 1), fmtSpeedup(r.SpeedupVsDense)); err != nil {
			return err
		}
	}
	return t.Render()
}

func fmtSeconds(s float64) string { return strconv.FormatFloat(s, 'g', 3, 64) }

func fmtDensity(d float64) string {
	if d == 1 {
		return "1"
	}
	return strconv.FormatFloat(100*d, 'g', 3, 64) + "%"
}

func fmtOpt(v *float64, scale float64, prec int) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v*scale, 'f', prec, 64)
}

func fmtSpeedup(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64) + "x"
}
