package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveLIFForward is LIFForward's documented reference loop.
func naiveLIFForward(uNew, s, u, in []float32, beta, theta float32, reset int) {
	ab := func(v, th float32) float32 { return float32(math.Float32bits(th-v) >> 31) }
	for i, x := range in {
		prev := u[i]
		r := ab(prev, theta)
		var v float32
		switch reset {
		case LIFResetSubtract:
			v = float32(beta*prev) + x - r*theta
		case LIFResetZero:
			v = float32(float32(beta*prev)*(1-r)) + x
		case LIFResetZeroLegacy:
			v = (float32(beta*prev) + x) * (1 - r)
		default:
			v = float32(beta*prev) + x
		}
		uNew[i], s[i] = v, ab(v, theta)
	}
}

// naiveSG is σ'(x) times g the way the surrogate package computes it.
func naiveSG(kind int, a, b, g, x, given float32) float32 {
	abs := func(x float32) float32 { return float32(math.Abs(float64(x))) }
	switch kind {
	case SurrogateGiven:
		return g * given
	case SurrogateATan:
		c, h := float32(math.Pi/2)*a, a/2
		u := c * x
		return g * h / (1 + float32(u*u))
	case SurrogateFastSigmoid:
		d := 1 + float32(a*abs(x))
		return g / (d * d)
	case SurrogateSigmoid:
		e := math.Exp(-math.Abs(float64(a * x)))
		return g * (a * float32(e/((1+e)*(1+e))))
	case SurrogateTriangle:
		return g * max(0, a*(b-abs(x)))
	}
	panic("bad kind")
}

// naiveLIFBackward is LIFBackward's documented reference loop.
func naiveLIFBackward(g LIFGrad, beta, theta float32, reset int, sur Surrogate) {
	for i := range g.UNew {
		var d float32
		if g.GS != nil {
			var given float32
			if g.SG != nil {
				given = g.SG[i]
			}
			d = naiveSG(sur.Kind, sur.A, sur.B, g.GS[i], g.UNew[i]-theta, given)
		}
		if g.GU != nil {
			d += g.GU[i]
		}
		if reset == LIFResetZeroLegacy && g.U[i] > theta {
			d *= 0
		}
		if g.Gu != nil {
			gu := float32(beta * d)
			if reset == LIFResetZero && g.U[i] > theta {
				gu *= 0
			}
			if g.WriteU {
				g.Gu[i] = gu
			} else {
				g.Gu[i] += gu
			}
		}
		if g.Gin != nil {
			if g.WriteIn {
				g.Gin[i] = d
			} else {
				g.Gin[i] += d
			}
		}
	}
}

// membranes returns n membrane values spread around θ, some exactly θ.
func membranes(r *rand.Rand, n int, theta float32) []float32 {
	u := make([]float32, n)
	for i := range u {
		switch r.IntN(8) {
		case 0:
			u[i] = theta
		case 1:
			u[i] = -float32(r.NormFloat64())
		default:
			u[i] = theta + 0.5*float32(r.NormFloat64())
		}
	}
	return u
}

func mid(b []float32, n int) []float32 { return b[guardLen : guardLen+n] }

func TestLIFForward(t *testing.T) {
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		const beta, theta = 0.9, 1
		for _, n := range testSizes {
			for reset := 0; reset <= 3; reset++ {
				for _, alias := range []bool{false, true} {
					u := membranes(r, n, theta)
					in := randSlice(r, n)
					for i := range in {
						in[i] *= 0.3
					}
					wantU, wantS := make([]float32, n), make([]float32, n)
					naiveLIFForward(wantU, wantS, u, in, beta, theta, reset)

					ub, inb, sb := guardedCopy(u), guardedCopy(in), guarded(n)
					unb := guarded(n)
					if alias {
						unb = ub
					}
					LIFForward(mid(unb, n), mid(sb, n), mid(ub, n), mid(inb, n), beta, theta, reset)
					name := fmt.Sprintf("n=%d reset=%d alias=%v", n, reset, alias)
					for _, b := range [][]float32{ub, inb, sb, unb} {
						checkGuards(t, name, b, n)
					}
					if !sameBits(mid(unb, n), wantU) || !sameBits(mid(sb, n), wantS) {
						t.Fatalf("%s: result differs from the reference loop", name)
					}
					if !alias && !sameBits(mid(ub, n), u) {
						t.Fatalf("%s: input membrane modified", name)
					}
				}
			}
		}
	})
}

