package main

import (
	"flag"
	"fmt"

	"github.com/olekukonko/tablewriter"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/recipes"
)

func init() {
	register(&cli.Command{
		Name:  "recipes",
		Args:  "[NAME]",
		Short: "list the embedded recipes, or the fields of one",
		Long: `Recipes lists the recipes embedded in braingo with one-line descriptions.
Given a recipe name (or file), it prints that recipe resolved (every field,
with its value and description), ready to copy into a file and edit.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object per recipe")
			return func(env *cli.Env, args []string) error {
				switch len(args) {
				case 0:
				case 1:
					r, err := recipes.Load(args[0], nil)
					if err != nil {
						return cli.Usagef("%v", err)
					}
					_, err = env.Stdout.Write(r.Echo())
					return err
				default:
					return cli.Usagef("want at most one recipe name, got %d arguments", len(args))
				}
				list, err := recipes.List()
				if err != nil {
					return err
				}
				if *asJSON {
					for _, e := range list {
						if err := cli.WriteJSON(env.Stdout, map[string]string{"name": e.Name, "kind": e.Kind, "description": e.Description}); err != nil {
							return err
						}
					}
					return nil
				}
				t := tablewriter.NewWriter(env.Stdout)
				t.Header("recipe", "kind", "description")
				for _, e := range list {
					t.Append(e.Name, e.Kind, e.Description)
				}
				if err := t.Render(); err != nil {
					return err
				}
				_, err = fmt.Fprintln(env.Stdout, `run one with "braingo train NAME"; show its fields with "braingo recipes NAME"`)
				return err
			}
		},
	})
}
