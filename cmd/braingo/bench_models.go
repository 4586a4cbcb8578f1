package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// modelsConfig is the "models" suite's configuration: the Open Neuromorphic
// SNN benchmark (DESIGN.md, benchmark protocols).
type modelsConfig struct {
	Sizes   []int // n: Linear(n→n), then n LIF neurons
	Batch   int
	Steps   int
	Rounds  int // timed forward + backward passes per size
	Threads int // 0: GOMAXPROCS
	Seed    uint64
	Warmup  bool // an untimed recorded forward and backward pass first
	// Precision of the layer's products: "float32" (and "", the default)
	// or "bf16" (networks.LinearLIF.BF16: bf16 inputs, float32 sums, as
	// autocast to bf16; needs AVX512_BF16).
	Precision string
	// Gemm is "blocked" (and "", the default: kernels.Gemm) or "strassen"
	// (networks.LinearLIF.Strassen: kernels.GemmStrassen's recursion).
	Gemm string
	// StrassenLevels and StrassenMin set kernels.SetStrassenLevels and
	// kernels.SetStrassenMin for --gemm strassen where StrassenMin > 0
	// (otherwise kernels' settings stay).
	StrassenLevels, StrassenMin int
}

// modelResult is one JSON line of "bench models".
type modelResult struct {
	Model           string  `json:"model"`
	Precision       string  `json:"precision"`
	Gemm            string  `json:"gemm"`
	StrassenLevels  int     `json:"strassen_levels,omitempty"`
	StrassenMin     int     `json:"strassen_min,omitempty"`
	N               int     `json:"n"`
	Batch           int     `json:"batch"`
	Steps           int     `json:"steps"`
	Threads         int     `json:"threads"`
	Rounds          int     `json:"rounds"`
	ForwardSeconds  float64 `json:"forward_seconds"`
	BackwardSeconds float64 `json:"backward_seconds"`
	ForwardBest     float64 `json:"forward_best_seconds"`
	BackwardBest    float64 `json:"backward_best_seconds"`
	ForwardCPU      float64 `json:"forward_cpu_seconds"`
	BackwardCPU     float64 `json:"backward_cpu_seconds"`
	ForwardGFLOPS   float64 `json:"forward_gflops"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`
	PeakRSSScope    string  `json:"peak_rss_scope"`
	TapeMB          float64 `json:"tape_mb"`
	SpikeRate       float64 `json:"spike_rate"`
	GradNorm        float64 `json:"grad_norm"`
	Load1m          float64 `json:"loadavg_1m"`
}

