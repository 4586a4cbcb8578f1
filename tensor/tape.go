package tensor

import (
	"fmt"
	"math/bits"

	"github.com/braingo/braingo/kernels"
)

// Tape records differentiable operations in execution order (a Wengert list)
// and runs their vector-Jacobian products in reverse on Backward. It also
// owns a pool of float32 buffers: outputs, gradients and scratch memory it
// hands out stay valid until Reset, which recycles them for the next pass.
//
// A nil *Tape is valid: ops then compute values only, allocate with make and
// record nothing. A Tape is not safe for concurrent use.
type Tape struct {
	back   []func()
	f32    pool[float32]
	i32    pool[int32]
	paused int
	// evScratch holds transposed spike lists during one backward step of
	// SpikeMatMul (steps run one at a time).
	evScratch kernels.Events
	// narrow holds the packed weights of narrow products during a recorded
	// pass (narrow.go); cleared by Backward and Reset.
	narrow map[*Tensor]*narrowW
	// headers is what is left of the current chunk of result headers
	// (NewResult).
	headers []resultHeader
}

// NewTape returns an empty tape.
func NewTape() *Tape {
	return &Tape{}
}

// Recording reports whether ops on tp are recorded for a backward pass.
func (tp *Tape) Recording() bool { return tp != nil && tp.paused == 0 }

// NoGrad runs fn with recording paused: ops inside compute values (still
// from tp's pool) but record nothing and their results require no gradient.
func (tp *Tape) NoGrad(fn func()) {
	if tp == nil {
		fn()
		return
	}
	tp.paused++
	defer func() { tp.paused-- }()
	fn()
}

// Len is the number of recorded backward steps.
func (tp *Tape) Len() int {
	if tp == nil {
		return 0
	}
	return len(tp.back)
}

// Bytes reports the memory the tape has handed out since the last Reset
// (float32 and int32 buffers), the memory a backward pass keeps alive.
func (tp *Tape) Bytes() int {
	if tp == nil {
		return 0
	}
	return 4 * (tp.f32.inUse() + tp.i32.inUse())
}

// Alloc returns a buffer of n float32 with unspecified contents, valid until
// the next Reset. With a nil tape it allocates.
func (tp *Tape) Alloc(n int) []float32 {
	if tp == nil {
		return make([]float32, n)
	}
	return tp.f32.get(n)
}

// AllocZero is Alloc with the buffer zeroed.
func (tp *Tape) AllocZero(n int) []float32 {
	b := tp.Alloc(n)
	if tp != nil {
		clear(b)
	}
	return b
}

// AllocInt32 returns an int32 buffer of length n, valid until the next Reset.
func (tp *Tape) AllocInt32(n int) []int32 {
	if tp == nil {
		return make([]int32, n)
	}
	return tp.i32.get(n)
}

// resultHeader holds a result tensor and the storage of its shape.
type resultHeader struct {
	t     Tensor
	shape [4]int
}

// resultChunk is the result headers a tape allocates at once.
const resultChunk = 64

// NewResult returns an op's output tensor of the given shape with pooled,
// uninitialized Data. It requires a gradient when tp records and any input
// does; an op records its backward step (Record) only in that case.
func (tp *Tape) NewResult(shape []int, inputs ...*Tensor) *Tensor {
	var t *Tensor
	if len(shape) <= len(resultHeader{}.shape) {
		// The header and its shape in one piece (an op's output; many per
		// time step), taken from a chunk of the tape's: one allocation per
		// resultChunk results. Headers are never handed out twice; a chunk
		// holds results of one pass (Reset starts a new one) and is
		// collected once none of its tensors is referenced.
		var h *resultHeader
		if tp != nil {
			if len(tp.headers) == 0 {
				tp.headers = make([]resultHeader, resultChunk)
			}
			h, tp.headers = &tp.headers[0], tp.headers[1:]
		} else {
			h = new(resultHeader)
		}
		t = &h.t
		t.Shape = append(h.shape[:0], shape...)
	} else {
		t = &Tensor{Shape: append([]int(nil), shape...)}
	}
	t.Data = tp.Alloc(numel(shape))
	t.pooled = tp != nil
	if tp.Recording() {
		for _, in := range inputs {
			if in != nil && in.requiresGrad {
				t.requiresGrad = true
				break
			}
		}
	}
	return t
}

// Record appends a backward step. Backward runs steps in reverse order of
// recording; a step reads its output's Grad (skipping the work when it is
// nil: no gradient reached it) and accumulates into its inputs' gradients
// through GradOf.
func (tp *Tape) Record(step func()) {
	if tp.Recording() {
		tp.back = append(tp.back, step)
	}
}

// GradOf returns t.Grad, first allocating it zeroed if it is nil: from the
// tape's pool for tensors the tape created, with make for others (parameters),
// whose gradients outlive Reset.
func (tp *Tape) GradOf(t *Tensor) []float32 {
	if t.Grad == nil {
		if t.pooled && tp != nil {
			t.Grad = tp.AllocZero(len(t.Data))
		} else {
			t.Grad = make([]float32, len(t.Data))
		}
	}
	return t.Grad
}

