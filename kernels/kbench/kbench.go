// Package kbench is the benchmark suite of package kernels, run by
// "braingo bench kernels". It measures each kernel on the shapes braingo's
// models use and compares the event-driven and sparse kernels with the dense
// GEMM they replace, measured in the same run on the same machine.
//
// Protocol. Inputs come from a seeded math/rand/v2 source, so every run sees
// the same numbers and the same spike patterns. Each entry is warmed up
// (repeated until about a tenth of its time budget has passed, at least
// once), then timed in Config.Runs runs of as many calls as fill the budget;
// the reported time per call is the median over runs, and the best run is
// kept beside it. A kernel whose single warm-up call already exceeds the
// budget is reported from that one call.
//
// Units. Dense GEMM reports GFLOP/s as 2·m·k·n / seconds. Event-driven
// products report the useful work 2·(active inputs)·n / seconds, and
// speedup_vs_dense is (dense GEMM seconds) / (event seconds) for the dense
// GEMM that computes the same result. Sparse matrix-vector kernels report
// synapse events per second (active pre-neurons × synapses each) and, where
// the connectivity is stored, GB/s of the index and weight bytes they read.
//
// This package imports kernels; kernels must never import it.
package kbench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"time"

	"github.com/braingo/braingo/kernels"
)

// Config selects and sizes the suite. Its zero value runs the full suite
// with the default protocol.
type Config struct {
	// Quick shortens the time budget per entry (Budget default 20ms instead
	// of 300ms, Runs default 3 instead of 5) for a smoke run. Sizes do not
	// change.
	Quick bool
	// Budget is the time spent measuring each entry after warm-up.
	// Default 300ms (Quick: 20ms).
	Budget time.Duration
	// Runs is the number of timed runs per entry; the median is reported.
	// Default 5 (Quick: 3).
	Runs int
	// Threads is the number of goroutines the kernels may use during the
	// suite (kernels.SetThreads). Default 0: GOMAXPROCS.
	Threads int
	// Filter, when non-nil, keeps the entries whose "kernel shape" string
	// it matches; the dense references they are compared with are measured
	// as well.
	Filter *regexp.Regexp
	// Seed seeds the input generator. Default 0 is a valid seed.
	Seed uint64

	// GemmShapes are the m×k×n shapes of the dense GEMM entries, each run
	// in the three training variants A·B, Aᵀ·B and A·Bᵀ. Default
	// 128×784×1000, 128×1000×10 and 1024×1024×1024.
	GemmShapes [][3]int
	// EventShape is batch×pre×post of the event-driven matmul and its
	// weight gradient. Default 128×1000×1000.
	EventShape [3]int
	// NarrowShape is batch×in×out of the narrow-readout entries (n ≤ 16
	// outputs). Default 128×1000×10.
	NarrowShape [3]int
	// Densities are the spike densities of the event-driven entries.
	// Default 1%, 5%, 10%, 20% and 50%.
	Densities []float64
	// NetSizes are the neuron counts (pre = post = N) of the sparse
	// matrix-vector entries, each with connection probability 80/N and
	// Active of the pre-neurons firing. Default 4000 and 100000.
	NetSizes []int
	// Active is the fraction of pre-neurons firing in the sparse
	// matrix-vector entries. Default 0.02.
	Active float64
	// DenseMatvecMax is the largest N for which the sparse matrix-vector
	// entries get a dense reference (a 1×N×N GEMM needs 4·N² bytes).
	// Default 8192.
	DenseMatvecMax int
}

func (c Config) withDefaults() Config {
	if c.Budget <= 0 {
		c.Budget = 300 * time.Millisecond
		if c.Quick {
			c.Budget = 20 * time.Millisecond
		}
	}
	if c.Runs <= 0 {
		c.Runs = 5
		if c.Quick {
			c.Runs = 3
		}
	}
	if c.GemmShapes == nil {
		c.GemmShapes = [][3]int{{128, 784, 1000}, {128, 1000, 10}, {1024, 1024, 1024}}
	}
	if c.EventShape == [3]int{} {
		c.EventShape = [3]int{128, 1000, 1000}
	}
	if c.NarrowShape == [3]int{} {
		c.NarrowShape = [3]int{128, 1000, 10}
	}
	if c.Densities == nil {
		c.Densities = []float64{0.01, 0.05, 0.10, 0.20, 0.50}
	}
	if c.NetSizes == nil {
		c.NetSizes = []int{4000, 100000}
	}
	if c.Active <= 0 {
		c.Active = 0.02
	}
	if c.DenseMatvecMax <= 0 {
		c.DenseMatvecMax = 8192
	}
	return c
}

