package kernels

import (
	"math"
)

// Reset mechanisms of LIFForward and LIFBackward (the same numbering as
// snn.Reset).
const (
	LIFResetSubtract = 0 // U = β·U[t−1] + I − r·θ
	LIFResetZero     = 1 // U = β·(1 − r)·U[t−1] + I (snnTorch ≥ 0.8, NIR, BrainPy)
	LIFResetNone     = 2 // U = β·U[t−1] + I
	// LIFResetZeroLegacy is the zero reset of snnTorch before 0.8 and of
	// braingo before 2026-12-06: U = (β·U[t−1] + I)·(1 − r), which also
	// drops the input of the step after a spike.
	LIFResetZeroLegacy = 3
)

// LIFForward advances a layer of leaky integrate-and-fire neurons by one
// step: from the previous membrane u and the input current in it writes the
// new membrane uNew and the spikes s (1 or 0). uNew may be u itself; all
// slices need len(in) elements. reset is one of LIFResetSubtract,
// LIFResetZero, LIFResetNone and LIFResetZeroLegacy (any other value acts
// as LIFResetNone).
//
// Reference loop; the fast path performs the same float32 operations in the
// same order (separate multiply and add, no fused multiply-add), so it is
// bit-identical to it:
//
//	above := func(v, th float32) float32 { // 1 if v > th: the sign bit of th − v
//		return float32(math.Float32bits(th-v) >> 31)
//	}
//	for i, x := range in {
//		prev := u[i]
//		r := above(prev, theta)
//		var v float32
//		switch reset {
//		case LIFResetSubtract:
//			v = float32(beta*prev) + x - r*theta
//		case LIFResetZero: // the leak of a reset membrane is 0; the input stays
//			v = float32(float32(beta*prev)*(1-r)) + x
//		case LIFResetZeroLegacy:
//			v = (float32(beta*prev) + x) * (1 - r)
//		default:
//			v = float32(beta*prev) + x
//		}
//		uNew[i], s[i] = v, above(v, theta)
//	}
func LIFForward(uNew, s, u, in []float32, beta, theta float32, reset int) {
	n := len(in)
	if len(uNew) != n || len(s) != n || len(u) != n {
		panic("kernels: LIFForward: length mismatch")
	}
	if !zeroReset(reset) && reset != LIFResetSubtract {
		reset = LIFResetNone
	}
	if n == 0 {
		return
	}
	if vecAVX512 {
		lifForwardAVX512(&uNew[0], &s[0], &u[0], &in[0], n, beta, theta, reset)
		return
	}
	lifForwardGo(uNew, s, u, in, beta, theta, reset)
}

// above returns 1 if v > th and 0 otherwise, without a branch: the sign bit
// of th − v (which is how the assembly computes it too).
func above(v, th float32) float32 {
	return float32(math.Float32bits(th-v) >> 31)
}

// zeroReset reports whether reset is one of the zero resets (which read the
// previous membrane in the backward pass).
func zeroReset(reset int) bool { return reset == LIFResetZero || reset == LIFResetZeroLegacy }

func lifForwardGo(uNew, s, u, in []float32, beta, theta float32, reset int) {
	n := len(in)
	uNew, s, u = uNew[:n], s[:n], u[:n]
	// Branchless: spikes are random, so branches on them mispredict.
	switch reset {
	case LIFResetSubtract:
		for i, x := range in {
			prev := u[i]
			v := float32(beta*prev) + x - above(prev, theta)*theta
			uNew[i], s[i] = v, above(v, theta)
		}
	case LIFResetZero:
		for i, x := range in {
			prev := u[i]
			v := float32(float32(beta*prev)*(1-above(prev, theta))) + x
			uNew[i], s[i] = v, above(v, theta)
		}
	case LIFResetZeroLegacy:
		for i, x := range in {
			prev := u[i]
			v := (float32(beta*prev) + x) * (1 - above(prev, theta))
			uNew[i], s[i] = v, above(v, theta)
		}
	default:
		for i, x := range in {
			v := float32(beta*u[i]) + x
			uNew[i], s[i] = v, above(v, theta)
		}
	}
}

// Surrogate kinds of LIFBackward: the derivative σ'(x) of the spike at
// x = U − θ that replaces the Heaviside step's.
const (
	// SurrogateGiven: the caller passes σ'(x) per element in a slice.
	SurrogateGiven = iota
	// SurrogateATan: σ'(x) = (α/2) / (1 + (π/2·α·x)²), α = A.
	SurrogateATan
	// SurrogateFastSigmoid: σ'(x) = 1 / (1 + k·|x|)², k = A.
	SurrogateFastSigmoid
	// SurrogateSigmoid: σ'(x) = k·σ(kx)·(1 − σ(kx)), k = A, evaluated in
	// float64 as e/(1+e)² with e = exp(−|kx|) (portable Go on every CPU).
	SurrogateSigmoid
	// SurrogateTriangle: σ'(x) = max(0, α·(w − |x|)), α = A, w = B.
	SurrogateTriangle
)

