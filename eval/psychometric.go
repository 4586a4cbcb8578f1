package eval

import (
	"fmt"
	"math"
	"sort"

	"github.com/braingo/braingo/trainer"
)

// Logistic is p(x) = 1 / (1 + exp(−(Bias + Slope·x))), the psychometric
// function of a two-choice task.
type Logistic struct{ Bias, Slope float64 }

// At evaluates the logistic at x.
func (l Logistic) At(x float64) float64 { return 1 / (1 + math.Exp(-(l.Bias + l.Slope*x))) }

// FitLogistic fits a logistic to binary outcomes y (0 or 1) at x by maximum
// likelihood (Newton's method on the log-likelihood, which is concave; a
// tiny ridge keeps it finite when the data separate perfectly). The log-
// likelihood is Σ y·log p + (1 − y)·log(1 − p).
func FitLogistic(x, y []float64) Logistic {
	if len(x) != len(y) {
		panic(fmt.Sprintf("eval: FitLogistic: %d x values, %d outcomes", len(x), len(y)))
	}
	const ridge = 1e-6
	var a, b float64
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for i := range x {
			p := Logistic{a, b}.At(x[i])
			r := y[i] - p
			ga += r
			gb += r * x[i]
			w := p * (1 - p)
			haa += w
			hab += w * x[i]
			hbb += w * x[i] * x[i]
		}
		ga -= ridge * a
		gb -= ridge * b
		haa += ridge
		hbb += ridge
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a += da
		b += db
		if math.Abs(da)+math.Abs(db) < 1e-10 {
			break
		}
	}
	return Logistic{a, b}
}

// Psychometric is the fraction of one choice at each stimulus level, with
// the fitted logistic.
type Psychometric struct {
	X    []float64 // stimulus levels, ascending
	P    []float64 // fraction of the choice at each level
	N    []int     // trials at each level
	Fit  Logistic
	Perf float64 // mean performance of the trials used
}

// NewPsychometric groups trials by stimulus x (equal values together) and
// the outcome chose (the choice counted), and fits a logistic to the raw
// trials.
func NewPsychometric(x []float64, chose []bool) Psychometric {
	type acc struct{ n, k int }
	m := map[float64]*acc{}
	y := make([]float64, len(x))
	for i, v := range x {
		a := m[v]
		if a == nil {
			a = &acc{}
			m[v] = a
		}
		a.n++
		if chose[i] {
			a.k++
			y[i] = 1
		}
	}
	var ps Psychometric
	for v := range m {
		ps.X = append(ps.X, v)
	}
	sort.Float64s(ps.X)
	for _, v := range ps.X {
		ps.P = append(ps.P, float64(m[v].k)/float64(m[v].n))
		ps.N = append(ps.N, m[v].n)
	}
	ps.Fit = FitLogistic(x, y)
	return ps
}

// PsychometricFromTrials builds the percent-choice curve of a two-choice
// task from played trials: the signed stimulus is Vars[cohVar] when the
// ground truth (Vars["ground_truth"]) is action right and −Vars[cohVar]
// otherwise, and the counted choice is right. Trials without a choice are
// left out.
func PsychometricFromTrials(trials []trainer.TrialRecord, cohVar string, right int) Psychometric {
	var x []float64
	var chose []bool
	var perf float64
	for _, t := range trials {
		c, ok := t.Vars[cohVar]
		if !ok || t.Choice < 0 {
			continue
		}
		if int(t.Vars["ground_truth"]) != right {
			c = -c
		}
		x = append(x, c)
		chose = append(chose, t.Choice == right)
		perf += t.Performance
	}
	p := NewPsychometric(x, chose)
	if len(x) > 0 {
		p.Perf = perf / float64(len(x))
	}
	return p
}

// PsychometricFile is the PNG WritePsychometric writes.
const PsychometricFile = "psychometric.png"

// WritePsychometric draws percent choice against the signed stimulus with
// the fitted logistic into path.
func WritePsychometric(path string, p Psychometric, xlabel, choice string) error {
	if len(p.X) == 0 {
		return fmt.Errorf("eval: no trials with a choice for the psychometric curve")
	}
	lo, hi := p.X[0], p.X[len(p.X)-1]
	var fx, fy []float64
	for i := range 101 {
		x := lo + (hi-lo)*float64(i)/100
		fx = append(fx, x)
		fy = append(fy, 100*p.Fit.At(x))
	}
	pct := make([]float64, len(p.P))
	for i, v := range p.P {
		pct[i] = 100 * v
	}
	return WriteLines(path, LinePlot{
		Title:  fmt.Sprintf("psychometric curve (logistic bias %.3g, slope %.3g)", p.Fit.Bias, p.Fit.Slope),
		XLabel: xlabel, YLabel: "percent choice " + choice,
		YRange: [2]float64{0, 100},
		Series: []Series{
			{Name: "network", X: p.X, Y: pct, Style: Points},
			{Name: "logistic fit", X: fx, Y: fy},
		},
	})
}

// TrialFile is the PNG WriteTrial writes.
const TrialFile = "trial.png"

// WriteTrial draws one played trial: the observations, the network's action
// probabilities with the ground truth and the actions taken, and the
// activity of up to maxUnits hidden units, in three panels over steps of
// dt ms.
func WriteTrial(path string, ex *trainer.Example, dt float64, obs, actions []string, maxUnits int) error {
	if ex == nil || len(ex.Inputs) == 0 {
		return fmt.Errorf("eval: no example trial to plot")
	}
	steps := len(ex.Inputs)
	t := make([]float64, steps)
	for i := range t {
		t[i] = float64(i) * dt
	}
	col := func(rows [][]float32, j int) []float64 {
		out := make([]float64, len(rows))
		for i, r := range rows {
			out[i] = float64(r[j])
		}
		return out
	}
	in := LinePlot{Title: "inputs", XLabel: "time (ms)", YLabel: "observation", X: t}
	for j := range min(len(ex.Inputs[0]), 12) {
		name := fmt.Sprint("in ", j)
		if j < len(obs) {
			name = obs[j]
		}
		in.Series = append(in.Series, Series{Name: name, Y: col(ex.Inputs, j)})
	}
	out := LinePlot{Title: "outputs and ground truth", XLabel: "time (ms)", YLabel: "probability", X: t, YRange: [2]float64{-0.05, 1.05}}
	for j := range len(ex.Outputs[0]) {
		name := fmt.Sprint("p(action ", j, ")")
		if j < len(actions) {
			name = "p(" + actions[j] + ")"
		}
		out.Series = append(out.Series, Series{Name: name, Y: col(ex.Outputs, j)})
	}
	na := math.Max(1, float64(len(ex.Outputs[0])-1))
	gt := make([]float64, steps)
	act := make([]float64, steps)
	for i := range gt {
		gt[i] = float64(ex.GT[i]) / na
		act[i] = float64(ex.Actions[i]) / na
	}
	out.Series = append(out.Series, Series{Name: "ground truth (action/max)", Y: gt, Style: Points},
		Series{Name: "action taken (action/max)", Y: act, Style: Points})
	hid := LinePlot{Title: "hidden units", XLabel: "time (ms)", YLabel: "activity", X: t}
	for j := range min(len(ex.Hidden[0]), maxUnits) {
		hid.Series = append(hid.Series, Series{Y: col(ex.Hidden, j)})
	}
	return WriteLines(path, in, out, hid)
}
