package kernels

import "math"

//go:generate go run hh_gen.go

// HHParams are the constants of one exponential-Euler step of Traub-Miles
// Hodgkin-Huxley neurons (the COBA-HH benchmark's, in mV, ms, nS, pF):
// capacitance C, leak GL and EL, sodium GNa and ENa, potassium GK and EK,
// the rate functions' offset VT, and the step Dt. See HHExpEuler.
type HHParams struct {
	C, GL, EL, GNa, ENa, GK, EK, VT, Dt float64
}

// HHRates returns the Traub-Miles rate functions at membrane v (mV) with
// offset vt:
//
//	αm = 0.32(13 − v + VT)/(e^((13−v+VT)/4) − 1)    βm = 0.28(v − VT − 40)/(e^((v−VT−40)/5) − 1)
//	αh = 0.128 e^((17 − v + VT)/18)                 βh = 4/(1 + e^((40 − v + VT)/5))
//	αn = 0.032(15 − v + VT)/(e^((15−v+VT)/5) − 1)   βn = 0.5 e^((10 − v + VT)/40)
//
// with x/(e^x − 1) taken as its Taylor series 1 − x/2 + x²/12 for |x| <
// 1e-4 (the removable singularities), and e^x as FastExp.
func HHRates(v, vt float64) (am, bm, ah, bh, an, bn float64) {
	am = 0.32 * 4 * exprelInv((13-v+vt)/4)
	bm = 0.28 * 5 * exprelInv((v-vt-40)/5)
	ah = 0.128 * FastExp((17-v+vt)/18)
	bh = 4 / (1 + FastExp((40-v+vt)/5))
	an = 0.032 * 5 * exprelInv((15-v+vt)/5)
	bn = 0.5 * FastExp((10-v+vt)/40)
	return
}

// exprelInv returns x/(e^x − 1), 1 at x = 0.
func exprelInv(x float64) float64 {
	if math.Abs(x) < 1e-4 {
		return 1 - x/2 + x*x/12
	}
	return x / (FastExp(x) - 1)
}

// FastExp returns e^x with a relative error below 1e-9 for |x| < 700 (0
// below, +Inf above), ample for float32 state: e^x = 2^k·e^r with
// k = round(x·log2 e), r = x − k·ln 2 (split in two parts) and e^r by its
// Taylor series to r^8 (|r| ≤ 0.347), evaluated in Estrin's scheme so that
// its dependency chain is short. About twice as fast as math.Exp; the HH
// rate functions and exponential-Euler updates use it (the AVX-512 kernel
// of HHExpEuler performs the same operations on 8 lanes).
func FastExp(x float64) float64 {
	if x > 700 {
		return math.Inf(1)
	}
	if !(x > -700) {
		return 0 // also NaN: the caller's state is already lost
	}
	k := math.Floor(x*math.Log2E + 0.5)
	r := x - k*6.93147180369123816490e-01 - k*1.90821492927058770002e-10
	r2 := r * r
	r4 := r2 * r2
	p := (1 + r) + r2*(1.0/2+r*(1.0/6)) + r4*((1.0/24+r*(1.0/120))+r2*(1.0/720+r*(1.0/5040))+r4*(1.0/40320))
	return math.Float64frombits(math.Float64bits(p) + uint64(int64(k))<<52)
}

// HHExpEuler advances Traub-Miles Hodgkin-Huxley neurons by one
// exponential-Euler step (Brian2's exponential_euler), in place: membrane
// v, gates m, h, n, with the synaptic current a − b·v (a in pA, b in nS)
// held over the step. In float64, per neuron:
//
//	am, bm, ah, bh, an, bn = HHRates(v, VT)
//	gNa = GNa·m³·h, gK = GK·n⁴
//	A = (GL·EL + gNa·ENa + gK·EK + a)/C, B = (GL + gNa + gK + b)/C
//	v ← A/B + (v − A/B)·e^(−B·Dt)
//	x ← αx/(αx+βx) + (x − αx/(αx+βx))·e^(−(αx+βx)·Dt)     for x = m, h, n
//
// The AVX-512 path computes the same float64 operations in the same order
// (no fused multiply-adds), so its results are bit-identical to the Go
// loop's (hhExpEulerGo).
func HHExpEuler(p *HHParams, v, m, h, n, a, b []float32) {
	cnt := len(v)
	checkLen("HHExpEuler", cnt, m, h, n, a, b)
	i := 0
	if vecAVX512 && cnt >= 8 {
		i = cnt &^ 7
		c := hhConsts(p)
		hhExpEulerAVX512(&c, &v[0], &m[0], &h[0], &n[0], &a[0], &b[0], i)
	}
	if i < cnt {
		hhExpEulerGo(p, v[i:], m[i:], h[i:], n[i:], a[i:], b[i:])
	}
}

func hhExpEulerGo(p *HHParams, vs, ms, hs, ns, as, bs []float32) {
	gle := p.GL * p.EL
	dt := p.Dt
	for i := range vs {
		v, m, h, n := float64(vs[i]), float64(ms[i]), float64(hs[i]), float64(ns[i])
		am, bm, ah, bh, an, bn := HHRates(v, p.VT)
		gna := p.GNa * m * m * m * h
		gk := p.GK * n * n * n * n
		av := (gle + gna*p.ENa + gk*p.EK + float64(as[i])) / p.C
		bv := (p.GL + gna + gk + float64(bs[i])) / p.C
		inf := av / bv
		v = inf + (v-inf)*FastExp(-bv*dt)
		m = expEulerGate(m, am, am+bm, dt)
		h = expEulerGate(h, ah, ah+bh, dt)
		n = expEulerGate(n, an, an+bn, dt)
		vs[i], ms[i], hs[i], ns[i] = float32(v), float32(m), float32(h), float32(n)
	}
}

func expEulerGate(x, a, b, dt float64) float64 {
	inf := a / b
	return inf + (x-inf)*FastExp(-b*dt)
}
