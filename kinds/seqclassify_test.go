package kinds

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
)

// seqTiny makes randman-rsnn a run of a second.
var seqTiny = []string{"data.randman.units=8", "data.randman.samples_per_class=16", "data.steps=20", "model.hidden=[12]",
	"train.batch_size=16", "threads=1", "model.init_scale=2"}

func runSeq(t *testing.T, dir string, resume bool, sets ...string) []string {
	t.Helper()
	r, err := recipes.Load("randman-rsnn", append(append([]string{}, seqTiny...), sets...))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), r, RunOptions{Dir: dir, Resume: resume, Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		// drop the timing fields: everything after train_seconds varies
		// only in samples_per_s and peak_rss_mb
		lines = append(lines, stripTiming(l))
	}
	return lines
}

func stripTiming(l string) string {
	var keep []string
	for _, f := range strings.Split(strings.Trim(l, "{}"), ",") {
		if strings.Contains(f, "seconds") || strings.Contains(f, "per_s") || strings.Contains(f, "rss") {
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, ",")
}

// Three epochs in one go and two then one more after a resume give the same
// measures to the bit, and Evaluate reproduces the last test accuracy, for
// each neuron model and decode.
func TestSeqClassifyResumeEvaluate(t *testing.T) {
	for _, set := range [][]string{
		nil,
		{"model.neuron=lif", "model.decode=last", "train.optimizer=adamax"},
		{"model.neuron=alif", "model.decode=mean", "model.reset=subtract", "model.hidden=[12,8]"},
		{"model.neuron=lif", "model.readout=lif", "model.decode=count", "model.reset=subtract"},
		{"model.recurrent=false"},
		{"model.connectivity=0.5", "model.delay=2"},
		{"model.connectivity=0.5", "model.connectivity_kind=jit", "model.hidden=[12,8]", "model.delay=[1,3]"},
		// learned delays: the width schedule must resume and evaluate as it trained
		{"model.delay_taps=4", "model.hidden=[12,8]", "model.delay_anneal_epochs=3"},
	} {
		t.Run(strings.Join(set, " "), func(t *testing.T) {
			straight := runSeq(t, t.TempDir(), false, append(set, "epochs=3")...)
			dir := t.TempDir()
			first := runSeq(t, dir, false, append(set, "epochs=2")...)
			rest := runSeq(t, dir, true, append(set, "epochs=3")...)
			got := append(first, rest...)
			if strings.Join(got, "\n") != strings.Join(straight, "\n") {
				t.Errorf("resumed run differs:\n%s\nstraight:\n%s", strings.Join(got, "\n"), strings.Join(straight, "\n"))
			}
			rep, err := Evaluate(dir, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := rep.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			last := straight[len(straight)-1]
			i := strings.Index(last, `"test_acc":`)
			want := strings.SplitN(last[i+len(`"test_acc":`):], ",", 2)[0]
			if !strings.Contains(b.String(), "test accuracy") || want == "" {
				t.Fatalf("evaluate table: %s", b.String())
			}
			var f float64
			if _, err := fmtSscan(want, &f); err != nil {
				t.Fatal(err)
			}
			if g := rep.(*seqReport).ev.Accuracy(); g != f {
				t.Errorf("evaluate accuracy %v, training's last test_acc %v", g, f)
			}
		})
	}
}

// A missing data folder is one line naming the folder and the files
// expected.
func TestSeqClassifyMissingData(t *testing.T) {
	for _, c := range []struct{ recipe, dir, want string }{
		{"shd-rsnn", "", "shd: no data folder: run with --set data_dir=DIR, a folder holding shd_train.h5 and shd_test.h5"},
		{"shd-rsnn", "/no/such/dir", "shd: folder /no/such/dir not found: expected shd_train.h5 and shd_test.h5"},
		{"ssc-rsnn", t.TempDir(), "ssc_train.h5[.gz] not found in"},
		{"nmnist-snn", t.TempDir(), "nmnist: Train/ not found in"},
	} {
		r, err := recipes.Load(c.recipe, []string{"data_dir=" + c.dir})
		if err != nil {
			t.Fatal(err)
		}
		err = Run(context.Background(), r, RunOptions{Dir: t.TempDir(), Stdout: io.Discard, Stderr: io.Discard})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s with data_dir %q: got %v, want one line with %q", c.recipe, c.dir, err, c.want)
		}
	}
}

func TestSeqClassifyInvalid(t *testing.T) {
	for set, field := range map[string]string{
		"model.decode=count":       "model.decode",
		"model.hidden=[]":          "model.hidden",
		"data.randman.test_frac=1": "test_frac",
	} {
		if _, err := recipes.Load("randman-rsnn", []string{set}); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: got %v, want an error naming %s", set, err, field)
		}
	}
}