// Result is one measurement. Its JSON form is one line of
// "braingo bench kernels --json".
type Result struct {
	// Kernel names the kernel and variant, e.g. "gemm_tn" (Aᵀ·B) or
	// "event_matmul".
	Kernel string `json:"kernel"`
	// Shape is m×k×n for products, "N×N p=…" for sparse matrix-vector.
	Shape string `json:"shape"`
	// Density is the fraction of active inputs (1 for dense kernels).
	Density float64 `json:"density"`
	// Seconds is the median time per call.
	Seconds float64 `json:"seconds"`
	// BestSeconds is the fastest run's time per call.
	BestSeconds float64 `json:"best_seconds"`
	// GFLOPS is the useful floating-point work per second, in 1e9/s
	// (0 where not meaningful).
	GFLOPS float64 `json:"gflops"`
	// GBps is the bytes of stored connectivity read per second, in 1e9/s,
	// for kernels limited by memory; absent otherwise.
	GBps *float64 `json:"gbps,omitempty"`
	// EventsPerSec is synapse events processed per second, for sparse
	// kernels; absent otherwise.
	EventsPerSec *float64 `json:"events_per_s,omitempty"`
	// SpeedupVsDense is the dense reference's Seconds over this entry's;
	// 1 for the dense entries themselves; null where no dense reference
	// was measured.
	SpeedupVsDense *float64 `json:"speedup_vs_dense"`
	// DenseRef names the dense entry compared with, "kernel shape".
	DenseRef string `json:"dense_ref,omitempty"`
	// Runs and Iters say how the time was measured: Runs timed runs of
	// Iters calls each.
	Runs    int `json:"runs"`
	Iters   int `json:"iters"`
	Threads int `json:"threads"`
}

// Name is the entry's "kernel shape" string that Config.Filter matches.
func (r Result) Name() string { return r.Kernel + " " + r.Shape }

// entry is one benchmark: what to run and how to count its work.
type entry struct {
	kernel, shape string
	density       float64
	flops         float64 // useful floating-point operations per call
	bytes         float64 // connectivity bytes read per call (0: not reported)
	events        float64 // synapse events per call (0: not reported)
	dense         bool    // a dense entry: speedup 1 by definition
	ref           string  // Name of the dense reference entry, or ""
	// setup allocates and fills the inputs and returns the call to time.
	setup func(rng *rand.Rand) func()
}

func (e *entry) name() string { return e.kernel + " " + e.shape }

// Suite returns the entries the configuration selects, in run order, as
// "kernel shape" names.
func Suite(cfg Config) []string {
	var names []string
	for _, e := range selectEntries(cfg.withDefaults()) {
		names = append(names, e.name())
	}
	return names
}

func selectEntries(cfg Config) []*entry {
	all := entries(cfg)
	if cfg.Filter == nil {
		return all
	}
	keep := make(map[string]bool)
	for _, e := range all {
		if cfg.Filter.MatchString(e.name()) {
			keep[e.name()] = true
			if e.ref != "" {
				keep[e.ref] = true
			}
		}
	}
	var sel []*entry
	for _, e := range all {
		if keep[e.name()] {
			sel = append(sel, e)
		}
	}
	return sel
}

// Run measures the selected entries in order, calling progress (if not nil)
// after each with its index, the total and its result, and returns all
// results. Dense references are ordered before the entries compared with
// them, so every speed-up is known when its result is reported.
func Run(cfg Config, progress func(i, n int, r Result)) ([]Result, error) {
	cfg = cfg.withDefaults()
	sel := selectEntries(cfg)
	if len(sel) == 0 {
		return nil, fmt.Errorf("no benchmark matches %q", cfg.Filter)
	}
	prev := kernels.SetThreads(cfg.Threads)
	defer kernels.SetThreads(prev)

	seconds := make(map[string]float64)
	results := make([]Result, 0, len(sel))
	for i, e := range sel {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		call := e.setup(rng)
		med, best, runs, iters := measure(call, cfg.Budget, cfg.Runs)
		seconds[e.name()] = med
		r := Result{
			Kernel: e.kernel, Shape: e.shape, Density: e.density,
			Seconds: med, BestSeconds: best,
			GFLOPS: e.flops / med / 1e9,
			Runs:   runs, Iters: iters, Threads: kernels.Threads(),
		}
		if e.bytes > 0 {
			r.GBps = ptr(e.bytes / med / 1e9)
		}
		if e.events > 0 {
			r.EventsPerSec = ptr(e.events / med)
		}
		switch {
		case e.dense:
			r.SpeedupVsDense = ptr(1)
		case e.ref != "":
			if ref, ok := seconds[e.ref]; ok {
				r.SpeedupVsDense = ptr(ref / med)
				r.DenseRef = e.ref
			}
		}
		results = append(results, r)
		if progress != nil {
			progress(i, len(sel), r)
		}
	}
	return results, nil
}

