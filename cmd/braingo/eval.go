package main

import (
	"flag"
	"fmt"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/recipes"
)

func init() {
	register(&cli.Command{
		Name:  "eval",
		Args:  "RUN_DIR",
		Short: "evaluate a trained network on its test set",
		Long: `Eval loads a run directory's recipe and checkpoint, runs the network over the
test set and prints the test accuracy, the confusion matrix and per-layer
firing rates (spikes per neuron per step). With --json it prints one object
with test_acc, samples, confusion (rows: true class) and rates.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want one run directory, got %d arguments", len(args))
				}
				c, test, ev, err := recipes.EvaluateRun(args[0])
				if err != nil {
					return err
				}
				cm := eval.NewConfusionMatrix(test.Classes)
				cm.Add(ev.Pred, ev.Labels)
				rates := make([]eval.LayerRate, len(ev.Rates))
				for i, r := range ev.Rates {
					rates[i] = eval.LayerRate{Layer: r.Name, Neurons: r.Neurons, Rate: r.Rate, Silent: -1}
				}
				if *asJSON {
					type rate struct {
						Layer   string  `json:"layer"`
						Neurons int     `json:"neurons"`
						Rate    float64 `json:"rate"`
					}
					out := struct {
						TestAcc   float64 `json:"test_acc"`
						Samples   int     `json:"samples"`
						Dataset   string  `json:"dataset"`
						Confusion [][]int `json:"confusion"`
						Rates     []rate  `json:"rates"`
					}{ev.Accuracy(), len(ev.Pred), c.Data.Dataset, cm.Counts, nil}
					for _, r := range ev.Rates {
						out.Rates = append(out.Rates, rate{r.Name, r.Neurons, r.Rate})
					}
					return cli.WriteJSON(env.Stdout, out)
				}
				fmt.Fprintf(env.Stdout, "%s test accuracy: %.2f%% of %d images\n", c.Data.Dataset, 100*ev.Accuracy(), len(ev.Pred))
				if err := eval.WriteRateTable(env.Stdout, rates); err != nil {
					return err
				}
				return eval.WriteConfusionTable(env.Stdout, cm, test.ClassNames)
			}
		},
	})
}
