package networks

import (
	"math"
	"testing"

	"github.com/braingo/braingo/kernels"
)

func denseConn(n int, w []float32) *FixedMatrix {
	return &FixedMatrix{Rows: n, Cols: n, Kind: ConnDense, Scale: 1, Dense: w}
}

// TestSpectralRadiusKnown: power iteration finds the spectral radius of
// matrices whose eigenvalues are known: a dominant complex pair ±2i (a
// scaled rotation, where the plain power ratio oscillates), and a
// non-normal upper-triangular matrix with eigenvalues on its diagonal.
func TestSpectralRadiusKnown(t *testing.T) {
	// Block diagonal: [[0,-2],[2,0]] (eigenvalues ±2i), then 1.5, -1, 0.5.
	n := 5
	w := make([]float32, n*n)
	w[0*n+1], w[1*n+0] = -2, 2
	w[2*n+2], w[3*n+3], w[4*n+4] = 1.5, -1, 0.5
	if got := denseConn(n, w).SpectralRadius(200); math.Abs(got-2) > 1e-3 {
		t.Errorf("rotation block: spectral radius %v, want 2", got)
	}
	// Upper triangular with diagonal 0.3, -0.8, 0.5, 0.1 and large
	// off-diagonal entries (eigenvalues are the diagonal).
	n = 4
	w = []float32{
		0.3, 5, -2, 1,
		0, -0.8, 3, 2,
		0, 0, 0.5, -4,
		0, 0, 0, 0.1,
	}
	c := denseConn(n, w)
	if got := c.SpectralRadius(400); math.Abs(got-0.8) > 5e-3 {
		t.Errorf("triangular: spectral radius %v, want 0.8", got)
	}
	c.SetSpectralRadius(1.2, 400)
	if got := c.SpectralRadius(400); math.Abs(got-1.2) > 1e-2 {
		t.Errorf("after SetSpectralRadius(1.2): %v", got)
	}
}

// TestSpectralRadiusRandom: a random N(0, 1/(pN)) matrix has spectral
// radius close to 1 (the circular law), in every storage alike.
func TestSpectralRadiusRandom(t *testing.T) {
	for _, kind := range ConnKinds {
		c, err := NewFixedMatrix(kind, 500, 500, 0.1, 1/math.Sqrt(50), 3)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SpectralRadius(100); math.Abs(got-1) > 0.08 {
			t.Errorf("%s: spectral radius %v, want about 1", kind, got)
		}
	}
}

// TestConnStoragesAgree: dense, CSR and JIT storage of NewFixedMatrix are the same
// matrix: their products agree (and a scale applies to all).
func TestConnStoragesAgree(t *testing.T) {
	const rows, cols, batch = 70, 50, 3
	x := make([]float32, batch*cols)
	kernels.FillNormal(x, 0, 1, 1, 1)
	var ref []float32
	for _, kind := range ConnKinds {
		c, err := NewFixedMatrix(kind, rows, cols, 0.2, 1, 11)
		if err != nil {
			t.Fatal(err)
		}
		c.Scale = 0.5
		y := make([]float32, batch*rows)
		c.MatMulT(y, x, batch)
		y1 := make([]float32, rows)
		c.MatVec(y1, x[cols:2*cols])
		for i := range rows {
			if d := math.Abs(float64(y1[i] - y[rows+i])); d > 1e-5 {
				t.Fatalf("%s: MatVec and MatMulT differ at %d by %g", kind, i, d)
			}
		}
		ev := make([]float32, cols)
		c.EventMatTVec(ev, []int32{3, 17})
		if ref == nil {
			ref = append(y, ev...)
			continue
		}
		for i, v := range append(y, ev...) {
			if math.Abs(float64(v-ref[i])) > 1e-5 {
				t.Fatalf("%s differs from dense at %d: %v vs %v", kind, i, v, ref[i])
			}
		}
	}
	if _, err := NewFixedMatrix("sparse", 3, 3, 0.5, 1, 1); err == nil {
		t.Error("an unknown storage was accepted")
	}
}

// TestReservoirBatchMatchesStep: RunStatic over a batch gives the states
// that Step gives one sequence at a time, for rate and spiking units.
func TestReservoirBatchMatchesStep(t *testing.T) {
	for _, neuron := range []string{"tanh", "lif"} {
		r, err := NewReservoir(ReservoirConfig{Units: 60, Inputs: 4, Neuron: neuron, Leak: 0.5, InputScale: 0.8, BiasScale: 0.3, Degree: 8, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Rec.SpectralRadius(100); math.Abs(got-0.9) > 0.02 {
			t.Errorf("%s: spectral radius %v, want 0.9", neuron, got)
		}
		const batch, steps = 3, 6
		u := make([]float32, batch*4)
		kernels.FillUniform(u, 0, 2, 5, 5)
		bt := r.NewBatch(batch)
		r.RunStatic(bt, u, batch, steps)
		spikes := 0
		for b := range batch {
			r.Reset()
			for range steps {
				r.Step(u[b*4 : (b+1)*4])
			}
			for i, v := range r.X {
				if math.Abs(float64(v-bt.X[b*60+i])) > 1e-5 {
					t.Fatalf("%s: sample %d unit %d: Step %v, RunStatic %v", neuron, b, i, v, bt.X[b*60+i])
				}
				if v != 0 {
					spikes++
				}
			}
		}
		if spikes == 0 {
			t.Errorf("%s: every state is 0: the test checks nothing", neuron)
		}
	}
}