const modelsLong = `The models suite runs the Open Neuromorphic SNN benchmark's network
(github.com/open-neuromorphic/snn-library-benchmarks): Linear(n→n) applied to
every step's input, then n LIF neurons (snnTorch's Leaky: beta 0.95,
threshold 1, reset by subtraction, atan surrogate), batch 16, 500 steps,
input drawn from a standard normal (steps × batch × n, seeded), for
n = 4,096, 8,192 and 16,384. Forward computes the spikes of all steps on a
tape (one product for the currents of all steps, the fused LIF kernels over
the sequence, the sum of the spikes: networks.LinearLIF.ForwardSum); backward
is the gradient of the sum of the spikes with respect to the weight and bias.
The tape keeps the spikes and one buffer of the currents' size, which holds
the currents, then the membranes, then the currents' gradient (tape_mb:
4·(2·steps·batch·n + 4·batch·n + 2) bytes); with the input and the weight
and its gradient, peak memory is about 4·(3·steps·batch·n + 2·n²) bytes.

As in the benchmark, one forward pass without a tape comes first and one
untimed forward and backward pass warms up (--warmup=false skips it); then --rounds times a recorded
forward pass and its backward pass are timed separately, and their means are
reported (the best beside them). peak_rss_mb
is the process's peak resident memory during the configuration (VmHWM, reset
through /proc/self/clear_refs before it starts; peak_rss_scope says
"configuration", or "process" where the reset is not possible and the figure
covers the whole run so far). Run one size per process for figures that
cannot include an earlier, larger configuration.

Results go to standard output as a table, or with --json as one JSON object
per configuration and line: model, n, batch, steps, threads, rounds,
forward_seconds, backward_seconds, forward_best_seconds,
backward_best_seconds, forward_cpu_seconds and backward_cpu_seconds (the
process's user + system CPU time of each pass, all threads: on a loaded
machine the work rather than the wait; spinning threads count too),
forward_gflops (2·steps·batch·n² / forward seconds),
peak_rss_mb, peak_rss_scope, tape_mb (the tape's buffers), spike_rate (spikes
per neuron and step), grad_norm (of the weight gradient, a check value) and
loadavg_1m, precision and gemm (with strassen_levels and strassen_min for
--gemm strassen). Progress goes to standard error.

--precision bf16 runs the layer's two products (the currents, the weight
gradient) in bfloat16 mixed precision, as PyTorch's autocast to bf16 runs
nn.Linear: the inputs of each product rounded to bf16, the sums in float32
(AVX512_BF16's VDPBF16PS, twice float32's multiply rate), everything else
in float32. It is refused on a CPU without AVX512_BF16.

--gemm strassen runs the two products through the Strassen–Winograd
recursion (kernels.GemmStrassen: at most --strassen-levels levels, each 7
products of half the size instead of 8, while a product's three sides are
all at least twice --strassen-min):
float32 arithmetic in another order with a normwise error bound, and extra
memory for the blocks it sums. With --precision bf16 the half-size products
run in bf16. The default, blocked, is kernels.Gemm.`