// GradAcc returns t's gradient buffer for a backward step that adds into
// it. If t had no gradient yet, the buffer is returned uninitialized with
// fresh = true and the step must write every element instead of adding: the
// first writer skips zeroing and a read.
func (tp *Tape) GradAcc(t *Tensor) (g []float32, fresh bool) {
	if t.Grad != nil {
		return t.Grad, false
	}
	if t.pooled && tp != nil {
		t.Grad = tp.Alloc(len(t.Data))
		return t.Grad, true
	}
	t.Grad = make([]float32, len(t.Data))
	return t.Grad, false // already zero
}

// Backward runs the recorded steps in reverse, seeding dLoss/dLoss = 1. loss
// must hold a single value. Parameter gradients accumulate into their Grad.
// The recorded steps are dropped afterwards; buffers stay valid until Reset.
func (tp *Tape) Backward(loss *Tensor) {
	if len(loss.Data) != 1 {
		panic(fmt.Sprintf("tensor: Backward of non-scalar tensor with shape %v (use BackwardWith)", loss.Shape))
	}
	tp.BackwardWith(loss, []float32{1})
}

// BackwardWith runs the recorded steps in reverse with the gradient of out
// seeded by grad (len(grad) == out.Len()), accumulating into out.Grad first.
func (tp *Tape) BackwardWith(out *Tensor, grad []float32) {
	if len(grad) != len(out.Data) {
		panic(fmt.Sprintf("tensor: BackwardWith: gradient has %d values for shape %v", len(grad), out.Shape))
	}
	if tp == nil || !out.requiresGrad {
		return
	}
	g := tp.GradOf(out)
	for i, v := range grad {
		g[i] += v
	}
	for i := len(tp.back) - 1; i >= 0; i-- {
		tp.back[i]()
		tp.back[i] = nil
	}
	tp.back = tp.back[:0]
	clear(tp.narrow)
}

// Reset drops recorded steps and recycles every buffer the tape handed out
// (Data and Grad of its results, scratch): tensors created by the tape must
// not be used after Reset. Parameters and their gradients are untouched.
func (tp *Tape) Reset() {
	if tp == nil {
		return
	}
	clear(tp.back)
	tp.back = tp.back[:0]
	clear(tp.narrow)
	// A pass's results do not share a chunk with the next pass's.
	tp.headers = nil
	tp.f32.reset()
	tp.i32.reset()
}

// sizeClass rounds a buffer length up to a value whose binary form has at
// most three significant bits (at most 25% larger), so buffers whose size
// varies from batch to batch (spike lists) are still reused by the pool.
func sizeClass(n int) int {
	if n <= 16 {
		return n
	}
	shift := bits.Len(uint(n)) - 3
	return ((n + 1<<shift - 1) >> shift) << shift
}

// pool hands out buffers by size class and takes them all back on reset.
// A buffer left unused for poolMaxIdle passes in a row is dropped (the
// garbage collector takes it): the sizes a tape asks for drift as a network
// learns (spike lists grow with the firing), and a pool that kept every
// size class it ever handed out grew with them, epoch after epoch.
type pool[T float32 | int32] struct {
	free map[int][]idle[T] // by capacity; the most recently used last
	used [][]T
}

// idle is a free buffer and the number of passes (resets) it sat unused.
type idle[T float32 | int32] struct {
	b    []T
	idle int
}

// poolMaxIdle is the number of passes a free buffer may sit unused before
// its pool drops it.
const poolMaxIdle = 3

// get returns a buffer of length n with unspecified contents.
func (p *pool[T]) get(n int) []T {
	c := sizeClass(n)
	var b []T
	if l := p.free[c]; len(l) > 0 {
		b = l[len(l)-1].b[:n]
		l[len(l)-1] = idle[T]{}
		p.free[c] = l[:len(l)-1]
	} else {
		b = make([]T, n, c)
	}
	p.used = append(p.used, b)
	return b
}

// reset makes every buffer handed out available again and drops those
// unused for poolMaxIdle passes.
func (p *pool[T]) reset() {
	if p.free == nil {
		p.free = map[int][]idle[T]{}
	}
	for c, l := range p.free {
		// The oldest first: they were pushed before the fresher ones.
		k := 0
		for _, e := range l {
			if e.idle+1 < poolMaxIdle {
				l[k] = idle[T]{e.b, e.idle + 1}
				k++
			}
		}
		clear(l[k:])
		if k == 0 && cap(l) == 0 {
			delete(p.free, c)
			continue
		}
		// A class whose buffers are all in use keeps its empty list, so
		// that taking them back below does not grow a new one each pass
		// (the lists hold no buffers; the classes are few, at most 8 per
		// power of two).
		p.free[c] = l[:k]
	}
	for _, b := range p.used {
		p.free[cap(b)] = append(p.free[cap(b)], idle[T]{b: b[:cap(b)]})
	}
	clear(p.used)
	p.used = p.used[:0]
}

// inUse is the number of elements handed out since the last reset.
func (p *pool[T]) inUse() int {
	n := 0
	for _, b := range p.used {
		n += len(b)
	}
	return n
}