func ptr(v float64) *float64 { return &v }

// measure times call: warm-up for about a tenth of the budget (at least one
// call), then runs timed runs of iters calls each filling budget/runs.
// It returns the median and best time per call.
func measure(call func(), budget time.Duration, runs int) (median, best float64, nruns, iters int) {
	warm := budget / 10
	start := time.Now()
	n := 0
	for {
		call()
		n++
		if time.Since(start) >= warm {
			break
		}
	}
	per := time.Since(start).Seconds() / float64(n)
	if n == 1 && per >= budget.Seconds() {
		// One call exceeds the whole budget: report it as the measurement.
		return per, per, 1, 1
	}
	iters = max(1, int(budget.Seconds()/float64(runs)/per))
	samples := make([]float64, runs)
	for r := range samples {
		t := time.Now()
		for range iters {
			call()
		}
		samples[r] = time.Since(t).Seconds() / float64(iters)
	}
	sort.Float64s(samples)
	return medianSorted(samples), samples[0], runs, iters
}

func medianSorted(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// fill returns n values uniform in [-1, 1).
func fill(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 2*rng.Float32() - 1
	}
	return v
}

// spikes returns a rows×cols 0/1 matrix with exactly round(density·cols)
// ones per row at random positions, and the active column indices per row.
func spikes(rng *rand.Rand, rows, cols int, density float64) ([]float32, [][]int32) {
	s := make([]float32, rows*cols)
	idx := make([][]int32, rows)
	k := int(math.Round(density * float64(cols)))
	for r := range rows {
		perm := rng.Perm(cols)[:k]
		slices.Sort(perm)
		idx[r] = make([]int32, k)
		for j, c := range perm {
			s[r*cols+c] = 1
			idx[r][j] = int32(c)
		}
	}
	return s, idx
}

func shape3(m, k, n int) string { return fmt.Sprintf("%dx%dx%d", m, k, n) }

// entries lists the whole suite in run order.
func entries(cfg Config) []*entry {
	var es []*entry
	for _, s := range cfg.GemmShapes {
		es = append(es, gemmEntries(s[0], s[1], s[2])...)
	}
	es = append(es, eventEntries(cfg)...)
	es = append(es, narrowEntries(cfg)...)
	es = append(es, sparseEntries(cfg)...)
	es = append(es, memEntries()...)
	// A dense reference may be listed twice (a GEMM shape that is also a
	// reference of the event or narrow entries): keep the first.
	seen := make(map[string]bool)
	uniq := es[:0]
	for _, e := range es {
		if e.dense && seen[e.name()] {
			continue
		}
		seen[e.name()] = true
		uniq = append(uniq, e)
	}
	return uniq
}

// gemmEntries are the three training variants of an m×k×n product:
// forward A·B, weight gradient Aᵀ·B, input gradient A·Bᵀ.
func gemmEntries(m, k, n int) []*entry {
	return []*entry{
		gemmEntry("gemm_nn", false, false, m, k, n),
		gemmEntry("gemm_tn", true, false, m, k, n),
		gemmEntry("gemm_nt", false, true, m, k, n),
	}
}

// gemmEntry times C = op(A)·op(B) with op(A) m×k and op(B) k×n.
func gemmEntry(kernel string, transA, transB bool, m, k, n int) *entry {
	return &entry{
		kernel: kernel, shape: shape3(m, k, n), density: 1,
		flops: 2 * float64(m) * float64(k) * float64(n),
		dense: true,
		setup: func(rng *rand.Rand) func() {
			a, b, c := fill(rng, m*k), fill(rng, k*n), make([]float32, m*n)
			lda, ldb := k, n
			if transA {
				lda = m
			}
			if transB {
				ldb = k
			}
			return func() {
				kernels.Gemm(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
			}
		},
	}
}

// memEntries measure how fast one core reads a buffer that fits in L1, in
// L2, in L3 and in none (kernels.Sum, sequential AVX-512 loads): the
// ceilings of the memory-bound kernels (the event matmul reads a row of W
// per spike).
func memEntries() []*entry {
	var es []*entry
	for _, kb := range []int{32, 512, 4096, 65536} {
		n := kb * 1024 / 4
		es = append(es, &entry{
			kernel: "mem_read", shape: fmt.Sprintf("%dKiB", kb), density: 1,
			flops: float64(n), bytes: 4 * float64(n),
			setup: func(rng *rand.Rand) func() {
				x := fill(rng, n)
				return func() { sink += kernels.Sum(x) }
			},
		})
	}
	return es
}

// sink keeps the compiler from dropping mem_read's sums.
var sink float32
