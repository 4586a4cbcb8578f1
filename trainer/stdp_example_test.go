package trainer_test

import (
	"fmt"

	"github.com/braingo/braingo/trainer"
)

// A presynaptic spike followed 5 ms later by a postsynaptic one potentiates
// the synapse by A+·exp(−5/τ+); the caller writes each step's spikes into
// Pre and Post and calls Step.
func ExampleSTDP() {
	w := []float32{0.5} // one synapse, pre 0 → post 0
	rule, err := trainer.NewSTDP(w, 1, 1, trainer.STDPConfig{APlus: 0.01, TauPlus: 20})
	if err != nil {
		panic(err)
	}
	for step := range 10 {
		rule.Pre[0], rule.Post[0] = 0, 0
		switch step {
		case 2:
			rule.Pre[0] = 1
		case 7:
			rule.Post[0] = 1
		}
		if err := rule.Step(trainer.Signal{Learn: true}); err != nil {
			panic(err)
		}
	}
	fmt.Printf("Δw = %.6f\n", w[0]-0.5)
	// Output: Δw = 0.007788
}
