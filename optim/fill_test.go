package optim

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// testFill fills a parameter's gradient from a fixed source, recording
// the ranges it was asked for.
type testFill struct {
	p       *tensor.Tensor
	src     []float32
	grain   int
	bounded bool
	mu      sync.Mutex
	ranges  [][2]int
}

func (f *testFill) Bounded() bool { return f.bounded }
func (f *testFill) Grain() int    { return f.grain }
func (f *testFill) Fill(lo, hi int) {
	copy(f.p.Grad[lo:hi], f.src[lo:hi])
	f.mu.Lock()
	f.ranges = append(f.ranges, [2]int{lo, hi})
	f.mu.Unlock()
}

// fillModel is a model with one large parameter (split among goroutines)
// beside two small ones, and gradients drawn from seed.
func fillModel(seed uint64) (params []*tensor.Tensor, grads [][]float32) {
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, n := range []int{70001, 13, 1000} {
		d, g := make([]float32, n), make([]float32, n)
		for i := range d {
			d[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		params = append(params, tensor.NewParam("p", []int{n}, d))
		grads = append(grads, g)
	}
	return params, grads
}

// TestStepFill checks that StepFill, range by range on any number of
// goroutines, gives the bits of filling the whole gradient and stepping,
// for every algorithm (those without a range update fall back to that).
func TestStepFill(t *testing.T) {
	for _, tc := range configs {
		for _, threads := range []int{1, 2, 3, 8} {
			for _, grain := range []int{1000, 4096, 70001, 1 << 20} {
				ref, rg := fillModel(1)
				got, gg := fillModel(1)
				ro, err := tc.new(ref)
				if err != nil {
					t.Fatal(err)
				}
				go_, _ := tc.new(got)
				fo := go_.(interface {
					StepFill(*tensor.Tensor, GradFill) error
				})
				prev := kernels.SetThreads(threads)
				for step := range 3 {
					for i := range ref {
						rg[i][i%len(rg[i])] += float32(step)
						gg[i][i%len(gg[i])] += float32(step)
						ref[i].ZeroGrad()
						copy(ref[i].Grad, rg[i])
						got[i].ZeroGrad()
						if i != 0 {
							copy(got[i].Grad, gg[i])
						}
					}
					if err := ro.Step(); err != nil {
						t.Fatal(err)
					}
					f := &testFill{p: got[0], src: gg[0], grain: grain, bounded: true}
					if err := fo.StepFill(got[0], f); err != nil {
						t.Fatal(err)
					}
					covered := 0
					for _, r := range f.ranges {
						covered += r[1] - r[0]
					}
					if covered != len(got[0].Data) {
						t.Fatalf("%s: fills covered %d of %d elements", tc.name, covered, len(got[0].Data))
					}
				}
				kernels.SetThreads(prev)
				for i := range ref {
					if !reflect.DeepEqual(ref[i].Data, got[i].Data) || !reflect.DeepEqual(ref[i].Grad, got[i].Grad) {
						t.Fatalf("%s, %d threads, grain %d: parameter %d differs from Fill then Step", tc.name, threads, grain, i)
					}
				}
				if !reflect.DeepEqual(ro.State(), go_.State()) {
					t.Fatalf("%s, %d threads, grain %d: state differs from Fill then Step", tc.name, threads, grain)
				}
			}
		}
	}
}

// TestStepFillErrors checks that a non-finite gradient, filled or not, is
// reported as Step reports it and changes nothing.
func TestStepFillErrors(t *testing.T) {
	for _, tc := range configs {
		for _, which := range []int{0, 2} {
			params, grads := fillModel(3)
			o, _ := tc.new(params)
			fo := o.(interface {
				StepFill(*tensor.Tensor, GradFill) error
			})
			grads[which][7] = float32(math.NaN())
			for i := range params {
				params[i].ZeroGrad()
				if i != 0 {
					copy(params[i].Grad, grads[i])
				}
			}
			before := make([][]float32, len(params))
			for i, p := range params {
				before[i] = append([]float32(nil), p.Data...)
			}
			st := o.State()
			// A fill that does not vouch for its values is filled whole
			// and checked first.
			err := fo.StepFill(params[0], &testFill{p: params[0], src: grads[0], grain: 100})
			if err == nil || !strings.Contains(err.Error(), "element 7") {
				t.Fatalf("%s: NaN in parameter %d: error %v", tc.name, which, err)
			}
			if !reflect.DeepEqual(o.State(), st) {
				t.Errorf("%s: failed StepFill changed the state", tc.name)
			}
			for i, p := range params {
				if !reflect.DeepEqual(p.Data, before[i]) {
					t.Errorf("%s: failed StepFill changed parameter %d", tc.name, i)
				}
			}
		}
	}
}

// scratchFill is testFill as a ScratchFill: it writes the ranges it is
// asked for into the buffer given.
type scratchFill struct{ testFill }

func (f *scratchFill) FillInto(dst []float32, lo, hi int) {
	copy(dst[:hi-lo], f.src[lo:hi])
	f.mu.Lock()
	f.ranges = append(f.ranges, [2]int{lo, hi})
	f.mu.Unlock()
}

// TestStepFillScratch checks that StepFill with a ScratchFill gives the
// parameters and state of filling the whole gradient and stepping, to the
// bit, on any number of goroutines, and that the range updates (Adam,
// AdamW) neither read nor write the parameter's gradient.
func TestStepFillScratch(t *testing.T) {
	for _, tc := range configs {
		ranged := strings.HasPrefix(tc.name, "adam")
		for _, threads := range []int{1, 2, 3} {
			for _, grain := range []int{1000, 4096, 70001} {
				ref, rg := fillModel(1)
				got, gg := fillModel(1)
				ro, err := tc.new(ref)
				if err != nil {
					t.Fatal(err)
				}
				go_, _ := tc.new(got)
				fo := go_.(interface {
					StepFill(*tensor.Tensor, GradFill) error
				})
				prev := kernels.SetThreads(threads)
				for step := range 3 {
					for i := range ref {
						rg[i][i%len(rg[i])] += float32(step)
						gg[i][i%len(gg[i])] += float32(step)
						ref[i].ZeroGrad()
						copy(ref[i].Grad, rg[i])
						got[i].ZeroGrad()
						copy(got[i].Grad, gg[i])
					}
					nan := float32(math.NaN())
					for j := range got[0].Grad {
						got[0].Grad[j] = nan
					}
					if err := ro.Step(); err != nil {
						t.Fatal(err)
					}
					f := &scratchFill{testFill{p: got[0], src: gg[0], grain: grain, bounded: true}}
					if err := fo.StepFill(got[0], f); err != nil {
						t.Fatal(err)
					}
					covered := 0
					for _, r := range f.ranges {
						covered += r[1] - r[0]
					}
					if covered != len(got[0].Data) {
						t.Fatalf("%s: fills covered %d of %d elements", tc.name, covered, len(got[0].Data))
					}
					if ranged {
						for j, v := range got[0].Grad {
							if math.Float32bits(v) != math.Float32bits(nan) {
								t.Fatalf("%s: the step wrote the gradient at %d", tc.name, j)
							}
						}
					}
				}
				kernels.SetThreads(prev)
				for i := range ref {
					if !reflect.DeepEqual(ref[i].Data, got[i].Data) {
						t.Fatalf("%s, %d threads, grain %d: parameter %d differs from Fill then Step", tc.name, threads, grain, i)
					}
				}
				if !reflect.DeepEqual(ro.State(), go_.State()) {
					t.Fatalf("%s, %d threads, grain %d: state differs from Fill then Step", tc.name, threads, grain)
				}
			}
		}
	}
}
