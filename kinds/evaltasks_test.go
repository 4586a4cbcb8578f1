package kinds

import (
	"bytes"
	"strings"
	"testing"

	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/trainer"
)

// groupPerformance averages the performance of each rule's trials, in the
// task's order of rules, leaving out rules without trials and trials
// without a valid rule; Yang et al.'s criterion likewise when every trial
// carries it, and not at all otherwise.
func TestGroupPerformance(t *testing.T) {
	res := &trainer.PlayResult{Trials: []trainer.TrialRecord{
		{Vars: map[string]float64{"rule": 3, "perf_yang": 1}, Performance: 1},
		{Vars: map[string]float64{"rule": 0, "perf_yang": 1}, Performance: 0},
		{Vars: map[string]float64{"rule": 3, "perf_yang": 0}, Performance: 0},
		{Vars: map[string]float64{"rule": 0, "perf_yang": 1}, Performance: 1},
		{Vars: map[string]float64{"rule": 0, "perf_yang": 0}, Performance: 1},
		{Vars: map[string]float64{"rule": 2.5, "perf_yang": 1}, Performance: 1},
		{Vars: map[string]float64{"perf_yang": 1}, Performance: 1},
	}}
	g := &tasks.Yang19{}
	gs := groupPerformance(g, res)
	if strings.Join(gs.Names, ",") != "go,anti" || gs.Perf[0] != 2.0/3 || gs.Perf[1] != 0.5 || gs.Trials[0] != 3 || gs.Trials[1] != 2 {
		t.Fatalf("groups %v, performance %v, trials %v", gs.Names, gs.Perf, gs.Trials)
	}
	if len(gs.Yang) != 2 || gs.Yang[0] != 2.0/3 || gs.Yang[1] != 0.5 {
		t.Fatalf("perf_yang %v", gs.Yang)
	}
	if py, ok := perfYang(res); !ok || py != 5.0/7 {
		t.Fatalf("perf_yang overall %v, %v", py, ok)
	}
	var b bytes.Buffer
	writeGroupTable(&b, g, res)
	if !strings.Contains(b.String(), "anti") || !strings.Contains(b.String(), "66.7%") || !strings.Contains(b.String(), "perf_yang") {
		t.Fatalf("table:\n%s", b.String())
	}
	// A trial without the criterion: no perf_yang anywhere.
	res.Trials[6].Vars = map[string]float64{}
	if gs := groupPerformance(g, res); gs.Yang != nil {
		t.Fatalf("perf_yang %v from trials that do not all carry it", gs.Yang)
	}
	if _, ok := perfYang(res); ok {
		t.Fatal("perf_yang from trials that do not all carry it")
	}
	b.Reset()
	writeGroupTable(&b, g, res)
	if strings.Contains(b.String(), "perf_yang") {
		t.Fatalf("table:\n%s", b.String())
	}
}
