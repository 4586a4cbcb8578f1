package tasks

import "math"

func init() {
	Register("SpatialSuppressMotion", func(Params) (Task, error) { return &SpatialSuppressMotion{}, nil })
}

// SpatialSuppressMotion is NeuroGym's spatial suppression of motion
// perception (Tadin et al. 2003, "Perceptual consequences of centre-surround
// antagonism in visual motion processing", Nature 424:312; neurogym/envs/
// native/spatialsuppressmotion.py): a 300 ms drifting grating in 8.3 ms
// frames moves left, right, up or down, either small and faint (diameter 1,
// contrast 0.05) or large and strong (diameter 8, contrast 0.99). The 32
// channels "<direction>.<size>" carry (cos(θ_d − θ) + 1)·contrast/2 for the
// sizes below the diameter, θ = −π/2, π/2, 0, π for left, right, up, down.
//
// The ground truth is NeuroGym's: per frame, the probabilities with which
// human observers report each direction (Targets "p_left" .. "p_down"),
// interpolated linearly from NeuroGym's table of frames; large strong
// gratings are perceived later (spatial suppression). There is no reward and
// no early end, as in NeuroGym: the task is for supervised training on the
// targets, and its performance is always 0. NeuroGym's action is that
// probability vector (Env.StepContinuous accepts it); the discrete actions
// name the directions, with the true direction as discrete ground truth.
// NeuroGym ends its trials one frame early (it accumulates t += 8.3 ms in
// floating point and stops when t + dt exceeds the 298.8 ms trial); braingo
// plays all 36 frames.
type SpatialSuppressMotion struct{}

var motionDirections = []string{"left", "right", "up", "down"}

func (t *SpatialSuppressMotion) Spec() Spec {
	var obs []string
	for _, d := range motionDirections {
		obs = append(obs, group(d, 8)...)
	}
	return Spec{
		Name:    "SpatialSuppressMotion",
		Summary: "report the perceived direction of a small faint or large strong grating (supervised only)",
		Source:  "Tadin et al. 2003 Nature 424:312; NeuroGym spatialsuppressmotion.py",
		DT:      8.3,
		Periods: periods("stimulus", Constant(300)),
		Obs:     obs,
		Actions: motionDirections,
		Targets: []string{"p_left", "p_right", "p_up", "p_down"},
		Rewards: map[string]float64{"abort": -0.1, "correct": 1, "fail": 0},
		Respond: []string{"stimulus"},
	}
}

// motionPerception is NeuroGym's table: frames (0-based) and the
// probabilities of reporting the true and the opposite direction, for high
// and low contrast; the two orthogonal directions share the rest.
var motionPerception = struct {
	frames             []float64
	corrHigh, antiHigh []float64
	corrLow, antiLow   []float64
}{
	frames:   []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 17, 20, 27, 35, 36, 37, 38},
	corrHigh: []float64{0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.27, 0.32, 0.4583, 0.65, 0.85, 0.99, 0.99, 0.99, 0.99},
	antiHigh: []float64{0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.29, 0.31, 0.4, 0.475, 0.4167, 0.3083, 0.075, 0.04, 0.04, 0.03, 0.03},
	corrLow:  []float64{0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.25, 0.26, 0.2583, 0.325, 0.45, 0.575, 0.875, 0.933, 0.99, 0.99, 0.99, 0.99},
	antiLow:  []float64{0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.249, 0.25, 0.26, 0.2583, 0.267, 0.1417, 0.1167, 0.058, 0.016, 0.003, 0.003, 0.003, 0.003},
}

// interpLinear evaluates the piecewise-linear function through (xs, ys) at
// x, extrapolating the end segments.
func interpLinear(xs, ys []float64, x float64) float64 {
	i := 0
	for i < len(xs)-2 && x >= xs[i+1] {
		i++
	}
	return ys[i] + (x-xs[i])*(ys[i+1]-ys[i])/(xs[i+1]-xs[i])
}

func (t *SpatialSuppressMotion) NewTrial(tr *Trial) {
	dir := tr.Rng.IntN(4)
	contrast, diameter := 0.05, 1
	if tr.Rng.IntN(2) == 1 {
		contrast, diameter = 0.99, 8
	}
	tr.Vars["direction"], tr.Vars["contrast"], tr.Vars["diameter"] = float64(dir+1), contrast, float64(diameter)
	tr.Add("stimulus")
	theta := []float64{-math.Pi / 2, math.Pi / 2, 0, math.Pi}
	for d, name := range motionDirections {
		v := (math.Cos(theta[d]-theta[dir]) + 1) * contrast / 2
		for s := range diameter {
			tr.AddObs("stimulus", name+"."+string(rune('1'+s)), v)
		}
	}
	m := motionPerception
	corr, anti := m.corrLow, m.antiLow
	if contrast > 0.5 {
		corr, anti = m.corrHigh, m.antiHigh
	}
	opposite := []int{1, 0, 3, 2}[dir]
	for s := 0; s < tr.Len; s++ {
		pc, pa := interpLinear(m.frames, corr, float64(s)), interpLinear(m.frames, anti, float64(s))
		p := make([]float32, 4)
		for d := range p {
			p[d] = float32((1 - (pc + pa)) / 2)
		}
		p[dir], p[opposite] = float32(pc), float32(pa)
		copy(tr.Target[s*4:(s+1)*4], p)
	}
	tr.SetGT("", dir)
}

// Judge never rewards and never ends the trial early (NeuroGym's _step).
func (t *SpatialSuppressMotion) Judge(*Trial, int) Outcome { return Outcome{} }

// JudgeContinuous takes NeuroGym's probability vector, never rewarding.
func (t *SpatialSuppressMotion) JudgeContinuous(*Trial, []float64) Outcome { return Outcome{} }
