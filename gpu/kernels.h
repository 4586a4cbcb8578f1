// braingo's device kernels (package gpu), in CUDA C. `go generate` compiles
// this file to PTX with nvcc -x cu (see generate.go); the PTX is committed
// and embedded, so a build needs cuda.h and libcuda only. It is named .h so
// that Go's build cache, which tracks a package's headers, rebuilds the CPU
// emulator (emu.cc includes it) when it changes.
//
// Conventions, kept so that every kernel can be checked against its CPU
// counterpart in package kernels and run under the CPU emulator (emu.h):
//   - float32 data, row-major, leading dimensions in elements;
//   - compiled with -fmad=false and IEEE division and square root, so the
//     elementwise kernels perform the CPU loops' float32 operations in the
//     same order and give the same bits; only the GEMM asks for fused
//     multiply-adds explicitly (__fmaf_rn);
//   - no warp intrinsics and no dynamic shared memory: __syncthreads and
//     static __shared__ arrays only;
//   - one launch configuration per kernel, set by its Go wrapper (ops.go).

#ifndef BRAINGO_EMU
typedef unsigned int u32;
typedef unsigned long long u64;
#endif

__device__ __forceinline__ int imin(int a, int b) { return a < b ? a : b; }

// above returns 1 if v > th and 0 otherwise: the sign bit of th − v, as
// kernels.above computes it.
__device__ __forceinline__ float above(float v, float th) {
	return (float)(__float_as_uint(th - v) >> 31);
}

// ---------------------------------------------------------------- GEMM

#define GEMM_TILE 64 // output tile edge
#define GEMM_K 16    // depth of a shared-memory slab
#define GEMM_THREADS 256

// gemm_f32 computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// op(X) = X or Xᵀ (ta, tb nonzero), as kernels.Gemm: C is m×n, op(A) m×k,
// op(B) k×n. With beta == 0, C is not read. Grid (⌈n/64⌉, ⌈m/64⌉), 256
// threads: each block computes a 64×64 tile of C from 16-deep slabs of
// op(A) and op(B) staged in shared memory; thread (ty, tx) owns the 4×4
// elements (ty+16i, tx+16j). Sums use fused multiply-adds in ascending k,
// so results differ from the CPU's by rounding only.
extern "C" __global__ void gemm_f32(int ta, int tb, int m, int n, int k, float alpha,
	const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
	__shared__ float As[GEMM_K][GEMM_TILE + 4]; // As[kk][r] = op(A)[row0+r][k0+kk]
	__shared__ float Bs[GEMM_K][GEMM_TILE + 4]; // Bs[kk][c] = op(B)[k0+kk][col0+c]
	int tid = threadIdx.x;
	int tx = tid % 16, ty = tid / 16;
	int row0 = blockIdx.y * GEMM_TILE, col0 = blockIdx.x * GEMM_TILE;
	float acc[4][4];
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			acc[i][j] = 0.0f;
	for (int k0 = 0; k0 < k; k0 += GEMM_K) {
		for (int l = 0; l < GEMM_TILE * GEMM_K / GEMM_THREADS; l++) {
			int idx = tid + GEMM_THREADS * l;
			int r, c, kk;
			// Consecutive threads read consecutive addresses of A.
			if (ta) {
				kk = idx / GEMM_TILE;
				r = idx % GEMM_TILE;
			} else {
				r = idx / GEMM_K;
				kk = idx % GEMM_K;
			}
			int gr = row0 + r, gk = k0 + kk;
			float v = 0.0f;
			if (gr < m && gk < k)
				v = ta ? A[(size_t)gk * lda + gr] : A[(size_t)gr * lda + gk];
			As[kk][r] = v;
			// And of B.
			if (tb) {
				c = idx / GEMM_K;
				kk = idx % GEMM_K;
			} else {
				kk = idx / GEMM_TILE;
				c = idx % GEMM_TILE;
			}
			int gc = col0 + c;
			gk = k0 + kk;
			v = 0.0f;
			if (gc < n && gk < k)
				v = tb ? B[(size_t)gc * ldb + gk] : B[(size_t)gk * ldb + gc];
			Bs[kk][c] = v;
		}
		__syncthreads();
		for (int kk = 0; kk < GEMM_K; kk++) {
			float a[4], b[4];
			for (int i = 0; i < 4; i++)
				a[i] = As[kk][ty + 16 * i];
			for (int j = 0; j < 4; j++)
				b[j] = Bs[kk][tx + 16 * j];
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 4; j++)
					acc[i][j] = __fmaf_rn(a[i], b[j], acc[i][j]);
		}
		__syncthreads();
	}
	for (int i = 0; i < 4; i++) {
		int gr = row0 + ty + 16 * i;
		if (gr >= m)
			continue;
		for (int j = 0; j < 4; j++) {
			int gc = col0 + tx + 16 * j;
			if (gc >= n)
				continue;
			float *p = C + (size_t)gr * ldc + gc;
			float v = alpha * acc[i][j];
			if (beta != 0.0f)
				v += beta * *p;
			*p = v;
		}
	}
}

