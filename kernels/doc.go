// Package kernels holds braingo's float32 compute on plain slices: dense GEMM,
// event-driven (spike-indexed) matrix products and their weight gradients, CSR
// sparse matrices, just-in-time (seed-regenerated) connectivity, fused
// elementwise helpers, the Adam optimizer step and a counter-based random
// number generator.
//
// Conventions (gonum style):
//   - dst first; matrices are row-major with an explicit leading dimension
//     (the stride between rows) where a kernel accepts sub-matrices;
//   - no allocation in hot paths: buffers are passed in and reused;
//   - every kernel's doc comment states the plain reference loop it must equal,
//     and its tests compare against that loop with guard values around slices;
//   - results depend only on inputs, never on goroutine scheduling: work is split
//     by output block, and each output element is reduced in a fixed order.
//
// The package imports nothing from the rest of the project.
package kernels
