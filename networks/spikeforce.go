package networks

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
)

// SpikingForce is the spiking FORCE network of Nicola and Clopath (2017,
// "Supervised learning in spiking neural networks with FORCE training",
// Nature Communications 8:2208), LIF version: N leaky integrate-and-fire
// neurons with static random weights ω (sparse, zero mean per neuron) and a
// learned rank-k feedback E·z through the decoded output z = φᵀ·r of the
// filtered spike trains r. In SI units (s, mV), as in the paper's code:
//
//	τ_m dv/dt = −v + I,   I = s_syn + E·z + I_bias        (not while refractory)
//	v ≥ v_peak: spike, v ← v_reset, refractory for τ_ref
//	ds_syn/dt = −s_syn/τ_r + h,   dh/dt = −h/τ_d + Σ_spikes ω_j/(τ_r·τ_d)
//	dr/dt = −r/τ_r + h_r,         dh_r/dt = −h_r/τ_d + Σ_spikes δ_j/(τ_r·τ_d)
//	z = φ·r
//
// Order per step (forward Euler, dt; the membrane step is snn.LIFEuler with
// c = dt/τ_m): integrate v with the z of the previous step, find the
// spikes, update the double-exponential synapses (exact decays
// exp(−dt/τ)), compute z, then reset the spiking neurons. φ
// (Outputs × N) is what FORCE trains (trainer.FORCE through ReadoutInput
// and friends, an update every few steps with P(0) = I/alpha, alpha about
// 1/(0.1·dt) for rates in Hz).
//
// The threshold is the paper's v ≥ v_peak, the one exception to the strict
// v > θ of every other braingo neuron: the bias sits exactly at v_peak, and
// with a strict threshold the recipe force-spiking learns far worse (test
// NMSE 0.54, 1.09 and 1.30 for seeds 1, 2 and 4 against 0.036, 0.035 and
// 0.100 with v ≥ v_peak; 2026-12-06, see BENCHMARKS.md).
type SpikingForce struct {
	N, Outputs int
	Omega      *FixedMatrix // ω, rows pre-synaptic: a spike of neuron j adds row j
	E          []float32    // N × Outputs
	Phi        []float32    // Outputs × N, trained

	Dt, TauM, TauRef, TauR, TauD, VReset, VPeak, Bias float32

	V, S, H, R, HR []float32
	Z              []float32
	Spikes         []int32 // the neurons that spiked in the last step
	ref            []int32 // refractory steps left
	jd             []float32
	count          int64
	steps          int64
}

// SpikingForceConfig configures NewSpikingForce; the zero value of each
// field is the paper's value (LIF network of its sinusoid example).
type SpikingForceConfig struct {
	Units   int     // N (default 2000)
	Outputs int     // decoded outputs k (default 1)
	P       float64 // connection probability of ω (default 0.1)
	G       float64 // static weight gain: ω ~ G·N(0,1)/(√N·p) (default 0.04)
	Q       float64 // feedback gain: E uniform in ±Q (default 10)
	DtMS    float64 // step (default 0.05 ms)
	TauMMS  float64 // membrane (default 10 ms)
	TauRef  float64 // refractory period (default 2 ms)
	TauRMS  float64 // synaptic rise (default 2 ms)
	TauDMS  float64 // synaptic decay (default 20 ms)
	VReset  float64 // default −65 mV
	VPeak   float64 // default −40 mV
	Bias    float64 // default −40 mV (v_peak: the neurons sit at threshold)
	Conn    string  // dense or csr (default); jit cannot be made zero-mean
	Seed    uint64
}

func (c *SpikingForceConfig) defaults() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Units == 0 {
		c.Units = 2000
	}
	if c.Outputs == 0 {
		c.Outputs = 1
	}
	if c.Conn == "" {
		c.Conn = ConnCSR
	}
	def(&c.P, 0.1)
	def(&c.G, 0.04)
	def(&c.Q, 10)
	def(&c.DtMS, 0.05)
	def(&c.TauMMS, 10)
	def(&c.TauRef, 2)
	def(&c.TauRMS, 2)
	def(&c.TauDMS, 20)
	def(&c.VReset, -65)
	def(&c.VPeak, -40)
	def(&c.Bias, -40)
}

