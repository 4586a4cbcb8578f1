package kernels

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

var threads atomic.Int64

// SetThreads sets the number of goroutines kernels may use and returns the
// previous setting. n <= 0 restores the default, runtime.GOMAXPROCS(0).
// Results do not depend on this setting unless a kernel's doc says so.
func SetThreads(n int) int {
	prev := Threads()
	if n <= 0 {
		n = 0
	}
	threads.Store(int64(n))
	return prev
}

// Threads reports the number of goroutines kernels may use.
func Threads() int {
	if n := int(threads.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// Parallel splits [0, n) into at most Threads() contiguous chunks of at least
// grain items and calls fn(lo, hi) for each, concurrently, returning when all
// are done. With one chunk it calls fn directly on the calling goroutine. The
// split depends only on n, grain and Threads(), so work assigned to a chunk is
// deterministic.
func Parallel(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := Threads()
	if c := n / grain; c < chunks {
		chunks = c
	}
	if chunks <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(chunks - 1)
	for c := 1; c < chunks; c++ {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, n/chunks)
	wg.Wait()
}

// Claims is a range of indices that goroutines take one at a time, from its
// front or its back, without a lock: two goroutines that work through it
// from opposite ends each keep a run of consecutive indices, and one slowed
// down (by a busy machine, say) leaves more of them to the other. Every
// index is taken exactly once. The zero Claims is empty.
type Claims struct {
	// v packs the next index from the front (low 32 bits) and the end of
	// the indices left at the back (high 32 bits).
	v atomic.Uint64
}

// Set makes the claims the indices [lo, hi), 0 ≤ lo ≤ hi < 2³².
func (c *Claims) Set(lo, hi int) {
	if lo < 0 || hi < lo || uint64(hi) > math.MaxUint32 {
		panic("kernels: Claims.Set: bad range")
	}
	c.v.Store(uint64(hi)<<32 | uint64(lo))
}

// Take claims the first index left (the last with back set); ok is false
// when none is left.
func (c *Claims) Take(back bool) (i int, ok bool) {
	for {
		v := c.v.Load()
		front, end := uint32(v), uint32(v>>32)
		if front >= end {
			return 0, false
		}
		i, nv := front, v+1
		if back {
			i, nv = end-1, uint64(end-1)<<32|uint64(front)
		}
		if c.v.CompareAndSwap(v, nv) {
			return int(i), true
		}
	}
}
