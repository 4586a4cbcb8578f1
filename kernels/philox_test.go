package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Known-answer vectors of Random123 (kat_vectors, philox4x32 10 rounds).
func TestPhilox4x32KAT(t *testing.T) {
	for _, tc := range []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0},
			[4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := Philox4x32(tc.ctr, tc.key); got != tc.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", tc.ctr, tc.key, got, tc.want)
		}
	}
}

func TestPhiloxStream(t *testing.T) {
	p := NewPhilox(0x299f31d0a4093822, 0x0370734413198a2e)
	// Block 0x85a308d3243f6a88 of that stream is the third KAT vector.
	p.Seek(0x85a308d3243f6a88)
	want := []uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}
	for i, w := range want {
		if g := p.Uint32(); g != w {
			t.Errorf("word %d = %08x, want %08x", i, g, w)
		}
	}
	// Uint64 pairs words low first; rand.New accepts the stream.
	a, b := NewPhilox(7, 3), NewPhilox(7, 3)
	for i := 0; i < 10; i++ {
		lo, hi := b.Uint32(), b.Uint32()
		if g := a.Uint64(); g != uint64(lo)|uint64(hi)<<32 {
			t.Fatalf("Uint64 %d = %x", i, g)
		}
	}
	r1, r2 := rand.New(NewPhilox(1, 2)), rand.New(NewPhilox(1, 2))
	for i := 0; i < 100; i++ {
		if r1.IntN(1000) != r2.IntN(1000) {
			t.Fatal("same stream gave different values")
		}
	}
	if NewPhilox(1, 2).Uint64() == NewPhilox(1, 3).Uint64() || NewPhilox(1, 2).Uint64() == NewPhilox(2, 2).Uint64() {
		t.Error("distinct streams start equal")
	}
}

func TestPhiloxDistributions(t *testing.T) {
	const n = 200000
	p := NewPhilox(42, 0)
	var su, sn, sn2 float64
	for i := 0; i < n; i++ {
		u := p.Float32()
		if u < 0 || u >= 1 {
			t.Fatalf("Float32 = %v out of [0,1)", u)
		}
		su += float64(u)
		z := p.NormFloat64()
		sn += z
		sn2 += z * z
	}
	if m := su / n; math.Abs(m-0.5) > 0.005 {
		t.Errorf("uniform mean %v", m)
	}
	if m := sn / n; math.Abs(m) > 0.01 {
		t.Errorf("normal mean %v", m)
	}
	if v := sn2 / n; math.Abs(v-1) > 0.02 {
		t.Errorf("normal variance %v", v)
	}
	if Uniform32(0xffffffff) >= 1 || Uniform32(0) != 0 || UniformOpen64(0) <= 0 || UniformOpen64(0xffffffff) != 1 {
		t.Error("uniform mapping bounds")
	}
}

func TestFillRandomDeterministic(t *testing.T) {
	n := 10007
	if testing.Short() {
		n = 1001
	}
	type fill func(dst []float32)
	for name, f := range map[string]fill{
		"uniform":   func(d []float32) { FillUniform(d, -2, 3, 5, 9) },
		"normal":    func(d []float32) { FillNormal(d, 1, 2, 5, 9) },
		"bernoulli": func(d []float32) { FillBernoulli(d, 0.3, 5, 9) },
	} {
		var outs [][]float32
		for _, th := range []int{1, 2, 3} {
			prev := SetThreads(th)
			buf := guarded(n)
			f(buf[guardLen : guardLen+n])
			checkGuards(t, name, buf, n)
			outs = append(outs, buf[guardLen:guardLen+n])
			SetThreads(prev)
		}
		for i := 1; i < len(outs); i++ {
			for j := range outs[0] {
				if math.Float32bits(outs[0][j]) != math.Float32bits(outs[i][j]) {
					t.Fatalf("%s: element %d differs across thread counts", name, j)
				}
			}
		}
	}
	// FillUniform equals the stream's Float32 sequence.
	d := make([]float32, 37)
	FillUniform(d, 0, 1, 11, 12)
	p := NewPhilox(11, 12)
	for i, v := range d {
		if w := p.Float32(); v != w {
			t.Fatalf("FillUniform[%d] = %v, stream gives %v", i, v, w)
		}
	}
	// FillNormal statistics and pairing.
	z := make([]float32, 5)
	FillNormal(z, 0, 1, 3, 4)
	w := philoxBlock(3, 4, 2)
	if a, _ := Normal32Pair(w[0], w[1]); z[4] != a {
		t.Errorf("FillNormal odd tail %v, want %v", z[4], a)
	}
}
