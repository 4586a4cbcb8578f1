package eval

import (
	"math"
	"strings"
	"testing"
)

func TestAccuracy(t *testing.T) {
	for _, tc := range []struct {
		name         string
		pred, labels []int
		want         float64
	}{
		{"empty", nil, nil, 0},
		{"all right", []int{1, 2, 3}, []int{1, 2, 3}, 1},
		{"all wrong", []int{0, 0}, []int{1, 1}, 0},
		{"three of four", []int{0, 1, 2, 3}, []int{0, 1, 2, 0}, 0.75},
	} {
		if got := Accuracy(tc.pred, tc.labels); got != tc.want {
			t.Errorf("%s: Accuracy = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestArgmax(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		x    []float32
		want int
	}{
		{"single", []float32{-3}, 0},
		{"last", []float32{1, 2, 3}, 2},
		{"first", []float32{3, 2, 1}, 0},
		{"negative", []float32{-5, -1, -3}, 1},
		{"tie goes to lowest", []float32{1, 4, 2, 4, 4}, 1},
		{"all equal", []float32{0, 0, 0}, 0},
		{"nan wins", []float32{1, nan, 9}, 1},
		{"first nan wins", []float32{1, nan, nan}, 1},
		{"nan first", []float32{nan, 5}, 0},
		{"inf", []float32{1, inf, 2}, 1},
		{"nan beats inf", []float32{inf, nan}, 1},
		{"negative zero ties zero", []float32{float32(math.Copysign(0, -1)), 0}, 0},
	} {
		if got := Argmax(tc.x); got != tc.want {
			t.Errorf("%s: Argmax(%v) = %d, want %d", tc.name, tc.x, got, tc.want)
		}
		if got := refArgmax(tc.x); got != tc.want {
			t.Errorf("%s: reference loop gives %d, want %d", tc.name, got, tc.want)
		}
	}
}

// refArgmax is the reference loop of Argmax's documentation.
func refArgmax(x []float32) int {
	isNaN := func(v float32) bool { return v != v }
	best := 0
	for i := range x {
		if x[i] > x[best] || isNaN(x[i]) && !isNaN(x[best]) {
			best = i
		}
	}
	return best
}

func TestArgmaxRows(t *testing.T) {
	m := []float32{
		0, 1, 0,
		5, 5, 1,
		-1, -2, -0.5,
		0, 0, 0,
	}
	want := []int{1, 0, 2, 0}
	got := ArgmaxRows(nil, m, 3)
	dst := make([]int, 4)
	got2 := ArgmaxRows(dst, m, 3)
	for i := range want {
		if got[i] != want[i] || got2[i] != want[i] || dst[i] != want[i] {
			t.Fatalf("ArgmaxRows = %v, %v, want %v", got, got2, want)
		}
	}
	if n := len(ArgmaxRows(nil, nil, 10)); n != 0 {
		t.Errorf("ArgmaxRows of no rows gave %d results", n)
	}
}

func TestPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Accuracy lengths", func() { Accuracy([]int{1}, nil) }},
		{"Argmax empty", func() { Argmax(nil) }},
		{"ArgmaxRows ragged", func() { ArgmaxRows(nil, make([]float32, 5), 2) }},
		{"ArgmaxRows zero cols", func() { ArgmaxRows(nil, nil, 0) }},
		{"ArgmaxRows dst", func() { ArgmaxRows(make([]int, 3), make([]float32, 4), 2) }},
		{"NewConfusionMatrix", func() { NewConfusionMatrix(0) }},
		{"ConfusionMatrix.Add lengths", func() { NewConfusionMatrix(2).Add([]int{0}, []int{0, 1}) }},
		{"ConfusionMatrix.Add range", func() { NewConfusionMatrix(2).Add([]int{2}, []int{0}) }},
		{"ConfusionMatrix.Add negative", func() { NewConfusionMatrix(2).Add([]int{0}, []int{-1}) }},
		{"ConfusionMatrix.Merge", func() { NewConfusionMatrix(2).Merge(NewConfusionMatrix(3)) }},
		{"RateMeter size change", func() {
			var m RateMeter
			m.Add("h", 10, 1, 1, 0)
			m.AddCounts("h", 1, 1, make([]float32, 11))
		}},
		{"RateMeter no neurons", func() { new(RateMeter).AddCounts("h", 1, 1, nil) }},
		{"RateMeter no steps", func() { new(RateMeter).Add("h", 1, 1, 0, 0) }},
		{"Raster spike outside", func() { Raster{Steps: 2, Neurons: 2, Spikes: []Spike{{2, 0}}}.plot() }},
		{"Series lengths", func() { LinePlot{X: []float64{1}, Series: []Series{{Y: []float64{1, 2}}}}.plot() }},
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("%s: no panic", tc.name)
				} else if s, ok := r.(string); !ok || !strings.HasPrefix(s, "eval: ") {
					t.Errorf("%s: panic %v, want a string starting with \"eval: \"", tc.name, r)
				}
			}()
			tc.f()
		}()
	}
}

