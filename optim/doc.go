// Package optim trains the parameters of package tensor: the optimizers SGD
// (momentum, dampening, Nesterov), Adam (and AMSGrad), AdamW, RMSprop and
// Adagrad, gradient clipping, learning-rate schedules, and checkpointable
// optimizer state.
//
// # Optimizers
//
// An optimizer is a caller-driven state machine (as gonum's optimize
// methods): the caller computes gradients into the parameters' Grad, calls
// Step, and clears them with ZeroGrad. The optimizer keeps its own state
// (step counts, moment buffers) per parameter.
//
//	opt, err := optim.New(params, optim.AdamConfig{LR: 5e-4})
//	for each batch {
//		opt.ZeroGrad()
//		... forward and backward ...
//		if err := opt.Step(); err != nil { ... } // a NaN gradient
//	}
//
// New picks the algorithm from the type of its configuration (SGDConfig,
// AdamConfig, AdamWConfig, RMSpropConfig, AdagradConfig); the result is an
// *Optim[C], also spelled *SGD, *Adam, *AdamW, *RMSprop, *Adagrad. Its
// parameters are held in groups, each with its own hyperparameters, as
// PyTorch's param_groups; AddGroup adds one.
//
// Every update follows PyTorch's definition of the algorithm exactly (the
// pseudo-code of the torch.optim documentation and, where they differ in
// rounding order, its implementation: bias corrections, the placement of ε,
// the first momentum step). Parameters and state buffers are stored in
// float32. Adam and AdamW compute in float32 (vectorized), in PyTorch's
// order of operations, as PyTorch itself does for float32 tensors; the other
// optimizers compute each element's update in float64 and round once when
// stored. Either way a float32 run tracks PyTorch's float64 trajectory to
// float32 rounding.
//
// A parameter is updated when it requires a gradient and its Grad is not
// nil; a parameter without a gradient this step is skipped and its state is
// left alone (its step count does not advance), as in PyTorch.
//
// # Failures
//
// Step checks every gradient before it changes anything: a NaN or ±Inf
// gradient, a gradient of the wrong length or an invalid hyperparameter makes
// it return an error naming the parameter (or group), with all parameters and
// state left exactly as they were.
//
// # Checkpoints
//
// State returns the optimizer's complete state as a plain value (algorithm,
// per-group hyperparameters including the current learning rate, and per
// parameter its name, step count and buffers) that encoding/json or
// encoding/gob can write; SetState restores it into an optimizer built over
// the same parameters after checking that the groups, parameter names and
// lengths match. Saving after N steps and restoring into a fresh optimizer
// continues bit for bit as an uninterrupted run.
//
// # Schedules and clipping
//
// A Schedule gives the learning rate as a closed-form function of the
// epoch (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, and Warmup,
// a linear warm-up followed by another schedule); a Scheduler applies one to
// an optimizer's groups each time the caller calls its Step. ClipGradNorm
// and ClipGradValue are torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
package optim
