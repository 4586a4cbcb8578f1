package main

import (
	"flag"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/nir"
	"github.com/braingo/braingo/recipes"
)

func init() {
	register(&cli.Command{
		Name:  "export",
		Args:  "RUN_DIR|CHECKPOINT",
		Short: "export a trained network as a NIR file",
		Long: `Export writes the trained network of a run directory (or of a checkpoint file,
whose metadata holds its recipe) as NIR, the Neuromorphic Intermediate
Representation that snnTorch, Norse, Rockpool, Sinabs, Spyx, Lava-DL and
others read: an HDF5 file in the layout of the NIR reference
implementation's nir.write.

Feed-forward networks (snn-classify) become a chain of Affine, Scale and
neuron nodes; convolutional SNNs (csnn-classify, in bin/braingo-torch) a
chain of Conv2d (batch norm folded in), AvgPool2d, LIF, Flatten, Affine
and LIF nodes (MaxPool2d only with --lossy, as AvgPool2d); recurrent spiking networks (task-bptt with model.type rsnn) a
graph with a recurrent edge from the neuron node through a projection back
to itself. Decays map to time constants with the time step --dt (seconds,
snnTorch's 1e-4 by default): tau = dt/(1-beta), r = tau/dt, v_leak = 0.

What NIR cannot express (reset by subtraction or no reset, adaptive
thresholds, Dale's-law constraints) is refused with an error; --lossy
exports the nearest NIR node instead and prints a warning for each thing
dropped. braingo reads its own lossy files back exactly (the dropped
details are in node metadata other tools ignore); other tools do not.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			format := fs.String("format", "nir", "output format (nir)")
			out := fs.String("o", "", "output file (required)")
			dt := fs.Float64("dt", nir.DefaultDT, "time step in seconds of the decay -> time constant conversion")
			lossy := fs.Bool("lossy", false, "export what NIR cannot express approximately, with warnings, instead of failing")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want one run directory or checkpoint, got %d arguments", len(args))
				}
				if *format != "nir" {
					return cli.Usagef("unknown --format %q (known: nir)", *format)
				}
				if *out == "" {
					return cli.Usagef("-o FILE is required")
				}
				if !(*dt > 0) || math.IsInf(*dt, 0) {
					return cli.Usagef("--dt must be a positive number of seconds, got %v", *dt)
				}
				o := nir.Options{DT: *dt, Lossy: *lossy}
				g, warn, err := kinds.ExportNIR(args[0], o, env.Stderr)
				if err != nil {
					return err
				}
				for _, w := range warn {
					fmt.Fprintf(env.Stderr, "warning: dropped: %s\n", w)
				}
				if err := nir.WriteFile(*out, g); err != nil {
					return err
				}
				_, err = fmt.Fprintf(env.Stdout, "wrote %s: NIR graph of %d nodes (%s), dt %g s\n", *out, len(g.Nodes), describe(g), o.DT)
				return err
			}
		},
	})
	register(&cli.Command{
		Name:  "import",
		Args:  "FILE.nir",
		Short: "import a NIR file into a run directory",
		Long: `Import reads a NIR file and writes a run directory (recipe.yaml and
checkpoint.bgc) that braingo eval evaluates and braingo train --resume
continues. The graph must be a feed-forward chain of projections (Affine
or Linear, optionally followed by Scale) and neurons (LIF, CubaLIF, IF,
LI, CubaLI, I); nested subgraphs are flattened first.

The recipe is the one a braingo export recorded in the file, else
fmnist-snn; its model section is set from the graph, and --set key=value
overrides other fields (the dataset, steps, encoding). Time constants map
back to decays with the time step --dt (default: the one the file records,
else snnTorch's 1e-4 s).`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			out := fs.String("o", "", "run directory to write (required)")
			dt := fs.Float64("dt", 0, "time step in seconds (0: the file's braingo_dt, else 1e-4)")
			var sets setFlags
			fs.Var(&sets, "set", "override a recipe field: key=value (repeatable)")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want one NIR file, got %d arguments", len(args))
				}
				if *out == "" {
					return cli.Usagef("-o RUN_DIR is required")
				}
				if !(*dt >= 0) || math.IsInf(*dt, 0) {
					return cli.Usagef("--dt must be a positive number of seconds, or 0 for the file's, got %v", *dt)
				}
				if have := kinds.HoldsRun(*out); len(have) > 0 {
					return cli.Usagef("-o %s holds a run (%s): import into a new directory", *out, strings.Join(have, ", "))
				}
				g, err := nir.ReadFile(args[0])
				if err != nil {
					return err
				}
				warn := func(msg string) { fmt.Fprintf(env.Stderr, "warning: %s: %s\n", args[0], msg) }
				net, err := nir.ToFeedForward(g, nir.Options{DT: *dt, Warn: warn})
				if err != nil {
					if _, rerr := nir.ToRSNN(g, nir.Options{DT: *dt}); rerr == nil {
						return fmt.Errorf("%s is a recurrent network; importing one into a run directory is not supported yet (package nir's ToRSNN reads it)", args[0])
					}
					return fmt.Errorf("%s: %v", args[0], err)
				}
				var base *recipes.Recipe
				if m := g.Metadata[nir.MetaRecipe]; m != nil && len(m.Str) == 1 {
					if base, err = recipes.Parse(args[0]+" (recipe)", []byte(m.Str[0]), sets); err != nil {
						return err
					}
				} else if base, err = recipes.Load("fmnist-snn", sets); err != nil {
					return cli.Usagef("%v", err)
				}
				if _, err := kinds.ImportClassify(*out, base, net); err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				_, err = fmt.Fprintf(env.Stdout, "wrote %s: %s, %s (%s); evaluate with: braingo eval %s\n", *out, recipes.EchoFile, kinds.CheckpointFile, net, *out)
				return err
			}
		},
	})
}

// describe counts a graph's node types, e.g. "2 Affine, 2 LIF, Input, Output".
func describe(g *nir.Node) string {
	count := map[string]int{}
	for _, n := range g.Nodes {
		count[n.Type]++
	}
	var parts []string
	for t, c := range count {
		if c == 1 {
			parts = append(parts, t)
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", c, t))
		}
	}
	sort.Strings(parts)
	if len(g.Edges) > 0 {
		parts = append(parts, fmt.Sprintf("%d edges", len(g.Edges)))
	}
	return strings.Join(parts, ", ")
}
