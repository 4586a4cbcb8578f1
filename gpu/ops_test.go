package gpu

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// testDevice opens the device the tests run on: the real one when the
// build has the cuda backend and a device is present, else the emulator
// when built with cudaemu. BRAINGO_GPU_BACKEND=cuda (or emu) insists on one
// and fails rather than skips when it cannot be opened. Without a usable
// backend the test is skipped with the reason.
func testDevice(t *testing.T) *Device {
	t.Helper()
	want := os.Getenv("BRAINGO_GPU_BACKEND")
	d, err := Open(0, want)
	if err != nil {
		if want != "" {
			t.Fatalf("BRAINGO_GPU_BACKEND=%s: %v", want, err)
		}
		t.Skipf("no GPU to test on: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("closing the device: %v", err)
		}
	})
	t.Logf("device: %s", d.Info())
	return d
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// guard is the value written around the data of a test buffer: a kernel
// that writes out of bounds changes it.
const guard = float32(-1234.5)

// upload allocates a buffer of len(x)+2·pad elements, the pad on both
// sides filled with guard, and returns the view of x's place in it and the
// whole buffer.
func upload(t *testing.T, d *Device, x []float32, pad int) (*Buf, *Buf) {
	t.Helper()
	all, err := d.Alloc(len(x) + 2*pad)
	must(t, err)
	h := make([]float32, len(x)+2*pad)
	for i := range h {
		h[i] = guard
	}
	copy(h[pad:], x)
	must(t, d.Upload(all, h))
	return all.At(pad, len(x)), all
}

// download returns the data of a buffer made by upload and checks its
// guards.
func download(t *testing.T, d *Device, all *Buf, pad int) []float32 {
	t.Helper()
	h := make([]float32, all.Len())
	must(t, d.Download(h, all))
	for i := 0; i < pad; i++ {
		if h[i] != guard || h[len(h)-1-i] != guard {
			t.Fatalf("a kernel wrote outside its buffer (guard %d)", i)
		}
	}
	return h[pad : len(h)-pad]
}

func randSlice(r *rand.Rand, n int, lo, hi float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = lo + (hi-lo)*r.Float32()
	}
	return x
}

// sameBits reports the first index where a and b differ in bits.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %v (%#x), the CPU's %v (%#x)", what, i, got[i], math.Float32bits(got[i]),
				want[i], math.Float32bits(want[i]))
		}
	}
}

// near checks |got − want| ≤ tol·(1 + |want|) elementwise.
func near(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol*(1+math.Abs(float64(want[i])))) {
			t.Fatalf("%s[%d] = %v, the CPU's %v (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}

func TestGemm(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name    string
		ta, tb  bool
		m, n, k int
	}{
		{"NN", false, false, 70, 90, 37},
		{"NT", false, true, 65, 64, 129},
		{"TN", true, false, 1, 200, 64},
		{"TT", true, true, 130, 3, 17},
		{"NN-single", false, false, 1, 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ar, ac := c.m, c.k
			if c.ta {
				ar, ac = c.k, c.m
			}
			br, bc := c.k, c.n
			if c.tb {
				br, bc = c.n, c.k
			}
			lda, ldb, ldc := ac+3, bc+1, c.n+5
			a := randSlice(r, ar*lda, -1, 1)
			b := randSlice(r, br*ldb, -1, 1)
			cc := randSlice(r, c.m*ldc, -1, 1)
			for _, beta := range []float32{0, 0.5} {
				want := slices.Clone(cc)
				kernels.Gemm(c.ta, c.tb, c.m, c.n, c.k, 1.5, a, lda, b, ldb, beta, want, ldc)
				da, _ := upload(t, d, a, 7)
				db, _ := upload(t, d, b, 7)
				dc, all := upload(t, d, cc, 7)
				must(t, d.Gemm(c.ta, c.tb, c.m, c.n, c.k, 1.5, da, lda, db, ldb, beta, dc, ldc))
				got := download(t, d, all, 7)
				// Padding columns of C are not part of the product: equal.
				near(t, "C", got, want, 1e-5*float64(c.k))
			}
		})
	}
}

