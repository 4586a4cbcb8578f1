package kernels

// Feature-major sparse products for training (tensor's CSRMatMul and
// JITMatMul). A batch of inputs is held transposed, xT (features × batch),
// so that each stored or generated connection (i, j, w) of M becomes one
// vector operation over the batch: yT[j,:] += w·xT[i,:] (forward),
// dxT[i,:] += w·gT[j,:] (input gradient), Σ_b xT[i,b]·gT[j,b] (weight
// gradient). Batch-major loops instead touch one float per sample and
// connection, a cache line apart. The caller transposes with Transpose.
//
// The multiply-adds of the forward and input-gradient kernels go through
// axpyFused, which rounds each element the same way whatever the slice
// length a thread split produces (fused on AVX-512 machines, at every
// length; a plain multiply then add elsewhere), so the results are
// bit-identical for any Threads() on a given machine. The weight-gradient
// sums use Dot over the whole batch (never split), so they too are
// independent of Threads(). The reference loops below write the
// multiply-add as fma(a, x, y); on machines without AVX-512 read a·x + y.

// axpyFused computes dst[i] += a·x[i] for i < len(dst), with one rounding
// (an FMA) on AVX-512 machines at every length, unlike Axpy, whose short
// slices take an unfused loop.
func axpyFused(dst []float32, a float32, x []float32) {
	n := len(dst)
	if n == 0 {
		return
	}
	if vecAVX512 {
		axpyAVX512(&dst[0], &x[0], n, a)
		return
	}
	axpyGo(dst, a, x[:n])
}

func allZero(x []float32) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

// fmGrain is the least number of batch columns a goroutine takes in the
// batch-split kernels.
const fmGrain = 32

// jitSplitGrain is the least number of batch columns a goroutine takes in
// JIT.MatMulFM.
const jitSplitGrain = 256

// MatMulFM sets yT = (X·M)ᵀ for the Rows×batch xT = Xᵀ and the Cols×batch
// yT, with fused multiply-adds, rows of X that are zero for every sample
// and entries of weight 0 skipped (they add only zeros to finite inputs):
//
//	yT[:] = 0
//	for i := 0; i < m.Rows; i++ {
//		if xT[i*batch : (i+1)*batch] is all zero { continue }
//		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//			for b := 0; b < batch; b++ {
//				yT[int(m.Col[k])*batch+b] = fma(m.Val[k], xT[i*batch+b], yT[int(m.Col[k])*batch+b])
//			}
//		}
//	}
//
// The batch is split among goroutines; bit-identical for any Threads().
func (m *CSR) MatMulFM(yT, xT []float32, batch int) {
	val := m.vals("MatMulFM")
	checkMat("CSR.MatMulFM", m.Cols, batch, yT)
	checkMat("CSR.MatMulFM", m.Rows, batch, xT)
	Parallel(batch, max(fmGrain, batch*scatterGrain/max(1, batch*len(m.Col))), func(b0, b1 int) {
		for j := 0; j < m.Cols; j++ {
			clear(yT[j*batch+b0 : j*batch+b1])
		}
		for i := 0; i < m.Rows; i++ {
			xi := xT[i*batch+b0 : i*batch+b1]
			if allZero(xi) {
				continue
			}
			k0, k1 := m.Ptr[i], m.Ptr[i+1]
			vs := val[k0:k1]
			for t, c := range m.Col[k0:k1] {
				if vs[t] != 0 {
					axpyFused(yT[int(c)*batch+b0:int(c)*batch+b1], vs[t], xi)
				}
			}
		}
	})
}

