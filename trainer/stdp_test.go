package trainer

import (
	"math"
	"testing"
)

// runSTDP plays spike trains (step indices per neuron) through a rule of
// npre × npost synapses starting at w0 and returns the weights.
type spiker interface {
	OnlineRule
	spikes() (pre, post []float32)
}

func (s *STDP) spikes() ([]float32, []float32)  { return s.Pre, s.Post }
func (r *RSTDP) spikes() ([]float32, []float32) { return r.Pre, r.Post }

func play(t *testing.T, r spiker, steps int, pre, post [][]int, learn bool, reward func(step int) float64) {
	t.Helper()
	p, q := r.spikes()
	for s := range steps {
		clear(p)
		clear(q)
		for i, tr := range pre {
			for _, ts := range tr {
				if ts == s {
					p[i] = 1
				}
			}
		}
		for j, tr := range post {
			for _, ts := range tr {
				if ts == s {
					q[j] = 1
				}
			}
		}
		sig := Signal{Learn: learn}
		if reward != nil {
			sig.Reward = reward(s)
		}
		if err := r.Step(sig); err != nil {
			t.Fatal(err)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*(1+math.Abs(b)) }

// Pair rules by hand: Δw = A+·exp(−Δt/τ+) for pre before post,
// −A−·exp(−Δt/τ−) for post before pre, nothing for simultaneous spikes,
// and the all-to-all and nearest-spike rules differ on a spike pair plus
// one.
func TestSTDPPairByHand(t *testing.T) {
	const ap, am, tp, tm, dt = 0.01, 0.012, 20.0, 30.0, 0.5
	cases := []struct {
		name      string
		rule      string
		pre, post []int
		want      float64
	}{
		{"pre-post", STDPPair, []int{10}, []int{15}, ap * math.Exp(-5*dt/tp)},
		{"post-pre", STDPPair, []int{15}, []int{10}, -am * math.Exp(-5*dt/tm)},
		{"same step", STDPPair, []int{10}, []int{10}, 0},
		{"all-to-all", STDPPair, []int{10, 12}, []int{15}, ap * (math.Exp(-5*dt/tp) + math.Exp(-3*dt/tp))},
		{"nearest", STDPNearest, []int{10, 12}, []int{15}, ap * math.Exp(-3*dt/tp)},
		{"all-to-all both", STDPPair, []int{10, 20}, []int{15}, ap*math.Exp(-5*dt/tp) - am*math.Exp(-5*dt/tm)},
		{"nearest post-pre-pre", STDPNearest, []int{12, 14}, []int{10}, -am * (math.Exp(-2*dt/tm) + math.Exp(-4*dt/tm))},
	}
	for _, c := range cases {
		w := []float32{0.5}
		s, err := NewSTDP(w, 1, 1, STDPConfig{Rule: c.rule, APlus: ap, AMinus: am, TauPlus: tp, TauMinus: tm, DT: dt})
		if err != nil {
			t.Fatal(err)
		}
		play(t, s, 30, [][]int{c.pre}, [][]int{c.post}, true, nil)
		if got := float64(w[0]) - 0.5; !near(got, c.want) && math.Abs(got-c.want) > 2e-7 {
			t.Errorf("%s: Δw %.9g, want %.9g", c.name, got, c.want)
		}
	}
}

// Nearest-spike depression pairs a pre spike with the last post spike only
// (the post trace is reset to 1, not incremented): post at 10 and 12, pre
// at 14 gives −A−·exp(−2dt/τ−).
func TestSTDPNearestDepression(t *testing.T) {
	w := []float32{0.5}
	s, _ := NewSTDP(w, 1, 1, STDPConfig{Rule: STDPNearest})
	play(t, s, 20, [][]int{{14}}, [][]int{{10, 12}}, true, nil)
	if got, want := float64(w[0])-0.5, -0.0105*math.Exp(-2.0/20); math.Abs(got-want) > 1e-7 {
		t.Fatalf("Δw %.9g, want %.9g", got, want)
	}
}

// Bounds: hard clipping at WMax and WMin; soft bounds scale potentiation
// by the distance to WMax; Learn false changes nothing.
func TestSTDPBounds(t *testing.T) {
	w := []float32{0.995, 0.005}
	s, _ := NewSTDP(w, 1, 2, STDPConfig{APlus: 0.1, AMinus: 0.1})
	play(t, s, 10, [][]int{{2}}, [][]int{{3}, {1}}, true, nil)
	if w[0] != 1 || w[1] != 0 {
		t.Fatalf("hard bounds: w %v, want [1 0]", w)
	}
	w = []float32{0.8}
	s, _ = NewSTDP(w, 1, 1, STDPConfig{APlus: 0.1, Soft: true})
	play(t, s, 10, [][]int{{2}}, [][]int{{3}}, true, nil)
	if got, want := float64(w[0]), 0.8+0.1*math.Exp(-1.0/20)*(1-0.8); math.Abs(got-want) > 1e-6 {
		t.Fatalf("soft bound: w %v, want %v", got, want)
	}
	w = []float32{0.5}
	s, _ = NewSTDP(w, 1, 1, STDPConfig{})
	play(t, s, 10, [][]int{{2}}, [][]int{{3}}, false, nil)
	if w[0] != 0.5 {
		t.Fatalf("Learn false changed w to %v", w[0])
	}
	if _, err := NewSTDP(w, 1, 1, STDPConfig{Rule: "quadruplet"}); err == nil {
		t.Fatal("no error for an unknown rule")
	}
	if _, err := NewSTDP(w, 2, 1, STDPConfig{}); err == nil {
		t.Fatal("no error for a wrong weight count")
	}
}

// The triplet rule against Pfister and Gerstner's all-to-all formula,
// written as sums over spike pairs and triplets of a short train:
//
//	Δw = Σ_post [A2+ + A3+·Σ_{post'<post} e^(−(t−t')/τy)]·Σ_{pre<post} e^(−(t−t_pre)/τ+)
//	   − Σ_pre  [A2− + A3−·Σ_{pre'<pre}   e^(−(t−t')/τx)]·Σ_{post<pre} e^(−(t−t_post)/τ−)
func TestSTDPTripletFormula(t *testing.T) {
	pre := []int{5, 22, 30, 61, 70}
	post := []int{10, 25, 26, 40, 65, 90}
	const dt = 1.0
	c, _ := STDPConfig{Rule: STDPTriplet, WMin: -1, WMax: 1}.defaults()
	sum := func(ts []int, before int, tau float64) float64 {
		var s float64
		for _, x := range ts {
			if x < before {
				s += math.Exp(-float64(before-x) * dt / tau)
			}
		}
		return s
	}
	var want float64
	for _, tpost := range post {
		want += (c.APlus + c.A3Plus*sum(post, tpost, c.TauY)) * sum(pre, tpost, c.TauPlus)
	}
	for _, tpre := range pre {
		want -= (c.AMinus + c.A3Minus*sum(pre, tpre, c.TauX)) * sum(post, tpre, c.TauMinus)
	}
	w := []float32{0}
	s, err := NewSTDP(w, 1, 1, STDPConfig{Rule: STDPTriplet, WMin: -1, WMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	play(t, s, 100, [][]int{pre}, [][]int{post}, true, nil)
	if got := float64(w[0]); math.Abs(got-want) > 1e-6*math.Abs(want) || want == 0 {
		t.Fatalf("triplet Δw %.9g, formula %.9g", got, want)
	}
	// The triplet term matters here: the pair terms alone differ.
	var pair float64
	for _, tpost := range post {
		pair += c.APlus * sum(pre, tpost, c.TauPlus)
	}
	for _, tpre := range pre {
		pair -= c.AMinus * sum(post, tpre, c.TauMinus)
	}
	if math.Abs(pair-want) < 1e-4 {
		t.Fatalf("the train does not exercise the triplet terms: pair %v, triplet %v", pair, want)
	}
}

// R-STDP: a pre-post pairing builds eligibility A+·e^(−Δt/τ+) that decays
// with τ_c; without reward the weight stays put; a reward r delivered k
// steps later moves it by LR·r·c·e^(−k·dt/τ_c).
func TestRSTDP(t *testing.T) {
	const tauC, lr = 200.0, 0.5
	w := []float32{0.5}
	r, err := NewRSTDP(w, 1, 1, RSTDPConfig{TauElig: tauC, LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	play(t, r, 100, [][]int{{10}}, [][]int{{15}}, true, nil)
	if w[0] != 0.5 {
		t.Fatalf("no reward, yet w moved to %v", w[0])
	}
	c0 := 0.01 * math.Exp(-5.0/20)
	if got, want := r.Elig[0], c0*math.Exp(-84/tauC); !near(got, want) {
		t.Fatalf("eligibility after 85 steps %.9g, want %.9g", got, want)
	}
	// Reward 2 at the next step (step 100 of the train).
	play(t, r, 1, nil, nil, true, func(int) float64 { return 2 })
	want := 0.5 + lr*2*c0*math.Exp(-85/tauC)
	if got := float64(w[0]); math.Abs(got-want) > 1e-7 {
		t.Fatalf("w after reward %.9g, want %.9g", got, want)
	}
	// Negative reward depresses; Learn false ignores reward.
	w[0] = 0.5
	r.Reset()
	play(t, r, 20, [][]int{{10}}, [][]int{{15}}, false, func(s int) float64 { return -1 })
	if w[0] != 0.5 {
		t.Fatalf("Learn false changed w to %v", w[0])
	}
	play(t, r, 1, nil, nil, true, func(int) float64 { return -1 })
	if w[0] >= 0.5 {
		t.Fatalf("negative reward after potentiating pairing: w %v, want below 0.5", w[0])
	}
}

// With a dopamine trace, one reward keeps acting: after reward r at step
// s, the change at each later step k is LR·r·e^(−(k−s)dt/τ_d)·c[k].
func TestRSTDPDopamine(t *testing.T) {
	const tauC, tauD = 1000.0, 50.0
	w := []float32{0.5}
	r, _ := NewRSTDP(w, 1, 1, RSTDPConfig{TauElig: tauC, TauDopamine: tauD})
	play(t, r, 16, [][]int{{10}}, [][]int{{15}}, true, nil)
	c := r.Elig[0]
	want := 0.5
	for k := range 30 {
		rew := 0.0
		if k == 0 {
			rew = 1
		}
		c *= math.Exp(-1 / tauC)
		want += math.Exp(-float64(k)/tauD) * c
		play(t, r, 1, nil, nil, true, func(int) float64 { return rew })
	}
	if got := float64(w[0]); math.Abs(got-want) > 1e-6 {
		t.Fatalf("w %.9g, want %.9g", got, want)
	}
}