// Surrogate selects the spike derivative of LIFBackward: a kind and its
// parameters (no defaults here: zero is taken literally).
type Surrogate struct {
	Kind int
	A, B float32
}

// LIFGrad holds the slices of one LIFBackward call. All non-nil slices have
// the same length n = len(UNew).
type LIFGrad struct {
	// U and UNew are the forward step's previous and new membranes; U is
	// read only for LIFResetZero and LIFResetZeroLegacy.
	U, UNew []float32
	// GU and GS are the incoming gradients of the new membrane and of the
	// spikes; nil means zero.
	GU, GS []float32
	// SG holds σ'(UNew − θ) for SurrogateGiven (needed when GS is non-nil).
	SG []float32
	// Gu and Gin receive the gradients of the previous membrane and of the
	// input; nil skips one. They are overwritten when WriteU / WriteIn is
	// set and accumulated into otherwise.
	Gu, Gin         []float32
	WriteU, WriteIn bool
}

// LIFBackward is the backward pass of LIFForward: per element it combines
// the spike's surrogate gradient with the membrane's own gradient,
//
//	d = GS·σ'(UNew − θ) + GU
//
// and sends β·d to Gu and d to Gin, except where a zero reset cut a path
// (U > θ): LIFResetZero zeroes only the leak's term β·d (the input is
// integrated after the reset), LIFResetZeroLegacy zeroes d for both.
// Reference loop (sg is σ' written out per
// kind below; absent GS or GU read as 0, absent Gu or Gin are skipped):
//
//	for i := range UNew {
//		x := UNew[i] - theta
//		var d float32
//		switch sur.Kind {
//		case SurrogateGiven:
//			d = GS[i] * SG[i]
//		case SurrogateATan: // c = float32(π/2)·α, h = α/2
//			u := c * x
//			d = GS[i] * h / (1 + u*u)
//		case SurrogateFastSigmoid:
//			q := 1 + k*|x|
//			d = GS[i] / (q * q)
//		case SurrogateSigmoid:
//			e := math.Exp(-math.Abs(float64(k * x)))
//			d = GS[i] * (k * float32(e/((1+e)*(1+e))))
//		case SurrogateTriangle:
//			d = GS[i] * max(0, α*(w-|x|))
//		}
//		d += GU[i]
//		if reset == LIFResetZeroLegacy {
//			d *= 1 - above(U[i], theta)
//		}
//		gu := beta * d
//		if reset == LIFResetZero {
//			gu *= 1 - above(U[i], theta)
//		}
//		Gu[i] += gu   // Gu[i] = gu with WriteU
//		Gin[i] += d   // Gin[i] = d with WriteIn
//	}
//
// These are the expressions of the surrogate package's Grad and GradSlice,
// and the AVX-512 path performs the same float32 operations in the same
// order (IEEE division, no fused multiply-add), so results are
// bit-identical to the loop except possibly for the sign of a zero d with
// SurrogateTriangle (vector max of −0 and 0) and NaN payloads.
func LIFBackward(g LIFGrad, beta, theta float32, reset int, sur Surrogate) {
	n := len(g.UNew)
	if g.Gu == nil && g.Gin == nil || n == 0 {
		return
	}
	for _, x := range [][]float32{g.GU, g.GS, g.Gu, g.Gin} {
		if x != nil && len(x) != n {
			panic("kernels: LIFBackward: length mismatch")
		}
	}
	if zeroReset(reset) && len(g.U) != n {
		panic("kernels: LIFBackward: length mismatch")
	}
	if sur.Kind < SurrogateGiven || sur.Kind > SurrogateTriangle {
		panic("kernels: LIFBackward: unknown surrogate kind")
	}
	if g.GS == nil {
		sur.Kind = SurrogateGiven // no spike term: σ' is never evaluated
	}
	if g.GS != nil && sur.Kind == SurrogateGiven && len(g.SG) != n {
		panic("kernels: LIFBackward: surrogate slice length mismatch")
	}
	if g.GS != nil && sur.Kind == SurrogateSigmoid {
		// No vector float64 exp: σ' in Go, a chunk at a time, then the
		// given-surrogate kernel.
		var buf [256]float32
		k := sur.A
		for c := 0; c < n; c += len(buf) {
			e := min(c+len(buf), n)
			sg := buf[:e-c]
			for i, v := range g.UNew[c:e] {
				x := v - theta
				ex := math.Exp(-math.Abs(float64(k * x)))
				sg[i] = k * float32(ex/((1+ex)*(1+ex)))
			}
			sub := LIFGrad{UNew: g.UNew[c:e], GS: g.GS[c:e], SG: sg, WriteU: g.WriteU, WriteIn: g.WriteIn}
			if zeroReset(reset) {
				sub.U = g.U[c:e]
			}
			if g.GU != nil {
				sub.GU = g.GU[c:e]
			}
			if g.Gu != nil {
				sub.Gu = g.Gu[c:e]
			}
			if g.Gin != nil {
				sub.Gin = g.Gin[c:e]
			}
			lifBackward(sub, beta, theta, reset, Surrogate{Kind: SurrogateGiven})
		}
		return
	}
	lifBackward(g, beta, theta, reset, sur)
}

