package kernels

import "math"

// Sum returns the sum of x.
//
// Reference loop (the fast path keeps 64 partial sums in a fixed lane order
// and adds them at the end, so it differs from this loop by rounding only;
// it is deterministic):
//
//	var s float32
//	for _, v := range x {
//		s += v
//	}
func Sum(x []float32) float32 {
	if vecAVX512 && len(x) >= 64 {
		return sumAVX512(&x[0], len(x))
	}
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

// Dot returns the dot product of x and y over len(x) elements; y must be at
// least as long.
//
// Reference loop (the fast path uses fused multiply-adds into 64 partial
// sums, so it differs by rounding only; it is deterministic):
//
//	var s float32
//	for i := range x {
//		s += x[i] * y[i]
//	}
func Dot(x, y []float32) float32 {
	n := len(x)
	checkLen("Dot", n, y)
	if vecAVX512 && n >= 64 {
		return dotAVX512(&x[0], &y[0], n)
	}
	y = y[:n]
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func checkMat(name string, rows, cols int, s ...[]float32) {
	if rows < 0 || cols < 0 {
		panic("kernels: " + name + ": negative dimension")
	}
	checkLen(name, rows*cols, s...)
}

// RowMax sets dst[i] to the largest element of row i of the rows×cols
// matrix x (NaNs are skipped unless a row is all NaN; -Inf for cols == 0).
//
//	for i := 0; i < rows; i++ {
//		m := float32(math.Inf(-1))
//		for j := 0; j < cols; j++ {
//			if x[i*cols+j] > m {
//				m = x[i*cols+j]
//			}
//		}
//		dst[i] = m
//	}
func RowMax(dst, x []float32, rows, cols int) {
	checkMat("RowMax", rows, cols, x)
	checkLen("RowMax", rows, dst)
	for i := 0; i < rows; i++ {
		dst[i] = rowMax(x[i*cols : i*cols+cols])
	}
}

func rowMax(r []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range r {
		if v > m {
			m = v
		}
	}
	return m
}

// RowArgMax sets dst[i] to the column of the first largest element of row i
// of the rows×cols matrix x (0 when cols == 0 or the row is all NaN).
//
//	for i := 0; i < rows; i++ {
//		best := 0
//		for j := 1; j < cols; j++ {
//			if x[i*cols+j] > x[i*cols+best] {
//				best = j
//			}
//		}
//		dst[i] = best
//	}
func RowArgMax(dst []int, x []float32, rows, cols int) {
	checkMat("RowArgMax", rows, cols, x)
	if len(dst) < rows {
		panic("kernels: RowArgMax: dst too short")
	}
	for i := 0; i < rows; i++ {
		r := x[i*cols : i*cols+cols]
		best := 0
		for j := 1; j < len(r); j++ {
			if r[j] > r[best] {
				best = j
			}
		}
		dst[i] = best
	}
}

// SoftmaxRows writes the softmax of each row of the rows×cols matrix x into
// dst (which may alias x), shifting by the row maximum for stability:
//
//	for each row i: m = max_j x[i,j]
//	dst[i,j] = exp(x[i,j]-m) / Σ_k exp(x[i,k]-m)
//
// Exponentials and the row sum are computed in float64.
func SoftmaxRows(dst, x []float32, rows, cols int) {
	checkMat("SoftmaxRows", rows, cols, dst, x)
	for i := 0; i < rows; i++ {
		r, d := x[i*cols:i*cols+cols], dst[i*cols:i*cols+cols]
		m := float64(rowMax(r))
		var s float64
		for j, v := range r {
			e := math.Exp(float64(v) - m)
			d[j] = float32(e)
			s += e
		}
		inv := 1 / s
		for j := range d {
			d[j] = float32(float64(d[j]) * inv)
		}
	}
}

// LogSoftmaxRows writes the log-softmax of each row of the rows×cols matrix
// x into dst (which may alias x):
//
//	for each row i: m = max_j x[i,j]
//	dst[i,j] = x[i,j] - m - log Σ_k exp(x[i,k]-m)
//
// computed in float64 and rounded once.
func LogSoftmaxRows(dst, x []float32, rows, cols int) {
	checkMat("LogSoftmaxRows", rows, cols, dst, x)
	for i := 0; i < rows; i++ {
		r, d := x[i*cols:i*cols+cols], dst[i*cols:i*cols+cols]
		m := float64(rowMax(r))
		var s float64
		for _, v := range r {
			s += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(s)
		for j, v := range r {
			d[j] = float32(float64(v) - lse)
		}
	}
}

// AddColSums adds the column sums of the rows×cols matrix x to dst (the bias
// gradient of a batch): dst[j] += Σ_i x[i,j], rows summed in order.
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			dst[j] += x[i*cols+j]
//		}
//	}
func AddColSums(dst, x []float32, rows, cols int) {
	checkMat("AddColSums", rows, cols, x)
	checkLen("AddColSums", cols, dst)
	for i := 0; i < rows; i++ {
		AddTo(dst[:cols], x[i*cols:i*cols+cols])
	}
}
