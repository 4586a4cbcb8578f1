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
// (G = dL/dY), which TransposeGradFM (sparse_fm.go) computes row by row while it regenerates
// each row once for the input gradient G·Mᵀ as well.

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