// ---------------------------------------------------------------- LIF

// lif_fwd_seq runs T steps of kernels.LIFForward on n neurons in one launch:
// u holds T+1 membranes of n (u[0:n] the initial state, u[(t+1)n:] the state
// after step t), in the T inputs (step t's at in[t·instep:], instep n; 0 for
// a static input, the same n values at every step) and s receives the T
// spike vectors. One
// thread per neuron; the arithmetic is LIFForward's reference loop:
//
//	r := above(prev, θ)
//	subtract: v = β·prev + x − r·θ;  zero: v = (β·prev)·(1−r) + x
//	zero (legacy): v = (β·prev + x)·(1−r);  none: v = β·prev + x
//	s = above(v, θ)
extern "C" __global__ void lif_fwd_seq(int T, int n, const float *in, int instep, float *u, float *s,
	float beta, float theta, int reset)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	float prev = u[i];
	for (int t = 0; t < T; t++) {
		size_t o = (size_t)t * n + i;
		float x = in[(size_t)t * instep + i];
		float r = above(prev, theta);
		float v;
		switch (reset) {
		case 0: // subtract
			v = beta * prev + x - r * theta;
			break;
		case 1: // zero
			v = (beta * prev) * (1.0f - r) + x;
			break;
		case 3: // zero, legacy
			v = (beta * prev + x) * (1.0f - r);
			break;
		default:
			v = beta * prev + x;
		}
		u[o + n] = v;
		s[o] = above(v, theta);
		prev = v;
	}
}

// Surrogate kinds of lif_bwd_seq (kernels.Surrogate's numbering; 0 means no
// spike gradient).
#define SUR_NONE 0
#define SUR_ATAN 1
#define SUR_FASTSIG 2
#define SUR_SIGMOID 3
#define SUR_TRIANGLE 4

