package gpu

import (
	"fmt"
	"math"
	"time"

	"github.com/braingo/braingo/kernels"
)

// COBAConfig is the COBA E/I benchmark network (DESIGN.md; the coba recipe
// with Euler integration and JIT connectivity, which this runs on the
// device): N LIF neurons, the first 80% excitatory, connection probability
// K/N, dt Dt ms. The zero value of a field means the benchmark's setting
// (N 4,000, K 80, dt 0.1 ms).
type COBAConfig struct {
	N    int
	K    float64
	Dt   float64
	Seed uint64
}

func (c COBAConfig) withDefaults() COBAConfig {
	if c.N == 0 {
		c.N = 4000
	}
	if c.K == 0 {
		c.K = 80
	}
	if c.Dt == 0 {
		c.Dt = 0.1
	}
	return c
}

// neverFired is snn's last-spike step of a neuron that has not fired.
const neverFired = math.MinInt32 / 2

// COBA is the network on a device. Its state, connectivity and arithmetic
// are those of the coba recipe with conn=jit and method=euler: v(0) from
// kernels.FillNormal(−55, 5, Seed, 2⁴⁰) (drawn on the host, so the same
// bits), the excitatory projection the JIT matrix (Seed·2+1) of the first
// 80% onto all, weight 0.6, the inhibitory one (Seed·2+2), weight 6.7; per
// step kernels.LIFCondStep, then the two JIT scatters into ge and gi. With
// homogeneous weights the scatters' atomic adds give the CPU's bits, so the
// spikes are the CPU's.
type COBA struct {
	Cfg            COBAConfig
	Ne             int
	d              *Device
	p              kernels.LIFCond
	exc, inh       kernels.JIT
	v, ge, gi      *Buf
	last           *Buf
	spk            *Spikes
	counts         *Buf // spikes per step, on the device
	countCap, step int
}

// NewCOBA builds the network on d with room to count the spikes of
// maxSteps steps (Run may not go further).
func NewCOBA(d *Device, c COBAConfig, maxSteps int) (*COBA, error) {
	c = c.withDefaults()
	if c.N < 5 {
		return nil, fmt.Errorf("gpu: COBA network needs at least 5 neurons, got %d", c.N)
	}
	p := c.K / float64(c.N)
	if p > 1 {
		return nil, fmt.Errorf("gpu: COBA network: %g connections per neuron exceed %d neurons", c.K, c.N)
	}
	ne := c.N * 4 / 5
	m := &COBA{Cfg: c, Ne: ne, d: d, countCap: maxSteps}
	m.p = kernels.LIFCond{C: float32(c.Dt / 20), El: -60, I: 20, Ee: 0, Ei: -80,
		DecE: float32(1 - c.Dt/5), DecI: float32(1 - c.Dt/10), Vth: -50, Vr: -60,
		RefSteps: int32(math.Round(5 / c.Dt))}
	m.exc = kernels.JIT{Rows: ne, Cols: c.N, P: p, Seed: c.Seed*2 + 1, Weight: kernels.HomogeneousWeight(0.6)}
	m.inh = kernels.JIT{Rows: c.N - ne, Cols: c.N, P: p, Seed: c.Seed*2 + 2, Weight: kernels.HomogeneousWeight(6.7)}
	var err error
	alloc := func(n int) *Buf {
		if err != nil {
			return nil
		}
		var b *Buf
		b, err = d.Alloc(n)
		return b
	}
	m.v, m.ge, m.gi, m.last, m.counts = alloc(c.N), alloc(c.N), alloc(c.N), alloc(c.N), alloc(max(maxSteps, 1))
	if err != nil {
		m.Free()
		return nil, err
	}
	if m.spk, err = d.NewSpikes(c.N); err != nil {
		m.Free()
		return nil, err
	}
	v0 := make([]float32, c.N)
	kernels.FillNormal(v0, -55, 5, c.Seed, 1<<40)
	if err := d.Upload(m.v, v0); err != nil {
		m.Free()
		return nil, err
	}
	if err := d.FillInt32(m.last, neverFired); err != nil {
		m.Free()
		return nil, err
	}
	return m, nil
}

// Free releases the network's buffers.
func (m *COBA) Free() {
	for _, b := range []*Buf{m.v, m.ge, m.gi, m.last, m.counts} {
		m.d.Free(b)
	}
	if m.spk != nil {
		m.d.Free(m.spk.Idx)
		m.d.Free(m.spk.N)
	}
}

// Step advances the network one step; the spikes of the step stay in the
// device's list (Spikes) until the next.
func (m *COBA) Step() error {
	if m.step >= m.countCap {
		return fmt.Errorf("gpu: COBA: step %d beyond the %d steps it was built for", m.step, m.countCap)
	}
	d := m.d
	spk := &Spikes{Idx: m.spk.Idx, N: m.counts.At(m.step, 1), Cap: m.spk.Cap}
	if err := d.COBAStep(m.Cfg.N, m.v, m.ge, m.gi, m.last, int32(m.step), &m.p, spk); err != nil {
		return err
	}
	if err := d.JITScatter(m.ge, &m.exc, spk, 0); err != nil {
		return err
	}
	if err := d.JITScatter(m.gi, &m.inh, spk, m.Ne); err != nil {
		return err
	}
	m.step++
	return nil
}

// Spikes downloads the neurons that fired in the last step, in no
// particular order.
func (m *COBA) Spikes() ([]int32, error) {
	if m.step == 0 {
		return nil, nil
	}
	return m.d.Read(&Spikes{Idx: m.spk.Idx, N: m.counts.At(m.step-1, 1), Cap: m.spk.Cap})
}

// Counts downloads the number of spikes of each step taken.
func (m *COBA) Counts() ([]int32, error) {
	c := make([]int32, m.step)
	return c, m.d.DownloadInt32(c, m.counts)
}

// COBAResult is one timed run.
type COBAResult struct {
	N          int
	Steps      int
	DurationMS float64
	SetupS     float64
	RunS       float64 // wall time of the steps, waited for
	RateHz     float64 // mean firing rate
	Spikes     int64
}

// RunCOBA builds the network of c on d and simulates durationMS ms of it.
func RunCOBA(d *Device, c COBAConfig, durationMS float64) (COBAResult, error) {
	c = c.withDefaults()
	steps := int(math.Round(durationMS / c.Dt))
	t0 := time.Now()
	m, err := NewCOBA(d, c, steps)
	if err != nil {
		return COBAResult{}, err
	}
	defer m.Free()
	if err := d.Sync(); err != nil {
		return COBAResult{}, err
	}
	t1 := time.Now()
	for i := 0; i < steps; i++ {
		if err := m.Step(); err != nil {
			return COBAResult{}, err
		}
	}
	if err := d.Sync(); err != nil {
		return COBAResult{}, err
	}
	t2 := time.Now()
	counts, err := m.Counts()
	if err != nil {
		return COBAResult{}, err
	}
	var total int64
	for _, k := range counts {
		total += int64(k)
	}
	return COBAResult{N: c.N, Steps: steps, DurationMS: durationMS, SetupS: t1.Sub(t0).Seconds(),
		RunS: t2.Sub(t1).Seconds(), Spikes: total,
		RateHz: float64(total) / float64(c.N) / (float64(steps) * c.Dt / 1000)}, nil
}

func sqrt64(x float64) float64 { return math.Sqrt(x) }