// MatMulTFM sets dxT = (G·Mᵀ)ᵀ, the input gradient of Y = X·M, for the
// Cols×batch gT = Gᵀ and the Rows×batch dxT, with fused multiply-adds
// (entries of weight 0 skipped):
//
//	for i := 0; i < m.Rows; i++ {
//		dxT[i*batch : (i+1)*batch] = 0
//		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//			for b := 0; b < batch; b++ {
//				dxT[i*batch+b] = fma(m.Val[k], gT[int(m.Col[k])*batch+b], dxT[i*batch+b])
//			}
//		}
//	}
//
// Rows are split among goroutines; bit-identical for any Threads().
func (m *CSR) MatMulTFM(dxT, gT []float32, batch int) {
	val := m.vals("MatMulTFM")
	checkMat("CSR.MatMulTFM", m.Rows, batch, dxT)
	checkMat("CSR.MatMulTFM", m.Cols, batch, gT)
	grain := max(1, m.Rows*scatterGrain/max(1, batch*len(m.Col)))
	Parallel(m.Rows, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d := dxT[i*batch : (i+1)*batch]
			clear(d)
			k0, k1 := m.Ptr[i], m.Ptr[i+1]
			vs := val[k0:k1]
			for t, c := range m.Col[k0:k1] {
				if vs[t] != 0 {
					axpyFused(d, vs[t], gT[int(c)*batch:(int(c)+1)*batch])
				}
			}
		}
	})
}

// ValGradFM accumulates the gradient of Y = X·M with respect to the stored
// values of M (NNZ() entries; m.Val is not read and may be nil), for the
// Rows×batch xT = Xᵀ and the Cols×batch gT = Gᵀ: value k of row i gains
// Dot(xT[i,:], gT[Col[k],:]), rows of X that are zero for every sample
// skipped:
//
//	for i := 0; i < m.Rows; i++ {
//		if xT[i*batch : (i+1)*batch] is all zero { continue }
//		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//			dval[k] += Dot(xT[i*batch:(i+1)*batch], gT[int(m.Col[k])*batch:])
//		}
//	}
//
// (Dot sums in a fixed lane order that differs from a plain loop by
// rounding only.) Rows are split among goroutines; bit-identical for any
// Threads().
func (m *CSR) ValGradFM(dval, xT, gT []float32, batch int) {
	checkLen("CSR.ValGradFM", len(m.Col), dval)
	checkMat("CSR.ValGradFM", m.Rows, batch, xT)
	checkMat("CSR.ValGradFM", m.Cols, batch, gT)
	grain := max(1, m.Rows*scatterGrain/max(1, batch*len(m.Col)))
	Parallel(m.Rows, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			k0, k1 := m.Ptr[i], m.Ptr[i+1]
			xi := xT[i*batch : (i+1)*batch]
			if k0 == k1 || allZero(xi) {
				continue
			}
			dv := dval[k0:k1]
			for t, c := range m.Col[k0:k1] {
				dv[t] += Dot(xi, gT[int(c)*batch:(int(c)+1)*batch])
			}
		}
	})
}

// MatMulFM sets yT = (X·M)ᵀ for the Rows×batch xT = Xᵀ and the Cols×batch
// yT, regenerating each row of M whose input is nonzero in some sample
// (connections of weight 0 skipped; for binary spikes X, the rows of the neurons that fired anywhere in the
// batch; each is generated once per batch, not once per spike):
//
//	yT[:] = 0
//	for i := 0; i < m.Rows; i++ {
//		if xT[i*batch : (i+1)*batch] is all zero { continue }
//		for each connection (j, w) of row i {
//			for b := 0; b < batch; b++ {
//				yT[j*batch+b] = fma(w, xT[i*batch+b], yT[j*batch+b])
//			}
//		}
//	}
//
// The batch is split among goroutines, each regenerating the rows it
// needs; bit-identical for any Threads().
func (m *JIT) MatMulFM(yT, xT []float32, batch int) {
	m.check("MatMulFM")
	checkMat("JIT.MatMulFM", m.Cols, batch, yT)
	checkMat("JIT.MatMulFM", m.Rows, batch, xT)
	// A split costs a regeneration of every active row per goroutine, and
	// generating a connection (a Philox word and a logarithm) costs about
	// as much as a 256-wide multiply-add: split only batches wider than
	// that, where the vector work dominates.
	Parallel(batch, jitSplitGrain, func(b0, b1 int) {
		for j := 0; j < m.Cols; j++ {
			clear(yT[j*batch+b0 : j*batch+b1])
		}
		var r JITRow
		for i := 0; i < m.Rows; i++ {
			xi := xT[i*batch+b0 : i*batch+b1]
			if allZero(xi) {
				continue
			}
			m.initRow(&r, i)
			for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
				if w != 0 {
					axpyFused(yT[j*batch+b0:j*batch+b1], w, xi)
				}
			}
		}
	})
}

