package kinds

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/gpu"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/trainer"
)

// gpuTestDevice opens the device the GPU tests run on: a GPU in the cuda
// build, the CPU emulator in the cudaemu one (go test -tags cudaemu); with
// BRAINGO_GPU_BACKEND set, that backend or a failure. Without any the test
// is skipped, saying why.
func gpuTestDevice(t *testing.T) *gpu.Device {
	t.Helper()
	want := os.Getenv("BRAINGO_GPU_BACKEND")
	d, err := gpu.Open(0, want)
	if err != nil {
		if want != "" {
			t.Fatalf("BRAINGO_GPU_BACKEND=%s: %v", want, err)
		}
		t.Skipf("no GPU to train on: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// gpuTestRecipe is a small fmnist-snn (784-hidden-10, LIF, direct input,
// ce_membrane, Adam) on tinyImages' data.
func gpuTestRecipe(t *testing.T, data string, extra ...string) (*Classify, *datasets.Images) {
	t.Helper()
	sets := append([]string{"data_dir=" + data, "batch_size=32", "model.hidden=[24,16]", "steps=6", "threads=1", "lr=2e-3"}, extra...)
	r, err := recipes.Load("fmnist-snn", sets)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Spec.(*Classify)
	if err := c.CheckDevice("cuda"); err != nil {
		t.Fatal(err)
	}
	train, _, err := c.source().Load(c.Data.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return c, train
}

// One training step on the device against the CPU path from the same
// initial weights on the same batch: the spikes, the loss, the gradients
// and the weights after Adam's step.
//
// Tolerances. The device's GEMMs add their products in another order than
// the CPU's (the elementwise LIF, loss and Adam kernels do the CPU's
// operations), so currents and membranes differ by float32 rounding, a
// few units of 2⁻²⁴ relative. A spike may then differ only where the
// membrane is that close to the threshold: every differing spike must have
// |u − θ| < 1e-5 (the flips are counted and logged; with none, the
// gradients are compared tightly). The loss, a sum of 192 cross-entropies
// each off by rounding: 1e-5 relative. A gradient element is a sum of at
// most steps·batch = 192 products (the hidden layers' weight gradients
// through a chain of T LIF steps) reordered: off by at most ~192·2⁻²⁴ ≈
// 1.1e-5 of the sum of the terms' magnitudes, which we bound by 1e-4 of
// the tensor's largest gradient. Adam's first step moves a weight by
// lr·m̂/(√v̂+ε) = lr·g/(|g|+ε), a function of g with slope ε/(|g|+ε)², so
// two gradients a, b move it by amounts that differ by at most
// lr·2|a−b|/(max(|a|,|b|)+ε); the weights after the step must agree within
// that plus 4 ulp of |w| + lr (the update's own rounding: the quotient's,
// and the sum's at the scale of its operands, the old weight and a step of
// up to lr, which can be much larger than the new weight).
func TestGPUTrainStepMatchesCPU(t *testing.T) {
	d := gpuTestDevice(t)
	data := tinyImages(t)
	for _, sets := range [][]string{
		nil,
		{"model.hidden=[20]", "model.reset=zero"}, // fmnist-snn's shape
		{"model.bias=false", "model.init=kaiming_normal", "model.init_scale=6", "train.optimizer=adamw", "model.surrogate=fast_sigmoid"},
		{"model.init=kaiming_normal", "model.reset=none", "model.beta=0.8", "model.readout_beta=0.9", "train.weight_decay=1e-3"},
	} {
		t.Run(strings.Join(sets, ","), func(t *testing.T) {
			c, train := gpuTestRecipe(t, data, sets...)
			checkTrainStep(t, d, c, train)
		})
	}
}

func checkTrainStep(t *testing.T, d *gpu.Device, c *Classify, train *datasets.Images) {
	const T, B = 6, 32

	// The CPU: trainer.Classify as Run sets it up.
	cpuNet, err := c.Build(train.Features(), train.Classes)
	if err != nil {
		t.Fatal(err)
	}
	cpuOpt, err := c.optimizer(cpuNet.Params())
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.encoder()
	if err != nil {
		t.Fatal(err)
	}
	task := &trainer.Classify{Net: cpuNet, Data: train, Encoder: enc, Steps: T, BatchSize: B, Shuffle: true, DropLast: true,
		Seed: uint64(c.Seed), Loss: c.Train.Loss, NumShards: c.Train.Shards}
	task.Batches(1)
	// The batch's spikes and membranes on the CPU, from the initial weights.
	order := datasets.Order(train.N, true, uint64(c.Seed), 1)[:B]
	x, y := make([]float32, B*train.Features()), make([]int, B)
	train.Fill(x, y, order)
	tp := tensor.NewTape()
	var tr *networks.Trace
	tp.NoGrad(func() {
		tr, _ = cpuNet.RunFrom(tp, networks.Input{Static: tensor.New([]int{B, train.Features()}, x)}, nil, 0, T)
	})
	cpuOpt.ZeroGrad()
	want, err := task.TrainStep(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wantGrad [][]float32
	for _, p := range cpuNet.Params() {
		wantGrad = append(wantGrad, append([]float32(nil), p.Grad...))
	}
	if err := cpuOpt.Step(); err != nil {
		t.Fatal(err)
	}

	// The device, from the same seed's weights.
	gpuNet, err := c.Build(train.Features(), train.Classes)
	if err != nil {
		t.Fatal(err)
	}
	gpuOpt, err := c.optimizer(gpuNet.Params())
	if err != nil {
		t.Fatal(err)
	}
	g, err := newClassifyGPU(d, c, gpuNet, gpuOpt, train)
	if err != nil {
		t.Fatal(err)
	}
	defer g.free()
	g.Batches(1)
	got, err := g.TrainStep(1, 0)
	if err != nil {
		t.Fatal(err)
	}

	flips := 0
	for l := range gpuNet.Blocks {
		mem, err := g.ff.Membranes(l)
		if err != nil {
			t.Fatal(err)
		}
		k := len(mem) / T
		for step := range T {
			cs := tr.Spikes[l][step].Data
			for i := range k {
				u := mem[step*k+i]
				s := float32(0)
				if u > 1 {
					s = 1
				}
				if s == cs[i] {
					continue
				}
				flips++
				if math.Abs(float64(u)-1) >= 1e-5 {
					t.Fatalf("layer %d step %d neuron %d: the device's spike %v, the CPU's %v, at membrane %v (CPU %v): not a rounding flip",
						l, step, i, s, cs[i], u, tr.Mem[l][step].Data[i])
				}
			}
		}
	}
	t.Logf("loss: CPU %.7g, device %.7g; correct: %d, %d; spikes that flipped at the threshold: %d", want.Loss, got.Loss, want.Correct, got.Correct, flips)
	if d := math.Abs(got.Loss - want.Loss); d > 1e-5*math.Abs(want.Loss) {
		t.Errorf("loss: device %v, CPU %v", got.Loss, want.Loss)
	}
	if got.Correct != want.Correct || got.Samples != want.Samples {
		t.Errorf("correct %d of %d, the CPU's %d of %d", got.Correct, got.Samples, want.Correct, want.Samples)
	}
	gpuGrads := g.ff.Grads()
	gotGrad := make([][]float32, len(gpuGrads))
	for i, b := range gpuGrads {
		gotGrad[i] = make([]float32, b.Len())
	}
	if err := g.ff.Download(gotGrad, gpuGrads); err != nil {
		t.Fatal(err)
	}
	params := cpuNet.Params()
	if flips == 0 {
		for i, p := range params {
			var top float64
			for _, v := range wantGrad[i] {
				top = max(top, math.Abs(float64(v)))
			}
			worst := 0.0
			for j, v := range wantGrad[i] {
				diff := math.Abs(float64(gotGrad[i][j]) - float64(v))
				worst = max(worst, diff)
				if diff > 1e-4*top {
					t.Fatalf("%s gradient [%d]: device %v, CPU %v (largest %v)", p.Name, j, gotGrad[i][j], v, top)
				}
			}
			t.Logf("%s: largest gradient %.3g, largest difference %.3g", p.Name, top, worst)
		}
	}
	if err := g.Step(); err != nil {
		t.Fatal(err)
	}
	if err := g.sync(); err != nil {
		t.Fatal(err)
	}
	lr := c.Train.LR
	for i, p := range gpuNet.Params() {
		for j, w := range p.Data {
			cw := params[i].Data[j]
			a, b := float64(gotGrad[i][j]), float64(wantGrad[i][j])
			bound := 4*ulp(float32(math.Abs(float64(cw))+lr)) + lr*min(2, 2*math.Abs(a-b)/(max(math.Abs(a), math.Abs(b))+1e-8))
			if math.Abs(float64(w)-float64(cw)) > bound {
				t.Fatalf("%s[%d] after the step: device %v, CPU %v (bound %v; gradients: device %v, CPU %v)", p.Name, j, w, cw, bound, a, b)
			}
		}
	}
	// Adam's state went back to the CPU optimizer: the same step count.
	if s := gpuOpt.State(); s.Groups[0].Params[0].Step != 1 || len(s.Groups[0].Params[0].Buffers["exp_avg"]) != params[0].Len() {
		t.Errorf("the optimizer's state after sync: step %d", s.Groups[0].Params[0].Step)
	}
}

func ulp(x float32) float64 {
	a := math.Abs(float64(x))
	return float64(math.Nextafter32(float32(a), float32(math.Inf(1)))) - a
}

// A few steps on one batch reduce its loss on the device.
func TestGPUTrainingReducesLoss(t *testing.T) {
	d := gpuTestDevice(t)
	c, train := gpuTestRecipe(t, tinyImages(t))
	net, err := c.Build(train.Features(), train.Classes)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := c.optimizer(net.Params())
	if err != nil {
		t.Fatal(err)
	}
	g, err := newClassifyGPU(d, c, net, opt, train)
	if err != nil {
		t.Fatal(err)
	}
	defer g.free()
	g.Batches(1)
	var losses []float64
	for range 8 {
		r, err := g.TrainStep(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, r.Loss)
		if err := g.Step(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("losses: %.5g", losses)
	if !(losses[len(losses)-1] < 0.9*losses[0]) {
		t.Errorf("8 Adam steps on one batch took its loss from %v to %v", losses[0], losses[len(losses)-1])
	}
}

// What the device does not train is refused by CheckDevice, naming the
// recipe field; fmnist-snn and its adamw variant are accepted. This needs no
// device.
func TestCheckDevice(t *testing.T) {
	for _, c := range []struct {
		set, field string
	}{
		{"", ""},
		{"train.optimizer=adamw", ""},
		{"data.encoding=rate", "data.encoding"},
		{"model.neuron=alif", "model.neuron"},
		{"model.readout=li", "model.readout"},
		{"model.learn_beta=true", "model.learn_beta"},
		{"model.connectivity=0.5", "model.connectivity"},
		{"model.delay=2", "model.delay"},
		{"model.hidden_gain=2", "model.hidden_gain"},
		{"model.readout_gain=2", "model.readout_gain"},
		{"train.loss=ce_count", "train.loss"},
		{"train.optimizer=sgd", "train.optimizer"},
		{"train.grad_clip=1", "train.grad_clip"},
		{"train.l1=1e-5", "train.l1"},
		{"train.l2=1e-5", "train.l2"},
		{"train.truncate=5", "train.truncate"},
		{"model.surrogate=gaussian", "model.surrogate"},
	} {
		var sets []string
		if c.set != "" {
			sets = []string{c.set}
		}
		r, err := recipes.Load("fmnist-snn", sets)
		if err != nil {
			t.Fatalf("%s: %v", c.set, err)
		}
		err = CheckDevice(r, "cuda")
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.set, err)
		case c.field != "" && (err == nil || !strings.HasPrefix(err.Error(), c.field+":") || strings.Contains(err.Error(), "\n")):
			t.Errorf("%s: %v, want one line about %s", c.set, err, c.field)
		}
	}
	r, err := recipes.Load("coba", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckDevice(r, "cuda"); err == nil || !strings.HasPrefix(err.Error(), "kind:") {
		t.Errorf("a sim recipe on the GPU: %v", err)
	}
	if err := CheckDevice(r, "cpu"); err != nil {
		t.Errorf("a sim recipe on the CPU: %v", err)
	}
}
