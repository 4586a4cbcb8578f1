// The few libtorch calls the bridge makes itself (the rest goes through
// gotch). A tensor is gotch's handle: a heap-allocated torch::Tensor.
#ifndef BRAINGO_TORCHLAYER_SHIM_H
#define BRAINGO_TORCHLAYER_SHIM_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
void bg_set_num_threads(int n);
// bg_get_num_threads is libtorch's intra-op thread count on the calling thread.
int bg_get_num_threads(void);
void bg_manual_seed(uint64_t seed);
// bg_grad_set_enabled sets this thread's grad mode and returns the old one.
int bg_grad_set_enabled(int on);
// bg_empty returns a new uninitialized float32 CPU tensor and its data.
void *bg_empty(const int64_t *shape, int nd, int requires_grad, float **data, char **err);
// bg_contiguous returns a new handle on t in contiguous layout (t itself
// when it already is) and its data.
void *bg_contiguous(void *t, int64_t n, float **data, char **err);
// bg_grad returns a new handle on t's gradient in contiguous layout and its
// data, or null when t has no gradient.
void *bg_grad(void *t, int64_t n, float **data, char **err);
// bg_zero_grad zeroes t's gradient, if any.
void bg_zero_grad(void *t);
// bg_backward runs autograd from y with upstream gradient g (a tensor of
// y's size).
int bg_backward(void *y, void *g, char **err);
// bg_shape writes up to 8 sizes of t into shape and returns the rank.
int bg_shape(void *t, int64_t *shape);
#ifdef __cplusplus
}
#endif
#endif
