package networks

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// simDriven fires the listed neurons at given steps (a spike source for the
// simulator).
type simDriven struct {
	n    int
	fire map[int32][]int32
	v    []float32
}

func (d *simDriven) Len() int     { return d.n }
func (d *simDriven) V() []float32 { return d.v }
func (d *simDriven) Update(t int32, in snn.Input, spk []int32) int {
	return copy(spk, d.fire[t])
}

// The same neuron code serves training and simulation: a recurrent SNN
// rebuilt in the simulator (its neurons as snn.CellGroup, its input stage as
// two exponential synapses with the stage's decay, its weights as dense
// connectivity) produces the spikes and membranes of the network's own
// tape-free forward, step for step, for LIF and ALIF neurons.
func TestRSNNRunsInSimulator(t *testing.T) {
	const in, units, steps = 6, 10, 60
	const dt, tau = 1.0, 5.0
	beta := float32(math.Exp(-dt / tau)) // the synapses' Exact decay
	for _, neuron := range []string{"lif", "alif"} {
		t.Run(neuron, func(t *testing.T) {
			net := NewRSNN("r", RSNNConfig{Inputs: in, Units: units, Outputs: 2, Neuron: neuron, InitScale: 1.5}, rand.New(rand.NewPCG(1, 1)))
			net.BinaryInput, net.InBeta, net.OutBeta = true, beta, 0.9
			net.LIF = snn.LIF{Beta: 0.8, Surrogate: surrogate.Triangle{}}
			net.ALIF = snn.ALIF{Beta: 0.8, Rho: 0.9, BetaA: 0.5}
			// Input spikes; none at step 0 (the simulator delivers input of
			// step t one step early, so step 0 has no slot).
			r := rand.New(rand.NewPCG(2, 2))
			xs := make([][]float32, steps)
			fire := map[int32][]int32{}
			for s := range xs {
				xs[s] = make([]float32, in)
				for i := range xs[s] {
					if s > 0 && r.Float64() < 0.3 {
						xs[s][i] = 1
						fire[int32(s-1)] = append(fire[int32(s-1)], int32(i))
					}
				}
			}
			// The network's own forward, no tape.
			st := net.Start(nil, 1, nil, nil)
			var want [][]float32
			for s := range steps {
				_, h := st.Step(tensor.New([]int{1, in}, xs[s]))
				want = append(want, append([]float32(nil), h.Data...))
			}
			// The same network in the simulator.
			var cell *snn.CellRun
			if neuron == "lif" {
				cell = snn.NewLIFCell(units, net.LIF)
			} else {
				cell = snn.NewALIFCell(units, net.ALIF)
			}
			sim := &snn.Simulation{Dt: dt}
			src := sim.AddGroup("input", &simDriven{n: in, fire: fire, v: make([]float32, in)})
			rec := sim.AddGroup("rec", snn.NewCellGroup(cell))
			for _, p := range []*snn.Projection{
				{Name: "in", Pre: src, Post: rec, Conn: &snn.DenseConn{Pre: in, Post: units, W: net.In.W.Data}},
				{Name: "rec", Pre: rec, Post: rec, Conn: &snn.DenseConn{Pre: units, Post: units, W: net.Rec.Data}},
			} {
				p.Syn, p.Out = &snn.Exponential{Tau: tau, Dt: dt, Method: snn.Exact}, snn.CUBA{}
				if _, err := sim.Connect(p); err != nil {
					t.Fatal(err)
				}
			}
			spikes := 0
			for s := range steps {
				sim.Step()
				got := make([]float32, units)
				for _, i := range rec.Spikes {
					got[i] = 1
				}
				for j := range got {
					if got[j] != want[s][j] {
						t.Fatalf("step %d neuron %d: simulator spike %v, network %v", s, j, got[j], want[s][j])
					}
				}
				spikes += len(rec.Spikes)
			}
			if spikes < steps/2 {
				t.Fatalf("only %d spikes: the comparison exercises little", spikes)
			}
		})
	}
}
