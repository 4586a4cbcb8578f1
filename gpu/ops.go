package gpu

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
)

func need(name, what string, b *Buf, n int) {
	if b == nil || b.n < n {
		have := 0
		if b != nil {
			have = b.n
		}
		panic(fmt.Sprintf("gpu: %s: %s has %d elements, needs %d", name, what, have, n))
	}
}

// span is the number of elements a rows×cols matrix with row stride ld
// spans.
func span(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C, op(X) = Xᵀ when trans, as
// kernels.Gemm (row-major, C m×n, op(A) m×k, op(B) k×n). Fused
// multiply-adds in ascending k: equal to the CPU's up to float32 rounding.
func (d *Device) Gemm(transA, transB bool, m, n, k int, alpha float32, a *Buf, lda int, b *Buf, ldb int, beta float32, c *Buf, ldc int) error {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < max(ac, 1) || ldb < max(bc, 1) || ldc < max(n, 1) {
		panic("gpu: Gemm: leading dimension too small")
	}
	need("Gemm", "A", a, span(ar, ac, lda))
	need("Gemm", "B", b, span(br, bc, ldb))
	need("Gemm", "C", c, span(m, n, ldc))
	return d.launch("gemm_f32", [3]int{(n + 63) / 64, (m + 63) / 64, 1}, [3]int{256, 1, 1},
		args(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))
}

// LIFForwardSeq runs T steps of kernels.LIFForward on n neurons: u holds
// (T+1)·n membranes (u[0:n] the initial state, then the state after each
// step), in and s T·n inputs and spikes. Bit-identical to calling
// LIFForward T times.
func (d *Device) LIFForwardSeq(T, n int, in, u, s *Buf, beta, theta float32, reset int) error {
	need("LIFForwardSeq", "in", in, T*n)
	return d.lifForward(T, n, in, n, u, s, beta, theta, reset)
}

// LIFForwardStatic is LIFForwardSeq with the same input at every step: in
// holds n values (a static input's projection, computed once). The same
// bits as LIFForwardSeq on T copies of in.
func (d *Device) LIFForwardStatic(T, n int, in, u, s *Buf, beta, theta float32, reset int) error {
	need("LIFForwardStatic", "in", in, n)
	return d.lifForward(T, n, in, 0, u, s, beta, theta, reset)
}

func (d *Device) lifForward(T, n int, in *Buf, instep int, u, s *Buf, beta, theta float32, reset int) error {
	need("LIFForwardSeq", "u", u, (T+1)*n)
	need("LIFForwardSeq", "s", s, T*n)
	return d.launch1("lif_fwd_seq", n, args(T, n, in, instep, u, s, beta, theta, reset))
}

// LIFBackwardSeq is the backward pass of LIFForwardSeq: kernels.LIFBackward
// from step T down to 1, the membrane gradient carried from step to step.
// gs (T·n, nil for no spike gradient), gum (T·n, a loss's gradients of the
// membranes after each step, added to the carried one as LIFBackward's GU;
// nil for none) and guT (n, nil for zero) come in; gin (T·n) receives the
// input gradients, overwritten, and gu0 (n, nil to skip) that of the
// initial membrane. sur is one of kernels'
// SurrogateATan, SurrogateFastSigmoid, SurrogateSigmoid, SurrogateTriangle.
// Bit-identical to the CPU loop (with a zero GU at step T).
func (d *Device) LIFBackwardSeq(T, n int, u, gs, gum, guT, gin, gu0 *Buf, beta, theta float32, reset int, sur kernels.Surrogate) error {
	need("LIFBackwardSeq", "gin", gin, T*n)
	return d.lifBackward(T, n, u, gs, gum, guT, gin, n, gu0, beta, theta, reset, sur)
}

// LIFBackwardStatic is the backward pass of LIFForwardStatic: gin (n)
// receives the sum of the steps' input gradients, added from step T down
// to 1 (as a tape accumulates the gradient of a leaf used at every step).
func (d *Device) LIFBackwardStatic(T, n int, u, gs, gum, guT, gin, gu0 *Buf, beta, theta float32, reset int, sur kernels.Surrogate) error {
	need("LIFBackwardStatic", "gin", gin, n)
	return d.lifBackward(T, n, u, gs, gum, guT, gin, 0, gu0, beta, theta, reset, sur)
}

func (d *Device) lifBackward(T, n int, u, gs, gum, guT, gin *Buf, ginstep int, gu0 *Buf, beta, theta float32, reset int, sur kernels.Surrogate) error {
	need("LIFBackwardSeq", "u", u, (T+1)*n)
	if gs != nil {
		need("LIFBackwardSeq", "gs", gs, T*n)
	}
	if gum != nil {
		need("LIFBackwardSeq", "gum", gum, T*n)
	}
	if guT != nil {
		need("LIFBackwardSeq", "guT", guT, n)
	}
	if gu0 != nil {
		need("LIFBackwardSeq", "gu0", gu0, n)
	}
	kind := sur.Kind
	var p0, p1 float32
	switch kind {
	case kernels.SurrogateATan:
		p0, p1 = float32(math.Pi/2)*sur.A, sur.A/2
	case kernels.SurrogateFastSigmoid, kernels.SurrogateSigmoid:
		p0 = sur.A
	case kernels.SurrogateTriangle:
		p0, p1 = sur.A, sur.B
	default:
		panic(fmt.Sprintf("gpu: LIFBackwardSeq: surrogate kind %d is not supported on the device", kind))
	}
	if gs == nil {
		kind = 0
	}
	return d.launch1("lif_bwd_seq", n, args(T, n, u, gs, gum, guT, gin, ginstep, gu0, beta, theta, reset, kind, p0, p1))
}

// Events holds the spikes of a rows×cols binary matrix on the device, as
// lists of indices: by row (for EventMatMul) or by column (for
// EventMatMulGrad).
type Events struct {
	Rows, Cols int
	idx, cnt   *Buf
	byCol      bool
}

// NewEvents allocates the lists for a rows×cols matrix.
func (d *Device) NewEvents(rows, cols int) (*Events, error) {
	idx, err := d.Alloc(rows * cols)
	if err != nil {
		return nil, err
	}
	cnt, err := d.Alloc(max(rows, cols))
	if err != nil {
		d.Free(idx)
		return nil, err
	}
	return &Events{Rows: rows, Cols: cols, idx: idx, cnt: cnt}, nil
}

// FreeEvents frees e's buffers.
func (d *Device) FreeEvents(e *Events) {
	d.Free(e.idx)
	d.Free(e.cnt)
}

// FromDenseRows lists the nonzero columns of each row of s (rows×cols, row
// stride lds), ascending, as kernels.Events.FromDense.
func (d *Device) FromDenseRows(e *Events, s *Buf, lds int) error {
	need("FromDenseRows", "s", s, span(e.Rows, e.Cols, lds))
	e.byCol = false
	return d.launch("events_rows", [3]int{e.Rows, 1, 1}, [3]int{256, 1, 1},
		args(e.Rows, e.Cols, s, lds, e.idx, e.Cols, e.cnt))
}

// FromDenseCols lists the rows where each column of s is nonzero,
// ascending (the transposed events).
func (d *Device) FromDenseCols(e *Events, s *Buf, lds int) error {
	need("FromDenseCols", "s", s, span(e.Rows, e.Cols, lds))
	e.byCol = true
	return d.launch1("events_cols", e.Cols, args(e.Rows, e.Cols, s, lds, e.idx, e.Rows, e.cnt))
}

// Counts downloads the number of events of each row (or column).
func (d *Device) Counts(e *Events) ([]int32, error) {
	n := e.Rows
	if e.byCol {
		n = e.Cols
	}
	c := make([]int32, n)
	return c, d.DownloadInt32(c, e.cnt)
}

// EventMatMul computes Y = S·W (Y += S·W with accumulate) for the spikes
// listed by row in e and the e.Cols×n W (stride ldw), as
// kernels.EventMatMul: bit-identical for n > 32.
func (d *Device) EventMatMul(y *Buf, ldy int, e *Events, w *Buf, ldw, n int, accumulate bool) error {
	if e.byCol {
		panic("gpu: EventMatMul: events listed by column")
	}
	need("EventMatMul", "W", w, span(e.Cols, n, ldw))
	need("EventMatMul", "Y", y, span(e.Rows, n, ldy))
	return d.launch("event_matmul", [3]int{(n + 255) / 256, e.Rows, 1}, [3]int{256, 1, 1},
		args(e.Rows, n, e.idx, e.Cols, e.cnt, w, ldw, y, ldy, accumulate))
}

// EventMatMulGrad accumulates dW += Sᵀ·δ for the spikes listed by column in
// e, the e.Rows×n δ (stride ldd) and the e.Cols×n dW (stride lddw), as
// kernels.EventMatMulGrad: bit-identical.
func (d *Device) EventMatMulGrad(dw *Buf, lddw int, e *Events, delta *Buf, ldd, n int) error {
	if !e.byCol {
		panic("gpu: EventMatMulGrad: events listed by row")
	}
	need("EventMatMulGrad", "delta", delta, span(e.Rows, n, ldd))
	need("EventMatMulGrad", "dW", dw, span(e.Cols, n, lddw))
	return d.launch("event_matmul_grad", [3]int{(n + 255) / 256, e.Cols, 1}, [3]int{256, 1, 1},
		args(e.Cols, n, e.idx, e.Rows, e.cnt, delta, ldd, dw, lddw))
}

// CrossEntropyRows writes loss[r] = −log softmax(x_r)[labels[r]] for the
// rows×cols logits x (stride ldx), the log-sum-exp in double as
// kernels.LogSoftmaxRows, and, unless grad is nil, grad[r,j] =
// scale·(softmax(x_r)[j] − [j = labels[r]]) (stride cols). labels is int32.
func (d *Device) CrossEntropyRows(rows, cols int, x *Buf, ldx int, labels, loss, grad *Buf, scale float32) error {
	need("CrossEntropyRows", "x", x, span(rows, cols, ldx))
	need("CrossEntropyRows", "labels", labels, rows)
	need("CrossEntropyRows", "loss", loss, rows)
	if grad != nil {
		need("CrossEntropyRows", "grad", grad, rows*cols)
	}
	return d.launch1("ce_rows", rows, args(rows, cols, x, ldx, labels, loss, grad, scale))
}

// AdamStep is kernels.AdamStep without AMSGrad (bit-identical): one step
// on w with moments m and v and gradient g, all of n elements.
func (d *Device) AdamStep(n int, w, m, v, g *Buf, h kernels.AdamHyper) error {
	for _, b := range []*Buf{w, m, v, g} {
		need("AdamStep", "a slice", b, n)
	}
	c := h.Coef()
	return d.launch1("adam_step", n, args(n, w, m, v, g, c.Sign, c.L2, c.WD, c.Decay, c.C1, c.LerpG,
		c.Beta2, c.C2, c.BC2Sqrt, c.Eps, c.NegStep))
}

// sumBlocks is the grid of Sum's first pass on a device: fixed, so a sum's
// bits do not depend on the device. The emulator uses emuSumBlocks (each
// block of a synchronizing kernel costs it 256 coroutine starts).
const (
	sumBlocks    = 256
	emuSumBlocks = 8
)

// Sum returns the sum of x's first n elements: 256 blocks of 256 threads
// each add a strided share in order, then fixed binary trees (deterministic;
// equal to kernels.Sum up to float32 rounding). scratch needs 257 elements
// (nil allocates them). The emulator uses 8 first-pass blocks.
func (d *Device) Sum(x *Buf, n int, scratch *Buf) (float32, error) {
	need("Sum", "x", x, n)
	if scratch == nil {
		s, err := d.Alloc(sumBlocks + 1)
		if err != nil {
			return 0, err
		}
		defer d.Free(s)
		scratch = s
	}
	need("Sum", "scratch", scratch, sumBlocks+1)
	out := scratch.At(sumBlocks, 1)
	if err := d.sumTo(x, n, scratch, out); err != nil {
		return 0, err
	}
	var r [1]float32
	err := d.Download(r[:], out)
	return r[0], err
}

// sumTo launches Sum's two passes, the partials in scratch[0:256) and the
// sum into out (one element), without waiting for them.
func (d *Device) sumTo(x *Buf, n int, scratch, out *Buf) error {
	g := sumBlocks
	if d.Emulated() {
		g = emuSumBlocks
	}
	part := scratch.At(0, g)
	if err := d.launch("sum_partial", [3]int{g, 1, 1}, [3]int{256, 1, 1}, args(n, x, part)); err != nil {
		return err
	}
	return d.launch("sum_partial", [3]int{1, 1, 1}, [3]int{256, 1, 1}, args(g, part, out))
}

// AddColSums adds the column sums of the rows×cols x to dst, rows in
// order: kernels.AddColSums, bit-identical.
func (d *Device) AddColSums(dst, x *Buf, rows, cols int) error {
	need("AddColSums", "x", x, rows*cols)
	need("AddColSums", "dst", dst, cols)
	return d.launch1("col_sums", cols, args(rows, cols, x, dst))
}

// RowArgMax writes the index of the first largest element of each row of
// the rows×cols x into the int32 dst, as kernels.RowArgMax.
func (d *Device) RowArgMax(dst, x *Buf, rows, cols int) error {
	need("RowArgMax", "x", x, rows*cols)
	need("RowArgMax", "dst", dst, rows)
	return d.launch1("row_argmax", rows, args(rows, cols, x, dst))
}

// CorrectRows writes into out (float32, rows) 1 for each row of the
// rows×cols x whose first largest element (RowArgMax's) is at the int32
// labels' entry, else 0; Sum of out counts the correct predictions.
func (d *Device) CorrectRows(out, x, labels *Buf, rows, cols int) error {
	need("CorrectRows", "x", x, rows*cols)
	need("CorrectRows", "labels", labels, rows)
	need("CorrectRows", "out", out, rows)
	return d.launch1("correct_rows", rows, args(rows, cols, x, labels, out))
}

// GatherRows copies row ids[r] of src (rows of f values; ids int32) into
// row r of dst, for r < n.
func (d *Device) GatherRows(dst, src, ids *Buf, n, f int) error {
	need("GatherRows", "ids", ids, n)
	need("GatherRows", "dst", dst, n*f)
	return d.launch1("gather_rows", n*f, args(n, f, src, ids, dst))
}

// GatherLabels writes lab[r] = labels[ids[r]] for r < n and the same into
// labT[t·n + r] for t < T (all int32).
func (d *Device) GatherLabels(lab, labT, labels, ids *Buf, n, T int) error {
	need("GatherLabels", "ids", ids, n)
	need("GatherLabels", "lab", lab, n)
	need("GatherLabels", "labT", labT, T*n)
	return d.launch1("gather_labels", n, args(n, T, labels, ids, lab, labT))
}

// FillUniform is kernels.FillUniform on the device: the same Philox
// stream, the same bits.
func (d *Device) FillUniform(dst *Buf, lo, hi float32, seed, stream uint64) error {
	n := dst.n
	return d.launch1("philox_uniform", (n+3)/4, args(n, dst, lo, hi, seed, stream))
}

// FillNormal is kernels.FillNormal on the device: the same Philox stream;
// equal to float32 rounding (the device's double log, sin and cos may
// differ from Go's in the last place).
func (d *Device) FillNormal(dst *Buf, mean, std float32, seed, stream uint64) error {
	n := dst.n
	return d.launch1("philox_normal", (n+1)/2, args(n, dst, mean, std, seed, stream))
}

// SetRows sets each row of the rows×cols y to b.
func (d *Device) SetRows(y *Buf, rows, cols int, b *Buf) error {
	need("SetRows", "y", y, rows*cols)
	need("SetRows", "b", b, cols)
	return d.launch1("set_rows", rows*cols, args(rows, cols, y, b))
}

// Spikes is a device list of firing neuron indices and its length (a
// device counter, so kernels that read it need no round trip to the host).
type Spikes struct {
	Idx *Buf // int32 neuron indices, in no particular order
	N   *Buf // one int32: how many of Idx are valid
	Cap int
}

// NewSpikes allocates a list for up to n neurons.
func (d *Device) NewSpikes(n int) (*Spikes, error) {
	idx, err := d.Alloc(n)
	if err != nil {
		return nil, err
	}
	cnt, err := d.Alloc(1)
	if err != nil {
		d.Free(idx)
		return nil, err
	}
	return &Spikes{Idx: idx, N: cnt, Cap: n}, nil
}

// Read downloads the list.
func (d *Device) Read(s *Spikes) ([]int32, error) {
	var n [1]int32
	if err := d.DownloadInt32(n[:], s.N); err != nil {
		return nil, err
	}
	out := make([]int32, n[0])
	return out, d.DownloadInt32(out, s.Idx)
}

// JITScatter adds into dst (m.Cols elements) the rows of the JIT matrix m
// of the listed neurons in [lo, lo+m.Rows) (row = neuron − lo): the matrix
// kernels.JIT defines, generated on the device from the same Philox
// streams. Homogeneous and uniform weights; with homogeneous ones the
// result equals the CPU's scatter to the bit.
func (d *Device) JITScatter(dst *Buf, m *kernels.JIT, spk *Spikes, lo int) error {
	need("JITScatter", "dst", dst, m.Cols)
	if !(m.P > 0) || m.Cols == 0 {
		return nil
	}
	kind := 0
	switch m.Weight.Kind {
	case kernels.Homogeneous:
	case kernels.Uniform:
		kind = 1
	default:
		panic("gpu: JITScatter: only homogeneous and uniform weights run on the device")
	}
	dense := m.P >= 1
	invLog := 0.0
	if !dense {
		invLog = 1 / math.Log1p(-m.P)
	}
	return d.launch1("jit_scatter", scatterThreads(spk.Cap), args(spk.N, spk.Idx, lo, lo+m.Rows, m.Cols, dense, invLog,
		m.Seed, kind, m.Weight.A, m.Weight.B, dst))
}

// scatterThreads is the number of threads of a scatter over a spike list of
// capacity n: the kernels loop over the list with a grid stride, so a
// network of millions of neurons does not start millions of threads a step
// for the few thousand that fire.
func scatterThreads(n int) int { return min(n, scatterCap) }

// scatterCap caps the threads of a scatter (a variable so that the tests can
// make each thread loop).
var scatterCap = 1 << 16

// CSR is a sparse matrix on the device (kernels.CSR's arrays).
type CSR struct {
	Rows, Cols    int
	ptr, col, val *Buf
}

// UploadCSR copies c to the device.
func (d *Device) UploadCSR(c *kernels.CSR) (*CSR, error) {
	if len(c.Col) > math.MaxInt32 {
		return nil, fmt.Errorf("gpu: CSR with %d connections: the device kernels index with int32", len(c.Col))
	}
	rowPtr := make([]int32, len(c.Ptr))
	for i, p := range c.Ptr {
		rowPtr[i] = int32(p)
	}
	ptr, err := d.Alloc(len(rowPtr))
	if err != nil {
		return nil, err
	}
	col, err := d.Alloc(len(c.Col))
	if err != nil {
		return nil, err
	}
	val, err := d.Alloc(len(c.Val))
	if err != nil {
		return nil, err
	}
	if err := d.UploadInt32(ptr, rowPtr); err != nil {
		return nil, err
	}
	if err := d.UploadInt32(col, c.Col); err != nil {
		return nil, err
	}
	if err := d.Upload(val, c.Val); err != nil {
		return nil, err
	}
	return &CSR{Rows: c.Rows, Cols: c.Cols, ptr: ptr, col: col, val: val}, nil
}

// CSRScatter adds into dst the rows of c of the listed neurons in [lo,
// lo+c.Rows): dst[col] += val, atomically (equal to kernels' CSR scatter up
// to the order of the adds).
func (d *Device) CSRScatter(dst *Buf, c *CSR, spk *Spikes, lo int) error {
	need("CSRScatter", "dst", dst, c.Cols)
	return d.launch1("csr_scatter", scatterThreads(spk.Cap), args(spk.N, spk.Idx, lo, lo+c.Rows, c.ptr, c.col, c.val, dst))
}

// COBAStep is kernels.LIFCondStep for the n neurons of v, ge, gi, last at
// step t, appending the neurons that fire to spk (whose counter the caller
// zeroes). Bit-identical membranes and conductances; the spike list is in
// no particular order.
func (d *Device) COBAStep(n int, v, ge, gi, last *Buf, t int32, p *kernels.LIFCond, spk *Spikes) error {
	for _, b := range []*Buf{v, ge, gi, last} {
		need("COBAStep", "state", b, n)
	}
	need("COBAStep", "spikes", spk.Idx, n)
	return d.launch1("coba_step", n, args(n, v, ge, gi, last, t, p.C, p.El+p.I, p.Ee, p.Ei, p.DecE, p.DecI,
		p.Vth, p.Vr, p.RefSteps, spk.Idx, spk.N))
}
