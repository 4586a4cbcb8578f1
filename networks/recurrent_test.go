package networks

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// denseRec is RecurrentCell with the recurrent product as a dense MatMul:
// the reference its event-driven product must equal.
type denseRec struct{ RecurrentCell }

func (c denseRec) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return c.RecurrentCell.Init(tp, batch, n)
}
func (c denseRec) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	k := len(st) - 1
	in = tp.Add(in, tp.MatMul(st[k], c.W, false, false))
	next, s, m := c.Cell.Step(tp, st[:k], in)
	return append(append([]*tensor.Tensor{}, next...), s), s, m
}
func (c denseRec) Params() []*tensor.Tensor { return c.RecurrentCell.Params() }

func recNet(r *rand.Rand, cell func(RecurrentCell) Cell) *FeedForward {
	sg := surrogate.FastSigmoid{Slope: 100}
	syn := SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.8, LIF: snn.LIF{Beta: 0.9, Threshold: 1, Reset: snn.ResetZeroLegacy, Surrogate: sg}}}
	rec := NewDenseKaiming("rec1", 16, 16, false, 2, r).W
	return &FeedForward{Blocks: []Block{
		{Name: "hidden1", Proj: NewDenseKaiming("fc1", 6, 16, false, 8, r), Cell: cell(RecurrentCell{Cell: syn, W: rec})},
		{Name: "output", Proj: NewDense("fc2", 16, 3, true, r), Cell: CubaLICell{Alpha: 0.8, LI: snn.LI{Beta: 0.9}}},
	}}
}

func recInput(r *rand.Rand, steps, batch, f int) Input {
	x := make([]float32, steps*batch*f)
	for i := range x {
		if r.Float64() < 0.2 {
			x[i] = 1
		}
	}
	return Input{Binary: true, Step: func(t int) *tensor.Tensor {
		return tensor.New([]int{batch, f}, x[t*batch*f:(t+1)*batch*f])
	}}
}

// The recurrent layer's forward pass equals the plain loop
// syn = α syn + x·W + S_prev·V; U, S = LIF step (snn.Synaptic.Step), and its
// gradients equal those of the same network with a dense recurrent product.
func TestRecurrentCell(t *testing.T) {
	const steps, batch = 25, 5
	y := []int{0, 1, 2, 1, 0}
	run := func(cell func(RecurrentCell) Cell) (*FeedForward, *Trace, float32) {
		net := recNet(rand.New(rand.NewPCG(3, 4)), cell)
		tp := tensor.NewTape()
		tr := net.Run(tp, recInput(rand.New(rand.NewPCG(5, 6)), steps, batch, 6), steps)
		loss := losses.NLLMaxMembrane(tp, tr.Out(), y)
		v := loss.Item()
		tp.Backward(loss)
		return net, tr, v
	}
	net, tr, l1 := run(func(c RecurrentCell) Cell { return c })
	ref, _, l2 := run(func(c RecurrentCell) Cell { return denseRec{c} })
	if l1 != l2 {
		t.Errorf("loss %v, dense reference %v", l1, l2)
	}
	for i, p := range net.Params() {
		q := ref.Params()[i]
		for j := range p.Grad {
			if d := math.Abs(float64(p.Grad[j] - q.Grad[j])); d > 1e-5*(1+math.Abs(float64(q.Grad[j]))) {
				t.Fatalf("%s grad[%d] = %v, dense reference %v", p.Name, j, p.Grad[j], q.Grad[j])
			}
		}
	}
	// The plain loop.
	in := recInput(rand.New(rand.NewPCG(5, 6)), steps, batch, 6)
	blk := net.Blocks[0]
	rc := blk.Cell.(RecurrentCell)
	syn := rc.Cell.(SynapticCell).Synaptic
	n := 16
	sv, u, s, prev := make([]float32, batch*n), make([]float32, batch*n), make([]float32, batch*n), make([]float32, batch*n)
	spikes := 0
	for step := range steps {
		x := in.Step(step).Data
		cur := make([]float32, batch*n)
		for b := range batch {
			for j := range n {
				var acc float32
				for i := range 6 {
					acc += x[b*6+i] * blk.Proj.W.Data[i*n+j]
				}
				for i := range n {
					acc += prev[b*n+i] * rc.W.Data[i*n+j]
				}
				cur[b*n+j] = acc
			}
		}
		syn.Step(sv, u, s, cur)
		copy(prev, s)
		for k, v := range s {
			if v != tr.Spikes[0][step].Data[k] {
				t.Fatalf("step %d: spike %d is %v, the plain loop %v", step, k, tr.Spikes[0][step].Data[k], v)
			}
			spikes += int(v)
			if d := math.Abs(float64(u[k] - tr.Mem[0][step].Data[k])); d > 1e-4 {
				t.Fatalf("step %d: membrane %d is %v, the plain loop %v", step, k, tr.Mem[0][step].Data[k], u[k])
			}
		}
	}
	if spikes == 0 {
		t.Fatal("no hidden spikes: the test checks nothing")
	}
}

// A shadow of a recurrent network computes the same gradients into its own
// tensors (data-parallel training).
func TestRecurrentShadow(t *testing.T) {
	net := recNet(rand.New(rand.NewPCG(3, 4)), func(c RecurrentCell) Cell { return c })
	sh, ps := net.Shadow()
	grads := func(n *FeedForward) {
		tp := tensor.NewTape()
		tr := n.Run(tp, recInput(rand.New(rand.NewPCG(5, 6)), 20, 4, 6), 20)
		tp.Backward(losses.NLLMaxMembrane(tp, tr.Out(), []int{0, 1, 2, 0}))
	}
	grads(net)
	grads(sh)
	for i, p := range net.Params() {
		if ps[i] == p || &ps[i].Data[0] != &p.Data[0] {
			t.Fatalf("shadow parameter %s is not a view of its own", p.Name)
		}
		for j := range p.Grad {
			if p.Grad[j] != ps[i].Grad[j] {
				t.Fatalf("%s: shadow grad[%d] %v, original %v", p.Name, j, ps[i].Grad[j], p.Grad[j])
			}
		}
	}
}