// lif_bwd_seq is the backward pass of lif_fwd_seq: kernels.LIFBackward
// applied from step T down to 1, the membrane gradient carried between
// steps. gs (T×n, the gradients of the spikes; NULL for none), gum (T×n,
// a loss's gradients of the membranes u[1..T], e.g. a cross-entropy on the
// output membrane at every step; NULL for none) and guT (the gradient of
// the last membrane from beyond the sequence; NULL for zero) come in; gin
// (T×n) receives the gradients of the inputs and gu0 (NULL to skip) that of
// the initial membrane. With ginstep 0 (a static input, lif_fwd_seq's
// instep 0) gin holds n values, the sum of the steps' input gradients
// added from step T down to 1 (the order in which a tape accumulates a
// leaf's gradient); else ginstep is n. Per step, with x = u[t] − θ:
//
//	d = gs·σ'(x) + (carry + gum[t−1])
//	zero (legacy): d *= 1 − above(u[t−1], θ)
//	gu = β·d;  zero: gu = (β·d)·(1 − above(u[t−1], θ))
//	gin[t−1] = d;  carry = gu
//
// σ' by sur with p0, p1 as kernels.lifBackward sets them: ATan
// p1/(1+(p0·x)²) (p0 = π/2·α, p1 = α/2), fast sigmoid 1/(1+p0|x|)², sigmoid
// p0·e/(1+e)² with e = exp(−|p0·x|) in double, triangle max(0, p0·(p1−|x|)).
extern "C" __global__ void lif_bwd_seq(int T, int n, const float *u, const float *gs,
	const float *gum, const float *guT, float *gin, int ginstep, float *gu0, float beta, float theta,
	int reset, int sur, float p0, float p1)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	float carry = guT ? guT[i] : 0.0f;
	float acc = 0.0f; // ginstep 0: the sum of the steps' input gradients
	for (int t = T; t >= 1; t--) {
		size_t o = (size_t)t * n + i; // u[t]
		float d = 0.0f;
		if (gs != 0 && sur != SUR_NONE) {
			float g = gs[o - n];
			float x = u[o] - theta;
			switch (sur) {
			case SUR_ATAN: {
				float q = p0 * x;
				d = g * p1 / (1.0f + q * q);
				break;
			}
			case SUR_FASTSIG: {
				float q = 1.0f + p0 * fabsf(x);
				d = g / (q * q);
				break;
			}
			case SUR_SIGMOID: {
				double e = exp(-fabs((double)(p0 * x)));
				d = g * (p0 * (float)(e / ((1.0 + e) * (1.0 + e))));
				break;
			}
			case SUR_TRIANGLE: {
				float q = p0 * (p1 - fabsf(x));
				d = g * (q > 0.0f ? q : 0.0f);
				break;
			}
			}
		}
		d += gum ? carry + gum[o - n] : carry;
		float prev = u[o - n];
		if (reset == 3)
			d *= 1.0f - above(prev, theta);
		float gu = beta * d;
		if (reset == 1)
			gu = gu * (1.0f - above(prev, theta));
		if (ginstep)
			gin[o - n] = d;
		else
			acc = t == T ? d : acc + d;
		carry = gu;
	}
	if (!ginstep)
		gin[i] = acc;
	if (gu0)
		gu0[i] = carry;
}

// ---------------------------------------------------------------- events

#define SCAN_THREADS 256

// events_rows lists the nonzero columns of each row of the rows×cols matrix
// s (row stride lds) in ascending order: row r's into idx[r·ldidx:], their
// count into cnt[r], as kernels.Events.FromDense. One block of 256 threads
// per row, scanning 256 columns at a time with a shared-memory prefix sum.
extern "C" __global__ void events_rows(int rows, int cols, const float *s, int lds,
	int *idx, int ldidx, int *cnt)
{
	__shared__ int sc[SCAN_THREADS];
	__shared__ int base;
	int r = blockIdx.x, tid = threadIdx.x;
	if (r >= rows)
		return;
	if (tid == 0)
		base = 0;
	__syncthreads();
	for (int c0 = 0; c0 < cols; c0 += SCAN_THREADS) {
		int j = c0 + tid;
		int f = j < cols && s[(size_t)r * lds + j] != 0.0f;
		sc[tid] = f;
		__syncthreads();
		for (int off = 1; off < SCAN_THREADS; off *= 2) {
			int v = tid >= off ? sc[tid - off] : 0;
			__syncthreads();
			sc[tid] += v;
			__syncthreads();
		}
		if (f)
			idx[(size_t)r * ldidx + base + sc[tid] - 1] = j;
		__syncthreads();
		if (tid == 0)
			base += sc[SCAN_THREADS - 1];
		__syncthreads();
	}
	if (tid == 0)
		cnt[r] = base;
}

// events_cols lists, for each column i of the rows×cols matrix s, the rows
// where it is nonzero in ascending order (the transposed events): into
// idx[i·ldidx:], their count into cnt[i]. One thread per column (reads of a
// row are coalesced across threads).
extern "C" __global__ void events_cols(int rows, int cols, const float *s, int lds,
	int *idx, int ldidx, int *cnt)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= cols)
		return;
	int c = 0;
	for (int r = 0; r < rows; r++)
		if (s[(size_t)r * lds + i] != 0.0f)
			idx[(size_t)i * ldidx + c++] = r;
	cnt[i] = c;
}

