package networks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// LinearLIF's spikes and its gradient of the sum of the spikes (the Open
// Neuromorphic benchmark's loss) against a naive float64 loop of the same
// equations: I = x·Wᵀ + b per step, snnTorch's Leaky with reset by
// subtraction, and surrogate BPTT by hand,
//
//	d[t] = σ'(U[t] − θ) + β·d[t+1],  dW = Σ_t d[t]ᵀ·x[t],  db = Σ_t d[t],
//
// with the atan surrogate σ'(v) = α/2 / (1 + (π/2·α·v)²), α = 2. The input
// gradient dx = Σ d[t]·W is checked too.
func TestLinearLIFAgainstNaive(t *testing.T) {
	for _, th := range []int{1, 2} {
		prev := kernels.SetThreads(th)
		const steps, batch, in, out = 9, 3, 7, 5
		r := rand.New(rand.NewPCG(11, 0))
		m := NewLinearLIF("fc", in, out, true, snn.LIF{Beta: 0.95}, r)
		x := make([]float32, steps*batch*in)
		for i := range x {
			x[i] = float32(1.5 * r.NormFloat64())
		}
		xt := tensor.NewParam("x", []int{steps, batch, in}, x)
		tp := tensor.NewTape()
		s := m.Forward(tp, xt)
		tp.Backward(tp.Sum(s))
		kernels.SetThreads(prev)

		w, b := m.W.Data, m.B.Data
		const beta, theta, alpha = 0.95, 1.0, 2.0
		mem := make([]float64, steps*batch*out)
		spikes := 0
		for tt := range steps {
			for bi := range batch {
				for o := range out {
					cur := float64(b[o])
					for i := range in {
						cur += float64(x[(tt*batch+bi)*in+i]) * float64(w[o*in+i])
					}
					var prev float64
					if tt > 0 {
						prev = mem[((tt-1)*batch+bi)*out+o]
					}
					reset := 0.0
					if prev > theta {
						reset = theta
					}
					u := beta*prev + cur - reset
					mem[(tt*batch+bi)*out+o] = u
					want := float32(0)
					if u > theta {
						want = 1
						spikes++
					}
					if got := s.Data[(tt*batch+bi)*out+o]; got != want {
						t.Fatalf("threads %d: spike (t %d, b %d, o %d) = %v, naive %v (U %v)", th, tt, bi, o, got, want, u)
					}
				}
			}
		}
		if spikes == 0 || spikes == steps*batch*out {
			t.Fatalf("%d spikes of %d: the case tests nothing", spikes, steps*batch*out)
		}
		dW := make([]float64, out*in)
		db := make([]float64, out)
		dx := make([]float64, steps*batch*in)
		for bi := range batch {
			for o := range out {
				d := 0.0
				for tt := steps - 1; tt >= 0; tt-- {
					v := mem[(tt*batch+bi)*out+o] - theta
					k := math.Pi / 2 * alpha * v
					d = alpha/2/(1+k*k) + beta*d
					db[o] += d
					for i := range in {
						dW[o*in+i] += d * float64(x[(tt*batch+bi)*in+i])
						dx[(tt*batch+bi)*in+i] += d * float64(w[o*in+i])
					}
				}
			}
		}
		near := func(what string, got []float32, want []float64) {
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
					t.Fatalf("threads %d: %s[%d] = %v, naive %v", th, what, i, got[i], want[i])
				}
			}
		}
		near("dW", m.W.Grad, dW)
		near("db", m.B.Grad, db)
		near("dx", xt.Grad, dx)
	}
}

// Forward refuses an input that is not (steps, batch, in).
func TestLinearLIFShapePanics(t *testing.T) {
	m := NewLinearLIF("fc", 4, 3, false, snn.LIF{Beta: 0.9}, rand.New(rand.NewPCG(1, 2)))
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a (2, 4) input")
		}
	}()
	m.Forward(nil, tensor.Zeros(2, 4))
}

