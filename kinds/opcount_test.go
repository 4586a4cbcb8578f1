package kinds

import (
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/trainer"
)

// The operation counts of a tiny feed-forward network, evaluated, against
// a hand count. Network 2 → 2 (LIF, β 0, threshold 1, recurrent weights 0)
// → 3 (LIF, weights 0), 3 steps, direct input; only input 0 drives hidden
// neuron 0 (weight 3), so hidden neuron 0 fires at every step (U = 3, then
// 3 − 1 after each subtractive reset) and nothing else fires.
//
//	image (1, 0): inputs 1 nonzero × 3 steps × fan-out 2 = 6 MACs;
//	              3 hidden spikes × (fan-out 3 + recurrent 2) = 15 ACs
//	image (1, 1): 2 × 3 × 2 = 12 MACs; 15 ACs
//
// per sample: 9 MACs, 15 ACs, 24 synaptic operations.
func TestOpCountHandFeedForward(t *testing.T) {
	lif := snn.LIF{Beta: 0, Threshold: 1}
	in := &networks.Dense{W: tensor.NewParam("w1", []int{2, 2}, []float32{3, 0, 0, 0})}
	out := &networks.Dense{W: tensor.NewParam("w2", []int{2, 3}, make([]float32, 6))}
	rec := tensor.NewParam("rec1", []int{2, 2}, make([]float32, 4))
	net := &networks.FeedForward{Blocks: []networks.Block{
		{Name: "hidden", Proj: in, Cell: networks.RecurrentCell{Cell: networks.LIFCell{LIF: lif}, W: rec}},
		{Name: "output", Proj: out, Cell: networks.LIFCell{LIF: lif}},
	}}
	data := &datasets.Images{N: 2, Rows: 1, Cols: 2, Pixels: []uint8{255, 0, 255, 255}, Labels: []uint8{0, 1}, Classes: 3}
	ev := trainer.Evaluate(net, data, datasets.Direct{}, 3, 2, 0)
	if ev.Spikes[0] != 6 || ev.Spikes[1] != 0 {
		t.Fatalf("spikes %v, the hand count is 6 hidden (3 per image), 0 output", ev.Spikes)
	}
	o := feedForwardOps(net, ev)
	if o.MAC != 9 || o.AC != 15 || o.total() != 24 {
		t.Errorf("per sample %v MACs + %v ACs = %v, the hand count is 9 + 15 = 24", o.MAC, o.AC, o.total())
	}
	// Spike inputs are accumulates; a sparse projection's fan-out is its
	// mean.
	ev.InputBinary = true
	if o := feedForwardOps(net, ev); o.MAC != 0 || o.AC != 9+15 {
		t.Errorf("binary input: %v MACs + %v ACs, want 0 + 24", o.MAC, o.AC)
	}
	sp := networks.NewSparse("s", 4, 5, networks.SparseConfig{P: 0.5, Seed: 3}, rand.New(rand.NewPCG(1, 1)))
	if got, want := fanOut(sp), float64(sp.Conn.NNZ())/4; got != want || want == 0 {
		t.Errorf("sparse fan-out %v, want %v", got, want)
	}
}

// litBandit is a bandit whose constant observation is 1.
type litBandit struct{ tasks.Bandit }

func (b *litBandit) NewTrial(tr *tasks.Trial) {
	b.Bandit.NewTrial(tr)
	tr.SetObs("choice", "constant", 1)
}

// The operation counts of a tiny recurrent spiking network playing
// one-step bandit trials (a constant observation of 1) against a hand
// count: input → hidden neuron 0 weight 3, every other weight and bias 0,
// β 0, threshold 1; hidden neuron 0 fires at every step, neuron 1 never.
// Per trial (one step): 1 spike input × 2 hidden = 2 ACs; 1 hidden spike ×
// (2 recurrent + 2 outputs) = 4 ACs; 6 synaptic operations, and 0.5 spikes
// per hidden neuron per step.
func TestOpCountHandRSNN(t *testing.T) {
	net := networks.NewRSNN("rsnn", networks.RSNNConfig{Inputs: 1, Units: 2, Outputs: 2}, rand.New(rand.NewPCG(1, 1)))
	for _, p := range net.Params() {
		clear(p.Data)
	}
	net.In.W.Data[0] = 3
	net.LIF = snn.LIF{Beta: 0, Threshold: 1}
	net.BinaryInput = true
	a := &trainer.Agent{Net: net, Actions: 2, Columns: 3, Envs: func(c, e int) (*tasks.Env, map[string]float64, error) {
		env, err := tasks.NewEnv(&litBandit{tasks.Bandit{P: []float64{0.5, 0.5}}}, tasks.Options{Seed: 1, Stream: uint64(c + 1)})
		return env, nil, err
	}}
	res, err := trainer.Play(a, 10, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != len(res.Trials) || res.Inputs != float64(res.Steps) || res.Hidden != float64(res.Steps) || !res.InputBinary {
		t.Fatalf("%d trials: %d steps, %v inputs, %v hidden spikes (binary %v); the hand count is one of each per trial",
			len(res.Trials), res.Steps, res.Inputs, res.Hidden, res.InputBinary)
	}
	o, rate, ok := rsnnOps(net, res)
	if !ok || o.AC != 6 || o.MAC != 0 || rate != 0.5 {
		t.Errorf("per trial %v ACs + %v MACs, rate %v (ok %v); the hand count is 6 + 0, 0.5", o.AC, o.MAC, rate, ok)
	}
	net.NoSelf = true
	if o, _, _ := rsnnOps(net, res); o.AC != 5 {
		t.Errorf("no self-connections: %v ACs per trial, want 5", o.AC)
	}
	rate1 := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: 1, Units: 2, Outputs: 2}, rand.New(rand.NewPCG(1, 1)))
	if _, _, ok := rsnnOps(rate1, res); ok {
		t.Error("a rate network has operation counts")
	}
}

// R-STDP's competition network: 2 populations of 3 neurons; per trial 10
// input spikes each reach the 6 outputs (60 ACs) and 4 output spikes each
// inhibit the 3 neurons of the other population (12 ACs): 72.
func TestOpCountHandCompetition(t *testing.T) {
	o := competitionOps(networks.CompetitionConfig{Inputs: 5, Choices: 2, PerChoice: 3}, 10, 4)
	if o.AC != 72 || o.MAC != 0 {
		t.Errorf("%v ACs + %v MACs, the hand count is 72 + 0", o.AC, o.MAC)
	}
}
