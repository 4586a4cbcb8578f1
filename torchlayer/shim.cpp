//go:build torch

#include "shim.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>

#include <cstring>
#include <exception>

static void fail(char **err, const std::exception &e) { *err = strdup(e.what()); }

extern "C" {

// get_num_threads first: it runs libtorch's lazy per-thread start, which
// would otherwise set this thread's count again at its first parallel op.
void bg_set_num_threads(int n) {
  at::get_num_threads();
  at::set_num_threads(n);
}

int bg_get_num_threads(void) { return at::get_num_threads(); }

void bg_manual_seed(uint64_t seed) { at::manual_seed(seed); }

int bg_grad_set_enabled(int on) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(on != 0);
  return prev ? 1 : 0;
}

void *bg_empty(const int64_t *shape, int nd, int requires_grad, float **data, char **err) {
  try {
    at::Tensor t = at::empty(at::IntArrayRef(shape, nd), at::TensorOptions().dtype(at::kFloat));
    *data = t.data_ptr<float>();
    if (requires_grad) t.set_requires_grad(true);
    return new at::Tensor(t);
  } catch (const std::exception &e) {
    fail(err, e);
    return nullptr;
  }
}

void *bg_contiguous(void *tp, int64_t n, float **data, char **err) {
  try {
    at::Tensor &t = *static_cast<at::Tensor *>(tp);
    if (t.numel() != n || t.scalar_type() != at::kFloat) {
      throw std::runtime_error("torchlayer: copy of a tensor of another size or type");
    }
    at::Tensor c = t.contiguous();
    *data = c.data_ptr<float>();
    return new at::Tensor(c);
  } catch (const std::exception &e) {
    fail(err, e);
    return nullptr;
  }
}

void *bg_grad(void *tp, int64_t n, float **data, char **err) {
  try {
    at::Tensor &t = *static_cast<at::Tensor *>(tp);
    const at::Tensor &g = t.grad();
    if (!g.defined()) return nullptr;
    if (g.numel() != n || g.scalar_type() != at::kFloat) {
      throw std::runtime_error("torchlayer: gradient of another size or type than its tensor");
    }
    at::Tensor c = g.contiguous();
    *data = c.data_ptr<float>();
    return new at::Tensor(c);
  } catch (const std::exception &e) {
    fail(err, e);
    return nullptr;
  }
}

void bg_zero_grad(void *tp) {
  at::Tensor &g = static_cast<at::Tensor *>(tp)->mutable_grad();
  if (g.defined()) g.zero_();
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

int bg_shape(void *tp, int64_t *shape) {
  at::Tensor &t = *static_cast<at::Tensor *>(tp);
  int nd = (int)t.dim();
  for (int i = 0; i < nd && i < 8; i++) shape[i] = t.size(i);
  return nd;
}

}  // extern "C"