// event_matmul computes Y = S·W (or Y += S·W with acc) from the row events
// of S (events_rows): y[b, j] = Σ over the listed i of w[i, j], summed in
// ascending i as kernels.EventMatMul's reference loop (bit-identical for n >
// 32). Grid (⌈n/256⌉, rows).
extern "C" __global__ void event_matmul(int rows, int n, const int *idx, int ldidx,
	const int *cnt, const float *w, int ldw, float *y, int ldy, int acc)
{
	int j = blockIdx.x * blockDim.x + threadIdx.x, b = blockIdx.y;
	if (j >= n || b >= rows)
		return;
	float *p = y + (size_t)b * ldy + j;
	float a = acc ? *p : 0.0f;
	const int *li = idx + (size_t)b * ldidx;
	for (int k = 0, e = cnt[b]; k < e; k++)
		a += w[(size_t)li[k] * ldw + j];
	*p = a;
}

// event_matmul_grad accumulates dW += Sᵀ·δ from the column events of S
// (events_cols): dw[i, j] += δ[b, j] for the rows b where input i fired, in
// ascending b, as kernels.EventMatMulGrad's reference loop (bit-identical).
// Grid (⌈n/256⌉, cols).
extern "C" __global__ void event_matmul_grad(int cols, int n, const int *idx, int ldidx,
	const int *cnt, const float *delta, int ldd, float *dw, int lddw)
{
	int j = blockIdx.x * blockDim.x + threadIdx.x, i = blockIdx.y;
	if (j >= n || i >= cols)
		return;
	float *p = dw + (size_t)i * lddw + j;
	float a = *p;
	const int *li = idx + (size_t)i * ldidx;
	for (int k = 0, e = cnt[i]; k < e; k++)
		a += delta[(size_t)li[k] * ldd + j];
	*p = a;
}

// ---------------------------------------------------------------- losses

// ce_rows is the softmax cross-entropy of each row of the rows×cols logits x
// (row stride ldx) with integer labels: loss[r] = −log_softmax(x_r)[label]
// with the log-sum-exp in double as kernels.LogSoftmaxRows, and, when grad
// is not NULL, grad[r, j] = scale·(softmax(x_r)[j] − [j == label]) (row
// stride cols). One thread per row.
extern "C" __global__ void ce_rows(int rows, int cols, const float *x, int ldx,
	const int *labels, float *loss, float *grad, float scale)
{
	int r = blockIdx.x * blockDim.x + threadIdx.x;
	if (r >= rows)
		return;
	const float *p = x + (size_t)r * ldx;
	float m = p[0];
	for (int j = 1; j < cols; j++)
		if (p[j] > m)
			m = p[j];
	double s = 0.0;
	for (int j = 0; j < cols; j++)
		s += exp((double)p[j] - (double)m);
	double lse = (double)m + log(s);
	int y = labels[r];
	loss[r] = -(float)((double)p[y] - lse);
	if (grad) {
		float *g = grad + (size_t)r * cols;
		for (int j = 0; j < cols; j++) {
			float sm = (float)exp((double)p[j] - lse);
			g[j] = scale * (sm - (j == y ? 1.0f : 0.0f));
		}
	}
}

// ---------------------------------------------------------------- Adam

// adam_step is kernels.AdamStep without AMSGrad: the float32 coefficients
// come from the host as kernels.AdamHyper's coef computes them (sign flips
// the gradient for maximize, l2 adds wd·w, decay shrinks w for AdamW, lerpg
// picks the lerp form for c1 ≥ 0.5). The same float32 operations in the
// same order as its reference loop, so the same bits.
extern "C" __global__ void adam_step(int n, float *w, float *m, float *v, const float *g,
	u32 sign, int l2, float wd, float decay, float c1, int lerpg, float beta2, float c2,
	float bc2sqrt, float eps, float negstep)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	float gi = __uint_as_float(__float_as_uint(g[i]) ^ sign), wi = w[i];
	if (l2)
		gi += wd * wi;
	wi *= decay;
	float mi = m[i];
	if (lerpg)
		mi = gi + (c1 - 1.0f) * (gi - mi);
	else
		mi += c1 * (gi - mi);
	m[i] = mi;
	float vi = v[i] * beta2 + c2 * gi * gi;
	v[i] = vi;
	float denom = sqrtf(vi) / bc2sqrt + eps;
	w[i] = wi + negstep * mi / denom;
}

// ---------------------------------------------------------------- reductions

#define RED_THREADS 256

