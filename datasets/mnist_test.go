package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeSplit(t *testing.T, dir, split string, n int, labels []uint8) {
	t.Helper()
	px := make([]uint8, n*4*4)
	for i := range px {
		px[i] = uint8(i)
	}
	os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), idxBytes(t, []int{n, 4, 4}, px), 0o644)
	os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte.gz"), gz(idxBytes(t, []int{len(labels)}, labels)), 0o644)
}

func TestLoadSmallDataset(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir, "train", 3, []uint8{0, 9, 4})
	writeSplit(t, dir, "t10k", 2, []uint8{1, 2})
	train, test, err := FashionMNIST.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 3 || test.N != 2 || train.Rows != 4 || train.Features() != 16 || train.Labels[1] != 9 {
		t.Fatalf("loaded %+v / %+v", train, test)
	}
	if l := train.Limit(2); l.N != 2 || len(l.Pixels) != 32 || len(l.Labels) != 2 {
		t.Fatalf("Limit(2) = %+v", l)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := FashionMNIST.Load(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Fatalf("missing folder error should say how to get the data: %v", err)
	}
	writeSplit(t, dir, "train", 3, []uint8{0, 1})
	if _, _, err := FashionMNIST.Load(dir); err == nil || !strings.Contains(err.Error(), "3 images") {
		t.Fatalf("count mismatch not reported: %v", err)
	}
	writeSplit(t, dir, "train", 2, []uint8{0, 12})
	if _, _, err := FashionMNIST.Load(dir); err == nil || !strings.Contains(err.Error(), "label 12") {
		t.Fatalf("bad label not reported: %v", err)
	}
	writeSplit(t, dir, "train", 2, []uint8{0, 1})
	if _, _, err := MNIST.Load(dir); err == nil || !strings.Contains(err.Error(), "t10k-images") {
		t.Fatalf("missing test split not reported: %v", err)
	}
}

func TestSourceDir(t *testing.T) {
	t.Setenv(FashionMNIST.EnvVar, "/from/env")
	if d := FashionMNIST.Dir("/explicit"); d != "/explicit" {
		t.Fatal(d)
	}
	if d := FashionMNIST.Dir(""); d != "/from/env" {
		t.Fatal(d)
	}
	t.Setenv(FashionMNIST.EnvVar, "")
	if d := FashionMNIST.Dir(""); d != FashionMNIST.DefaultDir {
		t.Fatal(d)
	}
}

func TestRealFashionMNIST(t *testing.T) {
	dir := FashionMNIST.Dir("")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Fashion-MNIST not installed at %s", dir)
	}
	if testing.Short() {
		t.Skip("short")
	}
	train, test, err := FashionMNIST.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 60000 || test.N != 10000 || train.Rows != 28 || train.Cols != 28 {
		t.Fatalf("train %d test %d size %dx%d", train.N, test.N, train.Rows, train.Cols)
	}
	var counts [10]int
	for _, l := range test.Labels {
		counts[l]++
	}
	for c, n := range counts {
		if n != 1000 {
			t.Fatalf("class %d has %d test images, want 1000", c, n)
		}
	}
}