func cpuLIFSeq(T, n int, in, u0 []float32, beta, theta float32, reset int) (u, s []float32) {
	u = make([]float32, (T+1)*n)
	s = make([]float32, T*n)
	copy(u, u0)
	for t := 0; t < T; t++ {
		kernels.LIFForward(u[(t+1)*n:(t+2)*n], s[t*n:(t+1)*n], u[t*n:(t+1)*n], in[t*n:(t+1)*n], beta, theta, reset)
	}
	return u, s
}

func TestLIFSeq(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(3, 4))
	const T, n = 9, 300
	in := randSlice(r, T*n, -0.5, 1.2)
	u0 := randSlice(r, n, -1, 2)
	gs := randSlice(r, T*n, -1, 1)
	gum := randSlice(r, T*n, -1, 1)
	guT := randSlice(r, n, -1, 1)
	surs := []kernels.Surrogate{
		{Kind: kernels.SurrogateATan, A: 2},
		{Kind: kernels.SurrogateFastSigmoid, A: 25},
		{Kind: kernels.SurrogateSigmoid, A: 5},
		{Kind: kernels.SurrogateTriangle, A: 1, B: 0.5},
	}
	for _, reset := range []int{kernels.LIFResetSubtract, kernels.LIFResetZero, kernels.LIFResetNone, kernels.LIFResetZeroLegacy} {
		wantU, wantS := cpuLIFSeq(T, n, in, u0, 0.9, 1, reset)
		uh := make([]float32, (T+1)*n)
		copy(uh, u0)
		din, _ := upload(t, d, in, 3)
		du, uall := upload(t, d, uh, 3)
		ds, sall := upload(t, d, make([]float32, T*n), 3)
		must(t, d.LIFForwardSeq(T, n, din, du, ds, 0.9, 1, reset))
		sameBits(t, "u", download(t, d, uall, 3), wantU)
		sameBits(t, "s", download(t, d, sall, 3), wantS)
		for k, sur := range surs {
			// With membrane gradients per step for half of the surrogates.
			var gm []float32
			if k%2 == 1 {
				gm = gum
			}
			// CPU: LIFBackward from step T down, the carry (plus the
			// step's membrane gradient) in GU.
			wantGin := make([]float32, T*n)
			carry := slices.Clone(guT)
			for step := T; step >= 1; step-- {
				gu := carry
				if gm != nil {
					gu = make([]float32, n)
					kernels.Add(gu, carry, gm[(step-1)*n:step*n])
				}
				next := make([]float32, n)
				kernels.LIFBackward(kernels.LIFGrad{U: wantU[(step-1)*n : step*n], UNew: wantU[step*n : (step+1)*n],
					GU: gu, GS: gs[(step-1)*n : step*n], Gu: next, Gin: wantGin[(step-1)*n : step*n],
					WriteU: true, WriteIn: true}, 0.9, 1, reset, sur)
				carry = next
			}
			dgs, _ := upload(t, d, gs, 3)
			var dgum *Buf
			if gm != nil {
				dgum, _ = upload(t, d, gm, 3)
			}
			dguT, _ := upload(t, d, guT, 3)
			dgin, ginAll := upload(t, d, make([]float32, T*n), 3)
			dgu0, gu0All := upload(t, d, make([]float32, n), 3)
			must(t, d.LIFBackwardSeq(T, n, du, dgs, dgum, dguT, dgin, dgu0, 0.9, 1, reset, sur))
			gotGin, gotGu0 := download(t, d, ginAll, 3), download(t, d, gu0All, 3)
			if sur.Kind == kernels.SurrogateSigmoid {
				// exp in double: the device's and Go's may differ in the last place.
				near(t, "gin", gotGin, wantGin, 1e-6)
				near(t, "gu0", gotGu0, carry, 1e-6)
			} else {
				sameBits(t, "gin", gotGin, wantGin)
				sameBits(t, "gu0", gotGu0, carry)
			}
		}
	}
}

