package tasks

import (
	"encoding/json"
	"os"
	"testing"
)

// TestAgainstBrainPy compares SingleContextDecisionMaking with BrainPy's own
// sample_trial (testdata/brainpy/cases.json, written by testdata/brainpy/
// gen.py with the noise off and the draws forced): the same trial
// variables must give the same inputs and labels, step for step.
func TestAgainstBrainPy(t *testing.T) {
	b, err := os.ReadFile("testdata/brainpy/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		ID     string             `json:"id"`
		Params Params             `json:"params"`
		Timing map[string]float64 `json:"timing"`
		Trial  map[string]float64 `json:"trial"`
		Obs    [][]float32        `json:"obs"`
		GT     []int              `json:"gt"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			nc := neurogymCase{ID: c.ID, Task: "SingleContextDecisionMaking", Params: c.Params, Timing: c.Timing, Trial: c.Trial}
			tr := nc.find(t).Trial()
			if tr.Len != len(c.Obs) || len(tr.Spec().Obs) != len(c.Obs[0]) {
				t.Fatalf("trial is %d steps × %d inputs, BrainPy's %d × %d", tr.Len, len(tr.Spec().Obs), len(c.Obs), len(c.Obs[0]))
			}
			for step, row := range c.Obs {
				if got := tr.ObsRow(step); !rowClose(got, row) {
					t.Fatalf("step %d (%v): input %v, BrainPy's %v", step, tr.Current(step), got, row)
				}
				if tr.GT[step] != c.GT[step] {
					t.Fatalf("labels %v, BrainPy's %v", tr.GT, c.GT)
				}
			}
		})
	}
}
