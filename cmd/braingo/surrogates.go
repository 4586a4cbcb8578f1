package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/surrogate"
)

func init() {
	register(&cli.Command{
		Name:  "surrogates",
		Args:  "",
		Short: "list the surrogate gradients recipes can name",
		Long: `Surrogates lists the surrogate gradients of the spike that a recipe's
model.surrogate can name: BrainPy's set (brainpy.NAME), snnTorch's
(snntorch.NAME) and braingo's own short names, each with its parameters,
their defaults, the parameter model.surrogate_scale sets, and its backward
formula. With --json one object per surrogate.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object per surrogate")
			return func(env *cli.Env, args []string) error {
				if len(args) != 0 {
					return cli.Usagef("surrogates takes no arguments")
				}
				all := surrogate.Describe()
				if *asJSON {
					for _, in := range all {
						if err := cli.WriteJSON(env.Stdout, in); err != nil {
							return err
						}
					}
					return nil
				}
				var rows [][]string
				for _, in := range all {
					var ps []string
					for _, p := range in.Params {
						ps = append(ps, fmt.Sprintf("%s=%g", p.Name, p.Default))
					}
					rows = append(rows, []string{in.Name, strings.Join(ps, " "), in.Scale, in.Doc})
				}
				return eval.WriteSummaryTable(env.Stdout, []string{"name", "parameters", "scale", "dS/dx"}, rows)
			}
		},
	})
}