// NewSpikingForce builds the network; its random draws come from the
// Philox streams of cfg.Seed. It returns an error for bad values.
func NewSpikingForce(cfg SpikingForceConfig) (*SpikingForce, error) {
	cfg.defaults()
	n := cfg.Units
	switch {
	case n < 2 || cfg.Outputs < 1:
		return nil, fmt.Errorf("spiking force network: bad sizes: %d units, %d outputs", n, cfg.Outputs)
	case cfg.Conn == ConnJIT:
		return nil, fmt.Errorf("spiking force network: the static weights are made zero-mean per neuron, which needs dense or csr storage, not jit")
	case !(cfg.P > 0 && cfg.P <= 1):
		return nil, fmt.Errorf("spiking force network: probability %v outside (0, 1]", cfg.P)
	case cfg.DtMS <= 0 || cfg.TauRMS <= 0 || cfg.TauDMS <= 0 || cfg.TauMMS <= 0:
		return nil, fmt.Errorf("spiking force network: time step and time constants must be positive")
	}
	om, err := NewFixedMatrix(cfg.Conn, n, n, cfg.P, cfg.G/(math.Sqrt(float64(n))*cfg.P), cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("spiking force network: %w", err)
	}
	zeroMeanColumns(om)
	ms := func(v float64) float32 { return float32(v / 1000) }
	net := &SpikingForce{N: n, Outputs: cfg.Outputs, Omega: om, E: make([]float32, n*cfg.Outputs), Phi: make([]float32, cfg.Outputs*n),
		Dt: ms(cfg.DtMS), TauM: ms(cfg.TauMMS), TauRef: ms(cfg.TauRef), TauR: ms(cfg.TauRMS), TauD: ms(cfg.TauDMS),
		VReset: float32(cfg.VReset), VPeak: float32(cfg.VPeak), Bias: float32(cfg.Bias),
		V: make([]float32, n), S: make([]float32, n), H: make([]float32, n), R: make([]float32, n), HR: make([]float32, n),
		Z: make([]float32, cfg.Outputs), ref: make([]int32, n), jd: make([]float32, n)}
	q := float32(cfg.Q)
	kernels.FillUniform(net.E, -q, q, cfg.Seed, 0xe4c0de)
	// v uniform in [v_reset, 30 mV], as in the paper's code.
	kernels.FillUniform(net.V, net.VReset, 30, cfg.Seed, 0x7e5)
	return net, nil
}

// zeroMeanColumns subtracts from each column's nonzero entries (a neuron's
// incoming weights) their mean, so every neuron's static input sums to 0.
func zeroMeanColumns(c *FixedMatrix) {
	sum := make([]float64, c.Cols)
	cnt := make([]float64, c.Cols)
	switch c.Kind {
	case ConnDense:
		for i := range c.Rows {
			for j, v := range c.Dense[i*c.Cols : (i+1)*c.Cols] {
				if v != 0 {
					sum[j] += float64(v)
					cnt[j]++
				}
			}
		}
		for i := range c.Rows {
			row := c.Dense[i*c.Cols : (i+1)*c.Cols]
			for j, v := range row {
				if v != 0 {
					row[j] = float32(float64(v) - sum[j]/cnt[j])
				}
			}
		}
	case ConnCSR:
		m := c.CSR
		for k, j := range m.Col {
			sum[j] += float64(m.Val[k])
			cnt[j]++
		}
		for k, j := range m.Col {
			m.Val[k] = float32(float64(m.Val[k]) - sum[j]/cnt[j])
		}
	}
}

// Step advances the network one time step.
func (n *SpikingForce) Step() {
	dt := n.Dt
	k := n.Outputs
	refSteps := int32(math.Round(float64(n.TauRef / dt)))
	c := dt / n.TauM
	n.Spikes = n.Spikes[:0]
	for i := range n.N {
		if n.ref[i] > 0 {
			n.ref[i]--
		} else {
			in := n.S[i] + n.Bias
			e := n.E[i*k : (i+1)*k]
			for o, z := range n.Z {
				in += e[o] * z
			}
			n.V[i] = snn.LIFEuler(n.V[i], c, in, 1)
		}
		if n.V[i] >= n.VPeak { // the paper's v ≥ v_peak: see the type's doc
			n.Spikes = append(n.Spikes, int32(i))
		}
	}
	clear(n.jd)
	n.Omega.EventMatTVec(n.jd, n.Spikes)
	dr := float32(math.Exp(float64(-dt / n.TauR)))
	dd := float32(math.Exp(float64(-dt / n.TauD)))
	inv := 1 / (n.TauR * n.TauD)
	for i := range n.N {
		n.S[i] = n.S[i]*dr + n.H[i]*dt
		n.H[i] = n.H[i]*dd + n.jd[i]*inv
		n.R[i] = n.R[i]*dr + n.HR[i]*dt
		n.HR[i] *= dd
	}
	for _, i := range n.Spikes {
		n.HR[i] += inv
		n.V[i] = n.VReset
		n.ref[i] = refSteps
	}
	for o := range k {
		n.Z[o] = kernels.Dot(n.Phi[o*n.N:(o+1)*n.N], n.R)
	}
	n.count += int64(len(n.Spikes))
	n.steps++
}

// RateHz is the mean firing rate since the network was built (or
// ResetRate), in Hz.
func (n *SpikingForce) RateHz() float64 {
	if n.steps == 0 {
		return 0
	}
	return float64(n.count) / float64(n.steps) / float64(n.N) / float64(n.Dt)
}

// Refractory is the refractory steps left per neuron, the state a
// checkpoint saves beside V, S, H, R, HR and Z to continue the network
// exactly. The slice is the network's own.
func (n *SpikingForce) Refractory() []int32 { return n.ref }

// ResetRate restarts the count behind RateHz.
func (n *SpikingForce) ResetRate() { n.count, n.steps = 0, 0 }

// ReadoutInput, ReadoutOutput and ReadoutWeights expose r, z and φ to the
// online readout rules (trainer.Readout).
func (n *SpikingForce) ReadoutInput() []float32   { return n.R }
func (n *SpikingForce) ReadoutOutput() []float32  { return n.Z }
func (n *SpikingForce) ReadoutWeights() []float32 { return n.Phi }
