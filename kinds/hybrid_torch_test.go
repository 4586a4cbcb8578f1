//go:build torch

package kinds_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

func fmnistAvailable(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist"); err != nil && os.Getenv("BRAINGO_FASHION_MNIST") == "" {
		t.Skip("no Fashion-MNIST (make setup installs dataset-fashion-mnist)")
	}
}

// testAcc is an epoch line's test accuracy, which a run without
// data.validation reports every epoch.
func testAcc(t *testing.T, l kinds.CSNNLine) float64 {
	t.Helper()
	if l.TestAcc == nil {
		t.Fatalf("epoch %d: no test_acc", l.Epoch)
	}
	return *l.TestAcc
}

// TestCSNNRunsAndResumes trains fmnist-csnn on a few batches, checks that
// it learns something and reports the libtorch/bridge split, then resumes
// from its checkpoint for a second epoch.
func TestCSNNRunsAndResumes(t *testing.T) {
	fmnistAvailable(t)
	dir := t.TempDir()
	set := []string{"train_limit=1024", "test_limit=500", "epochs=1", "batch_size=64", "model.channels=6,12"}
	r, err := recipes.Load("fmnist-csnn", set)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := kinds.Run(context.Background(), r, kinds.RunOptions{Dir: dir, Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var line kinds.CSNNLine
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("JSON line %q: %v", out.String(), err)
	}
	if acc := testAcc(t, line); acc < 0.3 {
		t.Errorf("test accuracy %.3f after 16 batches: the hybrid network does not learn", acc)
	}
	if line.TorchSeconds <= 0 || line.BridgeSeconds <= 0 || line.TorchSeconds+line.BridgeSeconds > line.TrainSeconds {
		t.Errorf("time split libtorch %v s, bridge %v s of %v s", line.TorchSeconds, line.BridgeSeconds, line.TrainSeconds)
	}
	r2, err := recipes.Load("fmnist-csnn", append(set[:len(set)-3:len(set)-3], "epochs=2", "batch_size=64", "model.channels=6,12"))
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	out.Reset()
	if err := kinds.Run(context.Background(), r2, kinds.RunOptions{Dir: dir, Resume: true, Stdout: &out, Stderr: &log, JSON: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resuming") || !strings.Contains(out.String(), `"epoch":2`) || strings.Contains(out.String(), `"epoch":1`) {
		t.Errorf("resume: stderr %q, stdout %q", log.String(), out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, kinds.CheckpointFile)); err != nil {
		t.Error(err)
	}
	// braingo eval's path reproduces the last epoch's test accuracy from
	// the checkpoint.
	var last kinds.CSNNLine
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	_, test, ev, err := kinds.EvaluateCSNNRun(dir, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Accuracy() != testAcc(t, last) || len(ev.Pred) != test.Len() || len(ev.Rates) == 0 {
		t.Errorf("EvaluateCSNNRun: accuracy %v on %d of %d images, %d rates; the last epoch reported %v",
			ev.Accuracy(), len(ev.Pred), test.Len(), len(ev.Rates), *last.TestAcc)
	}
}

// TestTaskHybridRuns trains pdm-hybrid briefly: the libtorch encoder and
// the recurrent SNN train together and the run writes its checkpoint.
func TestTaskHybridRuns(t *testing.T) {
	dir := t.TempDir()
	r, err := recipes.Load("pdm-hybrid", []string{"epochs=1", "train.batches=5", "eval_trials=50"})
	if err != nil {
		t.Fatal(err)
	}
	if err := kinds.Run(context.Background(), r, kinds.RunOptions{Dir: dir, Stdout: io.Discard, Stderr: io.Discard, JSON: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, kinds.CheckpointFile)); err != nil {
		t.Error(err)
	}
}

// TestCSNNGesture trains dvsgesture-csnn for a few steps on the fixture
// recordings of datasets/events (two gestures to train on, with a low
// threshold: their few events must make the blocks fire): the frames
// drive every block, and the training loss falls.
func TestCSNNGesture(t *testing.T) {
	dir := t.TempDir()
	r, err := recipes.Load("dvsgesture-csnn", []string{"data_dir=../datasets/events/testdata/gesture", "data.steps=4", "data.side=16",
		"model.channels=[4,8]", "model.threshold=0.1", "train.batch_size=2", "train.epochs=8", "train.lr=5e-3", "threads=1"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := kinds.Run(context.Background(), r, kinds.RunOptions{Dir: dir, Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var lines []kinds.CSNNLine
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var line kinds.CSNNLine
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("JSON line %q: %v", l, err)
		}
		lines = append(lines, line)
	}
	first, last := lines[0], lines[len(lines)-1]
	if acc := testAcc(t, last); len(lines) != 8 || !(last.TrainLoss < first.TrainLoss) || acc < 0 || acc > 1 {
		t.Fatalf("%d epochs, training loss %v then %v, test accuracy %v", len(lines), first.TrainLoss, last.TrainLoss, acc)
	}
	if _, err := os.Stat(filepath.Join(dir, "confusion.png")); err != nil {
		t.Error(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Rates []struct {
			Layer string
			Rate  float64
		}
	}
	recs := strings.Split(strings.TrimSpace(string(b)), "\n")
	if err := json.Unmarshal([]byte(recs[len(recs)-1]), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Rates) != 3 || rec.Rates[0].Rate <= 0 || rec.Rates[1].Rate <= 0 {
		t.Fatalf("firing rates %+v: the frames do not drive the blocks", rec.Rates)
	}
	// braingo eval's path reproduces the last epoch's test accuracy and rates.
	_, test, ev, err := kinds.EvaluateCSNNRun(dir, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Accuracy() != testAcc(t, last) || len(ev.Pred) != test.Len() || len(ev.Rates) != 3 || ev.Rates[0].Rate != rec.Rates[0].Rate {
		t.Errorf("EvaluateCSNNRun: accuracy %v on %d of %d recordings, rates %+v; the last epoch reported %v, %+v",
			ev.Accuracy(), len(ev.Pred), test.Len(), ev.Rates, *last.TestAcc, rec.Rates)
	}
}

// TestTorchKindsThreadIndependent: with libtorch's intra-op threads fixed
// (torch_threads 2, the default) csnn-classify (with batch norm, whose
// statistics libtorch sums per thread) and task-hybrid give the same
// checkpoint arrays and metrics for threads 1 and 3. The check can fail:
// with torch_threads 0 (libtorch as many threads as braingo) the csnn
// run's bits follow the thread count.
func TestTorchKindsThreadIndependent(t *testing.T) {
	fmnistAvailable(t)
	run := func(recipe string, set ...string) (metrics string, arrays []byte) {
		t.Helper()
		r, err := recipes.Load(recipe, set)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var out bytes.Buffer
		if err := kinds.Run(context.Background(), r, kinds.RunOptions{Dir: dir, Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
			t.Fatal(err)
		}
		// The arrays' bits (the metadata holds the recipe, threads and all).
		ck, err := checkpoint.Load(filepath.Join(dir, kinds.CheckpointFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range ck.Arrays {
			arrays = append(arrays, a.Name...)
			for _, v := range a.Data {
				arrays = binary.LittleEndian.AppendUint32(arrays, math.Float32bits(v))
			}
		}
		// Everything but the times and the memory.
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("JSON line %q: %v", l, err)
			}
			for k := range m {
				if strings.Contains(k, "seconds") || strings.Contains(k, "per_s") || strings.Contains(k, "pct") || strings.Contains(k, "rss") {
					delete(m, k)
				}
			}
			b, _ := json.Marshal(m)
			lines = append(lines, string(b))
		}
		return strings.Join(lines, "\n"), arrays
	}
	csnn := []string{"train_limit=256", "test_limit=64", "epochs=1", "batch_size=64", "model.channels=4,8", "model.batch_norm=true"}
	m1, c1 := run("fmnist-csnn", append(csnn, "threads=1")...)
	m3, c3 := run("fmnist-csnn", append(csnn, "threads=3")...)
	if m1 != m3 || !bytes.Equal(c1, c3) {
		t.Errorf("fmnist-csnn: threads 1 and 3 differ:\n%s\n%s", m1, m3)
	}
	m0, c0 := run("fmnist-csnn", append(csnn, "threads=3", "torch_threads=0")...)
	if bytes.Equal(c1, c0) {
		t.Logf("fmnist-csnn with libtorch on 3 threads happened to give the same bits (%s)", m0)
	} else {
		t.Logf("fmnist-csnn with libtorch on 3 threads: other bits, as expected")
	}
	hyb := []string{"epochs=1", "train.batches=3", "eval_trials=20"}
	h1, k1 := run("pdm-hybrid", append(hyb, "threads=1")...)
	h3, k3 := run("pdm-hybrid", append(hyb, "threads=3")...)
	if h1 != h3 || !bytes.Equal(k1, k3) {
		t.Errorf("pdm-hybrid: threads 1 and 3 differ:\n%s\n%s", h1, h3)
	}
}
