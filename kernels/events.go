package kernels

import "math"

// Events is a compact list of the spikes of a binary rows×cols matrix S (a
// batch of spike vectors, one row per sample or time step): row r's active
// columns are Idx[Ptr[r]:Ptr[r+1]], in ascending order. It is S in CSR form
// without values; every listed entry stands for a 1.
//
// Build it from dense spikes with FromDense, which reuses the buffers, so a
// training step keeps one Events per spiking layer and step and passes the
// same value to the forward (EventMatMul) and weight-gradient
// (EventMatMulGrad) kernels.

type Events struct {
	Rows, Cols int
	Ptr        []int32 // len Rows+1, Ptr[0] = 0, non-decreasing
	Idx        []int32 // len Ptr[Rows]; column indices in [0, Cols)

	// Set by SpikeMatMul when it took the dense path without listing
	// the spikes: nnz is their count.
	unlisted bool
	nnz      int
}

// FromDense sets e to the nonzero pattern of the rows×cols row-major matrix
// s: an element is a spike when s[r*cols+c] != 0 (any nonzero value, NaN
// included, counts as a 1). Buffers are reused when large enough; the
// index buffer is grown to rows·cols once, so steady-state calls do not
// allocate.
func (e *Events) FromDense(s []float32, rows, cols int) {
	if rows < 0 || cols < 0 || rows*cols > math.MaxInt32-16 {
		panic("kernels: Events.FromDense: bad dimensions")
	}
	checkLen("Events.FromDense", rows*cols, s)
	e.Rows, e.Cols = rows, cols
	if cap(e.Ptr) < rows+1 {
		e.Ptr = make([]int32, rows+1)
	}
	e.Ptr = e.Ptr[:rows+1]
	if need := rows*cols + 16; cap(e.Idx) < need {
		e.Idx = make([]int32, need)
	}
	idx := e.Idx[:cap(e.Idx)]
	k := 0
	e.Ptr[0] = 0
	for r := 0; r < rows; r++ {
		row := s[r*cols : r*cols+cols]
		if vecAVX512 && cols >= 16 {
			k += compressNonzeroAVX512(&idx[k], &row[0], cols)
		} else {
			k += compressNonzeroGo(idx[k:], row)
		}
		e.Ptr[r+1] = int32(k)
	}
	e.Idx = idx[:k]
	e.unlisted = false
}

// compressNonzeroGo writes the indices of the nonzero elements of s to idx
// and returns their count. It is branch-free: idx needs room for one more
// entry than the count.
func compressNonzeroGo(idx []int32, s []float32) int {
	idx = idx[:len(s)+1]
	k := 0
	for j, v := range s {
		idx[k] = int32(j)
		x := math.Float32bits(v) &^ (1 << 31)
		k += int((x | -x) >> 31)
	}
	return k
}

// NNZ returns the number of spikes.
func (e *Events) NNZ() int {
	if e.unlisted {
		return e.nnz
	}
	if len(e.Ptr) == 0 {
		return 0
	}
	return int(e.Ptr[e.Rows])
}

// Density returns the fraction of entries of S that are spikes (0 for an
// empty matrix).
func (e *Events) Density() float64 {
	if e.Rows == 0 || e.Cols == 0 {
		return 0
	}
	return float64(e.NNZ()) / (float64(e.Rows) * float64(e.Cols))
}

// Row returns the active columns of row r.
func (e *Events) Row(r int) []int32 { return e.Idx[e.Ptr[r]:e.Ptr[r+1]] }

// ToDense writes S into the rows×cols row-major dst (1 for a spike, else 0).
func (e *Events) ToDense(dst []float32) {
	checkLen("Events.ToDense", e.Rows*e.Cols, dst)
	clear(dst[:e.Rows*e.Cols])
	for r := 0; r < e.Rows; r++ {
		for _, c := range e.Row(r) {
			dst[r*e.Cols+int(c)] = 1
		}
	}
}

