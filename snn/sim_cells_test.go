package snn

import (
	"math"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// A CellGroup feeds its cell Gain·(A − B·v): a conductance-based input on a
// training LIF, checked by hand over two steps.
func TestCellGroupConductanceInput(t *testing.T) {
	net := &Simulation{Dt: 1}
	src := net.AddGroup("src", &driven{n: 1, fire: map[int32][]int32{0: {0}}, v: make([]float32, 1)})
	cell := NewLIFCell(1, LIF{Beta: 0.5, Threshold: 100})
	cell.Membrane()[0] = 2
	g := NewCellGroup(cell)
	g.Gain = 0.1
	dst := net.AddGroup("dst", g)
	conn, _ := ConnSpec{Pre: 1, Post: 1, Rule: OneToOne, Weight: kernels.HomogeneousWeight(3)}.Build()
	if _, err := net.Connect(&Projection{Pre: src, Post: dst, Conn: conn, Syn: &Exponential{Tau: 1e9, Dt: 1, Method: Exact}, Out: COBA{E: 10}}); err != nil {
		t.Fatal(err)
	}
	net.Step() // no conductance yet: U = 0.5·2 = 1
	if cell.Membrane()[0] != 1 {
		t.Fatalf("step 0: U %v, want 1", cell.Membrane()[0])
	}
	net.Step() // g = 3: I = 0.1·(3·10 − 3·U) = 0.1·(30 − 3) = 2.7; U = 0.5 + 2.7
	if math.Abs(float64(cell.Membrane()[0])-3.2) > 1e-6 {
		t.Fatalf("step 1: U %v, want 3.2", cell.Membrane()[0])
	}
}

// The tape-step cells run as simulation populations with their training
// dynamics: an Izhikevich and an AdEx population under a constant drive
// fire, and an ALIF's threshold adaptation slows its firing.
func TestTapeCellsFire(t *testing.T) {
	drive := func(c *CellRun, a float32, steps int) [2]int {
		g := NewCellGroup(c)
		in := Input{A: make([]float32, c.Len()), B: make([]float32, c.Len())}
		for i := range in.A {
			in.A[i] = a
		}
		spk := make([]int32, c.Len())
		var counts [2]int
		for s := range steps {
			counts[2*s/steps] += g.Update(int32(s), in, spk)
		}
		return counts
	}
	if c := drive(NewIzhikevichCell(1, Izhikevich{}), 10, 2000); c[0]+c[1] == 0 {
		t.Fatal("Izhikevich cell silent under a drive of 10")
	}
	if c := drive(NewAdExCell(1, AdEx{}), 1000, 5000); c[0]+c[1] == 0 {
		t.Fatal("AdEx cell silent under 1 nA")
	}
	c := drive(NewALIFCell(1, ALIF{Beta: 0.9, Rho: 0.99, BetaA: 2}), 0.5, 400)
	if c[0] == 0 || c[1] >= c[0] {
		t.Fatalf("ALIF spikes %v in the two halves: want adaptation to slow firing", c)
	}
}

// Every model's Cell runs in the simulator: a GIF population (after-spike
// currents, scaled membrane) fires under a constant drive, and its spikes
// are those of the model's own tape-free Step.
func TestGIFCellRun(t *testing.T) {
	g := GIF{Tau2: []float32{100, 300}, A1: []float32{0, 1}, A2: []float32{-0.6, -0.6}}
	run := NewCellRun(GIFCell{g}, 2)
	v, i1, i2, s, vs := make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2)
	out := make([]float32, 2)
	spikes := 0
	for range 200 {
		in := []float32{1.5, 1.5}
		run.StepCell(in, out)
		g.Step(v, i1, i2, s, vs, in)
		if out[0] != s[0] || out[1] != s[1] {
			t.Fatalf("CellRun spikes %v, GIF.Step %v", out, s)
		}
		spikes += int(s[0] + s[1])
	}
	if spikes == 0 {
		t.Fatal("no spikes")
	}
}
