package kernels

import "golang.org/x/sys/cpu"

// expAVX512 gates Exp's AVX-512 kernel, whose operations are those of
// math.Exp's FMA path, which Go takes when the CPU has AVX and FMA.
var expAVX512 = hasAVX512 && cpu.X86.HasAVX && cpu.X86.HasFMA

// expAVX512Kernel sets dst[i] = e^x[i] for i from 0 by groups of 8 (the
// last one under a mask) and returns the count done: n, or the start of
// the first group holding a value outside [−700, 700] or NaN, which it
// leaves unwritten.
//
//go:noescape
func expAVX512Kernel(dst, x *float64, n int) int