// TransposeTo sets t to Sᵀ: t.Rows = e.Cols, and t's row c lists, in
// ascending order, the rows of S in which column c spiked. t's buffers are
// reused when large enough. Cost O(Rows + Cols + NNZ).
func (e *Events) TransposeTo(t *Events) {
	e.check("Events.TransposeTo")
	if t == e {
		panic("kernels: Events.TransposeTo: t aliases e")
	}
	nnz := e.NNZ()
	t.Rows, t.Cols = e.Cols, e.Rows
	if cap(t.Ptr) < t.Rows+1 {
		t.Ptr = make([]int32, t.Rows+1)
	}
	t.Ptr = t.Ptr[:t.Rows+1]
	if cap(t.Idx) < nnz {
		t.Idx = make([]int32, nnz, max(nnz, t.Rows*t.Cols/8))
	}
	t.Idx = t.Idx[:nnz]
	ptr := t.Ptr
	clear(ptr)
	for _, c := range e.Idx[:nnz] {
		ptr[c+1]++
	}
	for c := 0; c < t.Rows; c++ {
		ptr[c+1] += ptr[c]
	}
	// ptr[c] is now the start of row c; use it as the fill cursor, then
	// shift back.
	for r := 0; r < e.Rows; r++ {
		for _, c := range e.Row(r) {
			t.Idx[ptr[c]] = int32(r)
			ptr[c]++
		}
	}
	copy(ptr[1:], ptr[:t.Rows])
	ptr[0] = 0
}

// check panics unless e is well formed: Ptr has Rows+1 non-decreasing
// entries from 0, and every index lies in [0, Cols). The kernels call it
// because their assembly does not bounds-check; it costs O(Rows + NNZ).
func (e *Events) check(name string) {
	if e.Rows < 0 || e.Cols < 0 || len(e.Ptr) != e.Rows+1 || e.Ptr[0] != 0 {
		panic("kernels: " + name + ": malformed Events (Ptr)")
	}
	for r := 0; r < e.Rows; r++ {
		if e.Ptr[r+1] < e.Ptr[r] {
			panic("kernels: " + name + ": malformed Events (Ptr decreasing)")
		}
	}
	if int(e.Ptr[e.Rows]) > len(e.Idx) {
		panic("kernels: " + name + ": malformed Events (Idx too short)")
	}
	cols := uint32(e.Cols)
	for _, c := range e.Idx[:e.Ptr[e.Rows]] {
		if uint32(c) >= cols {
			panic("kernels: " + name + ": Events index out of range")
		}
	}
}

// eventBlock is the column width of the event kernels' register tile.
const eventBlock = 128

// EventMatMul computes Y = S·W for the binary spike matrix S held by e
// (e.Rows×e.Cols) and the e.Cols×n row-major W (row stride ldw), writing the
// e.Rows×n result into y (row stride ldy). With accumulate it adds to y
// instead (Y += S·W). Row b of the product is the sum of the rows of W
// whose inputs fired in sample b; the cost is proportional to the number of
// spikes times n.
//
// Reference loop (the result is bit-identical to it for any Threads()):
//
//	for b := 0; b < e.Rows; b++ {
//		if !accumulate {
//			y[b*ldy : b*ldy+n] = 0
//		}
//		for _, i := range e.Row(b) {     // ascending
//			for j := 0; j < n; j++ {
//				y[b*ldy+j] += w[int(i)*ldw+j]
//			}
//		}
//	}
//
// Work is split over column blocks of n (or over rows of S when n is
// narrow); each output element is summed by one goroutine in index order.
//
// Outputs at most narrowEvent (32) wide, a readout layer, are summed
// differently: a row's listed inputs are dealt in turn to four partial sums,
// which are then added as (s0+s1)+(s2+s3) (and that to y with accumulate).
// Four independent sums keep the adds from waiting on each other, and one
// masked vector (two for n > 16) per row of W replaces the wide kernel's
// seven (BenchmarkEventNarrow has the figures). The result is still the
// same for any Threads() (rowSumNarrowGo is the reference).
func EventMatMul(y []float32, ldy int, e *Events, w []float32, ldw, n int, accumulate bool) {
	e.check("EventMatMul")
	checkStrided("EventMatMul", "W", w, e.Cols, n, ldw)
	checkStrided("EventMatMul", "Y", y, e.Rows, n, ldy)
	if n == 0 || e.Rows == 0 {
		return
	}
	if n <= narrowEvent {
		narrowRowSums(y, ldy, e.Rows, e.Ptr, e.Idx, w, ldw, n, accumulate)
		return
	}
	rowSums(y, ldy, e.Rows, e.Ptr, e.Idx, w, ldw, n, accumulate, false)
}

// narrowEvent is the widest output EventMatMul sums with the narrow
// kernels (four partial sums per row).
const narrowEvent = 32

// narrowMask is the AVX-512 lane mask of n ≤ 32 columns: bits 0-15 for the
// first vector of 16, bits 16-31 for the second.
func narrowMask(n int) uint32 { return uint32(uint64(1)<<uint(n) - 1) }

