package kinds

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/braingo/braingo/checkpoint"
	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/recipes"
)

// The cache serves the looks before a restore from one read, the restore
// takes its copy out, a save forgets it, and a file replaced behind its
// back (another writer) is read again.
func TestCheckpointCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.bgc")
	ck := &checkpoint.Checkpoint{Meta: []byte(`{"format":"t"}`)}
	ck.Add("w", []int{2}, []float32{1, 2})
	if err := saveCheckpoint(path, ck); err != nil {
		t.Fatal(err)
	}
	look := func(take bool, want float32, reads int) {
		t.Helper()
		get := loadCheckpoint
		if take {
			get = takeCheckpoint
		}
		c, err := get(path)
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := c.Get("w"); a.Data[0] != want {
			t.Errorf("w[0] = %v, want %v", a.Data[0], want)
		}
		if n := checkpointReads(path); n != reads {
			t.Errorf("%d reads, want %d", n, reads)
		}
	}
	look(false, 1, 1)
	look(false, 1, 1)
	look(true, 1, 1) // the restore: the kept copy, then forgotten
	look(true, 1, 2) // read again
	look(false, 1, 3)
	ck.Arrays[0].Data[0] = 3
	if err := saveCheckpoint(path, ck); err != nil {
		t.Fatal(err)
	}
	look(false, 3, 4) // a save forgets the copy
	ck.Arrays[0].Data[0] = 5
	ck.Add("v", []int{1}, []float32{0}) // another size too
	if err := checkpoint.Save(path, ck); err != nil {
		t.Fatal(err)
	}
	look(true, 5, 5) // replaced behind the cache's back: read again
	if _, err := loadCheckpoint(filepath.Join(t.TempDir(), "none.bgc")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("a missing file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// tinyImages writes a Fashion-MNIST-shaped data set of 128 training and 32
// test images into a temporary folder.
func tinyImages(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(split string, n int) {
		px := make([]uint8, n*28*28)
		lb := make([]uint8, n)
		for i := range lb {
			c := (i * 7) % 10
			lb[i] = uint8(c)
			for r := 2 * c; r < 2*c+6; r++ {
				for col := 4; col < 24; col++ {
					px[i*784+r*28+col] = uint8(150 + (i*31+col)%100)
				}
			}
		}
		var b bytes.Buffer
		datasets.EncodeIDX(&b, []int{n, 28, 28}, px)
		if err := os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		b.Reset()
		datasets.EncodeIDX(&b, []int{n}, lb)
		if err := os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("train", 128)
	write("t10k", 32)
	return dir
}

// A resumed run reads its checkpoint once (OpenRun's reconciling of the
// metrics, the legacy zero-reset check and the restore share the read),
// and braingo eval reads the checkpoint it evaluates once; a validated run
// is evaluated from best.bgc alone; LoadNetwork (braingo export) reads
// the checkpoint once.
func TestCheckpointReadOncePerCommand(t *testing.T) {
	data := tinyImages(t)
	for _, c := range []struct {
		recipe string
		sets   []string
		eval   string // the file Evaluate reads
	}{
		{"fmnist-snn", []string{"data_dir=" + data, "batch_size=32", "model.hidden=8", "steps=4", "threads=1"}, CheckpointFile},
		{"fmnist-snn", []string{"data_dir=" + data, "batch_size=32", "model.hidden=8", "steps=4", "threads=1", "validation=32"}, BestFile},
		{"pdm-rate", []string{"train.batches=2", "train.batch_size=4", "model.units=8", "train.eval_trials=8", "threads=1"}, CheckpointFile},
		{"rstdp-task", []string{"train.trials=2", "train.block=2", "train.eval_trials=4"}, CheckpointFile},
	} {
		t.Run(c.recipe, func(t *testing.T) {
			dir := t.TempDir()
			train := func(epochs string, resume bool) {
				t.Helper()
				r, err := recipes.Load(c.recipe, append(append([]string{}, c.sets...), "epochs="+epochs))
				if err != nil {
					t.Fatal(err)
				}
				if err := Run(context.Background(), r, RunOptions{Dir: dir, Resume: resume, Stdout: io.Discard, Stderr: io.Discard, JSON: true}); err != nil {
					t.Fatal(err)
				}
			}
			ckpt := filepath.Join(dir, CheckpointFile)
			train("1", false)
			before := checkpointReads(ckpt)
			train("2", true)
			if n := checkpointReads(ckpt) - before; n != 1 {
				t.Errorf("the resumed run read its checkpoint %d times", n)
			}
			evalFile := filepath.Join(dir, c.eval)
			before, beforeCkpt := checkpointReads(evalFile), checkpointReads(ckpt)
			if _, err := Evaluate(dir, io.Discard); err != nil {
				t.Fatal(err)
			}
			if n := checkpointReads(evalFile) - before; n != 1 {
				t.Errorf("eval read %s %d times", c.eval, n)
			}
			if c.eval != CheckpointFile {
				if n := checkpointReads(ckpt) - beforeCkpt; n != 0 {
					t.Errorf("eval of a validated run read %s %d times", CheckpointFile, n)
				}
			}
			if c.recipe == "rstdp-task" {
				return // LoadNetwork (braingo export) takes no R-STDP run
			}
			before = checkpointReads(ckpt)
			if _, _, err := LoadNetwork(dir, io.Discard); err != nil {
				t.Fatal(err)
			}
			if n := checkpointReads(ckpt) - before; n != 1 {
				t.Errorf("LoadNetwork read the checkpoint %d times", n)
			}
		})
	}
}
