//go:build !amd64

package kernels

// No AVX-512 kernels off amd64; vecAVX512 is false there.
var (
	narrowDotAVX512   [16]func(*float32, int, *float32, int, *float32, int, int, bool, uint32)
	narrowInnerAVX512 [16]func(*float32, int, *float32, int, *float32, int, int, bool, uint32)
	narrowGradAVX512  [16]func(*float32, *float32, int, *float32, int, int, int, uint32)
)
