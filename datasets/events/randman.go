package events

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// RandmanConfig sets up a randman spike-timing dataset (Zenke and Vogels
// 2021, "The remarkable robustness of surrogate gradient learning for
// instilling complex function in spiking neural networks";
// github.com/fzenke/randman, make_spiking_dataset of its example notebook).
// The zero value gives the reference's defaults, with seed 0.
type RandmanConfig struct {
	Classes         int     // nb_classes; 0 means 10
	Units           int     // nb_units, input channels (at most 65536); 0 means 100
	Steps           int     // nb_steps; 0 means 100
	StepFrac        float64 // step_frac, the fraction of the steps holding spikes; 0 means 1
	DimManifold     int     // dim_manifold; 0 means 2
	Spikes          int     // nb_spikes per unit and sample; 0 means 1
	SamplesPerClass int     // nb_samples; 0 means 1000
	Alpha           float64 // smoothness (power-spectrum fall-off); 0 means 2
	NoShuffle       bool    // keep samples in class order (the reference shuffles)
	Seed            uint64
}

func (c RandmanConfig) withDefaults() RandmanConfig {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.Classes, 10)
	def(&c.Units, 100)
	def(&c.Steps, 100)
	def(&c.DimManifold, 2)
	def(&c.Spikes, 1)
	def(&c.SamplesPerClass, 1000)
	if c.StepFrac == 0 {
		c.StepFrac = 1
	}
	if c.Alpha == 0 {
		c.Alpha = 2
	}
	return c
}

// Randman is a generated randman dataset. Each sample gives every unit
// Spikes spikes whose times in [0, Steps·StepFrac) steps encode the sample's
// position on its class's random manifold; spike counts carry no
// information, only relative timing does.
//
// The construction follows the reference (torch_randman.py and
// make_spiking_dataset), with Go's PCG generator instead of NumPy's and
// torch's, so values differ from the reference's bit for bit but are
// drawn in the same order from the same distributions, in float64 (the
// reference computes in float32):
//
//  1. master := PCG(Seed, 0x72616e646d616e31). Draw Classes × Spikes
//     manifold seeds (uint64, class-major) from master.
//  2. For each class k in order: draw SamplesPerClass × DimManifold
//     coordinates x ~ U[0, 1) from master (sample-major). For each spike i,
//     build a manifold from PCG(seed[k][i], 0): parameters θ of shape
//     (Units, DimManifold, 3, F) drawn U[0, 1) in row-major order, with
//     θ[u][d][0][0] = 0 (no bias), F = min(⌈0.001^(−1/Alpha)⌉, 1000)
//     (32 for Alpha 2). Unit u's value at x is
//     Π_d Σ_{j<F} θ[u][d][0][j]·s_j·sin(2π(j·x_d·θ[u][d][1][j] + θ[u][d][2][j]))
//     with s_j = 1/((j+1)^Alpha + 1). Standardize each unit over the
//     class's samples, (y − min)/(max − min + 1e-7), and scale by
//     Steps·StepFrac: the spike time of unit u for spike i.
//  3. Unless NoShuffle, permute the samples with master's Shuffle.
//
// A sample's spikes are listed spike-major: entry i·Units + u is unit u's
// spike i, as in the reference.
type Randman struct {
	cfg    RandmanConfig
	times  [][]float64
	coords [][]float64
	labels []int
}