// The static-input variants equal the sequence kernels on T copies of the
// input: the same membranes and spikes, and for the backward pass the sum
// of the steps' input gradients added from step T down (bits).
func TestLIFStatic(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(7, 8))
	const T, n = 7, 260
	in := randSlice(r, n, -0.3, 1.5)
	gs := randSlice(r, T*n, -1, 1)
	gum := randSlice(r, T*n, -1, 1)
	rep := make([]float32, T*n)
	for k := range T {
		copy(rep[k*n:], in)
	}
	sur := kernels.Surrogate{Kind: kernels.SurrogateATan, A: 2}
	for _, reset := range []int{kernels.LIFResetSubtract, kernels.LIFResetZero} {
		dseq, _ := upload(t, d, rep, 3)
		dst, _ := upload(t, d, in, 3)
		u1, uall1 := upload(t, d, make([]float32, (T+1)*n), 3)
		u2, uall2 := upload(t, d, make([]float32, (T+1)*n), 3)
		s1, sall1 := upload(t, d, make([]float32, T*n), 3)
		s2, sall2 := upload(t, d, make([]float32, T*n), 3)
		must(t, d.LIFForwardSeq(T, n, dseq, u1, s1, 0.9, 1, reset))
		must(t, d.LIFForwardStatic(T, n, dst, u2, s2, 0.9, 1, reset))
		sameBits(t, "u", download(t, d, uall2, 3), download(t, d, uall1, 3))
		sameBits(t, "s", download(t, d, sall2, 3), download(t, d, sall1, 3))
		dgs, _ := upload(t, d, gs, 3)
		dgum, _ := upload(t, d, gum, 3)
		g1, gall1 := upload(t, d, make([]float32, T*n), 3)
		g2, gall2 := upload(t, d, randSlice(r, n, -9, 9), 3) // overwritten
		must(t, d.LIFBackwardSeq(T, n, u1, dgs, dgum, nil, g1, nil, 0.9, 1, reset, sur))
		must(t, d.LIFBackwardStatic(T, n, u2, dgs, dgum, nil, g2, nil, 0.9, 1, reset, sur))
		per := download(t, d, gall1, 3)
		want := slices.Clone(per[(T-1)*n:])
		for k := T - 2; k >= 0; k-- {
			kernels.AddTo(want, per[k*n:(k+1)*n])
		}
		sameBits(t, "gin sum", download(t, d, gall2, 3), want)
	}
}

func TestCorrectRows(t *testing.T) {
	d := testDevice(t)
	const rows, cols = 37, 10
	r := rand.New(rand.NewPCG(9, 10))
	x := make([]float32, rows*cols)
	for i := range x {
		x[i] = float32(r.IntN(4)) // ties: the first largest counts
	}
	labels := make([]int32, rows)
	want := make([]float32, rows)
	for i := range labels {
		labels[i] = int32(r.IntN(cols))
		best := 0
		for j := 1; j < cols; j++ {
			if x[i*cols+j] > x[i*cols+best] {
				best = j
			}
		}
		if i%3 == 0 {
			labels[i] = int32(best)
		}
		if int32(best) == labels[i] {
			want[i] = 1
		}
	}
	dx, _ := upload(t, d, x, 2)
	dl, err := d.Alloc(rows)
	must(t, err)
	must(t, d.UploadInt32(dl, labels))
	out, all := upload(t, d, make([]float32, rows), 2)
	must(t, d.CorrectRows(out, dx, dl, rows, cols))
	sameBits(t, "correct", download(t, d, all, 2), want)
}

func spikeMatrix(r *rand.Rand, rows, cols int, p float32) []float32 {
	s := make([]float32, rows*cols)
	for i := range s {
		if r.Float32() < p {
			s[i] = 1
		}
	}
	return s
}

