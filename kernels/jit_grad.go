package kernels

// Gradients of Y = X·M for a JIT matrix M whose weight rule is trained
// (tensor's JITMatMul, BrainPy's jitconn operators). A JIT matrix is linear
// in its rule's parameters: with P the pattern (1 on each connection) and R
// the raw draws of its connections (JITRow's raw value: u in [0, 1) for
// Uniform, z for Normal),
//
//	Homogeneous: M = A·P
//	Uniform:     M = A·P + (B−A)·R
//	Normal:      M = A·P + B·R
//
// so dL/dA and dL/dB follow from the two sums ⟨X, G·Pᵀ⟩ and ⟨X, G·Rᵀ⟩
// (G = dL/dY), which TransposeGrad computes row by row while it regenerates
// each row once for the input gradient G·Mᵀ as well.

// TransposeGrad computes, for Y = X·M with the batch×Rows X and the
// batch×Cols output gradient G, in one pass that generates each row of M
// once:
//
//	dx (batch×Rows, nil: skipped) is set to G·Mᵀ;
//	dp (Rows, nil: skipped): dp[i] = Σ_j P[i,j] Σ_b X[b,i]·G[b,j];
//	dr (Rows, nil: skipped): dr[i] = Σ_j R[i,j] Σ_b X[b,i]·G[b,j].
//
// Reference loop (bit-identical for any Threads(): rows are split among
// goroutines and each row's sums run in the order below):
//
//	for i := 0; i < m.Rows; i++ {
//		dx[b*m.Rows+i] = 0 for every b; dp[i], dr[i] = 0, 0
//		for each connection (j, w, raw) of row i {
//			var s float32
//			for b := 0; b < batch; b++ {
//				g := G[b*m.Cols+j]
//				dx[b*m.Rows+i] += w * g
//				s += x[b*m.Rows+i] * g
//			}
//			dp[i] += s
//			dr[i] += raw * s
//		}
//	}
//
// When dx is nil, rows with X[:,i] all zero are not generated (their dp
// and dr are 0): for binary spikes X the weight gradient costs the
// connections of the inputs that fired. x may be nil when dp and dr are.
func (m *JIT) TransposeGrad(dx, dp, dr, x, g []float32, batch int) {
	m.check("TransposeGrad")
	checkMat("JIT.TransposeGrad", batch, m.Cols, g)
	if dx != nil {
		checkMat("JIT.TransposeGrad", batch, m.Rows, dx)
	}
	if dp != nil || dr != nil {
		checkMat("JIT.TransposeGrad", batch, m.Rows, x)
	}
	if dp != nil {
		checkLen("JIT.TransposeGrad", m.Rows, dp)
	}
	if dr != nil {
		checkLen("JIT.TransposeGrad", m.Rows, dr)
	}
	wantW := dp != nil || dr != nil
	grain := max(1, 1<<14/max(1, batch*int(m.P*float64(m.Cols))))
	Parallel(m.Rows, grain, func(lo, hi int) {
		var r JITRow
		for i := lo; i < hi; i++ {
			if dx != nil {
				for b := 0; b < batch; b++ {
					dx[b*m.Rows+i] = 0
				}
			}
			if dp != nil {
				dp[i] = 0
			}
			if dr != nil {
				dr[i] = 0
			}
			active := false
			if wantW {
				for b := 0; b < batch; b++ {
					if x[b*m.Rows+i] != 0 {
						active = true
						break
					}
				}
			}
			if dx == nil && !active {
				continue
			}
			m.initRow(&r, i)
			var sp, sr float32
			for {
				j, raw, ok := r.nextRaw()
				if !ok {
					break
				}
				if dx != nil {
					w := r.weight(raw)
					for b := 0; b < batch; b++ {
						dx[b*m.Rows+i] += w * g[b*m.Cols+j]
					}
				}
				if active {
					var s float32
					for b := 0; b < batch; b++ {
						s += x[b*m.Rows+i] * g[b*m.Cols+j]
					}
					sp += s
					sr += raw * s
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

// weight is the weight of a connection with raw draw raw, as Next computes
// it.
func (r *JITRow) weight(raw float32) float32 {
	switch r.rule.Kind {
	case Uniform:
		return r.rule.A + (r.rule.B-r.rule.A)*raw
	case Normal:
		return r.rule.A + r.rule.B*raw
	}
	return r.rule.A
}
