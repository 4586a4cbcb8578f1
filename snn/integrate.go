package snn

import (
	"fmt"
	"math"
)

// Method is a numerical integration scheme for the simulation models.
type Method int

const (
	// Euler is forward Euler: x ← x + dt·f(x) (Brian2's "euler"; the COBA
	// benchmark's script uses it).
	Euler Method = iota
	// Exact integrates linear dynamics exactly over a step with the inputs
	// held constant (exponential decay of synapses, the LIF membrane as
	// x∞ + (x − x∞)·e^(−b·dt)). For nonlinear models it is ExpEuler.
	Exact
	// ExpEuler is the exponential Euler method: each variable's derivative
	// is written a − b·x (a and b evaluated at the start of the step) and
	// integrated as x∞ + (x − x∞)·e^(−b·dt), x∞ = a/b. It is stable for
	// stiff gating variables (Hodgkin-Huxley).
	ExpEuler
	// RK2 is the explicit midpoint method.
	RK2
	// RK4 is the classical fourth-order Runge-Kutta method.
	RK4
)

var methodNames = map[string]Method{"euler": Euler, "exact": Exact, "exp_euler": ExpEuler, "rk2": RK2, "rk4": RK4}

// ParseMethod maps euler, exact, exp_euler, rk2 or rk4 to a Method.
func ParseMethod(s string) (Method, error) {
	if m, ok := methodNames[s]; ok {
		return m, nil
	}
	return 0, fmt.Errorf("snn: unknown integration method %q (want euler, exact, exp_euler, rk2 or rk4)", s)
}

func (m Method) String() string {
	for k, v := range methodNames {
		if v == m {
			return k
		}
	}
	return "unknown"
}

// decay returns the per-step factor of dx/dt = −x/tau under m: 1 − dt/tau
// for Euler, the exact e^(−dt/tau) otherwise, and the RK2/RK4 polynomials.
func (m Method) decay(dt, tau float64) float32 {
	h := dt / tau
	switch m {
	case Euler:
		return float32(1 - h)
	case RK2:
		return float32(1 - h + h*h/2)
	case RK4:
		return float32(1 - h + h*h/2 - h*h*h/6 + h*h*h*h/24)
	}
	return float32(math.Exp(-h))
}

// odeDim is the largest number of state variables a model integrates per
// neuron.
const odeDim = 4

// vec is the state of one neuron for the integrators.
type vec [odeDim]float64

// linForm evaluates a model's right-hand side at x in the form
// dx_k/dt = a_k − b_k·x_k (b_k may be 0).
type linForm func(x *vec, a, b *vec)

// integrate advances the first d components of x by one step dt of the
// system f with method m. It is written once and shared by every nonlinear
// simulation model (exponential IF, AdEx, Izhikevich, Hodgkin-Huxley).
func integrate(m Method, d int, dt float64, x *vec, f linForm) {
	var a, b vec
	deriv := func(y *vec, k *vec) {
		f(y, &a, &b)
		for i := 0; i < d; i++ {
			k[i] = a[i] - b[i]*y[i]
		}
	}
	switch m {
	case Euler:
		var k vec
		deriv(x, &k)
		for i := 0; i < d; i++ {
			x[i] += dt * k[i]
		}
	case RK2:
		var k, y vec
		deriv(x, &k)
		for i := 0; i < d; i++ {
			y[i] = x[i] + dt/2*k[i]
		}
		deriv(&y, &k)
		for i := 0; i < d; i++ {
			x[i] += dt * k[i]
		}
	case RK4:
		var k1, k2, k3, k4, y vec
		deriv(x, &k1)
		for i := 0; i < d; i++ {
			y[i] = x[i] + dt/2*k1[i]
		}
		deriv(&y, &k2)
		for i := 0; i < d; i++ {
			y[i] = x[i] + dt/2*k2[i]
		}
		deriv(&y, &k3)
		for i := 0; i < d; i++ {
			y[i] = x[i] + dt*k3[i]
		}
		deriv(&y, &k4)
		for i := 0; i < d; i++ {
			x[i] += dt / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	default: // Exact, ExpEuler
		f(x, &a, &b)
		for i := 0; i < d; i++ {
			if bb := b[i]; math.Abs(bb*dt) > 1e-9 {
				inf := a[i] / bb
				x[i] = inf + (x[i]-inf)*math.Exp(-bb*dt)
			} else {
				x[i] += dt * (a[i] - bb*x[i])
			}
		}
	}
}

// initIF returns n membranes at v0 and last-spike steps of neurons that
// have not fired.
func initIF(n int, v0 float64) ([]float32, []int32) {
	v, last := make([]float32, n), make([]int32, n)
	for i := range v {
		v[i] = float32(v0)
	}
	for i := range last {
		last[i] = neverFired
	}
	return v, last
}

func refSteps(ref, dt float64) int32 { return int32(math.Round(ref / dt)) }

// update2 is the simulator's step of a two-variable integrate-and-fire
// group (IzhikevichGroup, AdExGroup), the counterpart of euler2: per neuron
// i, with the synaptic input a − b·v of in, it integrates (v, w) with
// method m over dt through the model's linear form f (active is false
// while the neuron is refractory, for ref steps after its last spike at
// last[i]: f then freezes v), then, if active and v > vPeak, resets v to
// vReset, adds jump to w and lists i in spk. It returns the number of
// spikes.
func update2(m Method, dt float64, t, ref int32, v, w []float32, last []int32, in Input, spk []int32,
	vPeak, vReset, jump float64, f func(y *vec, a, b float64, active bool, da, db *vec)) int {
	n := 0
	for i := range v {
		a, b := float64(in.A[i]), float64(in.B[i])
		x := vec{float64(v[i]), float64(w[i])}
		active := t-last[i] >= ref
		integrate(m, 2, dt, &x, func(y *vec, da, db *vec) { f(y, a, b, active, da, db) })
		if active && x[0] > vPeak {
			x[0], last[i] = vReset, t
			x[1] += jump
			spk[n] = int32(i)
			n++
		}
		v[i], w[i] = float32(x[0]), float32(x[1])
	}
	return n
}
