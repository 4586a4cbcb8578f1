package kernels

//go:generate go run events_narrow_gen.go

// rowSum128AVX512 sets (acc: adds to) dst[0:128] the sum of the rows
// w[idx[k]*ldw : idx[k]*ldw+128] for k < nidx, in order, nidx >= 1.
//
//go:noescape
func rowSum128AVX512(dst, w *float32, ldw int, idx *int32, nidx int, acc bool)

// rowSum112AVX512 is rowSum128AVX512 over the first 7 groups of 16 columns,
// group g restricted to the lanes of masks[g].
//
//go:noescape
func rowSum112AVX512(dst, w *float32, ldw int, idx *int32, nidx int, acc bool, masks *[8]uint16)

// compressNonzeroAVX512 writes the indices j < n of the nonzero s[j] to idx
// and returns their count; it stores 16 indices at a time, so idx needs 16
// entries of room past the count. n >= 1.
//
//go:noescape
func compressNonzeroAVX512(idx *int32, s *float32, n int) int

// countNonzeroAVX512 returns the number of s[j] != 0 for j < n.
//
//go:noescape
func countNonzeroAVX512(s *float32, n int) int

// rowSumNarrow16 sets (acc: adds to) y[r*ldy : r*ldy+n] for r < rows, n ≤ 16
// the lanes of mask, to the sum of the rows w[i*ldw:] for i in
// idx[ptr[r]:ptr[r+1]], kept as four partial sums (see rowSumNarrowGo).
// Strides are in floats.
//
//go:noescape
func rowSumNarrow16(y *float32, ldy int, w *float32, ldw int, ptr, idx *int32, rows int, acc bool, mask uint32)

// rowSumNarrow32 is rowSumNarrow16 for n ≤ 32: mask's low 16 bits select
// the lanes of columns 0-15, its high 16 those of columns 16-31.
//
//go:noescape
func rowSumNarrow32(y *float32, ldy int, w *float32, ldw int, ptr, idx *int32, rows int, acc bool, mask uint32)

// scatterNarrow16 adds, for r < rows and each i in idx[ptr[r]:ptr[r+1]] in
// order, delta[r*ldd:] to dw[i*lddw:] in the lanes of mask (n ≤ 16).
//
//go:noescape
func scatterNarrow16(dw *float32, lddw int, delta *float32, ldd int, ptr, idx *int32, rows int, mask uint32)

// scatterNarrow32 is scatterNarrow16 for n ≤ 32 (mask as for rowSumNarrow32).
//
//go:noescape
func scatterNarrow32(dw *float32, lddw int, delta *float32, ldd int, ptr, idx *int32, rows int, mask uint32)
