package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveAdam is AdamStep's documented reference loop.
func naiveAdam(w, m, v, vmax, g []float32, h AdamHyper) {
	t := float64(h.Step)
	c1, beta2, c2 := float32(1-h.Beta1), float32(h.Beta2), float32(1-h.Beta2)
	bc2Sqrt := float32(math.Sqrt(1 - math.Pow(h.Beta2, t)))
	eps, negStep := float32(h.Eps), float32(-(h.LR / (1 - math.Pow(h.Beta1, t))))
	wd, decay := float32(h.WeightDecay), float32(1-h.LR*h.WeightDecay)
	for i := range w {
		gi, wi := g[i], w[i]
		if h.Maximize {
			gi = -gi
		}
		if h.WeightDecay != 0 && !h.Decoupled {
			gi += float32(wd * wi)
		}
		if h.WeightDecay != 0 && h.Decoupled {
			wi *= decay
		}
		if c1 < 0.5 {
			m[i] += float32(c1 * (gi - m[i]))
		} else {
			m[i] = gi + float32((c1-1)*(gi-m[i]))
		}
		v[i] = float32(v[i]*beta2) + float32(c2*gi*gi)
		vi := v[i]
		if vmax != nil {
			vmax[i] = max(vmax[i], vi)
			vi = vmax[i]
		}
		denom := float32(math.Sqrt(float64(vi)))/bc2Sqrt + eps
		w[i] = wi + negStep*m[i]/denom
	}
}

func TestAdamStep(t *testing.T) {
	hypers := []struct {
		name string
		h    AdamHyper
	}{
		{"plain", AdamHyper{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}},
		{"l2", AdamHyper{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05}},
		{"adamw", AdamHyper{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true}},
		{"maximize", AdamHyper{LR: 3e-3, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.01, Maximize: true}},
		{"small_beta1", AdamHyper{LR: 1e-3, Beta1: 0.3, Beta2: 0.9, Eps: 1e-8}},
		{"beta1_half", AdamHyper{LR: 1e-3, Beta1: 0.5, Beta2: 0.5, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true}},
	}
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, n := range []int{1, 5, 15, 16, 17, 31, 32, 33, 100, 1027} {
			for _, hc := range hypers {
				for _, ams := range []bool{false, true} {
					for _, step := range []int{1, 2, 9} {
						h := hc.h
						h.Step = step
						name := fmt.Sprintf("n=%d %s amsgrad=%v step=%d", n, hc.name, ams, step)
						w, g := randSlice(r, n), randSlice(r, n)
						m, v, vm := make([]float32, n), make([]float32, n), make([]float32, n)
						if step > 1 {
							m = randSlice(r, n)
							for i := range v {
								v[i] = float32(r.ExpFloat64())
								vm[i] = float32(r.ExpFloat64())
							}
						}
						g[0] = 0 // a zero gradient, and a zero moment where step = 1
						wantW, wantM, wantV := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
						var wantVM, gotVM []float32
						bufs := map[string][]float32{"w": guardedCopy(w), "m": guardedCopy(m), "v": guardedCopy(v), "g": guardedCopy(g)}
						if ams {
							wantVM = append([]float32(nil), vm...)
							bufs["vmax"] = guardedCopy(vm)
							gotVM = mid(bufs["vmax"], n)
						}
						naiveAdam(wantW, wantM, wantV, wantVM, g, h)
						AdamStep(mid(bufs["w"], n), mid(bufs["m"], n), mid(bufs["v"], n), gotVM, mid(bufs["g"], n), h)
						for k, b := range bufs {
							checkGuards(t, name+" "+k, b, n)
						}
						for _, c := range []struct {
							name      string
							got, want []float32
						}{{"w", mid(bufs["w"], n), wantW}, {"m", mid(bufs["m"], n), wantM}, {"v", mid(bufs["v"], n), wantV},
							{"vmax", gotVM, wantVM}, {"g", mid(bufs["g"], n), g}} {
							if !sameBits(c.got, c.want) {
								t.Fatalf("%s: %s differs from the reference loop", name, c.name)
							}
						}
					}
				}
			}
		}
	})
}

func TestAdamStepLengths(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic on a length mismatch")
		}
	}()
	AdamStep(make([]float32, 3), make([]float32, 3), make([]float32, 2), nil, make([]float32, 3), AdamHyper{Step: 1})
}

func BenchmarkAdamStep(b *testing.B) {
	h := AdamHyper{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, Decoupled: true, Step: 10}
	for _, n := range []int{1000, 1 << 20} {
		r := rand.New(rand.NewPCG(1, 1))
		w, g, m, v := randSlice(r, n), randSlice(r, n), randSlice(r, n), make([]float32, n)
		b.Run(fmt.Sprintf("naive/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(28 * n))
			for b.Loop() {
				naiveAdam(w, m, v, nil, g, h)
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
				b.SetBytes(int64(28 * n))
				for b.Loop() {
					AdamStep(w, m, v, nil, g, h)
				}
			})
		}
	}
}