// NewRandman generates the dataset of cfg.
func NewRandman(cfg RandmanConfig) *Randman {
	c := cfg.withDefaults()
	if c.Classes < 0 || c.Units < 0 || c.Steps < 0 || c.DimManifold < 0 || c.Spikes < 0 || c.SamplesPerClass < 0 || c.StepFrac < 0 || c.StepFrac > 1 || c.Units > 1<<16 {
		panic(fmt.Sprintf("events: randman config %+v", cfg))
	}
	master := rand.New(rand.NewPCG(c.Seed, 0x72616e646d616e31))
	seeds := make([]uint64, c.Classes*c.Spikes)
	for i := range seeds {
		seeds[i] = master.Uint64()
	}
	fcut := int(math.Min(math.Ceil(math.Pow(1e-3, -1/c.Alpha)), 1000))
	spect := make([]float64, fcut)
	for j := range spect {
		spect[j] = 1 / (math.Pow(float64(j+1), c.Alpha) + 1)
	}
	r := &Randman{cfg: c}
	nu := c.Units * c.Spikes
	for k := 0; k < c.Classes; k++ {
		x := make([][]float64, c.SamplesPerClass)
		for s := range x {
			x[s] = make([]float64, c.DimManifold)
			for d := range x[s] {
				x[s][d] = master.Float64()
			}
		}
		times := make([][]float64, c.SamplesPerClass)
		for s := range times {
			times[s] = make([]float64, nu)
		}
		for i := 0; i < c.Spikes; i++ {
			mr := rand.New(rand.NewPCG(seeds[k*c.Spikes+i], 0))
			theta := make([]float64, c.Units*c.DimManifold*3*fcut)
			for p := range theta {
				theta[p] = mr.Float64()
			}
			y := make([]float64, c.SamplesPerClass)
			for u := 0; u < c.Units; u++ {
				for s := range y {
					v := 1.0
					for d := 0; d < c.DimManifold; d++ {
						th := theta[((u*c.DimManifold+d)*3)*fcut:]
						a, f, ph := th[:fcut], th[fcut:2*fcut], th[2*fcut:3*fcut]
						sum := 0.0
						for j := 0; j < fcut; j++ {
							amp := a[j]
							if j == 0 {
								amp = 0 // params[:, :, 0, 0] = 0: no bias
							}
							sum += amp * spect[j] * math.Sin(2*math.Pi*(float64(j)*x[s][d]*f[j]+ph[j]))
						}
						v *= sum
					}
					y[s] = v
				}
				lo, hi := math.Inf(1), math.Inf(-1)
				for _, v := range y {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
				for s, v := range y {
					times[s][i*c.Units+u] = (v - lo) / (hi - lo + 1e-7) * float64(c.Steps) * c.StepFrac
				}
			}
		}
		for s := range times {
			r.times = append(r.times, times[s])
			r.coords = append(r.coords, x[s])
			r.labels = append(r.labels, k)
		}
	}
	if !c.NoShuffle {
		master.Shuffle(len(r.labels), func(a, b int) {
			r.times[a], r.times[b] = r.times[b], r.times[a]
			r.coords[a], r.coords[b] = r.coords[b], r.coords[a]
			r.labels[a], r.labels[b] = r.labels[b], r.labels[a]
		})
	}
	return r
}

// Config is the configuration with its defaults filled in.
func (r *Randman) Config() RandmanConfig { return r.cfg }

// Len is Classes × SamplesPerClass.
func (r *Randman) Len() int { return len(r.labels) }

// Classes are "0", "1", ...
func (r *Randman) Classes() []string {
	out := make([]string, r.cfg.Classes)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// Sensor is Units × 1 × 1.
func (r *Randman) Sensor() Sensor { return Sensor{r.cfg.Units, 1, 1} }

// Label is sample i's class.
func (r *Randman) Label(i int) int { return r.labels[i] }

// Times are sample i's spike times in steps (not a copy), spike-major.
func (r *Randman) Times(i int) []float64 { return r.times[i] }

// Coords are sample i's coordinates on its class's manifold (the targets
// of the reference's regression variant).
func (r *Randman) Coords(i int) []float64 { return r.coords[i] }

// StepMicros is the time one randman step takes in Sample's events.
const StepMicros = 1000

// Sample gives sample i as events: X is the unit, T the spike time with
// one step taken as StepMicros µs (⌊time·1000⌋), sorted by time.
// ToBins with BinSpec{Steps: Steps, Duration: Steps·StepMicros} gives the
// same grid as Bins.
func (r *Randman) Sample(i int) ([]Event, int, error) {
	checkIndex(i, len(r.labels), "randman")
	ev := make([]Event, len(r.times[i]))
	for j, t := range r.times[i] {
		ev[j] = Event{T: int64(t * StepMicros), X: uint16(j % r.cfg.Units)}
	}
	SortByTime(ev)
	return ev, r.labels[i], nil
}

// Bins writes sample i as a [Steps][Units] array of spike counts, spike
// time t in bin ⌊t⌋, into dst (allocated when shorter) and returns it.
func (r *Randman) Bins(i int, dst []float32) []float32 {
	n := r.cfg.Steps * r.cfg.Units
	if len(dst) < n {
		dst = make([]float32, n)
	} else {
		dst = dst[:n]
		clear(dst)
	}
	for j, t := range r.times[i] {
		k := min(int(t), r.cfg.Steps-1)
		dst[k*r.cfg.Units+j%r.cfg.Units]++
	}
	return dst
}
