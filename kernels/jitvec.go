package kernels

import "math"

// jitLanes is the number of post blocks whose first jitVecWords random
// words jitSkips draws at once.
const (
	jitLanes    = 16
	jitVecWords = 8
)

// jitVecArgs is the argument block of jitSkipsAVX512 (field offsets are
// used by the assembly: keep the order).
type jitVecArgs struct {
	out    *[jitVecWords][jitLanes]float64 // 0
	c2, c3 uint32                          // 8, 12: stream words of lane 0
	k0, k1 uint32                          // 16, 20: the seed
	consts *[26]uint64                     // 24
	invLog float64                         // 32
}

// jitVecConsts are the constants of jitSkipsAVX512: those of
// UniformOpen64 and jitLog, then Philox's multipliers and Weyl
// increments, then the lane numbers 0..15 as uint32.
var jitVecConsts = func() *[26]uint64 {
	var c [26]uint64
	f := math.Float64bits
	copy(c[:], []uint64{f(1), f(0x1p-32), 1<<52 - 1, 1023 << 52, 1023, f(math.Sqrt2), f(0.5),
		f(1.0 / 3), f(1.0 / 5), f(1.0 / 7), f(1.0 / 9), f(1.0 / 11), f(math.Ln2),
		philoxM0, philoxM1, philoxW0, philoxW1})
	for l := range jitLanes / 2 {
		c[17+l] = uint64(2*l) | uint64(2*l+1)<<32
	}
	return &c
}()

// jitSkips sets out[w][l], for the post blocks b = b0+l (l < 16) of row i
// and their first 8 random words u (Philox blocks 0 and 1 of stream
// jitStream(i, b), word w), to the geometric skip's real value
//
//	jitLog(UniformOpen64(u)) * invLog
//
// the quantity AppendRowColsRange draws one word at a time; the AVX-512
// path performs the same float64 operations in the same order, so its
// values are the same bits.
func jitSkips(out *[jitVecWords][jitLanes]float64, seed uint64, i int, b0 uint64, invLog float64) {
	if vecAVX512 {
		s := jitStream(i, b0)
		a := jitVecArgs{out: out, c2: uint32(s), c3: uint32(s >> 32), k0: uint32(seed), k1: uint32(seed >> 32),
			consts: jitVecConsts, invLog: invLog}
		jitSkipsAVX512(&a)
		return
	}
	jitSkipsGo(out, seed, i, b0, invLog)
}

func jitSkipsGo(out *[jitVecWords][jitLanes]float64, seed uint64, i int, b0 uint64, invLog float64) {
	for l := range jitLanes {
		stream := jitStream(i, b0+uint64(l))
		for blk := range uint64(jitVecWords / 4) {
			w := philoxBlock(seed, stream, blk)
			for k, u := range w {
				out[4*int(blk)+k][l] = jitLog(UniformOpen64(u)) * invLog
			}
		}
	}
}
