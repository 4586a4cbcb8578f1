//go:build torch

package torchlayer

/*
#cgo CXXFLAGS: -std=c++14 -D_GLIBCXX_USE_CXX11_ABI=1 -I/usr/include/torch/csrc/api/include -O2 -w
#cgo LDFLAGS: -lstdc++ -ltorch -ltorch_cpu -lc10
#include <stdlib.h>
#include <malloc.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// Available reports whether this build has libtorch (the torch build tag).
const Available = true

var mallocOnce sync.Once

// tuneMalloc keeps glibc from returning libtorch's large activation
// buffers to the system after every step (and mapping them again on the
// next): without it libtorch's step time swings several-fold. It is what
// GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…:glibc.malloc.trim_threshold=…
// does, and is skipped when the user set malloc tunables themselves.
func tuneMalloc() {
	mallocOnce.Do(func() {
		if strings.Contains(os.Getenv("GLIBC_TUNABLES"), "glibc.malloc") {
			return
		}
		// glibc caps the mmap threshold at 32 MiB on 64-bit systems for
		// mallopt; ask for 1 GiB first in case a build allows it.
		if C.mallopt(C.M_MMAP_THRESHOLD, 1<<30) == 0 {
			C.mallopt(C.M_MMAP_THRESHOLD, 32<<20)
		}
		C.mallopt(C.M_TRIM_THRESHOLD, 1<<31-1)
	})
}

// SetThreads sets libtorch's intra-op threads (0: kernels.Threads()).
//
// libtorch's OpenMP reads its thread count per OS thread (an ICV set by
// omp_set_num_threads on the calling thread, or taken from the global count
// the first time a thread runs parallel work), and goroutines move between
// OS threads: so the count is set again on the pinned thread before every
// libtorch forward and backward pass (useThreads), else an op would run on
// whatever count its OS thread last had, and its reductions' bits with it.
func SetThreads(n int) {
	if n <= 0 {
		n = kernels.Threads()
	}
	torchThreads.Store(int32(n))
	C.bg_set_num_threads(C.int(n))
}

// torchThreads is the count SetThreads last set.
var torchThreads atomic.Int32

// useThreads sets libtorch's thread count on the calling OS thread, which
// the caller has pinned (runtime.LockOSThread).
func useThreads() {
	if n := torchThreads.Load(); n > 0 {
		C.bg_set_num_threads(C.int(n))
	}
}

// threadsHere is libtorch's thread count on the calling OS thread.
func threadsHere() int { return int(C.bg_get_num_threads()) }

// setThreadsHere sets libtorch's thread count as SetThreads does, but
// leaves the count useThreads sets (for tests).
func setThreadsHere(n int) { C.bg_set_num_threads(C.int(n)) }

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func cerr(e *C.char) error {
	if e == nil {
		return nil
	}
	defer C.free(unsafe.Pointer(e))
	return fmt.Errorf("torchlayer: libtorch: %s", C.GoString(e))
}

// copyGrain is the number of floats per goroutine of the bridge's copies.
const copyGrain = 1 << 16

// fromData returns a new libtorch tensor holding a copy of data, copied by
// kernels.Threads() goroutines.
func fromData(data []float32, shape []int, requiresGrad bool) *ts.Tensor {
	dims := make([]C.int64_t, len(shape))
	for i, d := range shape {
		dims[i] = C.int64_t(d)
	}
	var e *C.char
	var dp *C.int64_t
	if len(dims) > 0 {
		dp = &dims[0]
	}
	var dst *C.float
	p := C.bg_empty(dp, C.int(len(dims)), cbool(requiresGrad), &dst, &e)
	if err := cerr(e); err != nil {
		panic(err)
	}
	if len(data) > 0 {
		out := unsafe.Slice((*float32)(unsafe.Pointer(dst)), len(data))
		kernels.Parallel(len(data), copyGrain, func(lo, hi int) { copy(out[lo:hi], data[lo:hi]) })
	}
	return ts.FromCtensor(p)
}

// shapeOf returns t's sizes.
func shapeOf(t *ts.Tensor) []int {
	var buf [8]C.int64_t
	nd := int(C.bg_shape(t.Ctensor(), &buf[0]))
	if nd > len(buf) {
		panic(fmt.Sprintf("torchlayer: tensor of rank %d (at most 8)", nd))
	}
	s := make([]int, nd)
	for i := range s {
		s[i] = int(buf[i])
	}
	return s
}

// copyOut copies t's values (float32) into dst, which has t's size.
func copyOut(t *ts.Tensor, dst []float32) {
	var e *C.char
	var src *C.float
	h := C.bg_contiguous(t.Ctensor(), C.int64_t(len(dst)), &src, &e)
	if err := cerr(e); err != nil {
		panic(err)
	}
	if len(dst) > 0 {
		in := unsafe.Slice((*float32)(unsafe.Pointer(src)), len(dst))
		kernels.Parallel(len(dst), copyGrain, func(lo, hi int) { copy(dst[lo:hi], in[lo:hi]) })
	}
	ts.FromCtensor(h).MustDrop()
}

// takeGrad adds t's libtorch gradient (if any) into dst; with zero it
// then zeroes libtorch's (a parameter's, which libtorch accumulates into).
func takeGrad(t *ts.Tensor, dst []float32, zero bool) {
	var e *C.char
	var src *C.float
	h := C.bg_grad(t.Ctensor(), C.int64_t(len(dst)), &src, &e)
	if err := cerr(e); err != nil {
		panic(err)
	}
	if h == nil {
		return
	}
	g := unsafe.Slice((*float32)(unsafe.Pointer(src)), len(dst))
	kernels.Parallel(len(dst), copyGrain, func(lo, hi int) { kernels.AddTo(dst[lo:hi], g[lo:hi]) })
	ts.FromCtensor(h).MustDrop()
	if zero {
		C.bg_zero_grad(t.Ctensor())
	}
}

// backward runs libtorch's autograd from y with upstream gradient g.
func backward(y, g *ts.Tensor) {
	var e *C.char
	runtime.LockOSThread()
	useThreads()
	C.bg_backward(y.Ctensor(), g.Ctensor(), &e)
	runtime.UnlockOSThread()
	if err := cerr(e); err != nil {
		panic(err)
	}
}

// Timing splits the wall time spent in the layers of a store: Torch in
// libtorch's computations (module forward, autograd backward), Bridge in
// the hand-offs (copies of activations and gradients across the boundary,
// tensor handles). The rest of a step is braingo's.
type Timing struct {
	Torch, Bridge time.Duration
}

// Store owns the libtorch variables of a model (a gotch VarStore on the
// CPU) and their braingo mirrors. It is not safe for concurrent use.
type Store struct {
	// Train is passed to the modules' ForwardT: dropout drops and batch
	// norm uses (and updates) batch statistics. Set it false to evaluate.
	Train bool

	vs      *nn.VarStore
	names   map[string]bool // variables already mirrored
	params  []*tensor.Tensor
	buffers []*tensor.Tensor
	vars    map[*tensor.Tensor]*ts.Tensor
	pending map[*graph]struct{}
	// Timing accumulates the time spent in the store's layers; the caller
	// may reset it.
	Timing Timing
}

// NewStore returns an empty store whose libtorch random initializations
// draw from libtorch's generator seeded with seed. It sets libtorch's
// threads to kernels.Threads() and tunes glibc's malloc (see SetThreads).
func NewStore(seed uint64) *Store {
	tuneMalloc()
	SetThreads(0)
	C.bg_manual_seed(C.uint64_t(seed))
	return &Store{Train: true, vs: nn.NewVarStore(gotch.CPU), names: map[string]bool{},
		vars: map[*tensor.Tensor]*ts.Tensor{}, pending: map[*graph]struct{}{}}
}

// Path returns the gotch path under which a module named name creates its
// variables (their braingo names are "name.weight" and so on).
func (s *Store) Path(name string) *nn.Path { return s.vs.Root().Sub(name) }

// sync mirrors the variables created since the last call, in name order,
// and returns the new trainable ones. A variable the bridge cannot mirror
// (not float32) is an error, and is left out.
func (s *Store) sync() ([]*tensor.Tensor, error) {
	vars := s.vs.Variables()
	names := make([]string, 0, len(vars))
	for n := range vars {
		if !s.names[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var added []*tensor.Tensor
	for _, n := range names {
		s.names[n] = true
		v := vars[n]
		if k := v.DType(); k != gotch.Float {
			return added, fmt.Errorf("torchlayer: variable %s has type %v; the bridge handles float32 only (gotch's NewConstInit makes float64 for values other than 0 and 1)", n, k)
		}
		t := v.MustShallowClone() // a handle of our own on the same variable
		shape := shapeOf(t)
		size := 1
		for _, d := range shape {
			size *= d
		}
		var data []float32
		if size > 0 {
			ptr, err := t.DataPtr()
			if err != nil {
				panic(err)
			}
			data = unsafe.Slice((*float32)(ptr), size)
		}
		bt := tensor.New(shape, data)
		bt.Name = n
		s.vars[bt] = t
		if t.MustRequiresGrad() {
			bt.SetRequiresGrad(true)
			s.params = append(s.params, bt)
			added = append(added, bt)
		} else {
			s.buffers = append(s.buffers, bt)
		}
	}
	return added, nil
}

// Params lists the trainable libtorch variables as braingo parameters,
// sorted by name within each layer, in the order layers were created.
// Their Data is libtorch's storage: an optimizer step or a checkpoint
// restore on them changes the libtorch model directly. Their Grad is
// filled by the backward steps of the layers.
func (s *Store) Params() []*tensor.Tensor {
	s.sync() // a variable it cannot mirror was reported by the layer that made it
	return s.params
}

// Buffers lists the non-trainable variables (batch norm's running mean and
// variance) the same way, for checkpoints.
func (s *Store) Buffers() []*tensor.Tensor {
	s.sync()
	return s.buffers
}

// Release frees the libtorch graphs of forward passes whose backward step
// never ran (a tape Reset without Backward, or a backward pass that did not
// reach the layer). Call it after each tape Reset when that can happen; it
// is cheap when nothing is pending.
func (s *Store) Release() {
	for g := range s.pending {
		g.free()
	}
	clear(s.pending)
}

// Pending is the number of forward graphs held for a backward pass.
func (s *Store) Pending() int { return len(s.pending) }

// graph holds what a backward step needs of one forward call.
type graph struct {
	x, y *ts.Tensor
}

func (g *graph) free() {
	if g.x != nil {
		g.x.MustDrop()
		g.x = nil
	}
	if g.y != nil {
		g.y.MustDrop()
		g.y = nil
	}
}

// Layer is a libtorch module on braingo's tape.
type Layer struct {
	// Name labels the layer in errors; its variables are named Name.*.
	Name string
	// Module is the libtorch computation (gotch's ModuleT).
	Module ts.ModuleT

	store  *Store
	params []*tensor.Tensor
	parts  []Part
}

// Params returns the layer's trainable parameters (braingo views of the
// libtorch variables).
func (l *Layer) Params() []*tensor.Tensor { return l.params }

// Forward applies the layer to x (any shape the module accepts; images are
// (batch, channels, height, width)) and returns the result on tp. The
// output requires a gradient when tp records and x or a parameter of the
// layer does; the backward step then runs libtorch's autograd.
func (l *Layer) Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	if err := l.checkInput(x.Shape); err != nil {
		panic(err) // a programming error, as a shape mismatch of a tape op
	}
	s := l.store
	grad := tp.Recording() && (x.RequiresGrad() || slices.ContainsFunc(l.params, (*tensor.Tensor).RequiresGrad))
	t0 := time.Now()
	xt := fromData(x.Data, x.Shape, grad && x.RequiresGrad())
	t1 := time.Now()
	// libtorch's grad mode is per OS thread: pin the goroutine while it is
	// set, and set it both ways (another goroutine may have left it off).
	// (gotch v0.7.0's GradSetEnabled misreads the previous mode.)
	runtime.LockOSThread()
	useThreads()
	prev := C.bg_grad_set_enabled(cbool(grad))
	y := l.Module.ForwardT(xt, s.Train)
	C.bg_grad_set_enabled(prev)
	runtime.UnlockOSThread()
	t2 := time.Now()
	inputs := append([]*tensor.Tensor{x}, l.params...)
	out := tp.NewResult(shapeOf(y), inputs...)
	copyOut(y, out.Data)
	if !out.RequiresGrad() {
		xt.MustDrop()
		y.MustDrop()
	}
	t3 := time.Now()
	s.Timing.Torch += t2.Sub(t1)
	s.Timing.Bridge += t1.Sub(t0) + t3.Sub(t2)
	if !out.RequiresGrad() {
		return out
	}
	g := &graph{x: xt, y: y}
	s.pending[g] = struct{}{}
	tp.Record(func() {
		t0 := time.Now()
		var t1, t2 time.Time
		defer func() {
			g.free()
			delete(s.pending, g)
			t3 := time.Now()
			if t1.IsZero() {
				t1, t2 = t3, t3
			}
			s.Timing.Torch += t2.Sub(t1)
			s.Timing.Bridge += t1.Sub(t0) + t3.Sub(t2)
		}()
		if out.Grad == nil {
			return
		}
		gt := fromData(out.Grad, out.Shape, false)
		t1 = time.Now()
		backward(g.y, gt)
		t2 = time.Now()
		gt.MustDrop()
		if x.RequiresGrad() {
			takeGrad(g.x, tp.GradOf(x), false)
		}
		for _, p := range l.params {
			if p.Grad == nil {
				p.Grad = make([]float32, len(p.Data))
			}
			takeGrad(s.vars[p], p.Grad, true)
		}
	})
	return out
}

// checkInput reports an input the layer's first part cannot take, before
// libtorch would (gotch ends the process on a libtorch error).
func (l *Layer) checkInput(shape []int) error {
	if len(l.parts) == 0 {
		return nil
	}
	p := l.parts[0]
	switch p.Kind {
	case "Conv2d":
		in := p.Weight.Shape[1] * p.Groups
		if len(shape) != 4 || shape[1] != in {
			return fmt.Errorf("torchlayer: %s: Conv2d over %d channels got input %v, want (batch, %d, height, width)", l.Name, in, shape, in)
		}
		for i, k := range p.Kernel {
			if shape[2+i]+2*p.Padding[i] < p.Dilation[i]*(k-1)+1 {
				return fmt.Errorf("torchlayer: %s: input %v is smaller than the %d×%d kernel", l.Name, shape, p.Kernel[0], p.Kernel[1])
			}
		}
	case "BatchNorm2d":
		if len(shape) != 4 || shape[1] != p.Weight.Len() {
			return fmt.Errorf("torchlayer: %s: BatchNorm2d over %d channels got input %v", l.Name, p.Weight.Len(), shape)
		}
	case "MaxPool2d", "AvgPool2d":
		if len(shape) != 4 || shape[2] < p.Kernel[0] || shape[3] < p.Kernel[1] {
			return fmt.Errorf("torchlayer: %s: %s %d×%d got input %v, want (batch, channels, height, width) at least the window", l.Name, p.Kind, p.Kernel[0], p.Kernel[1], shape)
		}
	case "Linear":
		in := p.Weight.Shape[1]
		if len(shape) == 0 || shape[len(shape)-1] != in {
			return fmt.Errorf("torchlayer: %s: Linear from %d features got input %v", l.Name, in, shape)
		}
	}
	return nil
}

// String names the layer and its parts.
func (l *Layer) String() string {
	kinds := make([]string, len(l.parts))
	for i, p := range l.parts {
		kinds[i] = p.Kind
	}
	return fmt.Sprintf("%s(%s)", l.Name, strings.Join(kinds, ","))
}