func fmtSscan(s string, f *float64) (int, error) { return fmt.Sscan(s, f) }

// Learned delays train: the checkpoint's delays moved from their initial
// draw, stay finite, and a sparse recipe with them is refused.
func TestSeqClassifyLearnedDelays(t *testing.T) {
	dir := t.TempDir()
	sets := []string{"model.delay_taps=6", "epochs=2", "train.lr=0.01"}
	runSeq(t, dir, false, sets...)
	r, err := recipes.Load("randman-rsnn", append(append([]string{}, seqTiny...), sets...))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Spec.(*SeqClassify)
	initial, err := c.Build(8, 10)
	if err != nil {
		t.Fatal(err)
	}
	trained, err := c.Build(8, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := restoreTraining(filepath.Join(dir, CheckpointFile), seqFormat, trained.Params(), nil); err != nil {
		t.Fatal(err)
	}
	a, b := initial.Blocks[0].Conn.(*networks.LearnedDelay), trained.Blocks[0].Conn.(*networks.LearnedDelay)
	moved := 0
	for i := range a.Pos.Data {
		if math.IsNaN(float64(b.Pos.Data[i])) {
			t.Fatalf("delay %d is NaN", i)
		}
		if a.Pos.Data[i] != b.Pos.Data[i] {
			moved++
		}
	}
	if moved < len(a.Pos.Data)/2 {
		t.Fatalf("%d of %d delays moved in training", moved, len(a.Pos.Data))
	}
	if _, err := recipes.Load("randman-rsnn", append(append([]string{}, seqTiny...), "model.delay_taps=6", "model.connectivity=0.5")); err == nil || !strings.Contains(err.Error(), "model.delay_taps") {
		t.Fatalf("learned delays with sparse projections: %v", err)
	}
}

// data.encoding: delta gives the delta modulation of the bins (each
// sample equals datasets.Delta over the plain bins), trains, and refuses
// off spikes with the event-driven (binary) projection.
func TestSeqClassifyDelta(t *testing.T) {
	load := func(sets ...string) *SeqSplits {
		t.Helper()
		r, err := recipes.Load("randman-rsnn", append(append([]string{}, seqTiny...), sets...))
		if err != nil {
			t.Fatal(err)
		}
		s, err := r.Spec.(*SeqClassify).Load()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	plain := load("data.randman.spikes=3", "data.binary=false")
	delta := load("data.randman.spikes=3", "data.binary=false", "data.encoding=delta", "data.delta_off=true")
	d := datasets.Delta{Threshold: 1, OffSpike: true}
	ch, steps := plain.Train.Channels, plain.Train.Spec.Steps
	var changed bool
	for _, i := range plain.TrainIndex[:8] {
		want := plain.Train.Sample(i, nil)
		orig := append([]float32(nil), want...)
		d.EncodeSeries(want, steps, ch)
		got := delta.Train.Sample(i, nil)
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("sample %d: delta input differs at %d: %v, want %v", i, k, got[k], want[k])
			}
			changed = changed || got[k] != orig[k]
		}
	}
	if !changed {
		t.Fatal("delta encoding left the bins unchanged")
	}
	if lines := runSeq(t, t.TempDir(), false, "train.epochs=1", "data.encoding=delta"); len(lines) != 1 {
		t.Fatalf("delta run: %v", lines)
	}
	_, err := recipes.Load("randman-rsnn", []string{"data.encoding=delta", "data.delta_off=true", "data.binary=true"})
	if err == nil || !strings.Contains(err.Error(), "data.delta_off") {
		t.Fatalf("delta_off with binary: %v", err)
	}
}
