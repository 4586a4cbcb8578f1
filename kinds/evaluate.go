package kinds

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/trainer"
)

// Report is the result of evaluating a run: a table for people, an object
// for --json.
type Report interface {
	WriteTable(w io.Writer) error
	JSON() any
}

// Evaluator is implemented by the kinds whose runs can be evaluated again
// from their checkpoint. d names the run (Dir, Recipe) and takes warnings
// (Stderr); it is not locked, as evaluation only reads.
type Evaluator interface {
	Evaluate(d *RunDir) (Report, error)
}

// Evaluate evaluates the run in dir with its kind's Evaluator; warnings go
// to warn.
func Evaluate(dir string, warn io.Writer) (Report, error) {
	r, err := recipes.Load(filepath.Join(dir, recipes.EchoFile), nil)
	if err != nil {
		return nil, err
	}
	ev, ok := r.Spec.(Evaluator)
	if !ok {
		return nil, fmt.Errorf("%s: a %s run cannot be evaluated: braingo eval takes %s runs", dir, r.Kind, strings.Join(evaluable(), ", "))
	}
	return ev.Evaluate(&RunDir{RunOptions: RunOptions{Dir: dir, Stdout: io.Discard, Stderr: warn}, Recipe: r})
}

// evaluable lists the registered kinds that implement Evaluator.
func evaluable() []string {
	var out []string
	for _, k := range recipes.Kinds() {
		if spec, err := recipes.NewSpec(k); err == nil {
			if _, ok := spec.(Evaluator); ok {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// classReport is a classification run's evaluation: accuracy, per-layer
// firing rates and the confusion matrix.
type classReport struct {
	dataset string
	names   []string // the classes' names
	unit    string   // what a test sample is: "images", "samples"
	ev      *trainer.Evaluation
}

// rates are the evaluation's firing rates as the tables take them.
func (c *classReport) rates() []eval.LayerRate {
	out := make([]eval.LayerRate, len(c.ev.Rates))
	for i, r := range c.ev.Rates {
		out[i] = eval.LayerRate{Layer: r.Name, Neurons: r.Neurons, Rate: r.Rate, Silent: -1}
	}
	return out
}

func (c *Classify) Evaluate(d *RunDir) (Report, error) {
	c2, test, ev, err := EvaluateRun(d.Dir, d.Stderr)
	if err != nil {
		return nil, err
	}
	return &classReport{dataset: c2.Data.Dataset, names: test.ClassNames, unit: "images", ev: ev}, nil
}

func (c *CSNN) Evaluate(d *RunDir) (Report, error) {
	c2, test, ev, err := EvaluateCSNNRun(d.Dir, d.Stderr)
	if err != nil {
		return nil, err
	}
	unit := "images"
	if test.Dynamic() {
		unit = "recordings"
	}
	return &classReport{dataset: c2.Data.Dataset, names: test.ClassNames(), unit: unit, ev: ev}, nil
}

func (c *classReport) confusion() *eval.ConfusionMatrix {
	cm := eval.NewConfusionMatrix(len(c.names))
	cm.Add(c.ev.Pred, c.ev.Labels)
	return cm
}

func (c *classReport) JSON() any {
	type rate struct {
		Layer   string  `json:"layer"`
		Neurons int     `json:"neurons"`
		Rate    float64 `json:"rate"`
	}
	out := struct {
		TestAcc   float64 `json:"test_acc"`
		Samples   int     `json:"samples"`
		Dataset   string  `json:"dataset"`
		Confusion [][]int `json:"confusion"`
		Rates     []rate  `json:"rates"`
	}{c.ev.Accuracy(), len(c.ev.Pred), c.dataset, c.confusion().Counts, nil}
	for _, r := range c.ev.Rates {
		out.Rates = append(out.Rates, rate{r.Name, r.Neurons, r.Rate})
	}
	return out
}

func (c *classReport) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s test accuracy: %.2f%% of %d %s\n", c.dataset, 100*c.ev.Accuracy(), len(c.ev.Pred), c.unit)
	if err := eval.WriteRateTable(w, c.rates()); err != nil {
		return err
	}
	return eval.WriteConfusionTable(w, c.confusion(), c.names)
}

// taskReport is a task run's evaluation.
type taskReport struct {
	dir string
	ev  *TaskEvaluation
}

func (c *TaskBPTT) Evaluate(d *RunDir) (Report, error) { return evaluateTask(d) }
func (c *TaskRL) Evaluate(d *RunDir) (Report, error)   { return evaluateTask(d) }

func evaluateTask(d *RunDir) (Report, error) {
	ev, err := EvaluateTaskRun(d.Dir)
	if err != nil {
		return nil, err
	}
	return &taskReport{d.Dir, ev}, nil
}

func (t *taskReport) JSON() any {
	ev := t.ev
	out := struct {
		Task        string   `json:"task"`
		Trials      int      `json:"trials"`
		Performance float64  `json:"performance"`
		MeanReward  float64  `json:"mean_reward"`
		Regret      *float64 `json:"regret,omitempty"`
		RegretFixed *float64 `json:"regret_fixed_arm,omitempty"`
		// Yang et al.'s criterion (the Yang19 collection), overall and
		// per rule, beside performance_by_group (NeuroGym's).
		PerfYang      *float64           `json:"perf_yang,omitempty"`
		Groups        map[string]float64 `json:"performance_by_group,omitempty"`
		GroupsYang    map[string]float64 `json:"perf_yang_by_group,omitempty"`
		TrialsByGroup map[string]int     `json:"trials_by_group,omitempty"`
	}{Task: ev.Task, Trials: ev.Trials, Performance: ev.Performance, MeanReward: ev.MeanReward, PerfYang: ev.PerfYang}
	if !math.IsNaN(ev.Regret) {
		out.Regret, out.RegretFixed = &ev.Regret, &ev.RegretFixed
	}
	if g := ev.Groups; len(g.Names) > 0 {
		out.Groups, out.TrialsByGroup = map[string]float64{}, map[string]int{}
		for i, n := range g.Names {
			out.Groups[n], out.TrialsByGroup[n] = g.Perf[i], g.Trials[i]
		}
		if g.Yang != nil {
			out.GroupsYang = map[string]float64{}
			for i, n := range g.Names {
				out.GroupsYang[n] = g.Yang[i]
			}
		}
	}
	return out
}

func (t *taskReport) WriteTable(w io.Writer) error {
	ev := t.ev
	rows := [][]string{
		{"trials", fmt.Sprint(ev.Trials)},
		{"performance", fmt.Sprintf("%.1f%%", 100*ev.Performance)},
		{"mean reward per trial", fmt.Sprintf("%.3f", ev.MeanReward)},
	}
	if !math.IsNaN(ev.Regret) {
		rows = append(rows, []string{"regret per trial", fmt.Sprintf("%.3f", ev.Regret)},
			[]string{"regret of always arm 0", fmt.Sprintf("%.3f", ev.RegretFixed)})
	}
	if ev.PerfYang != nil {
		rows = append(rows, []string{"perf_yang (within 36°, fixation held)", fmt.Sprintf("%.1f%%", 100**ev.PerfYang)})
	}
	fmt.Fprintf(w, "%s, evaluation trials of %s:\n", ev.Task, t.dir)
	if err := eval.WriteSummaryTable(w, []string{"measure", "value"}, rows); err != nil {
		return err
	}
	if len(ev.Groups.Names) > 0 {
		fmt.Fprintf(w, "by %s:\n", ev.Groups.Var)
		writeGroupRows(w, ev.Groups)
	}
	return nil
}
