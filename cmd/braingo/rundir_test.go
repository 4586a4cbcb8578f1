package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

// snapshot reads every file of a run directory.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameFiles(t *testing.T, what string, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: files %d, were %d", what, len(b), len(a))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s: %s changed", what, name)
		}
	}
}

func epochsOf(t *testing.T, dir string) []int {
	t.Helper()
	recs, err := eval.ReadRecords(filepath.Join(dir, eval.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var ep []int
	for _, r := range recs {
		ep = append(ep, r.Epoch)
	}
	return ep
}

// A run directory loses nothing to a careless user: a finished run is not
// overwritten without --resume or --force, a directory in use by another
// process is refused, a run killed between its metrics and its checkpoint
// resumes without repeating an epoch in metrics.jsonl, a crash's temporary
// files are removed, and import -o refuses an existing run.
func TestRunDirectoryProtectsItsContents(t *testing.T) {
	data := tinyData(t)
	base := []string{"fmnist-snn", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16", "--set", "steps=4", "--json"}
	train := func(dir string, extra ...string) (string, int) {
		t.Helper()
		_, stderr, code := run(t, append(append([]string{"train"}, base...), append([]string{"--out", dir}, extra...)...)...)
		return stderr, code
	}
	root := t.TempDir()
	fin := filepath.Join(root, "fin")
	if stderr, code := train(fin, "--set", "epochs=2"); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	before := snapshot(t, fin)

	t.Run("finished run without --resume", func(t *testing.T) {
		stderr, code := train(fin)
		if code != 2 || !strings.Contains(stderr, "holds a run") || !strings.Contains(stderr, "--force") {
			t.Errorf("exit %d, %q", code, stderr)
		}
		sameFiles(t, "refused train", before, snapshot(t, fin))
	})

	t.Run("second process", func(t *testing.T) {
		r, err := recipes.Load("fmnist-snn", nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := kinds.OpenRun(r, kinds.RunOptions{Dir: fin, Resume: true})
		if err != nil {
			t.Fatal(err)
		}
		stderr, code := train(fin, "--resume", "--set", "epochs=3")
		d.Close()
		if code != 1 || !strings.Contains(stderr, "in use") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("exit %d, %q", code, stderr)
		}
		sameFiles(t, "busy run", before, snapshot(t, fin))
	})

	t.Run("killed between metrics and checkpoint", func(t *testing.T) {
		// A run of one epoch, then the metrics of a second epoch whose
		// checkpoint never landed, and the temporary file of that write.
		dir := filepath.Join(root, "killed")
		if stderr, code := train(dir, "--set", "epochs=1"); code != 0 {
			t.Fatalf("train: %s", stderr)
		}
		recs, _ := eval.ReadRecords(filepath.Join(dir, eval.MetricsFile))
		rec := recs[0]
		rec.Epoch = 2
		if err := eval.AppendRecord(filepath.Join(dir, eval.MetricsFile), rec); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, ".checkpoint.bgc.tmp-123456")
		if err := os.WriteFile(tmp, make([]byte, 1000), 0o600); err != nil {
			t.Fatal(err)
		}
		if stderr, code := train(dir, "--resume", "--set", "epochs=3"); code != 0 {
			t.Fatalf("resume: %s", stderr)
		}
		if got := epochsOf(t, dir); !equalInts(got, []int{1, 2, 3}) {
			t.Errorf("metrics epochs %v, want [1 2 3]", got)
		}
		if _, err := os.Stat(tmp); err == nil {
			t.Error("the crash's temporary file is still there")
		}
	})

	t.Run("--force starts over", func(t *testing.T) {
		dir := filepath.Join(root, "force")
		if stderr, code := train(dir, "--set", "epochs=2"); code != 0 {
			t.Fatalf("train: %s", stderr)
		}
		if stderr, code := train(dir, "--force", "--set", "epochs=1"); code != 0 {
			t.Fatalf("train --force: %s", stderr)
		}
		if got := epochsOf(t, dir); !equalInts(got, []int{1}) {
			t.Errorf("metrics epochs %v after --force, want [1]", got)
		}
	})

	t.Run("resume a run of another kind", func(t *testing.T) {
		_, stderr, code := run(t, "train", "pdm-rate", "--out", fin, "--resume")
		if code == 0 || !strings.Contains(stderr, "snn-classify run") {
			t.Errorf("exit %d, %q", code, stderr)
		}
		sameFiles(t, "other kind", before, snapshot(t, fin))
	})

	t.Run("import -o over a run", func(t *testing.T) {
		model := filepath.Join(root, "m.nir")
		if _, stderr, code := run(t, "export", fin, "--format", "nir", "-o", model, "--lossy"); code != 0 {
			t.Fatalf("export: %s", stderr)
		}
		_, stderr, code := run(t, "import", model, "-o", fin)
		if code != 2 || !strings.Contains(stderr, "holds a run") {
			t.Errorf("exit %d, %q", code, stderr)
		}
		sameFiles(t, "import over a run", before, snapshot(t, fin))
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