// sum_partial adds x[0:n) into out[blockIdx.x]: thread t of block b sums
// x[b·256+t], x[b·256+t+G·256], … (G = gridDim.x) in order, then the block
// adds its 256 partial sums as a fixed binary tree. For a given grid the
// result is deterministic; call it again with one block on out to finish.
extern "C" __global__ void sum_partial(int n, const float *x, float *out)
{
	__shared__ float sh[RED_THREADS];
	int tid = threadIdx.x;
	float a = 0.0f;
	for (size_t i = (size_t)blockIdx.x * RED_THREADS + tid; i < (size_t)n;
	     i += (size_t)gridDim.x * RED_THREADS)
		a += x[i];
	sh[tid] = a;
	__syncthreads();
	for (int h = RED_THREADS / 2; h > 0; h /= 2) {
		if (tid < h)
			sh[tid] += sh[tid + h];
		__syncthreads();
	}
	if (tid == 0)
		out[blockIdx.x] = sh[0];
}

// col_sums adds the column sums of the rows×cols matrix x to dst, rows in
// order, as kernels.AddColSums (bit-identical). One thread per column.
extern "C" __global__ void col_sums(int rows, int cols, const float *x, float *dst)
{
	int j = blockIdx.x * blockDim.x + threadIdx.x;
	if (j >= cols)
		return;
	float a = dst[j];
	for (int r = 0; r < rows; r++)
		a += x[(size_t)r * cols + j];
	dst[j] = a;
}

// row_argmax writes the index of the first largest element of each row of
// the rows×cols matrix x, as kernels.RowArgMax. One thread per row.
extern "C" __global__ void row_argmax(int rows, int cols, const float *x, int *dst)
{
	int r = blockIdx.x * blockDim.x + threadIdx.x;
	if (r >= rows)
		return;
	const float *p = x + (size_t)r * cols;
	int best = 0;
	for (int j = 1; j < cols; j++)
		if (p[j] > p[best])
			best = j;
	dst[r] = best;
}

// correct_rows writes out[r] = 1 when the first largest element of row r
// of the rows×cols matrix x (row_argmax's choice) is at labels[r], else 0:
// summed, the number of correct predictions. One thread per row.
extern "C" __global__ void correct_rows(int rows, int cols, const float *x, const int *labels, float *out)
{
	int r = blockIdx.x * blockDim.x + threadIdx.x;
	if (r >= rows)
		return;
	const float *p = x + (size_t)r * cols;
	int best = 0;
	for (int j = 1; j < cols; j++)
		if (p[j] > p[best])
			best = j;
	out[r] = best == labels[r] ? 1.0f : 0.0f;
}

// gather_rows copies row ids[r] of src (rows of f values) into row r of dst
// for r < n: a batch taken from a data set kept on the device. One thread
// per value.
extern "C" __global__ void gather_rows(int n, int f, const float *src, const int *ids, float *dst)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= (size_t)n * f)
		return;
	size_t r = i / f, j = i % f;
	dst[i] = src[(size_t)ids[r] * f + j];
}

// gather_labels writes lab[r] = labels[ids[r]] for r < n, and the same into
// labT[t·n + r] for each of T steps (the labels of a loss over all steps'
// rows). One thread per sample.
extern "C" __global__ void gather_labels(int n, int T, const int *labels, const int *ids, int *lab, int *labT)
{
	int r = blockIdx.x * blockDim.x + threadIdx.x;
	if (r >= n)
		return;
	int y = labels[ids[r]];
	lab[r] = y;
	for (int t = 0; t < T; t++)
		labT[(size_t)t * n + r] = y;
}

// ---------------------------------------------------------------- Philox

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

// philox_block is kernels.philoxBlock: Philox4x32-10 of the counter
// [lo n, hi n, lo stream, hi stream] under the key seed.
__device__ void philox_block(u64 seed, u64 stream, u64 n, u32 out[4])
{
	u32 c0 = (u32)n, c1 = (u32)(n >> 32), c2 = (u32)stream, c3 = (u32)(stream >> 32);
	u32 k0 = (u32)seed, k1 = (u32)(seed >> 32);
	for (int r = 0; r < 10; r++) {
		if (r > 0) {
			k0 += PHILOX_W0;
			k1 += PHILOX_W1;
		}
		u32 hi0 = __umulhi(PHILOX_M0, c0), lo0 = PHILOX_M0 * c0;
		u32 hi1 = __umulhi(PHILOX_M1, c2), lo1 = PHILOX_M1 * c2;
		u32 n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
		c0 = n0;
		c1 = lo1;
		c2 = n2;
		c3 = lo0;
	}
	out[0] = c0;
	out[1] = c1;
	out[2] = c2;
	out[3] = c3;
}

