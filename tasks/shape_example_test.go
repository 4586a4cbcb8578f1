package tasks_test

import (
	"fmt"

	"github.com/braingo/braingo/tasks"
)

// A task's Spec gives the sizes of a network that plays it; a Dataset's or
// an Env's Spec has the effective time step.
func ExampleSpec_Inputs() {
	task, err := tasks.Lookup("ContextDecisionMaking", nil)
	if err != nil {
		panic(err)
	}
	env, err := tasks.NewEnv(task, tasks.Options{DT: 20})
	if err != nil {
		panic(err)
	}
	spec := env.Spec()
	fmt.Printf("%s: %d inputs %v, %d outputs %v, step %g ms\n", spec.Name, spec.Inputs(), spec.Obs, spec.Outputs(), spec.Actions, spec.StepMs())
	// Output:
	// ContextDecisionMaking: 5 inputs [fixation mod1.1 mod1.2 mod2.1 mod2.2], 3 outputs [fixation choice.1 choice.2], step 20 ms
}
