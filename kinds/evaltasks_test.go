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
	// Yang et al.'s network beside perf_yang: go's 100%, anti's too.
	if len(gs.Ref) != 2 || gs.Ref[0][0] != 1 || !strings.Contains(b.String(), "Yang et al.'s network") {
		t.Fatalf("reference %v, table:\n%s", gs.Ref, b.String())
	}
	// A trial without the criterion: no perf_yang anywhere.
	res.Trials[6].Vars = map[string]float64{}
	if gs := groupPerformance(g, res); gs.Yang != nil || gs.Ref != nil {
		t.Fatalf("perf_yang %v, reference %v from trials that do not all carry the criterion", gs.Yang, gs.Ref)
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

// The reference covers every rule of the collection: three seeds, each a
// count of 512 trials.
func TestYang19ReferenceCoversRules(t *testing.T) {
	if len(tasks.Yang19Reference) != len(tasks.Yang19Rules) {
		t.Fatalf("%d reference rules for %d rules", len(tasks.Yang19Reference), len(tasks.Yang19Rules))
	}
	for _, r := range tasks.Yang19Rules {
		v, ok := tasks.Yang19Reference[r]
		if !ok || len(v) != 3 {
			t.Fatalf("rule %s: reference %v", r, v)
		}
		for _, p := range v {
			if k := p * 512; p < 0 || p > 1 || k != float64(int(k)) {
				t.Errorf("rule %s: %v is not a count of 512 trials", r, p)
			}
		}
	}
	if refRange([]float64{0.5, 0.75, 0.625}) != "50.0-75.0%" || refRange([]float64{1, 1}) != "100.0%" || refRange(nil) != "-" {
		t.Error("refRange")
	}
}
