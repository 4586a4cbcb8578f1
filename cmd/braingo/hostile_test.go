package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets"
)

// idxData writes a Fashion-MNIST-shaped folder whose splits have the given
// (n, rows, cols).
func idxData(t *testing.T, train, test [3]int) string {
	t.Helper()
	dir := t.TempDir()
	write := func(split string, d [3]int) {
		var b bytes.Buffer
		datasets.EncodeIDX(&b, d[:], make([]uint8, d[0]*d[1]*d[2]))
		os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), b.Bytes(), 0o644)
		b.Reset()
		datasets.EncodeIDX(&b, []int{d[0]}, make([]uint8, d[0]))
		os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte"), b.Bytes(), 0o644)
	}
	write("train", train)
	write("t10k", test)
	return dir
}

// Hostile input at the command line: each case ends with its documented
// exit status (2 for usage and recipe mistakes, 1 for failures), a
// one-line message naming what and where, no stack trace, no run directory
// left behind by a refused run, and no runaway memory (the memory cases
// are refused before anything is allocated).
func TestHostileInput(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "run")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		// Memory: refused from the resolved recipe, before allocating.
		{[]string{"train", "fmnist-snn", "--set", "steps=1000000000"}, 2, "needs about"},
		{[]string{"train", "fmnist-snn", "--set", "model.hidden=100000000"}, 2, "needs about"},
		{[]string{"train", "fmnist-snn", "--set", "steps=1000000000", "--max-memory", "lots"}, 2, "--max-memory"},
		{[]string{"sim", "coba", "--set", "scale=1000000"}, 2, "scale"},
		{[]string{"sim", "coba", "--set", "duration_ms=1e15"}, 2, "duration_ms"},
		{[]string{"train", "force-sines", "--set", "model.units=1000000"}, 2, "needs about"},
		{[]string{"train", "force-spiking", "--set", "model.units=500000"}, 2, "needs about"},
		{[]string{"train", "reservoir-fmnist", "--set", "model.units=1000000"}, 2, "needs about"},
		// Overflow.
		{[]string{"sim", "coba", "--set", "duration_ms=1e300", "--set", "plots=false"}, 2, "duration_ms"},
		{[]string{"sim", "coba", "--set", "scale=1e12"}, 2, "scale"},
		// Unbounded reads.
		{[]string{"train", "/dev/zero"}, 2, "not a regular file"},
		{[]string{"import", "/dev/zero", "-o", out}, 2, "not a regular file"},
		// Non-finite and out-of-range values.
		{[]string{"train", "fmnist-snn", "--set", "lr=Inf"}, 2, "train.lr"},
		{[]string{"train", "fmnist-snn", "--set", "lr=-1"}, 2, "train.lr"},
		{[]string{"sim", "coba", "--set", "threads=-1"}, 2, "threads"},
		{[]string{"import", "../../nir/testdata/snntorch_ff.nir", "-o", out}, 2, "takes 5 inputs"},
		{[]string{"recipes", "nosuch"}, 2, "no recipe named"},
		{[]string{"import", "../../nir/testdata/snntorch_ff.nir", "-o", out, "--dt", "NaN"}, 2, "--dt"},
		{[]string{"export", legacyRun, "-o", filepath.Join(tmp, "m.nir"), "--dt", "NaN"}, 2, "--dt"},
		// Data that does not fit together.
		{[]string{"train", "fmnist-snn", "--set", "data_dir=" + idxData(t, [3]int{64, 28, 28}, [3]int{16, 14, 14})}, 1, "14×14"},
		{[]string{"train", "fmnist-snn", "--set", "data_dir=" + idxData(t, [3]int{64, 0, 0}, [3]int{16, 28, 28})}, 1, "at least one pixel"},
		{[]string{"train", "fmnist-snn", "--set", "data_dir=" + idxData(t, [3]int{64, 28, 28}, [3]int{0, 28, 28})}, 1, "at least one image"},
	} {
		args := c.args
		if args[0] == "train" || args[0] == "sim" {
			args = append(args, "--out", out)
		}
		_, stderr, code := run(t, args...)
		first := strings.SplitN(stderr, "\n", 2)[0]
		if code != c.code || !strings.Contains(first, c.want) || strings.Contains(stderr, "goroutine ") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d, a first line containing %q", c.args, code, stderr, c.code, c.want)
		}
		if c.code == 2 && len(HoldsRunFiles(out)) > 0 {
			t.Errorf("%v: a refused run left files in %s", c.args, out)
		}
		os.RemoveAll(out)
	}
}

// HoldsRunFiles lists what a run left in dir.
func HoldsRunFiles(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
