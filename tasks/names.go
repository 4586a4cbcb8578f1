package tasks

import (
	"math"
	"strconv"
)

// group names n channels "name.1" .. "name.n".
func group(name string, n int) []string {
	g := make([]string, n)
	for i := range g {
		g[i] = name + "." + strconv.Itoa(i+1)
	}
	return g
}

// cat concatenates name lists.
func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// noiseSD is NeuroGym's input noise: sigma/sqrt(dt), with dt in ms. A zero
// sigma means NeuroGym's default 1; a negative one turns the noise off.
func noiseSD(sigma, dt float64) float64 {
	switch {
	case sigma == 0:
		sigma = 1
	case sigma < 0:
		return 0
	}
	return sigma / math.Sqrt(dt)
}

// orInt returns v, or def when v is 0.
func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// orFloat returns v, or def when v is 0.
func orFloat(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// ringStim is NeuroGym's ring code of angle x: cos(θ_i − x)·gain + offset
// over the preferred angles θ.
func ringStim(theta []float64, x, gain, offset float64) []float64 {
	v := make([]float64, len(theta))
	for i, th := range theta {
		v[i] = math.Cos(th-x)*gain + offset
	}
	return v
}

// circDist is the absolute angular distance of a difference of angles
// (NeuroGym's tasktools.circular_dist).
func circDist(d float64) float64 {
	return math.Abs(math.Mod(math.Mod(d+math.Pi, 2*math.Pi)+2*math.Pi, 2*math.Pi) - math.Pi)
}

// wrap maps an angle to [0, 2π).
func wrap(x float64) float64 {
	x = math.Mod(x, 2*math.Pi)
	if x < 0 {
		x += 2 * math.Pi
	}
	return x
}

// stdRewards is NeuroGym's usual reward set.
func stdRewards() map[string]float64 {
	return map[string]float64{"abort": -0.1, "correct": 1, "fail": 0}
}

// periods builds a Spec's period list from names and timings.
func periods(kv ...any) []Period {
	var p []Period
	for i := 0; i < len(kv); i += 2 {
		p = append(p, Period{Name: kv[i].(string), Timing: kv[i+1].(Timing)})
	}
	return p
}