// The fused op (Forward, ForwardSum) against the generic path it replaces
// (tensor.Tape.Linear, then snn.LIF.Sequence, then Sum): the same spikes and
// the same gradients of W, b and x, bit for bit, for every reset and fused
// surrogate and for 1 and 2 threads, with a loss that reaches the spikes
// both through the fused sum and through another op.
func TestLinearLIFFusedMatchesGeneric(t *testing.T) {
	surs := []surrogate.Func{surrogate.ATan{}, surrogate.FastSigmoid{}, surrogate.Triangle{}, surrogate.Sigmoid{}}
	for _, reset := range []snn.Reset{snn.ResetSubtract, snn.ResetZero, snn.ResetNone, snn.ResetZeroLegacy} {
		for si, sg := range surs {
			for _, th := range []int{1, 2} {
				lif := snn.LIF{Beta: 0.9, Threshold: 0.8, Reset: reset, Surrogate: sg}
				if !lif.Fused() {
					t.Fatalf("surrogate %d is not fused: the case tests nothing", si)
				}
				name := fmt.Sprintf("reset%d/sur%d/threads%d", reset, si, th)
				prev := kernels.SetThreads(th)
				// loss 0: Sum(spikes); 1: ForwardSum's sum; 2: ForwardSum's sum + Sum(2·spikes).
				var ref [3][]float32
				for variant := range 3 {
					for _, fused := range []bool{false, true} {
						m, xt := smallLinearLIF(lif)
						tp := tensor.NewTape()
						var s, loss *tensor.Tensor
						switch {
						case !fused:
							s = lif.Sequence(tp, tp.Linear(xt, m.W, m.B))
							loss = tp.Sum(s)
							if variant == 2 {
								loss = tp.Sum(tp.Scale(s, 3))
							}
						case variant == 0:
							s = m.Forward(tp, xt)
							loss = tp.Sum(s)
						default:
							s, loss = m.ForwardSum(tp, xt)
							if variant == 2 {
								loss = tp.Add(loss, tp.Sum(tp.Scale(s, 2)))
							}
						}
						tp.Backward(loss)
						got := append(append(append(append(append([]float32(nil), loss.Data...), s.Data...), m.W.Grad...), m.B.Grad...), xt.Grad...)
						if !fused {
							ref[variant] = got
							continue
						}
						for i := range got {
							if got[i] != ref[variant][i] {
								t.Fatalf("%s, loss %d: value %d (loss, spikes, dW, db, dx) fused %v, generic %v", name, variant, i, got[i], ref[variant][i])
							}
						}
					}
				}
				kernels.SetThreads(prev)
			}
		}
	}
}

// smallLinearLIF is a 7→5 layer and an input of 9 steps × batch 3 that
// requires a gradient, the same for every call.
func smallLinearLIF(lif snn.LIF) (*LinearLIF, *tensor.Tensor) {
	const steps, batch, in, out = 9, 3, 7, 5
	r := rand.New(rand.NewPCG(11, 0))
	m := NewLinearLIF("fc", in, out, true, lif, r)
	x := make([]float32, steps*batch*in)
	for i := range x {
		x[i] = float32(1.5 * r.NormFloat64())
	}
	return m, tensor.NewParam("x", []int{steps, batch, in}, x)
}

// The tape holds what ForwardSum's documentation says: 4·(2·S + 4·M + 2)
// bytes for S = steps·batch·out and M = batch·out (spikes, the shared
// currents/membranes/gradient buffer, zeros, carried gradients, the shared
// spike gradient, the sum and its gradient), and Forward followed by Sum one
// spike-sized seed more, 4·(3·S + 3·M + 2): against the generic path's
// 4·(5·S + 3·M + 2)
// (currents, spikes, membranes, seed, the currents' gradient), which the
// fused op must beat. The input here takes no gradient, as the benchmark's.
func TestLinearLIFTapeBytes(t *testing.T) {
	const steps, batch, in, out = 50, 4, 96, 64
	r := rand.New(rand.NewPCG(5, 6))
	lif := snn.LIF{Beta: 0.95}
	m := NewLinearLIF("fc", in, out, true, lif, r)
	x := tensor.Zeros(steps, batch, in)
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	S, M := steps*batch*out, batch*out
	for _, c := range []struct {
		name string
		run  func(tp *tensor.Tape) *tensor.Tensor
		want int
	}{
		{"ForwardSum", func(tp *tensor.Tape) *tensor.Tensor { _, l := m.ForwardSum(tp, x); return l }, 4 * (2*S + 4*M + 2)},
		{"Forward+Sum", func(tp *tensor.Tape) *tensor.Tensor { return tp.Sum(m.Forward(tp, x)) }, 4 * (3*S + 3*M + 2)},
		{"generic", func(tp *tensor.Tape) *tensor.Tensor { return tp.Sum(lif.Sequence(tp, tp.Linear(x, m.W, m.B))) }, 4 * (5*S + 3*M + 2)},
	} {
		tp := tensor.NewTape()
		loss := c.run(tp)
		tp.Backward(loss)
		if loss.Item() == 0 {
			t.Fatalf("%s: no spikes: the case tests nothing", c.name)
		}
		if got := tp.Bytes(); got != c.want {
			t.Errorf("%s: the tape holds %d bytes, want %d", c.name, got, c.want)
		}
	}
}

