package kernels

import (
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