// narrowRowSums is rowSums for n ≤ narrowEvent, split over rows between
// goroutines when there is enough work.
func narrowRowSums(y []float32, ldy, rows int, ptr, idx []int32, w []float32, ldw, n int, acc bool) {
	run := func(r0, r1 int) {
		switch {
		case !vecAVX512:
			rowSumNarrowGo(y[r0*ldy:], ldy, r1-r0, ptr[r0:r1+1], idx, w, ldw, n, acc)
		case n <= 16:
			rowSumNarrow16(&y[r0*ldy], ldy, &w[0], ldw, &ptr[r0], &idx[0], r1-r0, acc, narrowMask(n))
		default:
			rowSumNarrow32(&y[r0*ldy], ldy, &w[0], ldw, &ptr[r0], &idx[0], r1-r0, acc, narrowMask(n))
		}
	}
	if len(idx) == 0 {
		idx = []int32{0} // the kernels take &idx[0]; no row lists anything
	}
	// Below about 64k adds one goroutine is faster than two.
	if int(ptr[rows]-ptr[0])*n < 1<<16 || Threads() == 1 || rows < 2 {
		run(0, rows)
		return
	}
	Parallel(rows, 1, run)
}

// rowSumNarrowGo is the narrow kernels' reference: row r of y (for r <
// rows, n columns, row r's inputs idx[ptr[r]:ptr[r+1]]) is set to, or with
// acc added to, (s0+s1)+(s2+s3), where s_a sums in order the rows of w of
// the row's inputs at positions p ≡ a (mod 4) of its list.
func rowSumNarrowGo(y []float32, ldy, rows int, ptr, idx []int32, w []float32, ldw, n int, acc bool) {
	var s [4][narrowEvent]float32
	for r := 0; r < rows; r++ {
		s = [4][narrowEvent]float32{}
		for p, i := range idx[ptr[r]:ptr[r+1]] {
			a := &s[p%4]
			for j, v := range w[int(i)*ldw : int(i)*ldw+n] {
				a[j] += v
			}
		}
		dst := y[r*ldy : r*ldy+n]
		for j := range dst {
			v := (s[0][j] + s[1][j]) + (s[2][j] + s[3][j])
			if acc {
				v = dst[j] + v
			}
			dst[j] = v
		}
	}
}

// EventMatMulGrad accumulates the weight gradient of EventMatMul:
// dW += Sᵀ·δ, for the binary spike matrix S held by e (e.Rows×e.Cols), the
// e.Rows×n output gradient δ (row stride ldd) and the e.Cols×n dW (row
// stride lddw). Row i of dW gains the sum of the rows of δ of the samples in
// which input i fired, so only rows of inputs that fired are touched. t is
// scratch for Sᵀ (filled with e.TransposeTo(t)); nil allocates one.
//
// Reference loop (bit-identical for any Threads(): each element sums its
// samples in ascending order):
//
//	for b := 0; b < e.Rows; b++ {
//		for _, i := range e.Row(b) {
//			for j := 0; j < n; j++ {
//				dw[int(i)*lddw+j] += delta[b*ldd+j]
//			}
//		}
//	}
//
// The gradient with respect to S is the dense product δ·Wᵀ (use Gemm).
func EventMatMulGrad(dw []float32, lddw int, e *Events, delta []float32, ldd, n int, t *Events) {
	e.check("EventMatMulGrad")
	if n <= narrowGrad {
		// Narrow outputs (a readout layer): scatter each sample's δ row into
		// the rows of the inputs that fired, in the reference loop's order.
		// Transposing the spike lists would cost more than the adds.
		checkStrided("EventMatMulGrad", "delta", delta, e.Rows, n, ldd)
		checkStrided("EventMatMulGrad", "dW", dw, e.Cols, n, lddw)
		if n == 0 || e.NNZ() == 0 {
			return
		}
		switch {
		case vecAVX512 && n <= 16:
			scatterNarrow16(&dw[0], lddw, &delta[0], ldd, &e.Ptr[0], &e.Idx[0], e.Rows, narrowMask(n))
			return
		case vecAVX512:
			scatterNarrow32(&dw[0], lddw, &delta[0], ldd, &e.Ptr[0], &e.Idx[0], e.Rows, narrowMask(n))
			return
		}
		for b := 0; b < e.Rows; b++ {
			d := delta[b*ldd : b*ldd+n]
			for _, i := range e.Row(b) {
				dst := dw[int(i)*lddw : int(i)*lddw+n]
				for j, v := range d {
					dst[j] += v
				}
			}
		}
		return
	}
	if t == nil {
		t = new(Events)
	}
	e.TransposeTo(t)
	cptr, cidx := t.Ptr, t.Idx
	checkStrided("EventMatMulGrad", "delta", delta, e.Rows, n, ldd)
	checkStrided("EventMatMulGrad", "dW", dw, e.Cols, n, lddw)
	if n == 0 || e.Cols == 0 {
		return
	}
	rowSums(dw, lddw, e.Cols, cptr, cidx, delta, ldd, n, true, true)
}

