package kernels

// vecAVX512 gates the AVX-512 paths of the elementwise, reduction and
// event-driven kernels; tests clear it to exercise the portable Go loops.
var vecAVX512 = hasAVX512

func checkLen(name string, n int, s ...[]float32) {
	for _, x := range s {
		if len(x) < n {
			panic("kernels: " + name + ": slice too short")
		}
	}
}

// Axpy computes dst += a·x over len(dst) elements; x must be at least as long.
//
// Reference loop (the fast path fuses the multiply-add, so results may differ
// in the last bit):
//
//	for i := range dst {
//		dst[i] += a * x[i]
//	}
func Axpy(dst []float32, a float32, x []float32) {
	n := len(dst)
	checkLen("Axpy", n, x)
	if n == 0 || a == 0 {
		return
	}
	if vecAVX512 && n >= 16 {
		axpyAVX512(&dst[0], &x[0], n, a)
		return
	}
	axpyGo(dst, a, x[:n])
}

func axpyGo(dst []float32, a float32, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] += a * v
	}
}

// AddTo computes dst += x (Axpy with a = 1, exact: no rounding beyond the add).
//
//	for i := range dst {
//		dst[i] += x[i]
//	}
func AddTo(dst, x []float32) {
	n := len(dst)
	checkLen("AddTo", n, x)
	if vecAVX512 && n >= 16 {
		addToAVX512(&dst[0], &x[0], n)
		return
	}
	x = x[:n]
	for i, v := range x {
		dst[i] += v
	}
}

// Scale computes dst *= a.
//
//	for i := range dst {
//		dst[i] *= a
//	}
func Scale(dst []float32, a float32) {
	for i := range dst {
		dst[i] *= a
	}
}

// Fill sets every element of dst to v.
//
//	for i := range dst {
//		dst[i] = v
//	}
func Fill(dst []float32, v float32) {
	if v == 0 {
		clear(dst)
		return
	}
	for i := range dst {
		dst[i] = v
	}
}

// Add computes dst = a + b elementwise over len(dst) elements.
//
//	for i := range dst {
//		dst[i] = a[i] + b[i]
//	}
func Add(dst, a, b []float32) {
	n := len(dst)
	checkLen("Add", n, a, b)
	a, b = a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Sub computes dst = a - b elementwise over len(dst) elements.
//
//	for i := range dst {
//		dst[i] = a[i] - b[i]
//	}
func Sub(dst, a, b []float32) {
	n := len(dst)
	checkLen("Sub", n, a, b)
	a, b = a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// Mul computes dst = a ⊙ b elementwise over len(dst) elements.
//
//	for i := range dst {
//		dst[i] = a[i] * b[i]
//	}
func Mul(dst, a, b []float32) {
	n := len(dst)
	checkLen("Mul", n, a, b)
	a, b = a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// AddScaled computes dst = a + alpha·b elementwise over len(dst) elements.
// dst may alias a or b.
//
//	for i := range dst {
//		dst[i] = a[i] + alpha*b[i]
//	}
func AddScaled(dst, a []float32, alpha float32, b []float32) {
	n := len(dst)
	checkLen("AddScaled", n, a, b)
	a, b = a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] + alpha*b[i]
	}
}

// Transpose writes the cols×rows transpose of the rows×cols row-major src
// into dst: dst[j*rows+i] = src[i*cols+j]. It works in cache blocks and
// splits the output rows over Threads() goroutines.
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			dst[j*rows+i] = src[i*cols+j]
//		}
//	}
func Transpose(dst, src []float32, rows, cols int) {
	if rows < 0 || cols < 0 {
		panic("kernels: Transpose: negative dimension")
	}
	checkLen("Transpose", rows*cols, dst, src)
	const bs = 32
	grain := 1
	if rows*cols < 1<<16 {
		grain = cols
	}
	Parallel((cols+bs-1)/bs, (grain+bs-1)/bs, func(jb0, jb1 int) {
		for j0 := jb0 * bs; j0 < min(jb1*bs, cols); j0 += bs {
			j1 := min(j0+bs, cols)
			for i0 := 0; i0 < rows; i0 += bs {
				i1 := min(i0+bs, rows)
				for j := j0; j < j1; j++ {
					d := dst[j*rows+i0 : j*rows+i1]
					for k := range d {
						d[k] = src[(i0+k)*cols+j]
					}
				}
			}
		}
	})
}
