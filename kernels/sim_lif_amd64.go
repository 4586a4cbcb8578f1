package kernels

import "math/bits"

//go:noescape
func lifCondAVX512(v, ge, gi *float32, last *int32, blocks int, t int32, p *LIFCond, mask *uint16)

func lifCondStep(v, ge, gi []float32, last []int32, t int32, p *LIFCond, spk []int32, base int32) int {
	n, cnt, i := len(v), 0, 0
	if hasAVX512 && n >= 16 {
		blocks := n / 16
		var m [64]uint16
		for b0 := 0; b0 < blocks; b0 += len(m) {
			nb := min(len(m), blocks-b0)
			off := b0 * 16
			lifCondAVX512(&v[off], &ge[off], &gi[off], &last[off], nb, t, p, &m[0])
			for k, w := range m[:nb] {
				for w != 0 {
					spk[cnt] = base + int32(off+k*16+bits.TrailingZeros16(w))
					cnt++
					w &= w - 1
				}
			}
		}
		i = blocks * 16
	}
	return cnt + lifCondStepGo(v[i:], ge[i:], gi[i:], last[i:], t, p, spk[cnt:], base+int32(i))
}
