package eval

import "math"

// SignalTrace follows a learned signal against its target over a run, as
// FORCE learning reports it: it keeps target and output every Every steps
// for plots, and accumulates the statistics of the error at the steps that
// are scored, per output channel, for the normalized mean squared error
// (NMSE) and the correlation.
type SignalTrace struct {
	Every int         // keep one sample in Every steps for plots
	T     []float64   // time of the kept samples (s)
	F, Z  [][]float64 // kept target and output, per channel
	st    []signalStats
}

type signalStats struct{ sqe, n, sf, sff, sz, szz, sfz float64 }

// NewSignalTrace returns a trace of outputs channels keeping one sample in
// every steps.
func NewSignalTrace(every, outputs int) *SignalTrace {
	return &SignalTrace{Every: every, F: make([][]float64, outputs), Z: make([][]float64, outputs), st: make([]signalStats, outputs)}
}

// Add records step (at time tms, in ms) with target f and output z; score
// adds it to the error statistics.
func (tr *SignalTrace) Add(step int, tms float64, f, z []float32, score bool) {
	if step%tr.Every == 0 {
		tr.T = append(tr.T, tms/1000)
		for c := range f {
			tr.F[c], tr.Z[c] = append(tr.F[c], float64(f[c])), append(tr.Z[c], float64(z[c]))
		}
	}
	if score {
		for c := range f {
			fc, zc, st := float64(f[c]), float64(z[c]), &tr.st[c]
			st.sqe += (zc - fc) * (zc - fc)
			st.n++
			st.sf += fc
			st.sff += fc * fc
			st.sz += zc
			st.szz += zc * zc
			st.sfz += fc * zc
		}
	}
}

// NMSE is the mean squared error over the variance of the target, summed
// over the channels, of the scored steps:
//
//	Σ_c mean((z_c − f_c)²) / Σ_c var(f_c)
func (tr *SignalTrace) NMSE() float64 {
	var e, v float64
	for _, st := range tr.st {
		e += st.sqe / st.n
		v += st.sff/st.n - (st.sf/st.n)*(st.sf/st.n)
	}
	return e / v
}

// Corr is the mean over channels of the Pearson correlation of target and
// output at the scored steps (channels with no variance are left out; 0 if
// all are).
func (tr *SignalTrace) Corr() float64 {
	var s, k float64
	for _, st := range tr.st {
		n := st.n
		cov := st.sfz/n - st.sf/n*st.sz/n
		v := (st.sff/n - st.sf/n*st.sf/n) * (st.szz/n - st.sz/n*st.sz/n)
		if v > 0 {
			s += cov / math.Sqrt(v)
			k++
		}
	}
	if k == 0 {
		return 0
	}
	return s / k
}
