package main

import (
	"flag"
	"fmt"

	"github.com/olekukonko/tablewriter"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/tasks"
)

func init() {
	register(&cli.Command{
		Name:  "tasks",
		Short: "list the cognitive tasks with their periods and spaces",
		Long: `Tasks lists every registered task: its default time step, its periods with
their duration distributions (ms), its observation channels and actions,
its rewards and the paper it follows. Train on one with a task-bptt or
task-rl recipe (see "braingo recipes"), naming it in task.name.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object per task")
			return func(env *cli.Env, args []string) error {
				if len(args) != 0 {
					return cli.Usagef("tasks takes no arguments, got %d", len(args))
				}
				rows := tasks.Rows()
				if *asJSON {
					for _, row := range rows {
						m := map[string]string{}
						for i, h := range tasks.Header {
							m[h] = row[i]
						}
						if err := cli.WriteJSON(env.Stdout, m); err != nil {
							return err
						}
					}
					return nil
				}
				t := tablewriter.NewWriter(env.Stdout)
				hdr := make([]any, len(tasks.Header))
				for i, h := range tasks.Header {
					hdr[i] = h
				}
				t.Header(hdr...)
				for _, row := range rows {
					cells := make([]any, len(row))
					for i, c := range row {
						cells[i] = c
					}
					if err := t.Append(cells...); err != nil {
						return err
					}
				}
				if err := t.Render(); err != nil {
					return err
				}
				_, err := fmt.Fprintf(env.Stdout, "%d tasks; train on one with a task-bptt or task-rl recipe (braingo recipes pdm-rate)\n", len(rows))
				return err
			}
		},
	})
}
