// The few libtorch calls the bridge makes itself (the rest goes through
// gotch). A tensor is gotch's handle: a heap-allocated torch::Tensor.
#ifndef BRAINGO_TORCHLAYER_SHIM_H
#define BRAINGO_TORCHLAYER_SHIM_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
void bg_set_num_threads(int n);
void bg_manual_seed(uint64_t seed);
// bg_grad_set_enabled sets this thread's grad mode and returns the old one.
int bg_grad_set_enabled(int on);
// bg_from_data returns a new float32 CPU tensor holding a copy of src.
void *bg_from_data(const float *src, const int64_t *shape, int nd, int requires_grad, char **err);
// bg_copy_out copies the n values of t (float32, any layout) into dst.
int bg_copy_out(void *t, float *dst, int64_t n, char **err);
// bg_backward runs autograd from y with upstream gradient g (a tensor of
// y's size).
int bg_backward(void *y, void *g, char **err);
// bg_take_grad adds t's gradient (if any) into dst and zeroes it.
int bg_take_grad(void *t, float *dst, int64_t n, char **err);
// bg_shape writes up to 8 sizes of t into shape and returns the rank.
int bg_shape(void *t, int64_t *shape);
#ifdef __cplusplus
}
#endif
#endif
