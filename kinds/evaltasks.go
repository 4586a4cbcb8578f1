package kinds

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

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

// perfYangVar is the trial variable of Yang et al.'s criterion, which the
// Yang19 collection's trials carry (tasks.Yang19.Judge).
const perfYangVar = "perf_yang"

// perfYang is the mean of Yang et al.'s criterion over res's trials; ok is
// false when they do not carry it (tasks other than Yang19's).
func perfYang(res *trainer.PlayResult) (mean float64, ok bool) {
	var s float64
	n := 0
	for _, t := range res.Trials {
		if v, has := t.Vars[perfYangVar]; has {
			s += v
			n++
		}
	}
	if n == 0 || n != len(res.Trials) {
		return 0, false
	}
	return s / float64(n), true
}

// groupScores are the figures of res's trials per group of a Grouped
// task (the Yang19 collection's rules), in the task's order of groups;
// groups without trials are left out. Perf is NeuroGym's performance;
// Yang Yang et al.'s criterion, nil when the trials do not carry it.
type groupScores struct {
	Var    string // the trial variable that names the group
	Names  []string
	Trials []int
	Perf   []float64
	Yang   []float64
	// Ref and RefLabel are the task's reference figures per group
	// (tasks.GroupReferenced, shown with Yang et al.'s criterion only):
	// nil, or one slice per name.
	Ref      [][]float64
	RefLabel string
}

func groupPerformance(g tasks.Grouped, res *trainer.PlayResult) groupScores {
	v, all := g.Groups()
	sum, yang := make([]float64, len(all)), make([]float64, len(all))
	n := make([]int, len(all))
	_, withYang := perfYang(res)
	for _, t := range res.Trials {
		k, ok := t.Vars[v]
		if i := int(k); ok && i >= 0 && i < len(all) && float64(i) == k {
			sum[i] += t.Performance
			yang[i] += t.Vars[perfYangVar]
			n[i]++
		}
	}
	gs := groupScores{Var: v}
	for i, name := range all {
		if n[i] > 0 {
			gs.Names, gs.Perf, gs.Trials = append(gs.Names, name), append(gs.Perf, sum[i]/float64(n[i])), append(gs.Trials, n[i])
			if withYang {
				gs.Yang = append(gs.Yang, yang[i]/float64(n[i]))
			}
		}
	}
	if r, ok := g.(tasks.GroupReferenced); ok && withYang {
		label, ref := r.GroupReference()
		gs.RefLabel = label
		for _, name := range gs.Names {
			gs.Ref = append(gs.Ref, ref[name])
		}
	}
	return gs
}

// writeGroupTable prints the performance per group of the last evaluation
// (and Yang et al.'s criterion where the trials carry it).
func writeGroupTable(w io.Writer, g tasks.Grouped, res *trainer.PlayResult) {
	gs := groupPerformance(g, res)
	if len(gs.Names) == 0 {
		return
	}
	fmt.Fprintf(w, "performance by %s (last evaluation):\n", gs.Var)
	writeGroupRows(w, gs)
}

// writeGroupRows prints one row per group: its trials, NeuroGym's
// performance (the exact direction) and, where there is one, Yang et al.'s
// (within 36°, fixation held).
func writeGroupRows(w io.Writer, gs groupScores) {
	v := gs.Var
	switch {
	case gs.Yang == nil:
		fmt.Fprintf(w, "  %-12s %7s %12s\n", v, "trials", "performance")
	case gs.Ref == nil:
		fmt.Fprintf(w, "  %-12s %7s %12s %10s\n", v, "trials", "performance", "perf_yang")
	default:
		fmt.Fprintf(w, "  %-12s %7s %12s %10s   %s\n", v, "trials", "performance", "perf_yang", gs.RefLabel)
	}
	for i, name := range gs.Names {
		switch {
		case gs.Yang == nil:
			fmt.Fprintf(w, "  %-12s %7d %11.1f%%\n", name, gs.Trials[i], 100*gs.Perf[i])
		case gs.Ref == nil:
			fmt.Fprintf(w, "  %-12s %7d %11.1f%% %9.1f%%\n", name, gs.Trials[i], 100*gs.Perf[i], 100*gs.Yang[i])
		default:
			fmt.Fprintf(w, "  %-12s %7d %11.1f%% %9.1f%%   %s\n", name, gs.Trials[i], 100*gs.Perf[i], 100*gs.Yang[i], refRange(gs.Ref[i]))
		}
	}
}

// refRange prints reference figures as their range in percent ("-" for
// none).
func refRange(r []float64) string {
	if len(r) == 0 {
		return "-"
	}
	lo, hi := slices.Min(r), slices.Max(r)
	if lo == hi {
		return fmt.Sprintf("%.1f%%", 100*lo)
	}
	return fmt.Sprintf("%.1f-%.1f%%", 100*lo, 100*hi)
}

// groupMaps are groupPerformance by group name: NeuroGym's performance,
// and Yang et al.'s criterion (nil without it).
func groupMaps(g tasks.Grouped, res *trainer.PlayResult) (perf, yang map[string]float64) {
	gs := groupPerformance(g, res)
	perf = make(map[string]float64, len(gs.Names))
	for i, n := range gs.Names {
		perf[n] = gs.Perf[i]
	}
	if gs.Yang != nil {
		yang = make(map[string]float64, len(gs.Names))
		for i, n := range gs.Names {
			yang[n] = gs.Yang[i]
		}
	}
	return perf, yang
}
