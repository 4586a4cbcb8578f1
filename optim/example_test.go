package optim_test

import (
	"fmt"

	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/tensor"
)

// Minimize (w − 3)² with SGD and Nesterov momentum, the learning rate
// warmed up and then annealed.
func Example() {
	w := tensor.NewParam("w", []int{1}, []float32{0})
	opt, err := optim.New([]*tensor.Tensor{w}, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true})
	if err != nil {
		panic(err)
	}
	sched, err := optim.NewScheduler(opt, optim.Warmup{Steps: 5, Then: optim.CosineAnnealingLR{TMax: 95}})
	if err != nil {
		panic(err)
	}
	for step := range 100 {
		opt.ZeroGrad()
		w.Grad[0] = 2 * (w.Data[0] - 3)
		if err := opt.Step(); err != nil {
			panic(err)
		}
		sched.Step()
		if step == 4 {
			fmt.Printf("lr after warm-up: %.2f\n", opt.Groups[0].Config.LR)
		}
	}
	fmt.Printf("w = %.3f\n", w.Data[0])
	// Output:
	// lr after warm-up: 0.10
	// w = 3.000
}

// Save an optimizer's state and restore it into a new one over the same
// parameters.
func ExampleOptim_SetState() {
	w := tensor.NewParam("w", []int{2}, []float32{1, 2})
	opt, _ := optim.New([]*tensor.Tensor{w}, optim.AdamWConfig{LR: 1e-2})
	w.Grad = []float32{0.5, -0.5}
	_ = opt.Step()
	saved := opt.State() // write it with encoding/json or encoding/gob

	fresh, _ := optim.New([]*tensor.Tensor{w}, optim.AdamWConfig{LR: 1e-2})
	if err := fresh.SetState(saved); err != nil {
		panic(err)
	}
	p := fresh.State().Groups[0].Params[0]
	fmt.Println(saved.Algorithm, p.Name, p.Step, len(p.Buffers["exp_avg"]))

	other := tensor.NewParam("v", []int{2}, []float32{1, 2})
	wrong, _ := optim.New([]*tensor.Tensor{other}, optim.AdamWConfig{})
	fmt.Println(wrong.SetState(saved))
	// Output:
	// adamw w 1 2
	// optim: SetState: parameter "v" (#0): state has parameter "w" in its place
}
