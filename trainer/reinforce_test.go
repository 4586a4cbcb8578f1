package trainer

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
)

// A2C on a deterministic two-armed bandit (arm 0 always pays 1, arm 1
// never): the policy learns to pull arm 0, and the critic's value
// greedy play earns the full reward.
func TestA2CBandit(t *testing.T) {
	for _, method := range []string{"a2c", "reinforce"} {
		t.Run(method, func(t *testing.T) {
			net := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: 1, Units: 8, Outputs: 2}, rand.New(rand.NewPCG(1, 1)))
			critic := networks.NewDense("critic", 8, 1, true, rand.New(rand.NewPCG(2, 2)))
			a := &A2C{Agent: Agent{Net: net, Actions: 2, Columns: 8, Envs: func(c, e int) (*tasks.Env, map[string]float64, error) {
				env, err := tasks.NewEnv(&tasks.Bandit{P: []float64{1, 0}}, tasks.Options{Seed: 3, Stream: uint64(c + 1)})
				return env, nil, err
			}}, Critic: critic, Method: method, Rollout: 10, Gamma: 0.9, Entropy: 0.001, Seed: 4}
			opt := newAdam(a.Params(), 0.03)
			var perf float64
			var n int
			for i := range 200 {
				for _, p := range a.Params() {
					p.ZeroGrad()
				}
				r, err := a.TrainStep(1, i)
				if err != nil {
					t.Fatal(err)
				}
				opt()
				if i >= 150 {
					perf += float64(r.Correct)
					n += r.Samples
				}
			}
			if p := perf / float64(n); p < 0.95 {
				t.Fatalf("performance %v in the last updates", p)
			}
			res, err := Play(&a.Agent, 64, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Performance() != 1 || math.Abs(res.MeanReward()-1) > 1e-9 {
				t.Fatalf("greedy play: performance %v reward %v", res.Performance(), res.MeanReward())
			}
		})
	}
}

// Episodes: the factory is called once per column and episode, the figures
// it returns are attached to the trials, and the previous action and reward
// reach the input.
func TestAgentEpisodes(t *testing.T) {
	calls := map[[2]int]bool{}
	net := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: 1 + 2 + 1, Units: 4, Outputs: 2}, rand.New(rand.NewPCG(1, 1)))
	a := &Agent{Net: net, Actions: 2, Columns: 2, EpisodeTrials: 5, PrevAction: true,
		Envs: func(c, e int) (*tasks.Env, map[string]float64, error) {
			calls[[2]int{c, e}] = true
			env, err := tasks.NewEnv(&tasks.Bandit{P: []float64{0.5, 0.5}}, tasks.Options{Seed: 1, Stream: uint64(c + 1)})
			return env, map[string]float64{"episode": float64(e)}, err
		}}
	res, err := Play(a, 20, true, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trials) != 20 {
		t.Fatalf("%d trials", len(res.Trials))
	}
	// The factory builds a column's next episode as soon as one ends.
	for _, tr := range res.Trials {
		if tr.Vars["episode"] > 1 {
			t.Fatalf("trial of episode %v within the first 10 trials of a column", tr.Vars["episode"])
		}
	}
	if !calls[[2]int{0, 1}] || !calls[[2]int{1, 1}] || calls[[2]int{0, 3}] {
		t.Fatalf("factory calls %v", calls)
	}
}

// Training keeps no history of its trials unless asked (a long run must not
// grow), and then only the latest KeepRecent.
func TestA2CKeepRecentBounded(t *testing.T) {
	for _, keep := range []int{0, 5} {
		net := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: 1, Units: 4, Outputs: 2}, rand.New(rand.NewPCG(1, 1)))
		critic := networks.NewDense("critic", 4, 1, true, rand.New(rand.NewPCG(2, 2)))
		a := &A2C{Agent: Agent{Net: net, Actions: 2, Columns: 4, Envs: func(c, e int) (*tasks.Env, map[string]float64, error) {
			env, err := tasks.NewEnv(&tasks.Bandit{P: []float64{1, 0}}, tasks.Options{Seed: 3, Stream: uint64(c + 1)})
			return env, nil, err
		}}, Critic: critic, Rollout: 10, Seed: 4, KeepRecent: keep}
		for i := range 20 {
			if _, err := a.TrainStep(1, i); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(a.TakeRecent()); got != keep {
			t.Fatalf("KeepRecent %d: %d trials kept after 800", keep, got)
		}
	}
}

