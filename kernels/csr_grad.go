package kernels

// Gradients of the sparse product Y = X·M with a fixed CSR structure and
// trainable values (tensor's CSRMatMul). The forward products are
// CSR.MatMul (dense X) and CSR.EventMatMul (binary X), the input gradient
// dX = G·Mᵀ is CSR.MatMulT; these kernels give the gradient with respect to
// the stored values. Each value belongs to one row of M, so splitting the
// rows among goroutines makes every value's sum independent of Threads().

// ValGrad accumulates the gradient of Y = X·M with respect to the stored
// values of M, for the batch×Rows X and the batch×Cols output gradient G:
// the value of entry k of row i, at column Col[k], gains Σ_b X[b,i]·G[b,Col[k]],
// samples with X[b,i] == 0 skipped (they add only zeros while G is finite):
//
//	for i := 0; i < m.Rows; i++ {
//		for b := 0; b < batch; b++ {
//			a := x[b*m.Rows+i]
//			if a == 0 {
//				continue
//			}
//			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//				dval[k] += a * g[b*m.Cols+int(m.Col[k])]
//			}
//		}
//	}
//
// dval has NNZ() entries; m.Val is not read (it may be nil). Rows are split
// among goroutines; bit-identical for any Threads().
func (m *CSR) ValGrad(dval, x, g []float32, batch int) {
	checkLen("CSR.ValGrad", len(m.Col), dval)
	checkMat("CSR.ValGrad", batch, m.Rows, x)
	checkMat("CSR.ValGrad", batch, m.Cols, g)
	grain := max(1, m.Rows*scatterGrain/max(1, batch*len(m.Col)))
	Parallel(m.Rows, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			k0, k1 := m.Ptr[i], m.Ptr[i+1]
			if k0 == k1 {
				continue
			}
			cols, dv := m.Col[k0:k1], dval[k0:k1]
			for b := 0; b < batch; b++ {
				a := x[b*m.Rows+i]
				if a == 0 {
					continue
				}
				gb := g[b*m.Cols : (b+1)*m.Cols]
				for t, c := range cols {
					dv[t] += a * gb[c]
				}
			}
		}
	})
}

// EventValGrad is ValGrad for the binary spike matrix X held by e
// (e.Cols == m.Rows, e.Rows samples) and the e.Rows×Cols G of row stride
// ldg: only the rows of inputs that fired are touched, each gaining the G
// rows of the samples in which it fired, in ascending sample order:
//
//	for b := 0; b < e.Rows; b++ {
//		for _, i := range e.Row(b) {
//			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//				dval[k] += g[b*ldg+int(m.Col[k])]
//			}
//		}
//	}
//
// t is scratch for the transposed spike lists (e.TransposeTo(t)); nil
// allocates one. Rows are split among goroutines; bit-identical for any
// Threads().
func (m *CSR) EventValGrad(dval []float32, e *Events, g []float32, ldg int, t *Events) {
	e.check("CSR.EventValGrad")
	if e.Cols != m.Rows {
		panic("kernels: CSR.EventValGrad: spikes do not match the matrix rows")
	}
	checkLen("CSR.EventValGrad", len(m.Col), dval)
	checkStrided("CSR.EventValGrad", "G", g, e.Rows, m.Cols, ldg)
	if e.NNZ() == 0 || len(m.Col) == 0 {
		return
	}
	if t == nil {
		t = new(Events)
	}
	e.TransposeTo(t)
	per := max(1, len(m.Col)/max(1, m.Rows)) * max(1, t.NNZ()/max(1, m.Rows))
	Parallel(m.Rows, max(1, scatterGrain/per), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			k0, k1 := m.Ptr[i], m.Ptr[i+1]
			fired := t.Row(i)
			if k0 == k1 || len(fired) == 0 {
				continue
			}
			cols, dv := m.Col[k0:k1], dval[k0:k1]
			for _, b := range fired {
				gb := g[int(b)*ldg : int(b)*ldg+m.Cols]
				for q, c := range cols {
					dv[q] += gb[c]
				}
			}
		}
	})
}

// MatMulTAdd is MatMulT accumulating: Y += X·Mᵀ for the batch×Cols X and
// the batch×Rows Y (the input gradient of Y = X·M added to an existing
// gradient). Each element adds its finished row sum, so Y gains exactly
// what MatMulT would write:
//
//	for b := 0; b < batch; b++ {
//		for i := 0; i < m.Rows; i++ {
//			var s float32
//			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//				s += m.Val[k] * x[b*m.Cols+int(m.Col[k])]
//			}
//			y[b*m.Rows+i] += s
//		}
//	}
//
// Batch rows are split among goroutines; bit-identical for any Threads().
func (m *CSR) MatMulTAdd(y, x []float32, batch int) {
	val := m.vals("MatMulTAdd")
	checkMat("CSR.MatMulTAdd", batch, m.Rows, y)
	checkMat("CSR.MatMulTAdd", batch, m.Cols, x)
	grain := max(1, scatterGrain/max(1, len(m.Col)))
	Parallel(batch, grain, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			yb, xb := y[b*m.Rows:(b+1)*m.Rows], x[b*m.Cols:(b+1)*m.Cols]
			for i := range yb {
				k0, k1 := m.Ptr[i], m.Ptr[i+1]
				vs := val[k0:k1]
				var s float32
				for t, c := range m.Col[k0:k1] {
					s += vs[t] * xb[c]
				}
				yb[i] += s
			}
		}
	})
}
