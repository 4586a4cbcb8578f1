package main

import (
	"flag"
	"fmt"
	"math"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/trainer"
)

func init() {
	register(&cli.Command{
		Name:  "eval",
		Args:  "RUN_DIR",
		Short: "evaluate a trained network on its test set or task",
		Long: `Eval loads a run directory's recipe and checkpoint and evaluates the network.
For a classification run (snn-classify) it runs the test set and prints the
test accuracy, the confusion matrix and per-layer firing rates (spikes per
neuron per step); with --json one object with test_acc, samples, confusion
(rows: true class) and rates; a convolutional run (csnn-classify) the same,
with bin/braingo-torch. For a task run (task-bptt, task-rl) it plays
the evaluation trials of training's per-epoch evaluation and prints the
performance and mean reward per trial (and the regret of a meta-learning
bandit); with --json one object with task, trials, performance and
mean_reward. Other kinds keep their results in the run's metrics.jsonl.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want one run directory, got %d arguments", len(args))
				}
				kind, err := kinds.RunKind(args[0])
				if err != nil {
					return err
				}
				switch kind {
				case kinds.TaskBPTTKind, kinds.TaskRLKind:
					return evalTask(env, args[0], *asJSON)
				case kinds.ClassifyKind:
					c, test, ev, err := kinds.EvaluateRun(args[0], env.Stderr)
					if err != nil {
						return err
					}
					return printClassEval(env, c.Data.Dataset, test, ev, *asJSON)
				case kinds.CSNNKind:
					c, test, ev, err := kinds.EvaluateCSNNRun(args[0], env.Stderr)
					if err != nil {
						return err
					}
					return printClassEval(env, c.Data.Dataset, test, ev, *asJSON)
				}
				return fmt.Errorf("%s: a %s run cannot be evaluated: braingo eval takes %s, %s, %s and %s runs (this run's results are in its %s)",
					args[0], kind, kinds.ClassifyKind, kinds.CSNNKind, kinds.TaskBPTTKind, kinds.TaskRLKind, eval.MetricsFile)
			}
		},
	})
}

// printClassEval prints a classification run's evaluation: accuracy,
// firing rates and confusion matrix, or one JSON object.
func printClassEval(env *cli.Env, dataset string, test *datasets.Images, ev *trainer.Evaluation, asJSON bool) error {
	cm := eval.NewConfusionMatrix(test.Classes)
	cm.Add(ev.Pred, ev.Labels)
	rates := make([]eval.LayerRate, len(ev.Rates))
	for i, r := range ev.Rates {
		rates[i] = eval.LayerRate{Layer: r.Name, Neurons: r.Neurons, Rate: r.Rate, Silent: -1}
	}
	if asJSON {
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
		}{ev.Accuracy(), len(ev.Pred), dataset, cm.Counts, nil}
		for _, r := range ev.Rates {
			out.Rates = append(out.Rates, rate{r.Name, r.Neurons, r.Rate})
		}
		return cli.WriteJSON(env.Stdout, out)
	}
	fmt.Fprintf(env.Stdout, "%s test accuracy: %.2f%% of %d images\n", dataset, 100*ev.Accuracy(), len(ev.Pred))
	if err := eval.WriteRateTable(env.Stdout, rates); err != nil {
		return err
	}
	return eval.WriteConfusionTable(env.Stdout, cm, test.ClassNames)
}

// evalTask prints a task run's evaluation.
func evalTask(env *cli.Env, dir string, asJSON bool) error {
	ev, err := kinds.EvaluateTaskRun(dir)
	if err != nil {
		return err
	}
	if asJSON {
		out := struct {
			Task        string   `json:"task"`
			Trials      int      `json:"trials"`
			Performance float64  `json:"performance"`
			MeanReward  float64  `json:"mean_reward"`
			Regret      *float64 `json:"regret,omitempty"`
			RegretFixed *float64 `json:"regret_fixed_arm,omitempty"`
		}{Task: ev.Task, Trials: ev.Trials, Performance: ev.Performance, MeanReward: ev.MeanReward}
		if !math.IsNaN(ev.Regret) {
			out.Regret, out.RegretFixed = &ev.Regret, &ev.RegretFixed
		}
		return cli.WriteJSON(env.Stdout, out)
	}
	rows := [][]string{
		{"trials", fmt.Sprint(ev.Trials)},
		{"performance", fmt.Sprintf("%.1f%%", 100*ev.Performance)},
		{"mean reward per trial", fmt.Sprintf("%.3f", ev.MeanReward)},
	}
	if !math.IsNaN(ev.Regret) {
		rows = append(rows, []string{"regret per trial", fmt.Sprintf("%.3f", ev.Regret)},
			[]string{"regret of always arm 0", fmt.Sprintf("%.3f", ev.RegretFixed)})
	}
	fmt.Fprintf(env.Stdout, "%s, evaluation trials of %s:\n", ev.Task, dir)
	return eval.WriteSummaryTable(env.Stdout, []string{"measure", "value"}, rows)
}
