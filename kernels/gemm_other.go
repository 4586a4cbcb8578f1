//go:build !amd64

package kernels

// gemmArch returns the portable implementation off amd64.
func gemmArch() *gemmImpl { return gemmGo }

// gemmSkipKernel is never called off amd64 (GemmSkipZeros calls
// GemmSegments there).
func gemmSkipKernel(kc int, a, b []float32, off []int32, c []float32, ldc int, alpha, beta float32) {
	panic("kernels: gemmSkipKernel without AVX-512")
}
