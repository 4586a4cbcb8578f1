//go:build cudaemu

// The CPU emulator's launcher (see emu.h): kernels.h compiled as C++, and
// a table from kernel names to launchers that unpack 64-bit argument cells
// into each kernel's parameter types. A kernel's entry says whether it
// synchronizes its threads (__syncthreads): such kernels run their threads
// as coroutines, the others one thread after another. Launches are not
// reentrant (the Go side serializes them).

#include "emu.h"

#include <ucontext.h>

#include <utility>
#include <vector>

dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace {

// The threads of the running block, as coroutines.
struct fiber {
	ucontext_t ctx;
	std::vector<char> stack;
	bool done;
};
ucontext_t sched;
std::vector<fiber> fibers;
fiber *cur; // the running fiber; nullptr outside synchronizing kernels
void (*cur_run)(const uint64_t *);
const uint64_t *cur_args;

void fiber_main()
{
	cur_run(cur_args);
	cur->done = true; // uc_link returns to the scheduler
}

} // namespace

void emu_syncthreads()
{
	if (!cur) {
		fprintf(stderr, "emu: __syncthreads in a kernel not marked as synchronizing\n");
		abort();
	}
	swapcontext(&cur->ctx, &sched);
}

#include "kernels.h"

namespace {

template <typename T> T cell(const uint64_t *a)
{
	T v;
	memcpy(&v, a, sizeof(T));
	return v;
}

// call runs f with its arguments read from the cells args[0:].
template <typename... A, size_t... I>
void call(void (*f)(A...), const uint64_t *args, std::index_sequence<I...>)
{
	f(cell<A>(args + I)...);
}

struct entry {
	const char *name;
	int nargs;
	bool sync; // uses __syncthreads: run a block's threads as coroutines
	void (*run)(const uint64_t *args);
};

template <typename... A> constexpr int arity(void (*)(A...)) { return sizeof...(A); }

#define EMU(fn, sync) \
	{ #fn, arity(fn), sync, [](const uint64_t *a) { call(fn, a, std::make_index_sequence<arity(fn)>{}); } }

const entry table[] = {
	EMU(gemm_f32, true),
	EMU(lif_fwd_seq, false),
	EMU(lif_bwd_seq, false),
	EMU(events_rows, true),
	EMU(events_cols, false),
	EMU(event_matmul, false),
	EMU(event_matmul_grad, false),
	EMU(ce_rows, false),
	EMU(adam_step, false),
	EMU(sum_partial, true),
	EMU(col_sums, false),
	EMU(row_argmax, false),
	EMU(correct_rows, false),
	EMU(gather_rows, false),
	EMU(gather_labels, false),
	EMU(philox_uniform, false),
	EMU(philox_normal, false),
	EMU(set_rows, false),
	EMU(jit_scatter, false),
	EMU(csr_scatter, false),
	EMU(coba_step, false),
};

} // namespace

extern "C" int emu_launch(const char *name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
	unsigned bz, const uint64_t *args, int nargs)
{
	const entry *e = nullptr;
	for (const entry &t : table)
		if (strcmp(t.name, name) == 0)
			e = &t;
	if (!e)
		return 1; // no such kernel
	if (e->nargs != nargs)
		return 2; // wrong number of arguments
	gridDim = dim3{gx, gy, gz};
	blockDim = dim3{bx, by, bz};
	unsigned nt = bx * by * bz;
	if (!e->sync) {
		for (unsigned z = 0; z < gz; z++)
			for (unsigned y = 0; y < gy; y++)
				for (unsigned x = 0; x < gx; x++) {
					blockIdx = dim3{x, y, z};
					for (unsigned t = 0; t < nt; t++) {
						threadIdx = dim3{t % bx, t / bx % by, t / (bx * by)};
						e->run(args);
					}
				}
		return 0;
	}
	// Each block: start every thread as a coroutine, then resume them in
	// turn until all have finished; a resumed thread runs to its next
	// __syncthreads, so each round of resumes is one barrier.
	const size_t stack = 256 << 10;
	fibers.resize(nt);
	cur_run = e->run;
	cur_args = args;
	for (unsigned z = 0; z < gz; z++)
		for (unsigned y = 0; y < gy; y++)
			for (unsigned x = 0; x < gx; x++) {
				blockIdx = dim3{x, y, z};
				for (unsigned t = 0; t < nt; t++) {
					fiber &f = fibers[t];
					f.stack.resize(stack);
					f.done = false;
					getcontext(&f.ctx);
					f.ctx.uc_stack.ss_sp = f.stack.data();
					f.ctx.uc_stack.ss_size = stack;
					f.ctx.uc_link = &sched;
					makecontext(&f.ctx, fiber_main, 0);
				}
				for (bool live = true; live;) {
					live = false;
					for (unsigned t = 0; t < nt; t++) {
						fiber &f = fibers[t];
						if (f.done)
							continue;
						threadIdx = dim3{t % bx, t / bx % by, t / (bx * by)};
						cur = &f;
						swapcontext(&sched, &f.ctx);
						live = live || !f.done;
					}
				}
				cur = nullptr;
			}
	return 0;
}