// TransposeGradFM is the backward pass of Y = X·M for a JIT matrix, in
// feature-major layout (xT = Xᵀ Rows×batch, gT = Gᵀ Cols×batch), generating
// each row of M once:
//
//	dxT (Rows×batch, nil: skipped) is set to (G·Mᵀ)ᵀ (connections of
//	weight 0 skipped);
//	dp (Rows, nil: skipped): dp[i] = Σ_j P[i,j]·⟨xT[i,:], gT[j,:]⟩;
//	dr (Rows, nil: skipped): dr[i] = Σ_j R[i,j]·⟨xT[i,:], gT[j,:]⟩,
//
// P the pattern of M and R its connections' raw draws (see jit_grad.go):
//
//	for i := 0; i < m.Rows; i++ {
//		dxT[i,:] = 0; dp[i], dr[i] = 0, 0
//		active := xT[i,:] is not all zero
//		for each connection (j, w, raw) of row i {
//			dxT[i,b] = fma(w, gT[j,b], dxT[i,b]) for every b
//			if active {
//				s := Dot(xT[i,:], gT[j,:])
//				dp[i] += s
//				dr[i] += raw * s
//			}
//		}
//	}
//
// When dxT is nil, rows whose input is zero in every sample are not
// generated: for binary spikes the weight gradient costs the connections
// of the neurons that fired. xT may be nil when dp and dr are. Rows are
// split among goroutines; bit-identical for any Threads().
func (m *JIT) TransposeGradFM(dxT, dp, dr, xT, gT []float32, batch int) {
	m.check("TransposeGradFM")
	checkMat("JIT.TransposeGradFM", m.Cols, batch, gT)
	if dxT != nil {
		checkMat("JIT.TransposeGradFM", m.Rows, batch, dxT)
	}
	wantW := dp != nil || dr != nil
	if wantW {
		checkMat("JIT.TransposeGradFM", m.Rows, batch, xT)
	}
	if dp != nil {
		checkLen("JIT.TransposeGradFM", m.Rows, dp)
	}
	if dr != nil {
		checkLen("JIT.TransposeGradFM", m.Rows, dr)
	}
	grain := max(1, 1<<14/max(1, batch*int(m.P*float64(m.Cols))))
	Parallel(m.Rows, grain, func(lo, hi int) {
		var r JITRow
		for i := lo; i < hi; i++ {
			var d []float32
			if dxT != nil {
				d = dxT[i*batch : (i+1)*batch]
				clear(d)
			}
			var xi []float32
			active := false
			if wantW {
				xi = xT[i*batch : (i+1)*batch]
				active = !allZero(xi)
			}
			var sp, sr float32
			if d != nil || active {
				m.initRow(&r, i)
				for {
					j, raw, ok := r.nextRaw()
					if !ok {
						break
					}
					gj := gT[j*batch : (j+1)*batch]
					if d != nil {
						if w := r.weight(raw); w != 0 {
							axpyFused(d, w, gj)
						}
					}
					if active {
						s := Dot(xi, gj)
						sp += s
						sr += raw * s
					}
				}
			}
			if dp != nil {
				dp[i] = sp
			}
			if dr != nil {
				dr[i] = sr
			}
		}
	})
}