func TestEventMatMul(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(5, 6))
	const rows, cols, n = 13, 300, 70
	s := spikeMatrix(r, rows, cols, 0.2)
	for i := 0; i < cols; i++ { // an empty row
		s[4*cols+i] = 0
	}
	w := randSlice(r, cols*n, -1, 1)
	y0 := randSlice(r, rows*n, -1, 1)
	delta := randSlice(r, rows*n, -1, 1)
	dw0 := randSlice(r, cols*n, -1, 1)
	var e kernels.Events
	e.FromDense(s, rows, cols)
	ds, _ := upload(t, d, s, 0)
	dw, _ := upload(t, d, w, 0)
	ev, err := d.NewEvents(rows, cols)
	must(t, err)
	must(t, d.FromDenseRows(ev, ds, cols))
	cnt, err := d.Counts(ev)
	must(t, err)
	for b := 0; b < rows; b++ {
		if int(cnt[b]) != len(e.Row(b)) {
			t.Fatalf("row %d: %d events, the CPU's %d", b, cnt[b], len(e.Row(b)))
		}
	}
	for _, acc := range []bool{false, true} {
		want := slices.Clone(y0)
		kernels.EventMatMul(want, n, &e, w, n, n, acc)
		dy, all := upload(t, d, y0, 5)
		must(t, d.EventMatMul(dy, n, ev, dw, n, n, acc))
		sameBits(t, "y", download(t, d, all, 5), want)
	}
	want := slices.Clone(dw0)
	kernels.EventMatMulGrad(want, n, &e, delta, n, n, nil)
	must(t, d.FromDenseCols(ev, ds, cols))
	ddelta, _ := upload(t, d, delta, 0)
	ddw, all := upload(t, d, dw0, 5)
	must(t, d.EventMatMulGrad(ddw, n, ev, ddelta, n, n))
	sameBits(t, "dW", download(t, d, all, 5), want)
}

func TestCrossEntropyRows(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(7, 8))
	const rows, cols = 37, 10
	x := randSlice(r, rows*cols, -4, 4)
	labels := make([]int32, rows)
	for i := range labels {
		labels[i] = int32(r.IntN(cols))
	}
	ls := make([]float32, rows*cols)
	kernels.LogSoftmaxRows(ls, x, rows, cols)
	wantLoss := make([]float32, rows)
	wantGrad := make([]float32, rows*cols)
	for i := 0; i < rows; i++ {
		wantLoss[i] = -ls[i*cols+int(labels[i])]
		for j := 0; j < cols; j++ {
			g := float32(math.Exp(float64(ls[i*cols+j])))
			if j == int(labels[i]) {
				g--
			}
			wantGrad[i*cols+j] = 0.25 * g
		}
	}
	dx, _ := upload(t, d, x, 0)
	dl, err := d.Alloc(rows)
	must(t, err)
	must(t, d.UploadInt32(dl, labels))
	loss, lall := upload(t, d, make([]float32, rows), 2)
	grad, gall := upload(t, d, make([]float32, rows*cols), 2)
	must(t, d.CrossEntropyRows(rows, cols, dx, cols, dl, loss, grad, 0.25))
	near(t, "loss", download(t, d, lall, 2), wantLoss, 1e-6)
	near(t, "grad", download(t, d, gall, 2), wantGrad, 1e-6)
}

func TestAdamStep(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(9, 10))
	const n = 1000
	for _, h := range []kernels.AdamHyper{
		{LR: 5e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
		{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01},
		{LR: 1e-3, Beta1: 0.3, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1, Decoupled: true, Maximize: true},
	} {
		w, m, v := randSlice(r, n, -1, 1), make([]float32, n), make([]float32, n)
		dw, wall := upload(t, d, w, 2)
		dm, mall := upload(t, d, m, 2)
		dv, vall := upload(t, d, v, 2)
		for step := 1; step <= 3; step++ {
			g := randSlice(r, n, -1, 1)
			h.Step = step
			kernels.AdamStep(w, m, v, nil, g, h)
			dg, _ := upload(t, d, g, 0)
			must(t, d.AdamStep(n, dw, dm, dv, dg, h))
		}
		sameBits(t, "w", download(t, d, wall, 2), w)
		sameBits(t, "m", download(t, d, mall, 2), m)
		sameBits(t, "v", download(t, d, vall, 2), v)
	}
}

