// emu.h runs kernels.h on the CPU (build tag cudaemu): each kernel is a C++
// function, a launch runs its blocks one after another, and the threads of
// a block either in turn (kernels without __syncthreads) or as coroutines
// (ucontext) that __syncthreads hands back to a scheduler, which resumes
// every thread of the block once per barrier. Static __shared__ arrays
// become function statics, which is right because blocks do not overlap.
// It exists to test the device code where there is no device; it says
// nothing about speed.
#ifndef BRAINGO_EMU_H
#define BRAINGO_EMU_H

#define BRAINGO_EMU 1

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

typedef uint32_t u32;
typedef unsigned long long u64;

struct dim3 {
	unsigned x, y, z;
};

extern dim3 threadIdx, blockIdx, blockDim, gridDim;
void emu_syncthreads();

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

inline void __syncthreads() { emu_syncthreads(); }

inline u32 __float_as_uint(float f)
{
	u32 u;
	memcpy(&u, &f, 4);
	return u;
}
inline float __uint_as_float(u32 u)
{
	float f;
	memcpy(&f, &u, 4);
	return f;
}
inline long long __double_as_longlong(double d)
{
	long long u;
	memcpy(&u, &d, 8);
	return u;
}
inline double __longlong_as_double(long long u)
{
	double d;
	memcpy(&d, &u, 8);
	return d;
}
inline u32 __umulhi(u32 a, u32 b) { return (u32)(((uint64_t)a * b) >> 32); }
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }

inline float atomicAdd(float *p, float v) { return std::atomic_ref<float>(*p).fetch_add(v); }
inline int atomicAdd(int *p, int v) { return std::atomic_ref<int>(*p).fetch_add(v); }

using std::exp;
using std::fabs;
using std::cos;
using std::log;
using std::sin;
using std::sqrt;

#endif