// parseSizes reads the comma-separated list of positive sizes given to flag.
func parseSizes(flag, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, cli.Usagef("%s: %q is not a positive integer (want e.g. 4096,8192,16384)", flag, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// cpuSeconds is the process's user and system CPU time so far (all
// threads): on a loaded machine it counts the work, not the waiting.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// resetPeakRSS asks Linux to restart the VmHWM count; false where it cannot.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// checkPrecision validates --precision: float32, or bf16 where the CPU has
// AVX512_BF16.
func checkPrecision(p string) error {
	switch p {
	case "", "float32":
		return nil
	case "bf16":
		if !kernels.HasBF16() {
			return cli.Usagef("--precision bf16 needs a CPU with AVX512_BF16 (this one has none); use --precision float32")
		}
		return nil
	}
	return cli.Usagef("--precision: unknown precision %q (known: float32, bf16)", p)
}

func benchModels(env *cli.Env, cfg modelsConfig, asJSON bool) error {
	if err := checkPrecision(cfg.Precision); err != nil {
		return err
	}
	switch cfg.Gemm {
	case "":
		cfg.Gemm = "blocked"
	case "blocked", "strassen":
	default:
		return cli.Usagef("--gemm: unknown product %q (known: blocked, strassen)", cfg.Gemm)
	}
	if cfg.StrassenMin > 0 {
		defer kernels.SetStrassenLevels(kernels.SetStrassenLevels(cfg.StrassenLevels))
		defer kernels.SetStrassenMin(kernels.SetStrassenMin(cfg.StrassenMin))
	}
	if cfg.Precision == "" {
		cfg.Precision = "float32"
	}
	prev := kernels.SetThreads(cfg.Threads)
	defer kernels.SetThreads(prev)
	var results []modelResult
	for _, n := range cfg.Sizes {
		r := runLinearLIF(env, cfg, n)
		if asJSON {
			if err := cli.WriteJSON(env.Stdout, r); err != nil {
				return err
			}
		}
		results = append(results, r)
	}
	if asJSON {
		return nil
	}
	return modelsTable(env.Stdout, results)
}

func runLinearLIF(env *cli.Env, cfg modelsConfig, n int) modelResult {
	debug.FreeOSMemory()
	scope := "process"
	if resetPeakRSS() {
		scope = "configuration"
	}
	r := rand.New(rand.NewPCG(cfg.Seed, uint64(n)))
	model := networks.NewLinearLIF("fc", n, n, true, snn.LIF{Beta: 0.95}, r)
	model.BF16 = cfg.Precision == "bf16"
	model.Strassen = cfg.Gemm == "strassen"
	x := tensor.Zeros(cfg.Steps, cfg.Batch, n)
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	env.Errorf("bench: linear-lif n=%d batch=%d steps=%d precision=%s gemm=%s: untimed forward", n, cfg.Batch, cfg.Steps, cfg.Precision, cfg.Gemm)
	tp := tensor.NewTape()
	// The benchmark's untimed forward pass without gradients (its buffers
	// come from the tape's pool, which the recorded passes then reuse).
	tp.NoGrad(func() { model.Forward(tp, x) })
	tp.Reset()
	// One untimed recorded pass, as the benchmark's timeit warms up each of
	// forward and backward once (here: the tape's buffers are allocated).
	if cfg.Warmup {
		_, loss := model.ForwardSum(tp, x)
		tp.Backward(loss)
		tp.Reset()
	}
	res := modelResult{Model: "linear-lif", Precision: cfg.Precision, Gemm: cfg.Gemm, N: n, Batch: cfg.Batch, Steps: cfg.Steps,
		Threads: kernels.Threads(), Rounds: cfg.Rounds, PeakRSSScope: scope}
	if model.Strassen {
		res.StrassenLevels, res.StrassenMin = kernels.StrassenLevels(), kernels.StrassenMin()
	}
	var spikes float64
	for round := range cfg.Rounds {
		for _, p := range model.Params() {
			p.ZeroGrad()
		}
		c0, t0 := cpuSeconds(), time.Now()
		_, loss := model.ForwardSum(tp, x) // the spikes and their sum
		fw := time.Since(t0).Seconds()
		c1, t0 := cpuSeconds(), time.Now()
		tp.Backward(loss)
		bw := time.Since(t0).Seconds()
		c2 := cpuSeconds()
		res.ForwardCPU += (c1 - c0) / float64(cfg.Rounds)
		res.BackwardCPU += (c2 - c1) / float64(cfg.Rounds)
		spikes = float64(loss.Item())
		res.TapeMB = float64(tp.Bytes()) / (1 << 20)
		tp.Reset()
		res.ForwardSeconds += fw / float64(cfg.Rounds)
		res.BackwardSeconds += bw / float64(cfg.Rounds)
		if round == 0 || fw < res.ForwardBest {
			res.ForwardBest = fw
		}
		if round == 0 || bw < res.BackwardBest {
			res.BackwardBest = bw
		}
		env.Errorf("bench: linear-lif n=%d round %d/%d: forward %.3f s, backward %.3f s", n, round+1, cfg.Rounds, fw, bw)
	}
	var g2 float64
	for _, v := range model.W.Grad {
		g2 += float64(v) * float64(v)
	}
	res.GradNorm = math.Sqrt(g2)
	res.SpikeRate = spikes / float64(cfg.Steps*cfg.Batch*n)
	res.ForwardGFLOPS = 2 * float64(cfg.Steps*cfg.Batch) * float64(n) * float64(n) / res.ForwardSeconds / 1e9
	res.PeakRSSMB = sysinfo.PeakRSSMB()
	res.Load1m = loadAvg()
	runtime.KeepAlive(x)
	return res
}

func modelsTable(w io.Writer, results []modelResult) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{
			PerColumn: []tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight,
				tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight},
		}),
	)
	t.Header("model", "precision", "gemm", "n", "batch", "steps", "forward s", "backward s", "forward GFLOP/s", "peak RSS MB")
	for _, r := range results {
		if err := t.Append(r.Model, r.Precision, r.Gemm, strconv.Itoa(r.N), strconv.Itoa(r.Batch), strconv.Itoa(r.Steps),
			fmtSeconds(r.ForwardSeconds), fmtSeconds(r.BackwardSeconds),
			strconv.FormatFloat(r.ForwardGFLOPS, 'f', 1, 64), fmt.Sprintf("%.0f", r.PeakRSSMB)); err != nil {
			return err
		}
	}
	return t.Render()
}
