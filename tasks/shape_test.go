package tasks

import "testing"

func TestSpecShape(t *testing.T) {
	s := Spec{Obs: []string{"fixation", "a", "b"}, Actions: []string{"fixation", "left", "right", "up"}, DT: 20}
	if s.Inputs() != 3 || s.Outputs() != 4 || s.StepMs() != 20 {
		t.Errorf("Inputs %d Outputs %d StepMs %v", s.Inputs(), s.Outputs(), s.StepMs())
	}
	c := Spec{Obs: []string{"x"}, Targets: []string{"angle", "speed"}}
	if c.Outputs() != 2 {
		t.Errorf("continuous task: Outputs %d, want its 2 targets", c.Outputs())
	}
	env, err := NewEnv(mustLookup(t, "PerceptualDecisionMaking"), Options{DT: 20})
	if err != nil {
		t.Fatal(err)
	}
	if env.Spec().StepMs() != 20 {
		t.Errorf("an Env's spec has step %v, want the effective 20 ms", env.Spec().StepMs())
	}
}

func mustLookup(t *testing.T, name string) Task {
	t.Helper()
	task, err := Lookup(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return task
}
