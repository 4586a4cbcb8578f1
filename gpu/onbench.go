package gpu

import (
	"fmt"
	"sort"
	"time"

	"github.com/braingo/braingo/kernels"
)

// ONConfig is the Open Neuromorphic SNN benchmark's network (DESIGN.md,
// github.com/open-neuromorphic/snn-library-benchmarks): one Linear n→n
// layer with bias, then a LIF layer, batch B, T steps; forward over all
// steps, then the backward pass of the sum of the output spikes. The LIF is
// snnTorch's Leaky as that benchmark builds it: β 0.95, threshold 1,
// subtract reset from the previous membrane, arctan surrogate α 2. The zero
// value of a field means the benchmark's setting.
type ONConfig struct {
	N     int    // neurons (and inputs)
	Batch int    // default 16
	Steps int    // default 500
	Seed  uint64 // inputs and weights
}

// ONResult is one timed round of the benchmark.
type ONResult struct {
	N, Batch, Steps int
	ForwardS        float64 // forward, all steps (seconds)
	GemmS           float64 // of which the forward GEMM (timed apart, after a sync)
	BackwardS       float64 // backward
	TotalS          float64
	PeakBytes       int64   // device memory held by the run's buffers
	SpikeRate       float64 // fraction of output spikes (a sanity figure)
}

func (c ONConfig) withDefaults() ONConfig {
	if c.Batch == 0 {
		c.Batch = 16
	}
	if c.Steps == 0 {
		c.Steps = 500
	}
	return c
}

// ON is the benchmark's state on a device: the weights, their gradients,
// the inputs and the activations of all steps.
type ON struct {
	cfg ONConfig
	d   *Device
	// x: inputs (T·B×n); y: Linear's outputs, then their gradients; u:
	// membranes ((T+1)·B·n); s: spikes; gs: the loss's gradient of the
	// spikes (ones).
	w, b, dw, db, x, y, u, s, gs, scratch *Buf
}

// NewON allocates and initializes the benchmark on d: inputs normal (mean
// 0, sd 1, as torch.randn), weights and bias uniform in ±1/√n (as
// nn.Linear), from Philox streams of c.Seed.
func NewON(d *Device, c ONConfig) (*ON, error) {
	c = c.withDefaults()
	if c.N <= 0 {
		return nil, fmt.Errorf("gpu: Open Neuromorphic benchmark needs n > 0, got %d", c.N)
	}
	o := &ON{cfg: c, d: d}
	rows := c.Steps * c.Batch
	n := c.N
	for _, a := range []struct {
		p    **Buf
		size int
	}{{&o.w, n * n}, {&o.dw, n * n}, {&o.b, n}, {&o.db, n}, {&o.x, rows * n}, {&o.y, rows * n},
		{&o.u, (c.Steps + 1) * c.Batch * n}, {&o.s, rows * n}, {&o.gs, rows * n}, {&o.scratch, sumBlocks + 1}} {
		b, err := d.Alloc(a.size)
		if err != nil {
			o.Free()
			return nil, err
		}
		*a.p = b
	}
	bound := float32(1 / sqrt64(float64(n)))
	for _, f := range []func() error{
		func() error { return d.FillNormal(o.x, 0, 1, c.Seed, 1) },
		func() error { return d.FillUniform(o.w, -bound, bound, c.Seed, 2) },
		func() error { return d.FillUniform(o.b, -bound, bound, c.Seed, 3) },
		func() error { return d.Fill(o.gs, 1) },
	} {
		if err := f(); err != nil {
			o.Free()
			return nil, err
		}
	}
	return o, d.Sync()
}

// Free releases o's buffers.
func (o *ON) Free() {
	for _, b := range []*Buf{o.w, o.b, o.dw, o.db, o.x, o.y, o.u, o.s, o.gs, o.scratch} {
		o.d.Free(b)
	}
}

const (
	onBeta  = 0.95
	onTheta = 1
)

// Forward runs the Linear layer over all steps at once (y = x·Wᵀ + b, one
// GEMM) and the LIF layer's T steps in one fused launch.
func (o *ON) Forward() error {
	if err := o.linear(); err != nil {
		return err
	}
	return o.lif()
}

func (o *ON) linear() error {
	c, d := o.cfg, o.d
	rows, n := c.Steps*c.Batch, c.N
	if err := d.SetRows(o.y, rows, n, o.b); err != nil {
		return err
	}
	return d.Gemm(false, true, rows, n, n, 1, o.x, n, o.w, n, 1, o.y, n)
}

func (o *ON) lif() error {
	c, d := o.cfg, o.d
	n := c.N
	if err := d.Fill(o.u.At(0, c.Batch*n), 0); err != nil {
		return err
	}
	return d.LIFForwardSeq(c.Steps, c.Batch*n, o.y, o.u, o.s, onBeta, onTheta, kernels.LIFResetSubtract)
}

// Backward is the backward pass of sum(spikes): the LIF layer's T steps in
// one launch (gradients of Linear's outputs into y), then dW = δᵀ·x (one
// GEMM) and db = the column sums of δ.
func (o *ON) Backward() error {
	c, d := o.cfg, o.d
	rows, n := c.Steps*c.Batch, c.N
	sur := kernels.Surrogate{Kind: kernels.SurrogateATan, A: 2}
	if err := d.LIFBackwardSeq(c.Steps, c.Batch*n, o.u, o.gs, nil, nil, o.y, nil, onBeta, onTheta, kernels.LIFResetSubtract, sur); err != nil {
		return err
	}
	if err := d.Gemm(true, false, n, n, rows, 1, o.y, n, o.x, n, 0, o.dw, n); err != nil {
		return err
	}
	if err := d.Fill(o.db, 0); err != nil {
		return err
	}
	return d.AddColSums(o.db, o.y, rows, n)
}

// Round times one forward and one backward pass, each waited for.
func (o *ON) Round() (ONResult, error) {
	c, d := o.cfg, o.d
	r := ONResult{N: c.N, Batch: c.Batch, Steps: c.Steps, PeakBytes: d.LiveBytes()}
	t0 := time.Now()
	if err := o.linear(); err != nil {
		return r, err
	}
	if err := d.Sync(); err != nil {
		return r, err
	}
	r.GemmS = time.Since(t0).Seconds()
	if err := o.lif(); err != nil {
		return r, err
	}
	if err := d.Sync(); err != nil {
		return r, err
	}
	t1 := time.Now()
	if err := o.Backward(); err != nil {
		return r, err
	}
	if err := d.Sync(); err != nil {
		return r, err
	}
	t2 := time.Now()
	r.ForwardS, r.BackwardS, r.TotalS = t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t2.Sub(t0).Seconds()
	total, err := d.Sum(o.s, c.Steps*c.Batch*c.N, o.scratch)
	if err != nil {
		return r, err
	}
	r.SpikeRate = float64(total) / float64(c.Steps*c.Batch*c.N)
	return r, nil
}

// RunON sets the benchmark up on d, runs warmup untimed rounds and then
// rounds timed ones, and returns the round of median total time.
func RunON(d *Device, c ONConfig, warmup, rounds int) (ONResult, error) {
	o, err := NewON(d, c)
	if err != nil {
		return ONResult{}, err
	}
	defer o.Free()
	for i := 0; i < warmup; i++ {
		if _, err := o.Round(); err != nil {
			return ONResult{}, err
		}
	}
	var rs []ONResult
	for i := 0; i < max(rounds, 1); i++ {
		r, err := o.Round()
		if err != nil {
			return ONResult{}, err
		}
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].TotalS < rs[j].TotalS })
	return rs[len(rs)/2], nil
}
