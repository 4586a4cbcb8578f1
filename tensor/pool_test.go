package tensor

import (
	"math"
	"testing"
)

// held is the number of elements a pool keeps for later passes.
func (p *pool[T]) held() int {
	n := 0
	for _, l := range p.free {
		for _, e := range l {
			n += cap(e.b)
		}
	}
	return n
}

// TestPoolDropsIdleBuffers: buffers of sizes a tape stopped asking for
// leave its pool after poolMaxIdle passes, so a pool does not grow when
// the sizes drift (spike lists growing with the firing over epochs), while
// the sizes of every pass are reused.
func TestPoolDropsIdleBuffers(t *testing.T) {
	tp := NewTape()
	// Passes whose one buffer grows each time: a new size class each pass.
	size := func(pass int) int { return int(1000 * math.Pow(1.3, float64(pass))) }
	for pass := range 20 {
		tp.Alloc(size(pass))
		tp.Alloc(64) // the same size every pass
		tp.Reset()
		if pass >= poolMaxIdle {
			// The pool holds at most the last poolMaxIdle growing buffers
			// (each up to 25% over its size) and the 64-element one.
			limit := 64
			for k := range poolMaxIdle {
				limit += sizeClass(size(pass - k))
			}
			if h := tp.f32.held(); h > limit {
				t.Fatalf("pass %d: the pool holds %d elements, more than the last %d passes' %d", pass, h, poolMaxIdle, limit)
			}
		}
	}
	// A buffer used every pass is the same buffer every pass.
	a := tp.Alloc(64)
	tp.Reset()
	b := tp.Alloc(64)
	tp.Reset()
	if &a[0] != &b[0] {
		t.Errorf("a buffer of a size asked for every pass was not reused")
	}
}
