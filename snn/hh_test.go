package snn

import (
	"math"
	"slices"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// The trainable HH layer steps the simulator's model: from the same state
// under the same current, its new state is the fused kernel's (the
// benchmark population's step) bit for bit, and a current step makes it
// spike once per upward crossing.
func TestHHCellMatchesGroup(t *testing.T) {
	const n = 16
	c := HHCell{}
	st := c.Init(nil, 1, n)
	g := NewHHGroup(n, TraubMiles(0.1))
	in := tensor.Zeros(1, n)
	b := make([]float32, n)
	spikes := 0
	for step := range 300 {
		for i := range in.Data {
			in.Data[i] = float32(50 * i) // pA
		}
		var s *tensor.Tensor
		st, s = c.Forward(nil, st, in)
		p := kernels.HHParams{C: g.C, GL: g.GL, EL: g.EL, GNa: g.GNa, ENa: g.ENa, GK: g.GK, EK: g.EK, VT: g.VT, Dt: g.Dt}
		kernels.HHExpEuler(&p, g.Vm, g.M, g.H, g.N, in.Data, b)
		for k, want := range [][]float32{g.Vm, g.M, g.H, g.N} {
			for i := range want {
				if math.Float32bits(st[k].Data[i]) != math.Float32bits(want[i]) {
					t.Fatalf("step %d, variable %d, neuron %d: layer %v, kernel %v", step, k, i, st[k].Data[i], want[i])
				}
			}
		}
		for _, x := range s.Data {
			spikes += int(x)
		}
	}
	if spikes == 0 || spikes > 300*n/10 {
		t.Fatalf("%d spikes in 30 ms of 16 neurons", spikes)
	}
}

// Below threshold the HH step is smooth: its gradients through three steps
// (state and input) equal finite differences (step 3e-3: large enough for
// float32 at −65 mV, small enough for the gates' curvature), at the
// benchmark's 0.1 ms and at the 0.5 ms of the fmnist-hh recipe.
func TestHHGradSubthreshold(t *testing.T) {
	for _, dt := range []float64{0.1, 0.5} {
		c := HHCell{HH{Model: TraubMiles(dt), Surrogate: flat{}}}
		st0 := c.Init(nil, 1, 2)
		var ps []*tensor.Tensor
		for k, x := range st0 {
			ps = append(ps, tensor.NewParam([]string{"v", "m", "h", "n"}[k], []int{1, 2}, append([]float32(nil), x.Data...)))
		}
		ps[0].Data[1] = -62
		in := tensor.NewParam("in", []int{1, 2}, []float32{20, 60})
		err := tensor.GradCheck{Eps: 3e-3}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
			st := []*tensor.Tensor{ps[0], ps[1], ps[2], ps[3]}
			for range 3 {
				st, _ = c.Forward(tp, st, in)
			}
			return tp.Add(tp.Sum(st[0]), tp.Scale(tp.Sum(tp.Add(st[1], st[3])), 100))
		}, append(ps, in)...)
		if err != nil {
			t.Fatalf("dt %v ms: %v", dt, err)
		}
	}
}

// With DetachGates the backward pass is that of a membrane driven by the
// gates of the forward run held as constants: the gradient of the voltage
// trace, through 20 steps with spikes (1,000 and 3,000 pA at 0.5 ms, 300
// pA at 0.1 ms), equals finite differences of the same steps with the
// recorded gates fed in (in v and the input that system is affine, so a
// step of 20 mV or pA is exact and the tolerance 0.1%), and the detached
// gradient of the free-running network equals it. The full Jacobian's
// gradient differs.
func TestHHGradDetachGates(t *testing.T) {
	for _, tc := range []struct {
		dt  float64
		cur []float32
	}{{0.5, []float32{1000, 3000}}, {0.1, []float32{300, 3000}}} {
		const steps = 20
		c := HHCell{HH{Model: TraubMiles(tc.dt), Surrogate: flat{}, DetachGates: true}}
		v0 := tensor.NewParam("v0", []int{1, 2}, []float32{-60, -55})
		in := tensor.NewParam("in", []int{1, 2}, tc.cur)
		// The forward run's gates, step by step.
		st := c.Init(nil, 1, 2)
		st[0] = tensor.New([]int{1, 2}, append([]float32(nil), v0.Data...))
		gates := [][]*tensor.Tensor{st[1:]}
		spikes := 0
		for range steps {
			var s *tensor.Tensor
			st, s = c.Forward(nil, st, tensor.New([]int{1, 2}, in.Data))
			gates = append(gates, st[1:])
			spikes += int(s.Data[0] + s.Data[1])
		}
		if spikes == 0 {
			t.Fatalf("dt %v: no spike in %d steps", tc.dt, steps)
		}
		trace := func(c HHCell, held bool) func(tp *tensor.Tape) *tensor.Tensor {
			return func(tp *tensor.Tape) *tensor.Tensor {
				st := append([]*tensor.Tensor{v0}, gates[0]...)
				sum := tp.Sum(v0)
				for k := range steps {
					st, _ = c.Forward(tp, st, in)
					if held {
						st = append([]*tensor.Tensor{st[0]}, gates[k+1]...)
					}
					sum = tp.Add(sum, tp.Sum(st[0]))
				}
				return sum
			}
		}
		if err := (tensor.GradCheck{Eps: 20, ATol: 1e-5, RTol: 1e-3}).CheckGrad(trace(c, true), v0, in); err != nil {
			t.Fatalf("dt %v, gates held: %v", tc.dt, err)
		}
		grads := func(c HHCell, held bool) []float32 {
			v0.Grad, in.Grad = nil, nil
			tp := tensor.NewTape()
			tp.Backward(trace(c, held)(tp))
			return append(append([]float32(nil), v0.Grad...), in.Grad...)
		}
		want := grads(c, true)
		if got := grads(c, false); !slices.Equal(got, want) {
			t.Fatalf("dt %v: detached gradient %v, want the held gates' %v", tc.dt, got, want)
		}
		full := c
		full.DetachGates = false
		if got := grads(full, false); slices.Equal(got, want) {
			t.Fatalf("dt %v: the full Jacobian's gradient %v equals the detached one", tc.dt, got)
		}
	}
}

