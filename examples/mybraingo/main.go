// Command mybraingo is tutorial 10 of braingo: a command of your own that
// registers a new task by name, so that every recipe of braingo can train on
// it, with run directories, checkpoints, plots and --resume as `braingo
// train` gives them.
//
//	go build -o mybraingo ./examples/mybraingo
//	./mybraingo -tasks                                   # FlashMemory is listed beside NeuroGym's tasks
//	./mybraingo -out runs/flash -set task.name=FlashMemory -set task.params=[delay=800] -set epochs=5 -set train.response_weight=5 pdm-rate
//	braingo eval runs/flash                              # the run directory is an ordinary braingo run
//
// See README.md beside this file for the walk-through.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/braingo/braingo/kinds" // registers the run kinds: recipes.Load needs them
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tasks"
)

// flashMemory is tutorial 9's task: a light flashes left or right; after a
// delay, look where it was.
type flashMemory struct {
	Delay float64 // ms between the flash and the go cue (parameter "delay")
	Sigma float64 // input noise (parameter "sigma")
}

func (t flashMemory) Spec() tasks.Spec {
	return tasks.Spec{
		Name:    "FlashMemory",
		Summary: "a light flashes left or right; after a delay, look where it was",
		Source:  "braingo examples/mybraingo",
		DT:      100,
		Periods: []tasks.Period{
			{Name: "fixation", Timing: tasks.Constant(300)},
			{Name: "flash", Timing: tasks.Constant(200)},
			{Name: "delay", Timing: tasks.Constant(t.Delay)},
			{Name: "decision", Timing: tasks.Constant(200)},
		},
		Obs:     []string{"fixation", "light.left", "light.right"},
		Actions: []string{"fixation", "left", "right"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": 0},
		Fixate:  []string{"fixation", "flash", "delay"},
		Respond: []string{"decision"},
	}
}

func (t flashMemory) NewTrial(tr *tasks.Trial) {
	side := tr.Rng.IntN(2)
	tr.Vars["side"] = float64(side)
	tr.Add("fixation", "flash", "delay", "decision")
	for _, p := range []string{"fixation", "flash", "delay"} {
		tr.AddObs(p, "fixation", 1)
	}
	tr.AddObs("flash", []string{"light.left", "light.right"}[side], 1)
	tr.AddNoise("", "light", t.Sigma)
	tr.SetGT("decision", 1+side)
}

// init registers the task under its name, as the library's own tasks do: the
// constructor reads the recipe's task.params into the task's fields (an
// unknown name is an error listing the known ones).
func init() {
	tasks.Register("FlashMemory", func(p tasks.Params) (tasks.Task, error) {
		t := flashMemory{Delay: 600, Sigma: 0.1}
		return t, p.Bind(map[string]any{"delay": &t.Delay, "sigma": &t.Sigma})
	})
}

// setFlags collects repeated -set key=value flags.
type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, " ") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

// run is the command: exit status 0, 1 for a failed run, 2 for a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mybraingo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sets setFlags
	fs.Var(&sets, "set", "override a recipe field, key=value (repeatable)")
	out := fs.String("out", "", "run directory (default runs/RECIPE)")
	asJSON := fs.Bool("json", false, "one JSON object per epoch on stdout")
	list := fs.Bool("tasks", false, "list the registered tasks and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mybraingo [-tasks] [-out DIR] [-json] [-set key=value]... RECIPE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *list {
		for _, row := range tasks.Rows() {
			fmt.Fprintf(stdout, "%-32s %s\n", row[0], row[len(row)-1])
		}
		return 0
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	r, err := recipes.Load(fs.Arg(0), sets)
	if err != nil {
		fmt.Fprintln(stderr, "mybraingo:", err)
		return 2
	}
	dir := *out
	if dir == "" {
		dir = "runs/" + r.Name
	}
	err = kinds.Run(ctx, r, kinds.RunOptions{Dir: dir, Stdout: stdout, Stderr: stderr, JSON: *asJSON})
	if err != nil {
		fmt.Fprintln(stderr, "mybraingo:", err)
		if errors.Is(err, kinds.ErrRunExists) {
			return 2
		}
		return 1
	}
	return 0
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