__device__ __forceinline__ float uniform32(u32 u) { return (float)(u >> 8) * 5.9604644775390625e-08f; }

// philox_uniform is kernels.FillUniform: dst[i] = lo + (hi−lo)·Uniform32(word
// i%4 of block i/4 of the stream (seed, stream)). One thread per block of 4.
extern "C" __global__ void philox_uniform(int n, float *dst, float lo, float hi, u64 seed, u64 stream)
{
	int b = blockIdx.x * blockDim.x + threadIdx.x;
	if (4 * b >= n)
		return;
	u32 w[4];
	philox_block(seed, stream, (u64)b, w);
	float scale = hi - lo;
	for (int j = 0; j < 4 && 4 * b + j < n; j++)
		dst[4 * b + j] = lo + scale * uniform32(w[j]);
}

// philox_normal is kernels.FillNormal: with w block k of the stream (seed,
// stream), dst[2k], dst[2k+1] = mean + std·(r·cos θ, r·sin θ), r =
// sqrt(−2 ln u1), u1 = (w0+1)·2⁻³², θ = 2π·w1·2⁻³², in double. The device's
// log, sin and cos may differ from Go's in the last place of the double, so
// values agree to float32 rounding, not always to the bit. One thread per
// pair.
extern "C" __global__ void philox_normal(int n, float *dst, float mean, float sd, u64 seed, u64 stream)
{
	int k = blockIdx.x * blockDim.x + threadIdx.x;
	if (2 * k >= n)
		return;
	u32 w[4];
	philox_block(seed, stream, (u64)k, w);
	double r = sqrt(-2 * log(((double)w[0] + 1) * 2.3283064365386963e-10));
	double th = 2 * 3.141592653589793 * ((double)w[1] * 2.3283064365386963e-10);
	dst[2 * k] = mean + sd * (float)(r * cos(th));
	if (2 * k + 1 < n)
		dst[2 * k + 1] = mean + sd * (float)(r * sin(th));
}

// set_rows sets every row of the rows×cols matrix y to the vector b (a
// bias, before a GEMM with beta 1 adds the product). One thread per
// element.
extern "C" __global__ void set_rows(int rows, int cols, float *y, const float *b)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= (size_t)rows * cols)
		return;
	y[i] = b[i % cols];
}

// ---------------------------------------------------------------- JIT

#define JIT_BLOCK 65536

// jit_log is kernels.jitLog, the fixed polynomial ln of the JIT definition,
// with the same double operations in the same order.
__device__ double jit_log(double u)
{
	u64 b = (u64)__double_as_longlong(u);
	int e = (int)((b >> 52) & 0x7ff) - 1023;
	double m = __longlong_as_double((long long)((b & ((1ULL << 52) - 1)) | (1023ULL << 52)));
	if (m > __longlong_as_double(0x3FF6A09E667F3BCDLL)) { // math.Sqrt2
		m *= 0.5;
		e++;
	}
	double t = (m - 1) / (m + 1);
	double t2 = t * t;
	double p = 1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9 + t2 * (1.0 / 11)))));
	return (double)e * __longlong_as_double(0x3FE62E42FEFA39EFLL) + 2 * t * p; // math.Ln2
}

// A word stream of one post block of a JIT row: Philox blocks 0, 1, … of
// (seed, stream), four words each (kernels.Philox's Uint32).
struct words {
	u64 seed, stream, n;
	u32 buf[4];
	int pos;
};

__device__ __forceinline__ void words_reset(words *w, u64 seed, u64 stream)
{
	w->seed = seed;
	w->stream = stream;
	w->n = 0;
	w->pos = 4;
}