// narrowGrad is the widest output for which EventMatMulGrad scatters
// directly instead of transposing the spike lists.
const narrowGrad = narrowEvent

func checkStrided(name, what string, s []float32, rows, cols, ld int) {
	if rows < 0 || cols < 0 || ld < cols {
		panic("kernels: " + name + ": bad dimensions or stride of " + what)
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		panic("kernels: " + name + ": " + what + " too short")
	}
}

// rowSums sets (or, with acc, adds to) y[r*ldy : r*ldy+n] the sum of the
// rows w[i*ldw : i*ldw+n] for i in idx[ptr[r]:ptr[r+1]], in index order,
// for every r < rows. skipEmpty leaves rows without indices untouched
// (only meaningful with acc).
func rowSums(y []float32, ldy, rows int, ptr, idx []int32, w []float32, ldw, n int, acc, skipEmpty bool) {
	nnz := int(ptr[rows])
	nb := (n + eventBlock - 1) / eventBlock
	th := Threads()
	// Below about 256k adds one goroutine is faster than two.
	small := nnz*n+rows*n < 1<<18
	switch {
	case small || th == 1:
		rowSumsRange(y, ldy, 0, rows, ptr, idx, w, ldw, 0, n, acc, skipEmpty)
	case nb >= 2*th || rows < 2*th:
		Parallel(nb, 1, func(b0, b1 int) {
			rowSumsRange(y, ldy, 0, rows, ptr, idx, w, ldw, b0*eventBlock, min(b1*eventBlock, n), acc, skipEmpty)
		})
	default:
		Parallel(rows, 1, func(r0, r1 int) {
			rowSumsRange(y, ldy, r0, r1, ptr, idx, w, ldw, 0, n, acc, skipEmpty)
		})
	}
}

// rowSumsRange is rowSums over rows [r0, r1) and columns [c0, c1), tiled in
// column blocks of eventBlock so a block of W stays in cache across rows.
func rowSumsRange(y []float32, ldy, r0, r1 int, ptr, idx []int32, w []float32, ldw, c0, c1 int, acc, skipEmpty bool) {
	var masks [8]uint16
	for cb := c0; cb < c1; cb += eventBlock {
		width := min(eventBlock, c1-cb)
		if vecAVX512 && width < eventBlock {
			setMasks(&masks, width)
		}
		for r := r0; r < r1; r++ {
			ix := idx[ptr[r]:ptr[r+1]]
			if skipEmpty && len(ix) == 0 {
				continue
			}
			dst := y[r*ldy+cb : r*ldy+cb+width]
			switch {
			case !vecAVX512:
				rowSumGo(dst, w[cb:], ldw, ix, acc)
			case len(ix) == 0:
				if !acc {
					clear(dst)
				}
			case width == eventBlock:
				rowSum128AVX512(&dst[0], &w[cb], ldw, &ix[0], len(ix), acc)
			case width <= 112:
				rowSum112AVX512(&dst[0], &w[cb], ldw, &ix[0], len(ix), acc, &masks)
			default:
				rowSum112AVX512(&dst[0], &w[cb], ldw, &ix[0], len(ix), acc, &masks)
				rowSumGo(dst[112:], w[cb+112:], ldw, ix, acc)
			}
		}
	}
}

// setMasks sets masks[k] to the AVX-512 lane mask of the k-th group of 16
// columns of a block of the given width (at most 112 are used).
func setMasks(m *[8]uint16, width int) {
	for k := range m {
		c := min(max(width-16*k, 0), 16)
		m[k] = uint16(1<<c - 1)
	}
}

