//go:build torch

package torchlayer

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

func randTensor(r *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.Zeros(shape...)
	for i := range t.Data {
		t.Data[i] = float32(r.NormFloat64())
	}
	return t
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// naiveConv is the definition of a 2-d cross-correlation with stride and
// padding, for (n, c, h, w) input and (o, c, k, k) weights.
func naiveConv(x, w, b []float32, n, c, h, wd, o, k, stride, pad int) ([]float32, int, int) {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	y := make([]float32, n*o*oh*ow)
	for in := 0; in < n; in++ {
		for oc := 0; oc < o; oc++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					s := float64(0)
					if b != nil {
						s = float64(b[oc])
					}
					for ic := 0; ic < c; ic++ {
						for di := 0; di < k; di++ {
							for dj := 0; dj < k; dj++ {
								yi, xj := i*stride+di-pad, j*stride+dj-pad
								if yi < 0 || yi >= h || xj < 0 || xj >= wd {
									continue
								}
								s += float64(x[((in*c+ic)*h+yi)*wd+xj]) * float64(w[((oc*c+ic)*k+di)*k+dj])
							}
						}
					}
					y[((in*o+oc)*oh+i)*ow+j] = float32(s)
				}
			}
		}
	}
	return y, oh, ow
}

func TestConvPoolLinearMatchNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := NewStore(3)
	conv := must(s.Conv2d("conv", 2, 3, 3, Conv2dConfig{Stride: 1, Padding: 1}))
	x := randTensor(r, 2, 2, 6, 6)
	y := conv.Forward(nil, x)
	p := conv.Parts()[0]
	if p.Kind != "Conv2d" || p.Weight == nil || p.Bias == nil || p.Padding != [2]int{1, 1} {
		t.Fatalf("conv part %+v", p)
	}
	want, oh, ow := naiveConv(x.Data, p.Weight.Data, p.Bias.Data, 2, 2, 6, 6, 3, 3, 1, 1)
	if got := y.Shape; len(got) != 4 || got[1] != 3 || got[2] != oh || got[3] != ow {
		t.Fatalf("conv output shape %v, want [2 3 %d %d]", got, oh, ow)
	}
	for i := range want {
		if math.Abs(float64(y.Data[i]-want[i])) > 1e-4 {
			t.Fatalf("conv element %d: %v, naive %v", i, y.Data[i], want[i])
		}
	}
	// Pools over 2×2 windows of y.
	mp := must(s.MaxPool2d(2, 0)).Forward(nil, y)
	ap := must(s.AvgPool2d(2, 0)).Forward(nil, y)
	if mp.Shape[2] != 3 || ap.Shape[3] != 3 {
		t.Fatalf("pool shapes %v %v", mp.Shape, ap.Shape)
	}
	for nc := 0; nc < 2*3; nc++ {
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				m, a := float32(math.Inf(-1)), float32(0)
				for di := 0; di < 2; di++ {
					for dj := 0; dj < 2; dj++ {
						v := y.Data[(nc*6+2*i+di)*6+2*j+dj]
						m = max(m, v)
						a += v / 4
					}
				}
				if got := mp.Data[(nc*3+i)*3+j]; got != m {
					t.Fatalf("maxpool (%d,%d,%d): %v, want %v", nc, i, j, got, m)
				}
				if got := ap.Data[(nc*3+i)*3+j]; math.Abs(float64(got-a)) > 1e-5 {
					t.Fatalf("avgpool (%d,%d,%d): %v, want %v", nc, i, j, got, a)
				}
			}
		}
	}
	flat := s.Flatten().Forward(nil, mp)
	lin := must(s.Linear("fc", 27, 4))
	out := lin.Forward(nil, flat)
	lp := lin.Parts()[0]
	if lp.Weight.Shape[0] != 4 || lp.Weight.Shape[1] != 27 {
		t.Fatalf("linear weight shape %v, want [4 27] (PyTorch's (out, in))", lp.Weight.Shape)
	}
	for n := 0; n < 2; n++ {
		for o := 0; o < 4; o++ {
			v := float64(lp.Bias.Data[o])
			for i := 0; i < 27; i++ {
				v += float64(flat.Data[n*27+i]) * float64(lp.Weight.Data[o*27+i])
			}
			if math.Abs(float64(out.Data[n*4+o])-v) > 1e-4 {
				t.Fatalf("linear (%d,%d): %v, want %v", n, o, out.Data[n*4+o], v)
			}
		}
	}
	if got := len(s.Params()); got != 4 {
		t.Fatalf("store has %d parameters, want 4 (conv and fc weight and bias)", got)
	}
	if s.Pending() != 0 {
		t.Fatalf("%d graphs held after forward passes without a tape", s.Pending())
	}
}

