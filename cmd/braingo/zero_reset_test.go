package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/checkpoint"
)

// testdata/zero-legacy-run was trained (784-32-10, model.reset=zero, 2,560
// images, 500 test images) by braingo 51bd540, whose zero reset was
// U = (βU + I)(1 − r); it reported test_acc 0.574.
const legacyRun = "testdata/zero-legacy-run"

func copyRun(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"recipe.yaml", "checkpoint.bgc", "metrics.jsonl"} {
		b, err := os.ReadFile(filepath.Join(from, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

func evalAcc(t *testing.T, dir string) (float64, string) {
	t.Helper()
	stdout, stderr, code := run(t, "eval", dir, "--json")
	if code != 0 {
		t.Fatalf("eval %s: exit %d: %s", dir, code, stderr)
	}
	var out struct {
		TestAcc float64 `json:"test_acc"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	return out.TestAcc, stderr
}

// An old zero-reset checkpoint evaluates to its old accuracy with a
// one-line warning; the same weights under today's rule give another
// accuracy (so the rule is really kept), and a resumed run keeps the old
// rule in its recipe.
func TestLegacyZeroResetCheckpoint(t *testing.T) {
	acc, stderr := evalAcc(t, legacyRun)
	if acc != 0.574 {
		t.Errorf("legacy run: test_acc %v, trained to 0.574", acc)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "keeps its old rule (model.reset: zero_legacy)") {
		t.Errorf("legacy run: want one warning line, got %q", stderr)
	}

	// The same checkpoint marked as written with today's rule.
	marked := copyRun(t, legacyRun)
	ck, err := checkpoint.Load(filepath.Join(marked, "checkpoint.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	if err := json.Unmarshal(ck.Meta, &meta); err != nil {
		t.Fatal(err)
	}
	meta["zero_reset"] = "snntorch-0.8"
	if ck.Meta, err = json.Marshal(meta); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.Save(filepath.Join(marked, "checkpoint.bgc"), ck); err != nil {
		t.Fatal(err)
	}
	if acc2, stderr := evalAcc(t, marked); acc2 == acc || stderr != "" {
		t.Errorf("under the new rule: test_acc %v (legacy %v), stderr %q", acc2, acc, stderr)
	}

	// Resuming keeps the legacy rule and records it.
	resumed := copyRun(t, legacyRun)
	_, stderr, code := run(t, "train", filepath.Join(resumed, "recipe.yaml"), "--out", resumed, "--resume", "--set", "epochs=2", "--json")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "zero_legacy") {
		t.Errorf("resume: no warning in %q", stderr)
	}
	echo, err := os.ReadFile(filepath.Join(resumed, "recipe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(echo), "reset: zero_legacy") {
		t.Errorf("resumed recipe does not keep zero_legacy")
	}
	if _, stderr := evalAcc(t, resumed); stderr != "" {
		t.Errorf("the resumed checkpoint records its rule, yet eval warns: %q", stderr)
	}
}