func TestLIFBackward(t *testing.T) {
	type sur struct {
		name string
		s    Surrogate
	}
	surs := []sur{
		{"given", Surrogate{Kind: SurrogateGiven}},
		{"atan", Surrogate{Kind: SurrogateATan, A: 2}},
		{"fast_sigmoid", Surrogate{Kind: SurrogateFastSigmoid, A: 25}},
		{"sigmoid", Surrogate{Kind: SurrogateSigmoid, A: 25}},
		{"triangle", Surrogate{Kind: SurrogateTriangle, A: 0.3, B: 1}},
	}
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		const beta, theta = 0.85, 1.25
		for _, n := range []int{1, 15, 16, 17, 33, 100, 1027} {
			for _, sr := range surs {
				for reset := 0; reset <= 3; reset++ {
					for mode := 0; mode < 4*9; mode++ {
						hasGS, hasGU := mode&1 != 0, mode&2 != 0
						outU, outIn := (mode/4)%3, (mode/12)%3 // 0 absent, 1 write, 2 accumulate
						if outU == 0 && outIn == 0 {
							continue
						}
						u, un := membranes(r, n, theta), membranes(r, n, theta)
						var gS, gU, sg []float32
						if hasGS {
							gS = randSlice(r, n)
							if sr.s.Kind == SurrogateGiven {
								sg = randSlice(r, n)
							}
						}
						if hasGU {
							gU = randSlice(r, n)
						}
						gu0, gin0 := randSlice(r, n), randSlice(r, n)
						want := LIFGrad{U: u, UNew: un, GU: gU, GS: gS, SG: sg, WriteU: outU == 1, WriteIn: outIn == 1}
						bufs := map[string][]float32{"u": guardedCopy(u), "uNew": guardedCopy(un)}
						got := LIFGrad{U: mid(bufs["u"], n), UNew: mid(bufs["uNew"], n), WriteU: outU == 1, WriteIn: outIn == 1}
						for _, f := range []struct {
							name      string
							src       []float32
							dst, gdst *[]float32
						}{
							{"gS", gS, &want.GS, &got.GS}, {"gU", gU, &want.GU, &got.GU}, {"sg", sg, &want.SG, &got.SG},
						} {
							if f.src != nil {
								bufs[f.name] = guardedCopy(f.src)
								*f.gdst = mid(bufs[f.name], n)
							}
						}
						if outU != 0 {
							want.Gu = append([]float32(nil), gu0...)
							bufs["gu"] = guardedCopy(gu0)
							got.Gu = mid(bufs["gu"], n)
						}
						if outIn != 0 {
							want.Gin = append([]float32(nil), gin0...)
							bufs["gin"] = guardedCopy(gin0)
							got.Gin = mid(bufs["gin"], n)
						}
						naiveLIFBackward(want, beta, theta, reset, sr.s)
						LIFBackward(got, beta, theta, reset, sr.s)
						name := fmt.Sprintf("n=%d %s reset=%d gS=%v gU=%v gu=%d gin=%d", n, sr.name, reset, hasGS, hasGU, outU, outIn)
						for k, b := range bufs {
							checkGuards(t, name+" "+k, b, n)
						}
						// Triangle may differ in the sign of a zero (vector max).
						same := sameBits
						if sr.s.Kind == SurrogateTriangle {
							same = sameValues
						}
						if want.Gu != nil && !same(got.Gu, want.Gu) {
							t.Fatalf("%s: gu differs from the reference loop", name)
						}
						if want.Gin != nil && !same(got.Gin, want.Gin) {
							t.Fatalf("%s: gin differs from the reference loop", name)
						}
					}
				}
			}
		}
	})
}

func sameValues(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLIFBackwardNoOutputs(t *testing.T) {
	// Nothing to write: no panic, no reads of absent slices.
	LIFBackward(LIFGrad{UNew: make([]float32, 5)}, 0.9, 1, LIFResetZero, Surrogate{Kind: SurrogateATan, A: 2})
}

func BenchmarkLIFForward(b *testing.B) {
	const beta, theta = 0.95, 1
	for _, n := range []int{1000, 128000} {
		r := rand.New(rand.NewPCG(1, 1))
		u, in := membranes(r, n, theta), randSlice(r, n)
		uNew, s := make([]float32, n), make([]float32, n)
		b.Run(fmt.Sprintf("naive/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(16 * n))
			for b.Loop() {
				naiveLIFForward(uNew, s, u, in, beta, theta, LIFResetSubtract)
			}
		})
		for _, impl := range []struct {
			name string
			vec  bool
		}{{"go", false}, {"fast", true}} {
			if impl.vec && !hasAVX512 {
				continue
			}
			b.Run(fmt.Sprintf("%s/n=%d", impl.name, n), func(b *testing.B) {
				defer func(v bool) { vecAVX512 = v }(vecAVX512)
				vecAVX512 = impl.vec
				b.SetBytes(int64(16 * n))
				for b.Loop() {
					LIFForward(uNew, s, u, in, beta, theta, LIFResetSubtract)
				}
			})
		}
	}
}

func BenchmarkLIFBackward(b *testing.B) {
	const beta, theta = 0.95, 1
	for _, n := range []int{1000, 128000} {
		r := rand.New(rand.NewPCG(1, 1))
		g := LIFGrad{UNew: membranes(r, n, theta), GS: randSlice(r, n), GU: randSlice(r, n),
			Gu: make([]float32, n), Gin: make([]float32, n), WriteU: true}
		sur := Surrogate{Kind: SurrogateATan, A: 2}
		b.Run(fmt.Sprintf("naive/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(20 * n))
			for b.Loop() {
				naiveLIFBackward(g, beta, theta, LIFResetSubtract, sur)
			}
		})
		for _, impl := range []struct {
			name string
			vec  bool
		}{{"go", false}, {"fast", true}} {
			if impl.vec && !hasAVX512 {
				continue
			}
			b.Run(fmt.Sprintf("%s/n=%d", impl.name, n), func(b *testing.B) {
				defer func(v bool) { vecAVX512 = v }(vecAVX512)
				vecAVX512 = impl.vec
				b.SetBytes(int64(20 * n))
				for b.Loop() {
					LIFBackward(g, beta, theta, LIFResetSubtract, sur)
				}
			})
		}
	}
}
