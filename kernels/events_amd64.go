package kernels

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