func TestReductions(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(11, 12))
	const rows, cols = 77, 130
	x := randSlice(r, rows*cols, -1, 1)
	dx, _ := upload(t, d, x, 0)
	got, err := d.Sum(dx, len(x), nil)
	must(t, err)
	var want float64
	for _, v := range x {
		want += float64(v)
	}
	if math.Abs(float64(got)-want) > 1e-3 {
		t.Errorf("Sum = %v, want %v", got, want)
	}
	dst0 := randSlice(r, cols, -1, 1)
	wantCS := slices.Clone(dst0)
	kernels.AddColSums(wantCS, x, rows, cols)
	ddst, all := upload(t, d, dst0, 3)
	must(t, d.AddColSums(ddst, dx, rows, cols))
	sameBits(t, "col sums", download(t, d, all, 3), wantCS)
	x[5*cols+7] = x[5*cols+3] // ties: the first wins
	must(t, d.Upload(dx, x))
	wantAM := make([]int, rows)
	kernels.RowArgMax(wantAM, x, rows, cols)
	dam, err := d.Alloc(rows)
	must(t, err)
	must(t, d.RowArgMax(dam, dx, rows, cols))
	gotAM := make([]int32, rows)
	must(t, d.DownloadInt32(gotAM, dam))
	for i := range wantAM {
		if int(gotAM[i]) != wantAM[i] {
			t.Fatalf("RowArgMax[%d] = %d, want %d", i, gotAM[i], wantAM[i])
		}
	}
}

func TestFillUniform(t *testing.T) {
	d := testDevice(t)
	const n = 1001
	want := make([]float32, n)
	kernels.FillUniform(want, -60, -50, 1<<33+7, 1<<40)
	b, all := upload(t, d, make([]float32, n), 4)
	must(t, d.FillUniform(b, -60, -50, 1<<33+7, 1<<40))
	sameBits(t, "uniform", download(t, d, all, 4), want)
}

func TestFillNormalSetRows(t *testing.T) {
	d := testDevice(t)
	const n = 1001
	want := make([]float32, n)
	kernels.FillNormal(want, -55, 5, 3, 1<<40)
	b, all := upload(t, d, make([]float32, n), 4)
	must(t, d.FillNormal(b, -55, 5, 3, 1<<40))
	near(t, "normal", download(t, d, all, 4), want, 1e-6)
	const rows, cols = 7, 33
	bias := randSlice(rand.New(rand.NewPCG(1, 1)), cols, -1, 1)
	db, _ := upload(t, d, bias, 0)
	y, yall := upload(t, d, make([]float32, rows*cols), 4)
	must(t, d.SetRows(y, rows, cols, db))
	got := download(t, d, yall, 4)
	for r := 0; r < rows; r++ {
		sameBits(t, "row", got[r*cols:(r+1)*cols], bias)
	}
}

// spikeList uploads a list of firing neurons.
func spikeList(t *testing.T, d *Device, ids []int32, capacity int) *Spikes {
	t.Helper()
	s, err := d.NewSpikes(capacity)
	must(t, err)
	must(t, d.UploadInt32(s.Idx, ids))
	must(t, d.UploadInt32(s.N, []int32{int32(len(ids))}))
	return s
}

