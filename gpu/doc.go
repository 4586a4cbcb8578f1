// Package gpu runs braingo's compute on NVIDIA GPUs: device memory, the
// kernels of kernels.h (GEMM, fused multi-step LIF forward and backward,
// event-driven products, losses, Adam, reductions, the COBA step and the
// CSR and JIT scatters) and the runs built from them (the Open Neuromorphic
// configuration, the COBA network).
//
// A Device is opened through a driver that a build tag brings in:
//
//   - cuda: the CUDA driver API through gorgonia.org/cu (make cuda, which
//     builds against a copy of cu whose initialization is lazy, so a binary
//     starts on a machine without a GPU and Open returns an error);
//   - cudaemu: the same CUDA C compiled as C++ and run on the CPU (emu.h), to
//     test the device code where there is no device (slow; for tests only).
//
// The default build has neither: Open says braingo was built without CUDA.
//
// Every kernel is written to equal a CPU kernel of package kernels: the
// elementwise ones to the bit (nvcc -fmad=false, the same float32 operations
// in the same order), the GEMM and the reductions to float32 rounding. The
// tests hold each against its counterpart on every driver the build has,
// and skip, saying why, when none is usable.
package gpu
