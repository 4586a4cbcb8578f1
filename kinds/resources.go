package kinds

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/recipes"
)

// memoryEstimator is implemented by the specs that can say, from the
// resolved recipe alone, about how much memory a run needs at its peak, and
// what dominates it. The estimates are deliberately simple (the large
// arrays, not Go's overheads): their job is to refuse a run that cannot fit
// before it allocates, not to predict RSS.
type memoryEstimator interface {
	memoryEstimate() (bytes float64, what string)
}

// MaxMemoryEnv names the environment variable that overrides the memory
// limit (a size such as 64G, or "off").
const MaxMemoryEnv = "BRAINGO_MAX_MEMORY"

// ParseSize reads a size in bytes: a number with an optional K, M, G or T
// suffix (powers of 1024), or "off" (no limit: +Inf).
func ParseSize(s string) (float64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "OFF" {
		return math.Inf(1), nil
	}
	mult := 1.0
	for i, suf := range []string{"K", "M", "G", "T"} {
		if strings.HasSuffix(t, suf) || strings.HasSuffix(t, suf+"B") || strings.HasSuffix(t, suf+"IB") {
			t = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B"), suf)
			mult = math.Pow(1024, float64(i+1))
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a size (a positive number of bytes, with K, M, G or T, or off)", s)
	}
	return v * mult, nil
}

// memoryLimit is the most memory a run may plan to use: opts.MaxMemory,
// else $BRAINGO_MAX_MEMORY, else 90% of the machine's memory (no limit
// where that is unknown).
func memoryLimit(opts RunOptions) (float64, string, error) {
	if opts.MaxMemory > 0 {
		return opts.MaxMemory, "the --max-memory limit", nil
	}
	if env := os.Getenv(MaxMemoryEnv); env != "" {
		v, err := ParseSize(env)
		if err != nil {
			return 0, "", usageErrorf("$%s: %v", MaxMemoryEnv, err)
		}
		return v, "$" + MaxMemoryEnv, nil
	}
	if m := sysinfo.MemoryBytes(); m > 0 {
		return 0.9 * m, fmt.Sprintf("90%% of this machine's %s", formatSize(m)), nil
	}
	return math.Inf(1), "", nil
}

// checkMemory refuses a recipe whose estimated memory exceeds the limit:
// a usage error naming the estimate, what dominates it, the limit and how
// to raise it.
func checkMemory(r *recipes.Recipe, opts RunOptions) error {
	me, ok := r.Spec.(memoryEstimator)
	if !ok {
		return nil
	}
	need, what := me.memoryEstimate()
	limit, from, err := memoryLimit(opts)
	if err != nil {
		return err
	}
	if math.IsNaN(need) || need > limit {
		return usageErrorf("recipe %s needs about %s (%s), more than %s (%s): make the run smaller, or raise the limit with --max-memory SIZE or $%s",
			r.Name, formatSize(need), what, formatSize(limit), from, MaxMemoryEnv)
	}
	return nil
}

// formatSize writes a byte count for people: 1.5 GiB.
func formatSize(b float64) string {
	switch {
	case math.IsNaN(b) || math.IsInf(b, 0):
		return "an unbounded amount"
	case b >= 1<<40*1e3:
		return fmt.Sprintf("%.3g TiB", b/(1<<40))
	}
	for _, u := range []struct {
		s string
		v float64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b >= u.v {
			return fmt.Sprintf("%.1f %s", b/u.v, u.s)
		}
	}
	return fmt.Sprintf("%.0f bytes", b)
}

func usageErrorf(format string, args ...any) error {
	return usageWrap{fmt.Errorf(format, args...)}
}

// usageWrap marks an error as the user's to fix (exit 2).
type usageWrap struct{ error }

func (usageWrap) Usage() bool     { return true }
func (u usageWrap) Unwrap() error { return u.error }

// Estimates. Sizes in bytes of float32 and int32 values.
const f32 = 4

// memoryEstimate of a simulation: the neurons' state, every projection's
// synapses (index and weight; none with JIT connectivity; the full matrix
// when dense; 2 bytes more and a ring of post-sized buffers with
// per-synapse delays) and synapse state, the spike monitor of the recorded
// neurons at a generous 50 Hz, and the population-rate trace (one value per
// step).
func (s *Sim) memoryEstimate() (float64, string) {
	n := float64(s.N())
	steps := s.DurationMS / s.Dt
	size := map[string]float64{}
	base := float64(s.base())
	for _, g := range s.Groups {
		size[g.Name] = n * float64(g.Size) / base
	}
	var syn, synBytes float64
	for _, p := range s.Projections {
		pre, post := size[p.Pre], size[p.Post]
		var k float64
		switch p.Rule {
		case "fixed_prob":
			prob := p.Prob
			if prob == 0 {
				prob = min(1, s.FixedK/n)
			}
			k = pre * post * prob
		case "all_to_all":
			k = pre * post
		case "fixed_in":
			k = post * float64(p.InDegree)
		default:
			k = post
		}
		syn += k
		store := p.Conn
		if store == "" {
			store = s.Conn
		}
		switch store {
		case "csr":
			synBytes += k * 2 * f32
		case "dense":
			synBytes += pre * post * f32
		}
		if p.DelayMaxMS > p.DelayMS {
			synBytes += k*2 + (p.DelayMaxMS-p.DelayMS)/s.Dt*post*f32
		}
		synBytes += post * 2 * f32 // synapse state
	}
	state := n * 16 * f32
	rec := math.Min(n, float64(max(s.Record, s.Raster)))
	monitor := rec*50*s.DurationMS/1000*f32 + steps*f32
	return state + synBytes + monitor, fmt.Sprintf("%.3g neurons, %.3g synapses, %.3g steps of monitors", n, syn, steps)
}

// memoryEstimate of snn-classify training: the data set as float32, the
// parameters with their gradients and optimizer state, and BPTT's trace
// (membranes, spikes and inputs of every layer at every step of a batch).
func (c *Classify) memoryEstimate() (float64, string) {
	in, out := float64(imagePixels), 10.0
	sizes := append([]float64{in}, floats(c.Model.Hidden)...)
	sizes = append(sizes, out)
	params, units := 0.0, 0.0
	for i := 1; i < len(sizes); i++ {
		params += sizes[i-1]*sizes[i] + sizes[i]
		units += sizes[i]
	}
	images := 70000.0
	if c.Data.TrainLimit > 0 {
		images = math.Min(images, float64(c.Data.TrainLimit+c.Data.TestLimit))
	}
	data := images * in * f32
	optim := params * 4 * f32
	trace := float64(c.Data.Steps) * float64(c.Train.BatchSize) * (units*4 + in) * f32
	return data + optim + trace, fmt.Sprintf("%.3g parameters, a BPTT trace of %d steps × %d samples × %.3g units", params, c.Data.Steps, c.Train.BatchSize, units)
}

// memoryEstimate of task BPTT: parameters with optimizer state and the
// trace of a batch's sequence through the recurrent units.
func (c *TaskBPTT) memoryEstimate() (float64, string) {
	u := float64(c.Model.Units)
	params := u*u + 64*u // recurrent weights dominate; inputs and readout are small
	steps := float64(c.Train.SeqLen)
	if steps < 1 {
		steps = 1
	}
	trace := steps * float64(c.Train.BatchSize) * u * 8 * f32
	return params*4*f32 + trace, fmt.Sprintf("%d units, a BPTT trace of %g steps × %d trials", c.Model.Units, steps, c.Train.BatchSize)
}

func floats(v []int) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// memoryEstimate of FORCE: the RLS matrix P (N² float64), the recurrent
// weights (dense, or p·N² with their indices), twice for full-FORCE's task
// network, and the trace kept for the plot.
func (c *Force) memoryEstimate() (float64, string) {
	n := float64(c.Model.Units)
	w := n * n * f32
	if c.Model.Conn != "dense" {
		w = c.Model.P * n * n * 2 * f32
		if c.Model.Conn == "jit" {
			w = 0
		}
	}
	nets := 1.0
	if c.Method == "full-force" {
		nets = 2
	}
	steps := (c.Train.TrainS + c.Train.TestS) * 1000 / c.Train.DtMS
	return n*n*8 + nets*w + steps*2*8, fmt.Sprintf("%d units: an RLS matrix of %.3g entries", c.Model.Units, n*n)
}

// memoryEstimate of spiking FORCE: the RLS matrix over the N neurons'
// filtered rates, the static weights and the trace.
func (c *SpikingForceSpec) memoryEstimate() (float64, string) {
	n := float64(c.Model.Units)
	w := n * n * f32
	if c.Model.Conn != "dense" {
		w = c.Model.P * n * n * 2 * f32
	}
	steps := (c.Train.WarmupS + c.Train.TrainS + c.Train.TestS) * 1000 / c.Train.DtMS
	return n*n*8 + w + steps*2*8, fmt.Sprintf("%d neurons: an RLS matrix of %.3g entries", c.Model.Units, n*n)
}

// memoryEstimate of a reservoir readout: the recurrent weights, the
// reservoir states of the training images and the readout's normal
// equations (features²).
func (c *ReservoirSpec) memoryEstimate() (float64, string) {
	n := float64(c.Model.Units)
	w := c.Model.Degree * n * 2 * f32
	if c.Model.Conn == "dense" || c.Model.Conn == "auto" && c.Model.Units <= c.Model.DenseLimit {
		w = n * n * f32
	}
	feat := n
	if c.Model.IncludeInput {
		feat += 784
	}
	images := 60000.0
	if c.Data.TrainLimit > 0 {
		images = math.Min(images, float64(c.Data.TrainLimit))
	}
	return w + images*feat*f32 + feat*feat*8, fmt.Sprintf("%d units, %.3g training images × %.3g features", c.Model.Units, images, feat)
}
