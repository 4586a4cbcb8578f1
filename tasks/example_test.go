package tasks_test

import (
	"fmt"

	"github.com/braingo/braingo/tasks"
)

// flash is a brand-new task written outside the library: a light flashes
// left or right while the agent fixates; when the fixation cue goes off, the
// agent must look where the light was. The Spec declares the periods and
// their timing, the channels and the actions; NewTrial lays out one trial;
// the engine supplies Step with the fixation, abort and decision logic.
type flash struct{}

func (flash) Spec() tasks.Spec {
	return tasks.Spec{
		Name: "Flash",
		DT:   100,
		Periods: []tasks.Period{
			{Name: "fixation", Timing: tasks.Constant(200)},
			{Name: "cue", Timing: tasks.Uniform(200, 400)},
			{Name: "decision", Timing: tasks.Constant(200)},
		},
		Obs:     []string{"fixation", "light.1", "light.2"}, // "light" addresses both
		Actions: []string{"fixation", "left", "right"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": 0},
		Fixate:  []string{"fixation", "cue"},
		Respond: []string{"decision"},
	}
}

func (flash) NewTrial(tr *tasks.Trial) {
	side := tr.Rng.IntN(2) // 0 left, 1 right
	tr.Add("fixation", "cue", "decision")
	tr.AddObs("fixation", "fixation", 1)
	tr.AddObs("cue", "fixation", 1)
	tr.AddObs("cue", []string{"light.1", "light.2"}[side], 1)
	tr.AddNoise("cue", "light", 0.1)
	tr.SetGT("decision", 1+side)
}

// Example defines a task in a few lines, builds a trial-aligned batch from it
// and lets an agent that acts the ground truth play it.
func Example() {
	ds, err := tasks.NewDataset(flash{}, tasks.Options{Seed: 1}, tasks.DatasetConfig{BatchSize: 4})
	if err != nil {
		panic(err)
	}
	b := ds.Trials()
	fmt.Printf("inputs (%d, %d, %d), labels (%d, %d), lengths %v\n", b.Steps, b.Size, b.NObs, b.Steps, b.Size, b.Lengths)
	for c := range b.Size {
		fmt.Print("column ", c, ":")
		for t := range b.Steps {
			fmt.Print(" ", b.Labels[t*b.Size+c])
		}
		fmt.Print("  mask")
		for t := range b.Steps {
			fmt.Print(" ", b.Mask[t*b.Size+c])
		}
		fmt.Println()
	}

	env, _ := tasks.NewEnv(flash{}, tasks.Options{Seed: 2})
	env.Reset()
	var perf, reward float64
	for trials := 0; trials < 100; {
		r := env.Step(env.GroundTruth())
		reward += r.Reward
		if r.NewTrial {
			perf += r.Performance
			trials++
		}
	}
	fmt.Printf("perfect agent: performance %.2f, reward per trial %.2f\n", perf/100, reward/100)
	// Output:
	// inputs (7, 4, 3), labels (7, 4), lengths [7 7 7 6]
	// column 0: 0 0 0 0 0 1 1  mask 1 1 1 1 1 1 1
	// column 1: 0 0 0 0 0 1 1  mask 1 1 1 1 1 1 1
	// column 2: 0 0 0 0 0 2 2  mask 1 1 1 1 1 1 1
	// column 3: 0 0 0 0 1 1 0  mask 1 1 1 1 1 1 0
	// perfect agent: performance 1.00, reward per trial 1.00
}