// The backward pass writes every buffer it reads: on a tape whose pool
// hands back the buffers of an earlier pass (other inputs, other spikes),
// the gradients are those of a fresh tape, bit for bit. (The spike's
// gradient buffer was left unwritten where v was already above VSpike,
// and a reused tape fed the earlier pass's values into the gradient.)
func TestHHGradTapeReuse(t *testing.T) {
	for _, detach := range []bool{false, true} {
		c := HHCell{HH{Model: TraubMiles(0.5), Scale: 40, DetachGates: detach}}
		run := func(tp *tensor.Tape, cur float32) []float32 {
			in := tensor.NewParam("in", []int{2, 8}, make([]float32, 16))
			for i := range in.Data {
				in.Data[i] = cur * float32(i+1)
			}
			st := c.Init(tp, 2, 8)
			var sum *tensor.Tensor
			for range 40 {
				var s *tensor.Tensor
				st, s = c.Forward(tp, st, in)
				if sum == nil {
					sum = s
				} else {
					sum = tp.Add(sum, s)
				}
			}
			// Spike counts weighted per neuron, so that every gradient
			// buffer holds values that differ from one pass to the next.
			w := make([]float32, 16)
			for i := range w {
				w[i] = float32(i%5) - 2
			}
			tp.Backward(tp.Sum(tp.Mul(sum, tensor.New([]int{2, 8}, w))))
			return append([]float32(nil), in.Grad...)
		}
		want := run(tensor.NewTape(), 150)
		tp := tensor.NewTape()
		run(tp, 400)
		tp.Reset()
		if got := run(tp, 150); !slices.Equal(got, want) {
			t.Errorf("detach %v: gradient on a reused tape %v, on a fresh one %v", detach, got, want)
		}
	}
}

// The exponential-Euler step stays stable at the large steps a training
// window needs: over 100 ms of constant current (500 to 4,000 pA) the
// membrane stays within [−100, 60] mV at steps of 0.1 to 1 ms, and up to
// 0.5 ms the spike count keeps above 60% of the 0.01-ms step's (it falls as
// the step grows: at 1 ms it halves). go test -v prints the counts.
func TestHHExpEulerLargeSteps(t *testing.T) {
	currents := []float32{500, 1000, 2000, 4000}
	count := func(dt float64) []int {
		c := HHCell{HH{Model: TraubMiles(dt)}}
		st := c.Init(nil, 1, len(currents))
		in := tensor.New([]int{1, len(currents)}, currents)
		n := make([]int, len(currents))
		for range int(math.Round(100 / dt)) {
			var s *tensor.Tensor
			st, s = c.Forward(nil, st, in)
			for i, x := range s.Data {
				n[i] += int(x)
				if v := st[0].Data[i]; !(v > -100 && v < 60) {
					t.Fatalf("dt %v ms, %v pA: v = %v mV", dt, currents[i], v)
				}
			}
		}
		return n
	}
	ref := count(0.01)
	t.Logf("spikes in 100 ms at %v pA: dt 0.01 ms %v", currents, ref)
	for _, dt := range []float64{0.1, 0.25, 0.5, 1} {
		n := count(dt)
		t.Logf("spikes in 100 ms at %v pA: dt %v ms %v", currents, dt, n)
		for i := range n {
			if dt <= 0.5 && (10*n[i] < 6*ref[i] || n[i] > ref[i]+1) {
				t.Errorf("dt %v ms, %v pA: %d spikes, %d at 0.01 ms", dt, currents[i], n[i], ref[i])
			}
		}
	}
}
