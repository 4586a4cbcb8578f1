package eval

import (
	"math"
	"testing"
)

// NMSE and Corr against the definitions computed directly.
func TestSignalTrace(t *testing.T) {
	f := []float64{0, 1, 0, -1, 0.5, 2}
	z := []float64{0.1, 0.8, 0.2, -1.1, 0.4, 1.5}
	tr := NewSignalTrace(2, 1)
	for i := range f {
		tr.Add(i, float64(i), []float32{float32(f[i])}, []float32{float32(z[i])}, true)
	}
	var mf, mz float64
	for i := range f {
		mf += float64(float32(f[i]))
		mz += float64(float32(z[i]))
	}
	n := float64(len(f))
	mf, mz = mf/n, mz/n
	var se, vf, vz, cov float64
	for i := range f {
		a, b := float64(float32(f[i])), float64(float32(z[i]))
		se += (b - a) * (b - a)
		vf += (a - mf) * (a - mf)
		vz += (b - mz) * (b - mz)
		cov += (a - mf) * (b - mz)
	}
	if got, want := tr.NMSE(), se/vf; math.Abs(got-want) > 1e-12 {
		t.Errorf("NMSE %v, want %v", got, want)
	}
	if got, want := tr.Corr(), cov/math.Sqrt(vf*vz); math.Abs(got-want) > 1e-12 {
		t.Errorf("Corr %v, want %v", got, want)
	}
	if len(tr.T) != 3 || tr.T[1] != 0.002 {
		t.Errorf("kept times %v, want every second step in seconds", tr.T)
	}
}