func TestConfusionMatrix(t *testing.T) {
	m := NewConfusionMatrix(3)
	// true:  0 0 0 1 1 2 2 2 2
	// pred:  0 0 1 1 2 2 2 0 2
	m.Add([]int{0, 0, 1, 1, 2}, []int{0, 0, 0, 1, 1})
	o := NewConfusionMatrix(3)
	o.Add([]int{2, 2, 0, 2}, []int{2, 2, 2, 2})
	m.Merge(o)
	want := [][]int{{2, 1, 0}, {0, 1, 1}, {1, 0, 3}}
	for i := range want {
		for j := range want[i] {
			if m.Counts[i][j] != want[i][j] {
				t.Fatalf("Counts = %v, want %v", m.Counts, want)
			}
		}
	}
	if m.Classes() != 3 || m.Total() != 9 {
		t.Errorf("Classes, Total = %d, %d, want 3, 9", m.Classes(), m.Total())
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("Accuracy", m.Accuracy(), 6.0/9)
	for _, tc := range []struct {
		class             int
		precision, recall float64
	}{
		{0, 2.0 / 3, 2.0 / 3},
		{1, 1.0 / 2, 1.0 / 2},
		{2, 3.0 / 4, 3.0 / 4},
	} {
		near("Precision", m.Precision(tc.class), tc.precision)
		near("Recall", m.Recall(tc.class), tc.recall)
		p, r := tc.precision, tc.recall
		near("F1", m.F1(tc.class), 2*p*r/(p+r))
	}
	// Agreement with Accuracy over the same samples.
	near("Accuracy vs matrix", Accuracy([]int{0, 0, 1, 1, 2, 2, 2, 0, 2}, []int{0, 0, 0, 1, 1, 2, 2, 2, 2}), m.Accuracy())

	e := NewConfusionMatrix(2)
	e.Add([]int{0, 0}, []int{0, 0})
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"precision of a class never predicted", e.Precision(1), 0},
		{"recall of a class with no samples", e.Recall(1), 0},
		{"F1 of both", e.F1(1), 0},
		{"accuracy of empty", NewConfusionMatrix(4).Accuracy(), 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestRateMeter(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  func(m *RateMeter)
		want []LayerRate
	}{
		{"none", func(*RateMeter) {}, []LayerRate{}},
		{"totals", func(m *RateMeter) {
			m.Add("hidden", 100, 8, 25, 2000) // 2000 / (100*8*25) = 0.1
			m.Add("hidden", 100, 2, 25, 0)    // 2000 / (100*10*25) = 0.08
		}, []LayerRate{{"hidden", 100, 0.08, -1}}},
		{"per neuron", func(m *RateMeter) {
			m.AddCounts("out", 2, 5, []float32{0, 4, 6, 0})
			m.AddCounts("out", 2, 5, []float32{0, 0, 10, 0})
		}, []LayerRate{{"out", 4, 20.0 / 80, 0.5}}},
		{"silent neuron fires later", func(m *RateMeter) {
			m.AddCounts("out", 1, 1, []float32{0, 1})
			m.AddCounts("out", 1, 1, []float32{1, 0})
		}, []LayerRate{{"out", 2, 0.5, 0}}},
		{"mixed makes silent unknown", func(m *RateMeter) {
			m.AddCounts("out", 1, 10, []float32{0, 10})
			m.Add("out", 2, 1, 10, 0)
			m.AddCounts("out", 1, 10, []float32{0, 10})
		}, []LayerRate{{"out", 2, 20.0 / 60, -1}}},
		{"order of first add", func(m *RateMeter) {
			m.Add("b", 1, 1, 1, 1)
			m.Add("a", 1, 1, 1, 0)
			m.Add("b", 1, 1, 1, 0)
		}, []LayerRate{{"b", 1, 0.5, -1}, {"a", 1, 0, -1}}},
	} {
		var m RateMeter
		tc.add(&m)
		got := m.Rates()
		if len(got) != len(tc.want) {
			t.Errorf("%s: Rates = %+v, want %+v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			g, w := got[i], tc.want[i]
			if g.Layer != w.Layer || g.Neurons != w.Neurons || math.Abs(g.Rate-w.Rate) > 1e-12 || g.Silent != w.Silent {
				t.Errorf("%s: Rates[%d] = %+v, want %+v", tc.name, i, g, w)
			}
		}
		m.Reset()
		if n := len(m.Rates()); n != 0 {
			t.Errorf("%s: %d layers after Reset", tc.name, n)
		}
		m.Add("x", 3, 1, 1, 3) // usable after Reset, sizes forgotten
		if r := m.Rates(); len(r) != 1 || r[0].Rate != 1 {
			t.Errorf("%s: after Reset and Add: %+v", tc.name, r)
		}
	}
}
