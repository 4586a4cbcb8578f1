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
// without a valid rule.
func TestGroupPerformance(t *testing.T) {
	res := &trainer.PlayResult{Trials: []trainer.TrialRecord{
		{Vars: map[string]float64{"rule": 3}, Performance: 1},
		{Vars: map[string]float64{"rule": 0}, Performance: 0},
		{Vars: map[string]float64{"rule": 3}, Performance: 0},
		{Vars: map[string]float64{"rule": 0}, Performance: 1},
		{Vars: map[string]float64{"rule": 0}, Performance: 1},
		{Vars: map[string]float64{"rule": 2.5}, Performance: 1},
		{Vars: map[string]float64{}, Performance: 1},
	}}
	g := &tasks.Yang19{}
	names, perf, n := groupPerformance(g, res)
	if strings.Join(names, ",") != "go,anti" || perf[0] != 2.0/3 || perf[1] != 0.5 || n[0] != 3 || n[1] != 2 {
		t.Fatalf("groups %v, performance %v, trials %v", names, perf, n)
	}
	var b bytes.Buffer
	writeGroupTable(&b, g, res)
	if !strings.Contains(b.String(), "anti") || !strings.Contains(b.String(), "66.7%") {
		t.Fatalf("table:\n%s", b.String())
	}
}