// TestLinearLIFBF16 runs the Open Neuromorphic configuration (batch 16,
// input from a standard normal, snnTorch's Leaky) with the products in bf16
// and in float32: the spike rate and the norm of the weight gradient, the
// check values of bench models, agree within 1% at n = 256 and 1,024
// (100 steps instead of 500, for time), and the two differ (the bf16
// products do run).
func TestLinearLIFBF16(t *testing.T) {
	if !kernels.HasBF16() {
		t.Skip("CPU without AVX512_BF16")
	}
	const steps, batch = 100, 16
	for _, n := range []int{256, 1024} {
		var rate, norm [2]float64
		for i, bf16 := range []bool{false, true} {
			r := rand.New(rand.NewPCG(1, uint64(n)))
			m := NewLinearLIF("fc", n, n, true, snn.LIF{Beta: 0.95}, r)
			m.BF16 = bf16
			x := tensor.Zeros(steps, batch, n)
			for j := range x.Data {
				x.Data[j] = float32(r.NormFloat64())
			}
			tp := tensor.NewTape()
			_, sum := m.ForwardSum(tp, x)
			tp.Backward(sum)
			rate[i] = float64(sum.Item()) / float64(steps*batch*n)
			var g2 float64
			for _, v := range m.W.Grad {
				g2 += float64(v) * float64(v)
			}
			norm[i] = math.Sqrt(g2)
		}
		t.Logf("n=%d: spike rate %.6f (bf16 %.6f), grad norm %.6g (bf16 %.6g)", n, rate[0], rate[1], norm[0], norm[1])
		if rate[0] == rate[1] && norm[0] == norm[1] {
			t.Errorf("n=%d: bf16 gives float32's bits", n)
		}
		if d := math.Abs(rate[1]/rate[0] - 1); !(d < 0.01) {
			t.Errorf("n=%d: spike rate %v in bf16, %v in float32 (%.2g%% apart)", n, rate[1], rate[0], 100*d)
		}
		if d := math.Abs(norm[1]/norm[0] - 1); !(d < 0.01) {
			t.Errorf("n=%d: weight-gradient norm %v in bf16, %v in float32 (%.2g%% apart)", n, norm[1], norm[0], 100*d)
		}
	}
}

// TestLinearLIFStrassen: with Strassen (kernels.StrassenMin lowered so
// that n = 256 splits twice) the spikes and the weight gradient match the
// default products' to float32 rounding in another order (a few spikes
// near the threshold may flip), the bits differ (the option does
// something), and 1 and 2 threads give the same bits.
func TestLinearLIFStrassen(t *testing.T) {
	defer kernels.SetStrassenMin(kernels.SetStrassenMin(32))
	const steps, batch, n = 50, 16, 256
	run := func(strassen bool, threads int) (spikes, grad []float32) {
		defer kernels.SetThreads(kernels.SetThreads(threads))
		r := rand.New(rand.NewPCG(5, n))
		m := NewLinearLIF("fc", n, n, true, snn.LIF{Beta: 0.95}, r)
		m.Strassen = strassen
		x := tensor.Zeros(steps, batch, n)
		for j := range x.Data {
			x.Data[j] = float32(r.NormFloat64())
		}
		tp := tensor.NewTape()
		s, sum := m.ForwardSum(tp, x)
		tp.Backward(sum)
		return append([]float32(nil), s.Data...), append([]float32(nil), m.W.Grad...)
	}
	s0, g0 := run(false, 2)
	s1, g1 := run(true, 2)
	s2, g2 := run(true, 1)
	flips, same := 0, true
	for i := range s0 {
		if s0[i] != s1[i] {
			flips++
		}
	}
	var d2, n2 float64
	for i := range g0 {
		d := float64(g1[i]) - float64(g0[i])
		d2 += d * d
		n2 += float64(g0[i]) * float64(g0[i])
		same = same && math.Float32bits(g0[i]) == math.Float32bits(g1[i])
	}
	t.Logf("%d of %d spikes flipped, weight gradient %.3g apart (relative, Frobenius)", flips, len(s0), math.Sqrt(d2/n2))
	if same {
		t.Error("Strassen gives the default products' bits: not used?")
	}
	if flips > len(s0)/10000 {
		t.Errorf("%d of %d spikes differ from the default products'", flips, len(s0))
	}
	if rel := math.Sqrt(d2 / n2); !(rel < 1e-3) {
		t.Errorf("weight gradient %.3g apart from the default products' (relative, Frobenius)", rel)
	}
	for i := range s1 {
		if s1[i] != s2[i] {
			t.Fatalf("spike %d: %v with 2 threads, %v with 1", i, s1[i], s2[i])
		}
	}
	for i := range g1 {
		if math.Float32bits(g1[i]) != math.Float32bits(g2[i]) {
			t.Fatalf("weight gradient %d: %v with 2 threads, %v with 1", i, g1[i], g2[i])
		}
	}
}
