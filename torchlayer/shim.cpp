//go:build torch

#include "shim.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>

#include <cstring>
#include <exception>

static void fail(char **err, const std::exception &e) { *err = strdup(e.what()); }

extern "C" {

void bg_set_num_threads(int n) { at::set_num_threads(n); }

void bg_manual_seed(uint64_t seed) { at::manual_seed(seed); }

int bg_grad_set_enabled(int on) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(on != 0);
  return prev ? 1 : 0;
}

void *bg_from_data(const float *src, const int64_t *shape, int nd, int requires_grad, char **err) {
  try {
    at::Tensor t = at::empty(at::IntArrayRef(shape, nd), at::TensorOptions().dtype(at::kFloat));
    std::memcpy(t.data_ptr<float>(), src, sizeof(float) * t.numel());
    if (requires_grad) t.set_requires_grad(true);
    return new at::Tensor(t);
  } catch (const std::exception &e) {
    fail(err, e);
    return nullptr;
  }
}

int bg_copy_out(void *tp, float *dst, int64_t n, char **err) {
  try {
    at::Tensor &t = *static_cast<at::Tensor *>(tp);
    if (t.numel() != n || t.scalar_type() != at::kFloat) {
      throw std::runtime_error("torchlayer: copy of a tensor of another size or type");
    }
    at::Tensor c = t.contiguous();
    std::memcpy(dst, c.data_ptr<float>(), sizeof(float) * n);
    return 0;
  } catch (const std::exception &e) {
    fail(err, e);
    return -1;
  }
}

int bg_backward(void *yp, void *gp, char **err) {
  try {
    at::Tensor &y = *static_cast<at::Tensor *>(yp);
    at::Tensor &g = *static_cast<at::Tensor *>(gp);
    if (y.numel() != g.numel()) throw std::runtime_error("torchlayer: gradient of another size than the output");
    torch::autograd::backward({y}, {g.view(y.sizes())});
    return 0;
  } catch (const std::exception &e) {
    fail(err, e);
    return -1;
  }
}

int bg_take_grad(void *tp, float *dst, int64_t n, char **err) {
  try {
    at::Tensor &t = *static_cast<at::Tensor *>(tp);
    at::Tensor &g = t.mutable_grad();
    if (!g.defined()) return 0;
    if (g.numel() != n) throw std::runtime_error("torchlayer: gradient of another size than its tensor");
    at::Tensor c = g.to(at::kFloat).contiguous();
    const float *p = c.data_ptr<float>();
    for (int64_t i = 0; i < n; i++) dst[i] += p[i];
    g.zero_();
    return 0;
  } catch (const std::exception &e) {
    fail(err, e);
    return -1;
  }
}

int bg_shape(void *tp, int64_t *shape) {
  at::Tensor &t = *static_cast<at::Tensor *>(tp);
  int nd = (int)t.dim();
  for (int i = 0; i < nd && i < 8; i++) shape[i] = t.size(i);
  return nd;
}

}  // extern "C"
