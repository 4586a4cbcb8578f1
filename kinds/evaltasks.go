package kinds

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/trainer"
)

// evaluateTaskRun restores the checkpoint of the task run in dir into tr
// (built by its kind's prepare) and plays the evaluation trials of
// training's per-epoch evaluation.
func evaluateTaskRun(tr *taskRun, dir string) (Report, error) {
	if _, err := tr.restore(bestOrLast(tr.opts)); err != nil {
		return nil, err
	}
	res, err := tr.evaluate()
	if err != nil {
		return nil, err
	}
	ev := &TaskEvaluation{Task: tr.spec.Name, Trials: len(res.Trials), Performance: res.Performance(), MeanReward: res.MeanReward(),
		Regret: math.NaN(), RegretFixed: math.NaN()}
	return &taskReport{dir, ev}, nil
}

// dataState is the random state of a task dataset's environments between
// epochs, for a checkpoint.
func dataState(d *tasks.Dataset) (json.RawMessage, error) {
	st, err := d.State()
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Data []tasks.EnvState `json:"data"`
	}{st})
}

// setDataState restores what dataState saved.
func setDataState(d *tasks.Dataset, rng json.RawMessage, path string) error {
	var st struct {
		Data []tasks.EnvState `json:"data"`
	}
	if err := json.Unmarshal(rng, &st); err != nil {
		return fmt.Errorf("checkpoint %s: random state: %v", path, err)
	}
	if err := d.SetState(st.Data); err != nil {
		return fmt.Errorf("checkpoint %s: %v", path, err)
	}
	return nil
}

// groupPerformance is the performance of res's trials per group of a
// Grouped task (the Yang19 collection's rules), in the task's order of
// groups; groups without trials are left out.
func groupPerformance(g tasks.Grouped, res *trainer.PlayResult) (names []string, perf []float64, trials []int) {
	v, all := g.Groups()
	sum := make([]float64, len(all))
	n := make([]int, len(all))
	for _, t := range res.Trials {
		k, ok := t.Vars[v]
		if i := int(k); ok && i >= 0 && i < len(all) && float64(i) == k {
			sum[i] += t.Performance
			n[i]++
		}
	}
	for i, name := range all {
		if n[i] > 0 {
			names, perf, trials = append(names, name), append(perf, sum[i]/float64(n[i])), append(trials, n[i])
		}
	}
	return names, perf, trials
}

// writeGroupTable prints the performance per group of the last evaluation.
func writeGroupTable(w io.Writer, g tasks.Grouped, res *trainer.PlayResult) {
	names, perf, trials := groupPerformance(g, res)
	if len(names) == 0 {
		return
	}
	v, _ := g.Groups()
	fmt.Fprintf(w, "performance by %s (last evaluation):\n", v)
	fmt.Fprintf(w, "  %-12s %7s %12s\n", v, "trials", "performance")
	for i, name := range names {
		fmt.Fprintf(w, "  %-12s %7d %11.1f%%\n", name, trials[i], 100*perf[i])
	}
}

// groupMap is groupPerformance by group name.
func groupMap(g tasks.Grouped, res *trainer.PlayResult) map[string]float64 {
	names, perf, _ := groupPerformance(g, res)
	m := make(map[string]float64, len(names))
	for i, n := range names {
		m[n] = perf[i]
	}
	return m
}