// An A2C restored from State (through JSON, as a checkpoint holds it) in
// the middle of its columns' trials and episodes continues with the same
// losses and weights as the A2C that saved it: the action generator, the
// network's state and noise, the environments mid-trial and the episodes'
// bookkeeping all carry over.
func TestA2CStateContinues(t *testing.T) {
	for _, c := range []struct {
		name string
		meta bool
	}{{"decision", false}, {"bandit episodes", true}} {
		t.Run(c.name, func(t *testing.T) {
			build := func() *A2C {
				nin := 3
				if c.meta {
					nin = 1 + 2 + 1
				}
				na := 3
				if c.meta {
					na = 2
				}
				net := networks.NewRateRNN("rnn", networks.RateConfig{Inputs: nin, Units: 6, Outputs: na, Alpha: 0.2, SigmaRec: 0.1},
					rand.New(rand.NewPCG(1, 1)))
				critic := networks.NewDense("critic", 6, 1, true, rand.New(rand.NewPCG(2, 2)))
				ag := Agent{Net: net, Actions: na, Columns: 3, Envs: func(col, ep int) (*tasks.Env, map[string]float64, error) {
					o := tasks.Options{Seed: 3, Stream: uint64(col+1) + uint64(ep)<<20}
					if !c.meta {
						env, err := tasks.NewEnv(&tasks.PerceptualDecisionMaking{}, o)
						return env, nil, err
					}
					p := rand.New(rand.NewPCG(7, o.Stream)).Float64()
					env, err := tasks.NewEnv(&tasks.Bandit{N: 2, P: []float64{p, 1 - p}}, o)
					return env, map[string]float64{"p0": p}, err
				}}
				if c.meta {
					ag.EpisodeTrials, ag.PrevAction = 4, true
				}
				return &A2C{Agent: ag, Critic: critic, Rollout: 7, Gamma: 0.9, Entropy: 0.01, Seed: 4}
			}
			sgd := func(a *A2C, updates int) []float64 {
				var losses []float64
				for i := range updates {
					for _, p := range a.Params() {
						p.ZeroGrad()
					}
					r, err := a.TrainStep(1, i)
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range a.Params() {
						for j, g := range p.Grad {
							p.Data[j] -= 0.05 * g
						}
					}
					losses = append(losses, r.Loss)
				}
				return losses
			}
			once := build()
			want := sgd(once, 10)
			first := build()
			got := sgd(first, 5)
			st, err := first.State()
			if err != nil {
				t.Fatal(err)
			}
			mid := 0
			for _, col := range st.Columns {
				mid += len(col.Env.Actions)
			}
			if !c.meta && mid == 0 {
				t.Fatal("no column is in the middle of a trial: the test tests nothing")
			}
			b, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			var st2 A2CState
			if err := json.Unmarshal(b, &st2); err != nil {
				t.Fatal(err)
			}
			second := build()
			for i, p := range second.Params() {
				copy(p.Data, first.Params()[i].Data)
			}
			if err := second.SetState(&st2); err != nil {
				t.Fatal(err)
			}
			got = append(got, sgd(second, 5)...)
			if !slices.Equal(got, want) {
				t.Fatalf("losses after the restore differ:\n got %v\nwant %v", got, want)
			}
			for i, p := range second.Params() {
				if !slices.Equal(p.Data, once.Params()[i].Data) {
					t.Fatalf("%s differs after the restore", p.Name)
				}
			}
			fresh := build()
			for i, p := range fresh.Params() {
				copy(p.Data, first.Params()[i].Data)
			}
			if slices.Equal(sgd(fresh, 5), want[5:]) {
				t.Error("a fresh A2C with the same weights continues the same way: the test tests nothing")
			}
			st2.Columns = st2.Columns[:2]
			if err := build().SetState(&st2); err == nil {
				t.Error("state of 2 columns accepted for 3")
			}
		})
	}
}
