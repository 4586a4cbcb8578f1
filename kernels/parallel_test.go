package kernels

import (
	"sync"
	"testing"
)

// Claims hands out every index exactly once to goroutines taking from both
// ends, the front in increasing and the back in decreasing order.
func TestClaims(t *testing.T) {
	var empty Claims
	if _, ok := empty.Take(false); ok {
		t.Fatal("the zero Claims gave an index")
	}
	const lo, hi = 3, 20003
	var c Claims
	c.Set(lo, hi)
	got := make([][]int, 4)
	var wg sync.WaitGroup
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := c.Take(g%2 == 1)
				if !ok {
					return
				}
				got[g] = append(got[g], i)
			}
		}()
	}
	wg.Wait()
	seen := make(map[int]bool)
	for g, is := range got {
		for j, i := range is {
			if i < lo || i >= hi || seen[i] {
				t.Fatalf("goroutine %d took %d (range [%d, %d), taken before: %v)", g, i, lo, hi, seen[i])
			}
			seen[i] = true
			if j > 0 && (g%2 == 0) != (i > is[j-1]) {
				t.Fatalf("goroutine %d (back %v) took %d after %d", g, g%2 == 1, i, is[j-1])
			}
		}
	}
	if len(seen) != hi-lo {
		t.Fatalf("%d of %d indices taken", len(seen), hi-lo)
	}
}
