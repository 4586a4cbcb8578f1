package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docYAML returns the YAML block that follows marker in the markdown file
// path.
func docYAML(t *testing.T, path, marker string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("%s has no %q", path, marker)
	}
	s = s[i:]
	const open = "```yaml\n"
	j := strings.Index(s, open)
	if j < 0 {
		t.Fatalf("%s: no yaml block after %q", path, marker)
	}
	s = s[j+len(open):]
	k := strings.Index(s, "```")
	if k < 0 {
		t.Fatalf("%s: the yaml block after %q is not closed", path, marker)
	}
	return s[:k]
}

// The three-population network of docs/sim-recipes.md, written in YAML
// alone, runs with `braingo sim my.yaml`: its exact text, every group
// firing, the table, the plots and the per-synapse delays' note.
func TestSimRecipesDocExample(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "my.yaml")
	if err := os.WriteFile(file, []byte(docYAML(t, "../../docs/sim-recipes.md", "<!-- my.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	stdout, stderr, code := run(t, "sim", file, "--out", out)
	if code != 0 {
		t.Fatalf("braingo sim my.yaml: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"three-pop: 1200 neurons", "│ X ", "│ E ", "│ I ", "│ all ", "state_E_v.png"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "no checkpoints") {
		t.Errorf("stderr does not say that a network with delays has no checkpoints:\n%s", stderr)
	}
	for _, f := range []string{"recipe.yaml", "raster.png", "rate.png", "state_E_v.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// The same run as JSON: both E/I groups fire at cortical rates.
	stdout, stderr, code = run(t, "sim", file, "--out", filepath.Join(dir, "json"), "--json", "--set", "plots=false")
	if code != 0 {
		t.Fatalf("braingo sim my.yaml --json: exit %d: %s", code, stderr)
	}
	var res struct {
		Neurons int      `json:"neurons"`
		Exc     *float64 `json:"exc_rate_hz"`
		Inh     *float64 `json:"inh_rate_hz"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	if res.Neurons != 1200 || res.Exc == nil || res.Inh == nil || *res.Exc < 0.5 || *res.Exc > 50 || *res.Inh < 0.5 || *res.Inh > 100 {
		t.Errorf("neurons %d, rates exc %v inh %v", res.Neurons, res.Exc, res.Inh)
	}
}
