package kernels

// LIFCond holds the coefficients of one forward-Euler step of a
// conductance-based leaky integrate-and-fire population with two
// exponential conductances (the COBA benchmark's neuron, BrainPy paper 5.1):
//
//	τ dv/dt  = ge·(Ee − v) + gi·(Ei − v) − (v − El) + I     (unless refractory)
//	dge/dt   = −ge/τe,   dgi/dt = −gi/τi
//
// Conductances are in units of the leak conductance, voltages in mV.
type LIFCond struct {
	C        float32 // dt/τ
	El, I    float32 // leak reversal and constant drive (mV)
	Ee, Ei   float32 // reversal potentials of ge and gi (mV)
	DecE     float32 // per-step factor of ge: 1 − dt/τe (Euler) or exp(−dt/τe) (exact)
	DecI     float32 // per-step factor of gi
	Vth, Vr  float32 // threshold and reset (mV)
	RefSteps int32   // refractory period in steps: v is frozen while t − last < RefSteps
}

// LIFCondStep advances neurons [0, len(v)) by one step at step number t and
// writes into spk the indices (plus base) of those that fired, returning how
// many. last holds each neuron's last spike step (a very negative value for
// none); spk needs len(v) entries. Reference loop (all right-hand sides read
// the values of the previous step, as forward Euler does):
//
//	for i := range v {
//		active := t-last[i] >= p.RefSteps
//		if active {
//			v[i] += p.C * (p.El + p.I + ge[i]*p.Ee + gi[i]*p.Ei - (1+ge[i]+gi[i])*v[i])
//		}
//		ge[i] *= p.DecE
//		gi[i] *= p.DecI
//		if active && v[i] > p.Vth {
//			v[i], last[i] = p.Vr, t
//			spk[n] = base + i; n++
//		}
//	}
//
// The amd64 build uses AVX-512 when present: the same operations in the same
// order (no fused multiply-add), so both paths give the same bits.
func LIFCondStep(v, ge, gi []float32, last []int32, t int32, p *LIFCond, spk []int32, base int32) int {
	n := len(v)
	checkLen("LIFCondStep", n, ge, gi)
	if len(last) < n || len(spk) < n {
		panic("kernels: LIFCondStep: slice too short")
	}
	return lifCondStep(v[:n], ge[:n], gi[:n], last[:n], t, p, spk, base)
}

func lifCondStepGo(v, ge, gi []float32, last []int32, t int32, p *LIFCond, spk []int32, base int32) int {
	c, k0, ee, ei := p.C, p.El+p.I, p.Ee, p.Ei
	de, di, vth, vr, ref := p.DecE, p.DecI, p.Vth, p.Vr, p.RefSteps
	ge, gi, last = ge[:len(v)], gi[:len(v)], last[:len(v)]
	cnt := 0
	for i, x := range v {
		e, h := ge[i], gi[i]
		ge[i], gi[i] = e*de, h*di
		if t-last[i] < ref {
			continue
		}
		// Conversions keep the compiler from fusing multiply-adds.
		a := k0 + float32(e*ee) + float32(h*ei)
		b := 1 + e + h
		x += float32(c * (a - float32(b*x)))
		if x > vth {
			x, last[i] = vr, t
			spk[cnt] = base + int32(i)
			cnt++
		}
		v[i] = x
	}
	return cnt
}
