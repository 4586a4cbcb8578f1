package kinds

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/trainer"
)

// The HH fields of snn-classify reach the hidden cell, and a bad value is
// refused naming its field.
func TestClassifyHHFields(t *testing.T) {
	for _, tc := range []struct {
		set    []string
		dt     float64
		width  float32
		detach bool
	}{
		{nil, 0.5, 40, true},
		{[]string{"model.hh_dt=0.1", "model.hh_width=10", "model.hh_gradient=full"}, 0.1, 10, false},
	} {
		r, err := recipes.Load("fmnist-hh", tc.set)
		if err != nil {
			t.Fatal(err)
		}
		net, err := r.Spec.(*Classify).Build(784, 10)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := net.Blocks[0].Cell.(snn.HHCell)
		if !ok {
			t.Fatalf("%v: hidden cell %T, want snn.HHCell", tc.set, net.Blocks[0].Cell)
		}
		if want := snn.TraubMiles(tc.dt); !reflect.DeepEqual(c.Model, want) || c.Scale != tc.width || c.DetachGates != tc.detach {
			t.Errorf("%v: cell model %+v scale %v detach %v, want %+v %v %v", tc.set, c.Model, c.Scale, c.DetachGates, want, tc.width, tc.detach)
		}
	}
	for _, set := range []string{"model.hh_dt=0", "model.hh_dt=1.5", "model.hh_width=0", "model.hh_gradient=gates"} {
		_, err := recipes.Load("fmnist-hh", []string{set})
		if field, _, _ := strings.Cut(set, "="); err == nil || !strings.Contains(err.Error(), ": "+field+": ") {
			t.Errorf("%s: error %v, want one naming %s", set, err, field)
		}
	}
}

// quadrants returns n 8×8 images of 4 classes: class c lights quadrant c
// (pixels 120-255), the rest is noise (0-100), drawn from seed.
func quadrants(n int, seed uint64) *datasets.Images {
	r := rand.New(rand.NewPCG(seed, 7))
	d := &datasets.Images{Name: "quadrants", N: n, Rows: 8, Cols: 8, Classes: 4, Pixels: make([]uint8, n*64), Labels: make([]uint8, n)}
	for i := range n {
		c := r.IntN(4)
		d.Labels[i] = uint8(c)
		for y := range 8 {
			for x := range 8 {
				p := r.IntN(101)
				if (y/4)*2+x/4 == c {
					p = 120 + r.IntN(136)
				}
				d.Pixels[i*64+y*8+x] = uint8(p)
			}
		}
	}
	return d
}

// The fmnist-hh network learns a small task through BPTT with either
// backward pass: four classes told apart by which quadrant of an 8×8 image
// is lit, 16 HH neurons, eight epochs of 256 images; held-out accuracy
// above 90% (chance 25%).
func TestClassifyHHLearns(t *testing.T) {
	for _, mode := range []string{"membrane", "full"} {
		r, err := recipes.Load("fmnist-hh", []string{"threads=1", "model.hidden=16", "model.hh_gradient=" + mode})
		if err != nil {
			t.Fatal(err)
		}
		c := r.Spec.(*Classify)
		train, test := quadrants(256, 1), quadrants(256, 2)
		net, err := c.Build(train.Features(), train.Classes)
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := c.encoder()
		opt, _ := c.optimizer(net.Params())
		task := &trainer.Classify{Net: net, Data: train, Encoder: enc, Steps: c.Data.Steps, BatchSize: 32, DropLast: true, Seed: 1, Loss: c.Train.Loss, NumShards: 2}
		if err := task.Validate(); err != nil {
			t.Fatal(err)
		}
		before := trainer.Evaluate(net, test, enc, c.Data.Steps, 64, 0).Accuracy()
		for epoch := 1; epoch <= 8; epoch++ {
			for b := range task.Batches(epoch) {
				opt.ZeroGrad()
				if _, err := task.TrainStep(epoch, b); err != nil {
					t.Fatal(err)
				}
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
			}
		}
		after := trainer.Evaluate(net, test, enc, c.Data.Steps, 64, 0).Accuracy()
		t.Logf("%s: held-out accuracy %.3f before training, %.3f after", mode, before, after)
		if after < 0.9 {
			t.Errorf("%s: held-out accuracy %.3f after training (%.3f before), want ≥ 0.9", mode, after, before)
		}
	}
}