func TestJITScatter(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range []struct {
		name string
		m    kernels.JIT
		lo   int
	}{
		// More columns than a post block (65,536): rows span two streams.
		{"homogeneous", kernels.JIT{Rows: 400, Cols: 70000, P: 0.0004, Seed: 99, Weight: kernels.HomogeneousWeight(0.6)}, 100},
		{"uniform", kernels.JIT{Rows: 300, Cols: 500, P: 0.1, Seed: 7, Weight: kernels.UniformWeight(-1, 2)}, 0},
		{"dense", kernels.JIT{Rows: 20, Cols: 33, P: 1, Seed: 3, Weight: kernels.UniformWeight(0, 1)}, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Spikes of neurons in and around [lo, lo+Rows).
			var ids []int32
			for i := 0; i < c.lo+c.m.Rows+50; i++ {
				if r.IntN(3) == 0 {
					ids = append(ids, int32(i))
				}
			}
			r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			dst0 := randSlice(r, c.m.Cols, -1, 1)
			want := slices.Clone(dst0)
			for _, id := range ids {
				if int(id) < c.lo || int(id) >= c.lo+c.m.Rows {
					continue
				}
				row := c.m.Row(int(id) - c.lo)
				for j, w, ok := row.Next(); ok; j, w, ok = row.Next() {
					want[j] += w
				}
			}
			dd, all := upload(t, d, dst0, 9)
			spk := spikeList(t, d, ids, len(ids)+3)
			// Fewer threads than spikes: each takes several in turn.
			defer func(c int) { scatterCap = c }(scatterCap)
			scatterCap = 7
			must(t, d.JITScatter(dd, &c.m, spk, c.lo))
			got := download(t, d, all, 9)
			if c.m.Weight.Kind == kernels.Homogeneous {
				sameBits(t, "dst", got, want) // equal addends: any order gives these bits
			} else {
				near(t, "dst", got, want, 1e-5)
			}
			// And through CSR, the same matrix stored.
			csr, err := d.UploadCSR(c.m.ToCSR())
			must(t, err)
			dd2, all2 := upload(t, d, dst0, 9)
			must(t, d.CSRScatter(dd2, csr, spk, c.lo))
			near(t, "dst (CSR)", download(t, d, all2, 9), want, 1e-5)
		})
	}
}

func TestCOBAStep(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(15, 16))
	const n = 1000
	p := &kernels.LIFCond{C: 0.005, El: -60, I: 20, Ee: 0, Ei: -80, DecE: 0.98, DecI: 0.99, Vth: -50, Vr: -60, RefSteps: 50}
	v := randSlice(r, n, -62, -49)
	ge := randSlice(r, n, 0, 2)
	gi := randSlice(r, n, 0, 2)
	last := make([]int32, n)
	for i := range last {
		last[i] = int32(r.IntN(200)) - 100
	}
	dv, vall := upload(t, d, v, 2)
	dge, geall := upload(t, d, ge, 2)
	dgi, giall := upload(t, d, gi, 2)
	dlast, err := d.Alloc(n)
	must(t, err)
	must(t, d.UploadInt32(dlast, last))
	spk, err := d.NewSpikes(n)
	must(t, err)
	for step := int32(0); step < 5; step++ {
		want := make([]int32, n)
		k := kernels.LIFCondStep(v, ge, gi, last, 40+step, p, want, 0)
		must(t, d.FillInt32(spk.N, 0))
		must(t, d.COBAStep(n, dv, dge, dgi, dlast, 40+step, p, spk))
		got, err := d.Read(spk)
		must(t, err)
		slices.Sort(got)
		if !slices.Equal(got, want[:k]) {
			t.Fatalf("step %d: spikes %v, the CPU's %v", step, got, want[:k])
		}
	}
	sameBits(t, "v", download(t, d, vall, 2), v)
	sameBits(t, "ge", download(t, d, geall, 2), ge)
	sameBits(t, "gi", download(t, d, giall, 2), gi)
	gotLast := make([]int32, n)
	must(t, d.DownloadInt32(gotLast, dlast))
	if !slices.Equal(gotLast, last) {
		t.Fatal("last spike steps differ from the CPU's")
	}
}

func TestGridLimit(t *testing.T) {
	d := testDevice(t)
	err := d.launch("event_matmul", [3]int{1, 70000, 1}, [3]int{256, 1, 1}, nil)
	if err == nil || !strings.Contains(err.Error(), "exceeds CUDA's limits") {
		t.Fatalf("a grid of 70,000 rows: %v", err)
	}
}

