package snn

import "sync"

// parallelChunks calls fn(c) for c in [0, chunks) concurrently, chunk 0 on
// the calling goroutine, and returns when all are done.
func parallelChunks(chunks int, fn func(c int)) {
	var wg sync.WaitGroup
	wg.Add(chunks - 1)
	for c := 1; c < chunks; c++ {
		go func() {
			defer wg.Done()
			fn(c)
		}()
	}
	fn(0)
	wg.Wait()
}
