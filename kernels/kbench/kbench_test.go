package kbench

import (
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
	"time"
)

func tinyConfig() Config {
	return Config{
		Budget:         time.Millisecond,
		Runs:           3,
		Threads:        1,
		GemmShapes:     [][3]int{{3, 4, 5}},
		EventShape:     [3]int{4, 50, 6},
		Densities:      []float64{0.1, 0.5},
		NetSizes:       []int{200, 500},
		DenseMatvecMax: 300,
	}
}

func TestRunTiny(t *testing.T) {
	cfg := tinyConfig()
	var seen int
	res, err := Run(cfg, func(i, n int, r Result) {
		if i != seen {
			t.Errorf("progress index %d, want %d", i, seen)
		}
		seen++
	})
	if err != nil {
		t.Fatal(err)
	}
	names := Suite(cfg)
	if len(res) != len(names) || seen != len(res) {
		t.Fatalf("%d results, %d progress calls, %d suite entries", len(res), seen, len(names))
	}
	byName := make(map[string]Result)
	for i, r := range res {
		if r.Name() != names[i] {
			t.Errorf("result %d is %q, want %q", i, r.Name(), names[i])
		}
		if !(r.Seconds > 0) || r.BestSeconds > r.Seconds || r.Runs < 1 || r.Iters < 1 || r.Threads != 1 {
			t.Errorf("%s: implausible timing %+v", r.Name(), r)
		}
		if r.SpeedupVsDense != nil && r.DenseRef != "" {
			ref, ok := byName[r.DenseRef]
			if !ok {
				t.Errorf("%s: dense reference %q not measured before it", r.Name(), r.DenseRef)
			} else if want := ref.Seconds / r.Seconds; math.Abs(*r.SpeedupVsDense-want) > 1e-9*want {
				t.Errorf("%s: speedup %v, want %v", r.Name(), *r.SpeedupVsDense, want)
			}
		}
		byName[r.Name()] = r
	}
	g := byName["gemm_tn 3x4x5"]
	if g.SpeedupVsDense == nil || *g.SpeedupVsDense != 1 || g.Density != 1 {
		t.Errorf("dense entry %+v: want speedup 1, density 1", g)
	}
	if want := 2 * 3 * 4 * 5 / g.Seconds / 1e9; math.Abs(g.GFLOPS-want) > 1e-9*want {
		t.Errorf("gemm GFLOPS %v, want %v", g.GFLOPS, want)
	}
}

func TestFilterKeepsDenseReferences(t *testing.T) {
	cfg := tinyConfig()
	all := selectEntries(cfg.withDefaults())
	for _, e := range all {
		cfg.Filter = regexp.MustCompile("^" + regexp.QuoteMeta(e.name()) + "$")
		got := Suite(cfg)
		if !slices.Contains(got, e.name()) {
			t.Errorf("filter %s lost the entry itself: %q", cfg.Filter, got)
		}
		if e.ref != "" && !slices.Contains(got, e.ref) {
			t.Errorf("filter %s lost the dense reference %q: %q", cfg.Filter, e.ref, got)
		}
		if i, j := slices.Index(got, e.ref), slices.Index(got, e.name()); e.ref != "" && i > j {
			t.Errorf("dense reference %q runs after %q", e.ref, e.name())
		}
	}
	cfg.Filter = regexp.MustCompile("no such kernel")
	if _, err := Run(cfg, nil); err == nil {
		t.Error("Run with an empty selection returned no error")
	}
}

func TestDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Budget != 300*time.Millisecond || c.Runs != 5 || len(c.GemmShapes) != 3 || len(c.Densities) != 5 {
		t.Errorf("defaults %+v", c)
	}
	q := Config{Quick: true}.withDefaults()
	if q.Budget >= c.Budget || q.Runs > c.Runs {
		t.Errorf("quick defaults %+v", q)
	}
	// Every default GEMM shape appears in all three variants, each once
	// (the narrow entries' references coincide with some), and the event
	// entries once per density.
	names := Suite(Config{})
	count := func(name string) (n int) {
		for _, s := range names {
			if s == name {
				n++
			}
		}
		return n
	}
	if n := count("gemm_nn 128x1000x10"); n != 1 {
		t.Errorf("gemm_nn 128x1000x10 listed %d times", n)
	}
	for _, k := range []string{"event_matmul", "event_matmul_w_in_l1", "event_matmul_grad"} {
		if n := count(k + " 128x1000x1000"); n != len(c.Densities) {
			t.Errorf("%s listed %d times, want one per density (%d)", k, n, len(c.Densities))
		}
	}
	for _, k := range []string{"narrow_matmul 128x1000x10", "narrow_inner 128x10x1000", "narrow_grad 1000x128x10"} {
		if count(k) != 1 {
			t.Errorf("default suite lacks %s", k)
		}
	}
	for _, s := range []string{"128x784x1000", "128x1000x10", "1024x1024x1024"} {
		for _, k := range []string{"gemm_nn", "gemm_tn", "gemm_nt"} {
			if !slices.Contains(names, k+" "+s) {
				t.Errorf("default suite lacks %s %s", k, s)
			}
		}
	}
}

func TestMeasure(t *testing.T) {
	calls := 0
	var sink float64
	work := func() {
		calls++
		for i := range 1000 {
			sink += float64(i)
		}
	}
	med, best, runs, iters := measure(work, 20*time.Millisecond, 3)
	if runs != 3 || iters < 1 || best > med || med <= 0 || calls < runs*iters+1 || sink == 0 {
		t.Errorf("measure: median %v best %v runs %d iters %d calls %d", med, best, runs, iters, calls)
	}
	// A call longer than the budget is measured once, by the warm-up.
	calls = 0
	med, _, runs, iters = measure(func() { calls++; time.Sleep(3 * time.Millisecond) }, time.Millisecond, 5)
	if calls != 1 || runs != 1 || iters != 1 || med < 3e-3 {
		t.Errorf("long call: median %v runs %d iters %d calls %d", med, runs, iters, calls)
	}
}

func TestSpikes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s, idx := spikes(rng, 5, 100, 0.07)
	for r := range 5 {
		if len(idx[r]) != 7 || !slices.IsSorted(idx[r]) {
			t.Fatalf("row %d: indices %v", r, idx[r])
		}
		n := 0
		for c := range 100 {
			if s[r*100+c] == 1 {
				n++
				if !slices.Contains(idx[r], int32(c)) {
					t.Errorf("row %d col %d set but not indexed", r, c)
				}
			}
		}
		if n != 7 {
			t.Errorf("row %d: %d ones", r, n)
		}
	}
	// Deterministic from the seed.
	s2, _ := spikes(rand.New(rand.NewPCG(1, 2)), 5, 100, 0.07)
	if !slices.Equal(s, s2) {
		t.Error("spikes not reproducible from the seed")
	}
}
