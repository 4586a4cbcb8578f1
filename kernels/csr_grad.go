package kernels

// Gradients of the sparse product Y = X·M with a fixed CSR structure and
// trainable values (tensor's CSRMatMul). The forward products are
// CSR.MatMulFM (dense X, feature-major, sparse_fm.go) and CSR.EventMatMul
// (binary X), the input gradient dX = G·Mᵀ is CSR.MatMulTFM; ValGradFM and
// EventValGrad give the gradient with respect to the stored values. Each
// value belongs to one row of M, so splitting the rows among goroutines
// makes every value's sum independent of Threads().

// EventValGrad accumulates the gradient of Y = S·M with respect to the
// stored values of M (NNZ() entries; m.Val is not read), for the binary
// spike matrix S held by e (e.Cols == m.Rows, e.Rows samples) and the
// e.Rows×Cols G of row stride ldg: only the rows of inputs that fired are touched, each gaining the G
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