func rowSumGo(dst, w []float32, ldw int, idx []int32, acc bool) {
	if !acc {
		clear(dst)
	}
	for _, i := range idx {
		row := w[int(i)*ldw:][:len(dst)]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// DefaultEventCrossover is the spike density below which SpikeMatMul and
// SpikeMatMulGrad take the event-driven path rather than the dense Gemm,
// for outputs at least 128 wide: where forward plus weight gradient
// (listing the spikes included) on 128×1000×1000 at 2 threads crossed the
// two AVX-512 GEMMs (BENCHMARKS.md, "Event-driven matmul", records the
// measurement and its command).
const DefaultEventCrossover = 0.3

// EventCrossover is the density below which the event path is taken for n
// outputs. Narrow outputs (a readout) gain less from events, because
// listing the spikes (CountNonzero and FromDense) costs a large part of
// Gemm's whole product; the thresholds are where BenchmarkEventNarrow (one
// thread, 64×1000×n, forward plus weight gradient, listing included)
// crossed Gemm, as BENCHMARKS.md records. (The tape's SpikeMatMul takes the
// dense narrow kernels for n ≤ 16, which beat both.)
func EventCrossover(n int) float64 {
	switch {
	case n <= 16:
		return 0.15
	case n <= 32:
		return 0.2
	case n <= 64:
		return 0.14
	}
	return DefaultEventCrossover
}

// CountNonzero returns the number of elements of s that are not zero (NaN
// counts as nonzero, -0 does not).
//
//	for _, v := range s {
//		if v != 0 {
//			n++
//		}
//	}
func CountNonzero(s []float32) int {
	if vecAVX512 && len(s) > 0 {
		return countNonzeroAVX512(&s[0], len(s))
	}
	n := 0
	for _, v := range s {
		x := math.Float32bits(v) &^ (1 << 31)
		n += int((x | -x) >> 31)
	}
	return n
}

// CountSpikes returns the number of elements of s that are not zero and the
// number that are neither 0 nor 1 (NaN counts in both, -0 in neither): s
// holds spikes only when other is 0.
func CountSpikes(s []float32) (nnz, other int) {
	if vecAVX512 && len(s) > 0 {
		return countSpikesAVX512(&s[0], len(s))
	}
	for _, v := range s {
		if v != 0 {
			nnz++
			if v != 1 {
				other++
			}
		}
	}
	return nnz, other
}

// SpikeMatMul computes Y = S·W (or Y += S·W with accumulate) for the
// rows×cols dense spike matrix s and the cols×n W (row stride ldw), y
// having row stride ldy. It counts the spikes first; when s holds only 0s
// and 1s and is below DefaultEventCrossover density it lists them in e
// (e.FromDense) and takes the event path, otherwise it calls Gemm and
// records only the count in e (e.NNZ and e.Density report it; e.Ptr and
// e.Idx are emptied). Pass the same e to SpikeMatMulGrad. It returns whether
// the event path ran. The two paths agree up to float32 rounding on spikes;
// any other value in s (a current or rate handed to an event-driven
// projection) takes Gemm, which multiplies by it, so the product is s·W
// for every s.
func SpikeMatMul(y []float32, ldy int, s []float32, rows, cols int, w []float32, ldw, n int, accumulate bool, e *Events) bool {
	if rows < 0 || cols < 0 {
		panic("kernels: SpikeMatMul: negative dimension")
	}
	checkLen("SpikeMatMul", rows*cols, s)
	// The event path counts every nonzero as a spike of 1: a matrix with
	// any other value (a current, a rate) takes the dense product.
	nnz, other := CountSpikes(s[:rows*cols])
	if other == 0 && float64(nnz) < EventCrossover(n)*float64(rows)*float64(cols) {
		e.FromDense(s, rows, cols)
		EventMatMul(y, ldy, e, w, ldw, n, accumulate)
		return true
	}
	e.Rows, e.Cols, e.Ptr, e.Idx = rows, cols, e.Ptr[:0], e.Idx[:0]
	e.unlisted, e.nnz = true, nnz
	var beta float32
	if accumulate {
		beta = 1
	}
	if rows > 0 && n > 0 {
		Gemm(false, false, rows, n, cols, 1, s, cols, w, ldw, beta, y, ldy)
	}
	return false
}

// SpikeMatMulGrad accumulates dW += Sᵀ·δ for the spikes s that
// SpikeMatMul last saw through e, taking the path SpikeMatMul took: the
// event-driven gradient when e lists the spikes, Gemm on s otherwise. t is
// scratch for the event path (nil allocates). It returns whether the event
// path ran.
func SpikeMatMulGrad(dw []float32, lddw int, e *Events, s []float32, delta []float32, ldd, n int, t *Events) bool {
	if !e.unlisted {
		EventMatMulGrad(dw, lddw, e, delta, ldd, n, t)
		return true
	}
	checkLen("SpikeMatMulGrad", e.Rows*e.Cols, s)
	if e.Cols > 0 && n > 0 {
		Gemm(true, false, e.Cols, n, e.Rows, 1, s, e.Cols, delta, ldd, 1, dw, lddw)
	}
	return false
}