// TestGradCheckAcrossBoundary checks the bridged backward against finite
// differences through a hybrid model: libtorch conv → flatten → libtorch
// linear → braingo LIF over several steps → weighted membranes. The
// spike reset is detached (as snnTorch), so the membranes are
// differentiable wherever no threshold crossing moves within ±eps.
func TestGradCheckAcrossBoundary(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	s := NewStore(7)
	block := must(s.Seq("enc", must(s.Conv2d("conv", 1, 2, 3, Conv2dConfig{})), s.Flatten(),
		must(s.Linear("fc", 2*3*3, 6))))
	x := randTensor(r, 3, 1, 5, 5)
	lif := snn.LIF{Beta: 0.8, Threshold: 0.5, Surrogate: surrogate.ATan{}}
	f := func(tp *tensor.Tape) *tensor.Tensor {
		cur := block.Forward(tp, x)
		u := tensor.Zeros(3, 6)
		var mem []*tensor.Tensor
		for range 4 {
			u, _ = lif.Forward(tp, u, cur)
			mem = append(mem, u)
		}
		return tp.Stack(mem)
	}
	inputs := append([]*tensor.Tensor{x}, s.Params()...)
	if err := (tensor.GradCheck{Eps: 1e-3, ATol: 2e-3, RTol: 2e-2}).CheckGrad(f, inputs...); err != nil {
		t.Fatal(err)
	}
	if s.Pending() != 0 {
		t.Fatalf("%d libtorch graphs left after the checks", s.Pending())
	}
}

// TestBridgeMatchesBraingo trains the same spiking network twice, once with
// its first projection in libtorch and once all in braingo (networks.Dense
// with the transposed weights): the loss, the input gradient and every
// parameter gradient agree, through spikes and their surrogate.
func TestBridgeMatchesBraingo(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	s := NewStore(11)
	fc := must(s.Linear("fc", 12, 16))
	w, b := fc.Parts()[0].Weight, fc.Parts()[0].Bias
	dense := &networks.Dense{W: tensor.NewParam("w", []int{12, 16}, make([]float32, 12*16)), B: tensor.NewParam("b", []int{16}, append([]float32(nil), b.Data...))}
	for o := 0; o < 16; o++ {
		for i := 0; i < 12; i++ {
			dense.W.Data[i*16+o] = w.Data[o*12+i]
		}
	}
	out := networks.NewDense("out", 16, 4, true, r)
	x := randTensor(r, 8, 12)
	x.SetRequiresGrad(true)
	labels := []int{0, 1, 2, 3, 0, 1, 2, 3}
	lif := snn.LIF{Beta: 0.9, Threshold: 0.5, Surrogate: surrogate.ATan{}}
	run := func(proj func(tp *tensor.Tape) *tensor.Tensor) (float32, []float32, []float32, []float32, []float32) {
		x.Grad, out.W.Grad = nil, nil
		tp := tensor.NewTape()
		cur := proj(tp)
		u, v := tensor.Zeros(8, 16), tensor.Zeros(8, 4)
		var mem []*tensor.Tensor
		for range 6 {
			var sp *tensor.Tensor
			u, sp = lif.Forward(tp, u, cur)
			v, _ = lif.Forward(tp, v, out.ForwardSpikes(tp, sp))
			mem = append(mem, v)
		}
		loss := losses.CEMembrane(tp, mem, labels)
		tp.Backward(loss)
		return loss.Item(), append([]float32(nil), x.Grad...), append([]float32(nil), out.W.Grad...), nil, nil
	}
	l1, gx1, go1, _, _ := run(func(tp *tensor.Tape) *tensor.Tensor { return fc.Forward(tp, x) })
	gw1, gb1 := append([]float32(nil), w.Grad...), append([]float32(nil), b.Grad...)
	l2, gx2, go2, _, _ := run(func(tp *tensor.Tape) *tensor.Tensor { return dense.Forward(tp, x) })
	if math.Abs(float64(l1-l2)) > 1e-5 {
		t.Fatalf("loss: bridged %v, braingo %v", l1, l2)
	}
	close := func(name string, a, b []float32) {
		t.Helper()
		if len(a) != len(b) {
			t.Fatalf("%s: %d vs %d values", name, len(a), len(b))
		}
		nz := 0
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-5+1e-4*math.Abs(float64(b[i])) {
				t.Fatalf("%s element %d: bridged %v, braingo %v", name, i, a[i], b[i])
			}
			if b[i] != 0 {
				nz++
			}
		}
		if nz == 0 {
			t.Fatalf("%s: all gradients zero, the check proves nothing", name)
		}
	}
	close("input gradient", gx1, gx2)
	close("readout gradient", go1, go2)
	close("bias gradient", gb1, dense.B.Grad)
	gwT := make([]float32, len(gw1))
	for o := 0; o < 16; o++ {
		for i := 0; i < 12; i++ {
			gwT[i*16+o] = gw1[o*12+i]
		}
	}
	close("weight gradient", gwT, dense.W.Grad)
}