__device__ __forceinline__ u32 words_next(words *w)
{
	if (w->pos >= 4) {
		philox_block(w->seed, w->stream, w->n, w->buf);
		w->n++;
		w->pos = 0;
	}
	return w->buf[w->pos++];
}

// jit_row adds row `row` of the JIT matrix into dst (see jit_scatter).
__device__ void jit_row(int row_, int cols, int dense, double invlog, u64 seed, int kind, float A, float B, float *dst)
{
	u64 row = (u64)row_;
	words w;
	for (int b = 0; (long long)b * JIT_BLOCK < (long long)cols; b++) {
		int start = b * JIT_BLOCK;
		int end = imin(start + JIT_BLOCK, cols);
		words_reset(&w, seed, row + ((u64)b << 32));
		int j = start - 1;
		for (;;) {
			if (dense) {
				j++;
			} else {
				double s = jit_log(((double)words_next(&w) + 1) * 2.3283064365386963e-10) * invlog;
				if (s >= (double)JIT_BLOCK)
					break;
				j += 1 + (int)s;
			}
			if (j >= end)
				break;
			float v = A;
			if (kind == 1)
				v = A + (B - A) * uniform32(words_next(&w));
			atomicAdd(dst + j, v);
		}
	}
}

// jit_scatter adds, for each firing pre-neuron listed in spk[0:*nspk] that
// lies in [lo, hi), its JIT row (row = neuron − lo) of the rows×cols matrix
// into dst: dst[j] += weight(j). The row is kernels.JIT's: per post block of
// 65,536 columns, words from the stream (seed, row + block·2³²); geometric
// skips 1 + ⌊jit_log(u)·invlog⌋ with u = (word+1)·2⁻³² (dense: every column,
// no skip word); weight A (kind 0) or A + (B−A)·Uniform32(next word) (kind
// 1). Threads take the listed spikes in a grid-stride loop (one spike at a
// time each); the adds are atomic, so with homogeneous weights the result
// is the CPU's to the bit whatever the order.
extern "C" __global__ void jit_scatter(const int *nspk, const int *spk, int lo, int hi, int cols,
	int dense, double invlog, u64 seed, int kind, float A, float B, float *dst)
{
	int stride = gridDim.x * blockDim.x;
	for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < *nspk; k += stride) {
		int id = spk[k];
		if (id >= lo && id < hi)
			jit_row(id - lo, cols, dense, invlog, seed, kind, A, B, dst);
	}
}


// csr_scatter adds, for each firing pre-neuron listed in spk[0:*nspk] that
// lies in [lo, hi), its CSR row (row = neuron − lo) into dst: dst[col[e]] +=
// val[e] for e in [ptr[row], ptr[row+1]). A grid-stride loop over the
// listed spikes, atomic adds.
extern "C" __global__ void csr_scatter(const int *nspk, const int *spk, int lo, int hi,
	const int *ptr, const int *col, const float *val, float *dst)
{
	int stride = gridDim.x * blockDim.x;
	for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < *nspk; k += stride) {
		int id = spk[k];
		if (id < lo || id >= hi)
			continue;
		int row = id - lo;
		for (int e = ptr[row], f = ptr[row + 1]; e < f; e++)
			atomicAdd(dst + col[e], val[e]);
	}
}

// ---------------------------------------------------------------- COBA

// coba_step is kernels.LIFCondStep for neurons [0, n) at step t: conductances
// decay, active (non-refractory) membranes take one Euler step with the
// previous conductances, and neurons above threshold reset and are appended
// to spk (in no particular order; *nspk counts them). The same float32
// operations in the same order as lifCondStepGo, so the same bits.
extern "C" __global__ void coba_step(int n, float *v, float *ge, float *gi, int *last, int t,
	float c, float k0, float ee, float ei, float de, float di, float vth, float vr, int ref,
	int *spk, int *nspk)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	float e = ge[i], h = gi[i];
	ge[i] = e * de;
	gi[i] = h * di;
	if (t - last[i] < ref)
		return;
	float x = v[i];
	float a = k0 + e * ee + h * ei;
	float b = 1.0f + e + h;
	x += c * (a - b * x);
	if (x > vth) {
		x = vr;
		last[i] = t;
		spk[atomicAdd(nspk, 1)] = i;
	}
	v[i] = x;
}