// TestPTXCurrent checks that the committed PTX defines every kernel the
// Go side launches, for both targets (a kernel added to kernels.h without
// go generate fails here, on any machine).
func TestPTXCurrent(t *testing.T) {
	src, err := os.ReadFile("kernels.h")
	must(t, err)
	var names []string
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, `extern "C" __global__ void `); ok {
			names = append(names, rest[:strings.Index(rest, "(")])
		}
	}
	if len(names) < 16 {
		t.Fatalf("found %d kernels in kernels.h", len(names))
	}
	for _, f := range []string{"ptx/kernels_80.ptx", "ptx/kernels_90.ptx"} {
		ptx, err := os.ReadFile(f)
		must(t, err)
		for _, name := range names {
			if !strings.Contains(string(ptx), ".visible .entry "+name+"(") {
				t.Errorf("%s lacks kernel %s: run make gpu-generate", f, name)
			}
		}
	}
}

// The Open Neuromorphic configuration, small: the device's forward and
// backward against the CPU kernels, step by step of the chain (the GEMMs
// to float32 rounding, the LIF passes to the bit from the device's own
// GEMM outputs).
func TestONSmall(t *testing.T) {
	d := testDevice(t)
	c := ONConfig{N: 40, Batch: 3, Steps: 7, Seed: 5}
	o, err := NewON(d, c)
	must(t, err)
	defer o.Free()
	must(t, o.Forward())
	rows, n, bn := c.Steps*c.Batch, c.N, c.Batch*c.N
	get := func(b *Buf, k int) []float32 {
		h := make([]float32, k)
		must(t, d.Download(h, b))
		return h
	}
	x, w, b := get(o.x, rows*n), get(o.w, n*n), get(o.b, n)
	wantY := make([]float32, rows*n)
	for r := 0; r < rows; r++ {
		copy(wantY[r*n:], b)
	}
	kernels.Gemm(false, true, rows, n, n, 1, x, n, w, n, 1, wantY, n)
	y := get(o.y, rows*n)
	near(t, "y", y, wantY, 1e-5*float64(n))
	wantU, wantS := cpuLIFSeq(c.Steps, bn, y, make([]float32, bn), onBeta, onTheta, kernels.LIFResetSubtract)
	sameBits(t, "u", get(o.u, (c.Steps+1)*bn), wantU)
	s := get(o.s, rows*n)
	sameBits(t, "s", s, wantS)
	must(t, o.Backward())
	sur := kernels.Surrogate{Kind: kernels.SurrogateATan, A: 2}
	delta := make([]float32, rows*n)
	carry := make([]float32, bn)
	ones := make([]float32, bn)
	kernels.Fill(ones, 1)
	for step := c.Steps; step >= 1; step-- {
		next := make([]float32, bn)
		kernels.LIFBackward(kernels.LIFGrad{U: wantU[(step-1)*bn : step*bn], UNew: wantU[step*bn : (step+1)*bn],
			GU: carry, GS: ones, Gu: next, Gin: delta[(step-1)*bn : step*bn], WriteU: true, WriteIn: true},
			onBeta, onTheta, kernels.LIFResetSubtract, sur)
		carry = next
	}
	sameBits(t, "delta", get(o.y, rows*n), delta)
	wantDW := make([]float32, n*n)
	kernels.Gemm(true, false, n, n, rows, 1, delta, n, x, n, 0, wantDW, n)
	near(t, "dW", get(o.dw, n*n), wantDW, 1e-5*float64(rows))
	wantDB := make([]float32, n)
	kernels.AddColSums(wantDB, delta, rows, n)
	sameBits(t, "db", get(o.db, n), wantDB)
	r, err := o.Round()
	must(t, err)
	var spikes float64
	for _, v := range s {
		spikes += float64(v)
	}
	if want := spikes / float64(len(s)); math.Abs(r.SpikeRate-want) > 1e-6 {
		t.Errorf("spike rate %v, want %v", r.SpikeRate, want)
	}
}