// TestOptimizerUpdatesLibtorch: a braingo optimizer step on the mirrored
// parameters changes what libtorch computes, and gradients accumulate
// across backward passes until ZeroGrad as braingo's do.
func TestOptimizerUpdatesLibtorch(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	s := NewStore(1)
	fc := must(s.Linear("fc", 5, 3))
	x := randTensor(r, 4, 5)
	before := fc.Forward(nil, x).Clone()
	opt, err := optim.New(s.Params(), optim.SGDConfig{LR: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	var g1 []float32
	for i := range 2 {
		tp := tensor.NewTape()
		tp.Backward(tp.Sum(fc.Forward(tp, x)))
		if i == 0 {
			g1 = append([]float32(nil), s.Params()[1].Grad...)
		}
	}
	for i, g := range s.Params()[1].Grad {
		if math.Abs(float64(g-2*g1[i])) > 1e-5 || g1[i] == 0 {
			t.Fatalf("weight gradient %d after two passes %v, after one %v: not accumulated", i, g, g1[i])
		}
	}
	opt.Step()
	after := fc.Forward(nil, x)
	same := true
	for i := range after.Data {
		same = same && after.Data[i] == before.Data[i]
	}
	if same {
		t.Fatal("an optimizer step on the braingo parameters left libtorch's output unchanged")
	}
}

// TestReleaseFreesUnusedGraphs: forward passes whose backward never runs
// hold libtorch graphs until Release.
func TestReleaseFreesUnusedGraphs(t *testing.T) {
	s := NewStore(1)
	fc := must(s.Linear("fc", 3, 2))
	tp := tensor.NewTape()
	for range 3 {
		fc.Forward(tp, tensor.Zeros(2, 3))
	}
	if s.Pending() != 3 {
		t.Fatalf("%d graphs pending, want 3", s.Pending())
	}
	tp.Reset()
	s.Release()
	if s.Pending() != 0 {
		t.Fatalf("%d graphs pending after Release", s.Pending())
	}
	tp.NoGrad(func() { fc.Forward(tp, tensor.Zeros(2, 3)) })
	if s.Pending() != 0 {
		t.Fatal("a forward pass without gradients held a graph")
	}
}

func TestBadConfigs(t *testing.T) {
	s := NewStore(1)
	conv := must(s.Conv2d("c", 3, 4, 3, Conv2dConfig{}))
	fc := must(s.Linear("l", 5, 2))
	for _, c := range []struct {
		l     *Layer
		shape []int
	}{{conv, []int{2, 2, 8, 8}}, {conv, []int{2, 3, 2, 8}}, {conv, []int{3, 8, 8}}, {fc, []int{2, 4}}} {
		if err := c.l.checkInput(c.shape); err == nil || !strings.Contains(err.Error(), c.l.Name) {
			t.Errorf("%s with input %v: %v", c.l.Name, c.shape, err)
		}
	}
	if err := conv.checkInput([]int{2, 3, 8, 8}); err != nil {
		t.Errorf("a good input: %v", err)
	}
	if _, err := s.Conv2d("c", 3, 4, 3, Conv2dConfig{Groups: 2}); err == nil {
		t.Error("Conv2d with 2 groups over 3 channels: no error")
	}
	if _, err := s.Linear("l", 0, 4); err == nil {
		t.Error("Linear with 0 inputs: no error")
	}
	if _, err := s.Dropout(1); err == nil {
		t.Error("Dropout(1): no error")
	}
	if _, err := s.MaxPool2d(0, 0); err == nil {
		t.Error("MaxPool2d(0): no error")
	}
}

// scaleModule is a user-built gotch module: y = x·w with a learnt scalar w.
type scaleModule struct{ w *ts.Tensor }

func (m scaleModule) ForwardT(x *ts.Tensor, train bool) *ts.Tensor { return x.MustMul(m.w, false) }

// TestUserModule: a module the caller builds with gotch becomes a layer
// whose variables are braingo parameters with gradients.
func TestUserModule(t *testing.T) {
	s := NewStore(1)
	l, err := s.Module("scale", func(p *nn.Path) ts.ModuleT {
		return scaleModule{w: p.MustNewVar("w", []int64{1}, nn.NewUniformInit(3, 3))}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Params()) != 1 || l.Params()[0].Name != "scale.w" || l.Params()[0].Data[0] != 3 {
		t.Fatalf("user module parameters %v", l.Params())
	}
	x := tensor.New([]int{2, 2}, []float32{1, 2, 3, 4})
	x.SetRequiresGrad(true)
	tp := tensor.NewTape()
	y := l.Forward(tp, x)
	tp.Backward(tp.Sum(y))
	if y.Data[3] != 12 || x.Grad[0] != 3 || l.Params()[0].Grad[0] != 10 {
		t.Fatalf("y %v, input gradient %v, parameter gradient %v; want y[3] 12, 3s and 10", y.Data, x.Grad, l.Params()[0].Grad)
	}
	bn := must(s.BatchNorm2d("bn", 3))
	p := bn.Parts()[0]
	if p.Kind != "BatchNorm2d" || p.RunningMean == nil || p.RunningVar == nil || p.Weight.Data[0] != 1 || len(s.Buffers()) != 2 {
		t.Fatalf("batch norm part %+v, %d buffers", p, len(s.Buffers()))
	}
	if _, err := s.Module("f64", func(p *nn.Path) ts.ModuleT {
		return scaleModule{w: p.MustNewVar("w", []int64{1}, nn.NewConstInit(3))} // gotch makes this float64
	}); err == nil || !strings.Contains(err.Error(), "f64.w") {
		t.Errorf("a float64 variable: %v", err)
	}
}

// TestThreadsFollowEveryOSThread: libtorch keeps its thread count per OS
// thread, and goroutines move between OS threads. Threads left at another
// count (as by an earlier SetThreads) run a layer's forward and backward
// passes on SetThreads' count, not on their own.
func TestThreadsFollowEveryOSThread(t *testing.T) {
	defer SetThreads(0)
	r := rand.New(rand.NewPCG(8, 9))
	s := NewStore(3)
	lin := must(s.Linear("fc", 6, 4))
	x := randTensor(r, 5, 6)
	const workers = 4
	ready, start, done := make(chan struct{}), make(chan struct{}), make(chan int, workers)
	var mu sync.Mutex
	for range workers {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			setThreadsHere(3) // this OS thread's count
			threadsHere()     // past libtorch's lazy per-thread start
			ready <- struct{}{}
			<-start   // after SetThreads(1)
			mu.Lock() // a store is used by one goroutine at a time
			defer mu.Unlock()
			tp := tensor.NewTape()
			y := lin.Forward(tp, x)
			after := threadsHere()
			setThreadsHere(3)
			tp.Backward(tp.Sum(y))
			if h := threadsHere(); h != 1 {
				after = -h
			}
			done <- after
		}()
	}
	for range workers {
		<-ready
	}
	SetThreads(1)
	close(start)
	for range workers {
		if n := <-done; n != 1 {
			t.Errorf("a layer ran with %d libtorch threads on its OS thread after SetThreads(1) (negative: after backward)", n)
		}
	}
}
