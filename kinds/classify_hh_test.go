package kinds

import (
	"reflect"
	"strings"
	"testing"

	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
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
