// Package golden locates and reads the PyTorch reference values kept in
// ../shared/golden beside the repository (see its README), for tests.
package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the reference directory: $BRAINGO_GOLDEN if set, else
// ../shared/golden relative to the module root. When it is missing the test
// fails under CI (CI set) and is skipped otherwise.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("BRAINGO_GOLDEN"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			g := filepath.Join(filepath.Dir(d), "shared", "golden")
			if _, err := os.Stat(g); err != nil {
				missing(t, g)
			}
			return g
		}
		if filepath.Dir(d) == d {
			missing(t, "../shared/golden")
			return ""
		}
	}
}

func missing(t testing.TB, where string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("golden reference values not found at %s (set BRAINGO_GOLDEN)", where)
	}
	t.Skipf("golden reference values not found at %s (set BRAINGO_GOLDEN)", where)
}

// Load decodes the JSON file name of the reference directory into v.
func Load(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
}

// Files lists the reference files matching a glob pattern such as
// "ff_lif_*.json", by base name.
func Files(t testing.TB, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(Dir(t), pattern))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}