// Flag bits of lifBwdArgs.flags.
const (
	lifBwdGS      = 1 << iota // GS present
	lifBwdGU                  // GU present
	lifBwdZero                // legacy zero reset: mask d by U ≤ θ
	lifBwdGu                  // Gu present
	lifBwdGin                 // Gin present
	lifBwdWriteU              // overwrite Gu
	lifBwdWriteIn             // overwrite Gin
	lifBwdZeroGu              // zero reset: mask β·d (Gu's term) by U ≤ θ
)

// lifBwdArgs is the argument block of lifBackwardAVX512 (field offsets are
// used by the assembly: keep the order).
type lifBwdArgs struct {
	gu, gin, u, uNew, gU, gS, sg *float32 // 0, 8, ..., 48
	n                            int      // 56
	flags, kind                  int      // 64, 72
	beta, theta, p0, p1          float32  // 80, 84, 88, 92
}

func lifBackward(g LIFGrad, beta, theta float32, reset int, sur Surrogate) {
	n := len(g.UNew)
	// The per-kind constants, computed as surrogate's GradSlice does.
	var p0, p1 float32
	switch sur.Kind {
	case SurrogateATan:
		p0, p1 = float32(math.Pi/2)*sur.A, sur.A/2
	case SurrogateFastSigmoid:
		p0 = sur.A
	case SurrogateTriangle:
		p0, p1 = sur.A, sur.B
	case SurrogateGiven:
	default:
		panic("kernels: LIFBackward: unknown surrogate kind")
	}
	if !vecAVX512 {
		lifBackwardGo(g, beta, theta, reset, sur.Kind, p0, p1)
		return
	}
	a := lifBwdArgs{n: n, kind: sur.Kind, beta: beta, theta: theta, p0: p0, p1: p1}
	a.uNew = &g.UNew[0]
	if g.GS != nil {
		a.flags |= lifBwdGS
		a.gS = &g.GS[0]
		if sur.Kind == SurrogateGiven {
			a.sg = &g.SG[0]
		}
	}
	if g.GU != nil {
		a.flags |= lifBwdGU
		a.gU = &g.GU[0]
	}
	switch reset {
	case LIFResetZeroLegacy:
		a.flags |= lifBwdZero
		a.u = &g.U[0]
	case LIFResetZero:
		a.flags |= lifBwdZeroGu
		a.u = &g.U[0]
	}
	if g.Gu != nil {
		a.flags |= lifBwdGu
		a.gu = &g.Gu[0]
		if g.WriteU {
			a.flags |= lifBwdWriteU
		}
	}
	if g.Gin != nil {
		a.flags |= lifBwdGin
		a.gin = &g.Gin[0]
		if g.WriteIn {
			a.flags |= lifBwdWriteIn
		}
	}
	lifBackwardAVX512(&a)
}

func lifBackwardGo(g LIFGrad, beta, theta float32, reset, kind int, p0, p1 float32) {
	var buf [512]float32
	n := len(g.UNew)
	for c := 0; c < n; c += len(buf) {
		e := min(c+len(buf), n)
		d := buf[:e-c]
		if gS := g.GS; gS != nil {
			gs, un := gS[c:e], g.UNew[c:e]
			un = un[:len(gs)]
			switch kind {
			case SurrogateGiven:
				sg := g.SG[c:e]
				sg = sg[:len(gs)]
				for i, v := range gs {
					d[i] = v * sg[i]
				}
			case SurrogateATan:
				for i, v := range un {
					u := p0 * (v - theta)
					d[i] = gs[i] * p1 / (1 + float32(u*u))
				}
			case SurrogateFastSigmoid:
				for i, v := range un {
					q := 1 + float32(p0*absf(v-theta))
					d[i] = gs[i] / (q * q)
				}
			case SurrogateTriangle:
				for i, v := range un {
					d[i] = gs[i] * max(0, p0*(p1-absf(v-theta)))
				}
			}
		} else {
			clear(d)
		}
		if g.GU != nil {
			for i, v := range g.GU[c:e] {
				d[i] += v
			}
		}
		if reset == LIFResetZeroLegacy {
			for i, v := range g.U[c:e] {
				d[i] *= 1 - above(v, theta)
			}
		}
		switch {
		case g.Gu == nil:
		case reset == LIFResetZero:
			gu, u := g.Gu[c:e], g.U[c:e]
			for i, v := range d {
				t := float32(float32(beta*v) * (1 - above(u[i], theta)))
				if g.WriteU {
					gu[i] = t
				} else {
					gu[i] += t
				}
			}
		case g.WriteU:
			gu := g.Gu[c:e]
			for i, v := range d {
				gu[i] = beta * v
			}
		default:
			gu := g.Gu[c:e]
			for i, v := range d {
				gu[i] += float32(beta * v)
			}
		}
		switch {
		case g.Gin == nil:
		case g.WriteIn:
			copy(g.Gin[c:e], d)
		default:
			gin := g.Gin[c:e]
			for i, v := range d {
				gin[i] += v
			}
		}
	}
}

func absf(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }
