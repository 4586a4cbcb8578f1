package kernels

import (
	"math"
	"math/bits"
)

// Philox4x32-10 constants (Salmon, Moraes, Dror and Shaw, "Parallel random
// numbers: as easy as 1, 2, 3", SC 2011; Random123's philox.h).
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// Philox4x32 is the Philox4x32-10 block function: it maps a 128-bit counter
// and a 64-bit key to 128 random bits. It is a pure function; equal inputs
// give equal outputs on every machine. It matches Random123's
// philox4x32_R(10, ctr, key), checked against its known-answer vectors.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	c0, c1, c2, c3 := ctr[0], ctr[1], ctr[2], ctr[3]
	k0, k1 := key[0], key[1]
	for r := 0; r < 10; r++ {
		if r > 0 {
			k0 += philoxW0
			k1 += philoxW1
		}
		hi0, lo0 := bits.Mul32(philoxM0, c0)
		hi1, lo1 := bits.Mul32(philoxM1, c2)
		c0, c1, c2, c3 = hi1^c1^k0, lo1, hi0^c3^k1, lo0
	}
	return [4]uint32{c0, c1, c2, c3}
}

// philoxBlock is Philox4x32 with the counter laid out as braingo's streams use
// it: (n, stream) -> ctr = [lo n, hi n, lo stream, hi stream], key = seed.
func philoxBlock(seed, stream, n uint64) [4]uint32 {
	return Philox4x32(
		[4]uint32{uint32(n), uint32(n >> 32), uint32(stream), uint32(stream >> 32)},
		[2]uint32{uint32(seed), uint32(seed >> 32)})
}

// Philox is a counter-based random stream: the i-th block of 128 bits of the
// stream (seed, stream) is Philox4x32(ctr, key) with ctr = [lo i, hi i,
// lo stream, hi stream] and key = [lo seed, hi seed]. Distinct (seed, stream)
// pairs give independent streams, so parallel work derives its randomness
// from (seed, index) and never depends on goroutine scheduling.
//
// *Philox implements math/rand/v2's Source:
//
//	r := rand.New(kernels.NewPhilox(seed, stream))
//
// The zero value is the stream (0, 0). A Philox is not safe for concurrent use.
type Philox struct {
	seed, stream uint64
	n            uint64    // index of the next block to generate
	buf          [4]uint32 // current block
	pos          int       // next unread word of buf; 4 means empty
	norm         float64   // cached second Box-Muller value
	hasNorm      bool
}

// NewPhilox returns the stream (seed, stream), positioned at its start.
func NewPhilox(seed, stream uint64) *Philox {
	p := &Philox{}
	p.Reset(seed, stream)
	return p
}

// Reset repositions p at the start of the stream (seed, stream).
func (p *Philox) Reset(seed, stream uint64) {
	*p = Philox{seed: seed, stream: stream, pos: 4}
}

// Seek positions p at block n of its stream (word 4n of the Uint32 sequence),
// dropping any cached values.
func (p *Philox) Seek(n uint64) {
	p.n, p.pos, p.hasNorm = n, 4, false
}

// Uint32 returns the next 32 random bits of the stream.
func (p *Philox) Uint32() uint32 {
	if p.pos >= 4 {
		p.buf = philoxBlock(p.seed, p.stream, p.n)
		p.n++
		p.pos = 0
	}
	v := p.buf[p.pos]
	p.pos++
	return v
}

// Uint64 returns the next 64 random bits: two consecutive words, the first
// in the low half. It makes *Philox a math/rand/v2 Source.
func (p *Philox) Uint64() uint64 {
	lo := p.Uint32()
	return uint64(lo) | uint64(p.Uint32())<<32
}

// Float32 returns a uniform float32 in [0, 1) with 24 random bits: one word
// per value (see Uniform32).
func (p *Philox) Float32() float32 { return Uniform32(p.Uint32()) }

// Float64 returns a uniform float64 in [0, 1) with 53 random bits from two
// words.
func (p *Philox) Float64() float64 { return float64(p.Uint64()>>11) * 0x1p-53 }

// NormFloat64 returns a standard normal value by the Box-Muller transform,
// two words per pair of values (see Normal32Pair); the second value of a pair
// is cached and returned by the next call.
func (p *Philox) NormFloat64() float64 {
	if p.hasNorm {
		p.hasNorm = false
		return p.norm
	}
	a, b := normalPair64(p.Uint32(), p.Uint32())
	p.norm, p.hasNorm = b, true
	return a
}

// Uniform32 maps 32 random bits to a float32 in [0, 1): the top 24 bits times
// 2⁻²⁴, so every value is exact and 1 is never returned.
func Uniform32(u uint32) float32 { return float32(u>>8) * 0x1p-24 }

// UniformOpen64 maps 32 random bits to a float64 in (0, 1]: (u+1)·2⁻³², safe
// for log.
func UniformOpen64(u uint32) float64 { return (float64(u) + 1) * 0x1p-32 }

// normalPair64 is the Box-Muller transform of two words: with u1 = (a+1)/2³²
// in (0, 1] and u2 = b/2³², it returns r·cos(2πu2) and r·sin(2πu2) where
// r = sqrt(-2 ln u1).
func normalPair64(a, b uint32) (float64, float64) {
	r := math.Sqrt(-2 * math.Log(UniformOpen64(a)))
	s, c := math.Sincos(2 * math.Pi * float64(b) * 0x1p-32)
	return r * c, r * s
}

// Normal32Pair returns two independent standard normal float32 values from
// two random words by the Box-Muller transform (computed in float64).
func Normal32Pair(a, b uint32) (float32, float32) {
	x, y := normalPair64(a, b)
	return float32(x), float32(y)
}

// FillUniform sets dst[i] to a uniform value in [lo, hi): with
// w = Philox block i/4 of the stream (seed, stream), word i%4,
//
//	dst[i] = lo + (hi-lo)*Uniform32(w)
//
// Each element depends only on (seed, stream, i), so the result is the same
// for any Threads() setting and equals the sequence of NewPhilox(seed,
// stream).Float32() scaled to [lo, hi).
func FillUniform(dst []float32, lo, hi float32, seed, stream uint64) {
	scale := hi - lo
	Parallel((len(dst)+3)/4, 1<<12, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			w := philoxBlock(seed, stream, uint64(b))
			d := dst[4*b : min(4*b+4, len(dst))]
			for j := range d {
				d[j] = lo + scale*Uniform32(w[j])
			}
		}
	})
}

// FillNormal sets dst to normal values with the given mean and standard
// deviation: with w = Philox block k of the stream (seed, stream),
//
//	z0, z1 := Normal32Pair(w[0], w[1])
//	dst[2k], dst[2k+1] = mean + std*z0, mean + std*z1
//
// (words 2 and 3 of each block are unused). Each element depends only on
// (seed, stream, i): the result is the same for any Threads() setting.
func FillNormal(dst []float32, mean, std float32, seed, stream uint64) {
	Parallel((len(dst)+1)/2, 1<<11, func(k0, k1 int) {
		for k := k0; k < k1; k++ {
			w := philoxBlock(seed, stream, uint64(k))
			z0, z1 := normalPair64(w[0], w[1])
			dst[2*k] = mean + std*float32(z0)
			if 2*k+1 < len(dst) {
				dst[2*k+1] = mean + std*float32(z1)
			}
		}
	})
}

// FillBernoulli sets dst[i] to 1 with probability p and to 0 otherwise, from
// word i%4 of Philox block i/4 of the stream (seed, stream):
//
//	dst[i] = 1 if Uniform32(w) < p else 0
//
// It is the usual way to draw Poisson/rate-coded spikes. The result is the
// same for any Threads() setting.
func FillBernoulli(dst []float32, p float32, seed, stream uint64) {
	Parallel((len(dst)+3)/4, 1<<12, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			w := philoxBlock(seed, stream, uint64(b))
			d := dst[4*b : min(4*b+4, len(dst))]
			for j := range d {
				d[j] = 0
				if Uniform32(w[j]) < p {
					d[j] = 1
				}
			}
		}
	})
}
