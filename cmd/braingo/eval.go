package main

import (
	"flag"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kinds"
)

func init() {
	register(&cli.Command{
		Name:  "eval",
		Args:  "RUN_DIR",
		Short: "evaluate a trained network on its test set or task",
		Long: `Eval loads a run directory's recipe and checkpoint and evaluates the trained
network again, printing its kind's own measures as tables, or with --json
as one JSON object. A classification run (snn-classify; csnn-classify with
bin/braingo-torch) runs the test set: test_acc, samples, confusion (rows:
true class) and per-layer firing rates (spikes per neuron per step). A task
run (task-bptt, task-rl, task-eprop, task-rstdp) plays the evaluation
trials of training's per-epoch evaluation: task, trials, performance and
mean_reward (and the regret of a meta-learning bandit), the last epoch's
figures. A FORCE run (force, spiking-force) replays the test from the
network as training left it, learning off: test_nmse and test_corr (and
spiking-force's rate_hz), the run's own figures. A reservoir run scores the
test set with the trained readout: test_acc, samples, confusion (and a LIF
reservoir's hidden_rate). A kind that cannot be evaluated is named
in the error with those that can.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object")
			return func(env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.Usagef("want one run directory, got %d arguments", len(args))
				}
				rep, err := kinds.Evaluate(args[0], env.Stderr)
				if err != nil {
					return err
				}
				if *asJSON {
					return cli.WriteJSON(env.Stdout, rep.JSON())
				}
				return rep.WriteTable(env.Stdout)
			}
		},
	})
}
