package kinds

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/recipes"
)

// dvsgesture-csnn reads both DVS Gesture layouts from data_dir (the fixture
// recordings of datasets/events) into 2×side×side frames, step-major, and
// says what it wants of a folder that is neither.
func TestCSNNGestureData(t *testing.T) {
	npy := t.TempDir()
	for _, split := range []string{"ibmGestureTrain", "ibmGestureTest"} {
		src, _ := filepath.Abs("../datasets/events/testdata/gesture_npy")
		if err := os.Symlink(src, filepath.Join(npy, split)); err != nil {
			t.Fatal(err)
		}
	}
	for _, dir := range []string{"../datasets/events/testdata/gesture", npy} {
		r, err := recipes.Load("dvsgesture-csnn", []string{"data_dir=" + dir, "data.steps=4", "data.side=16"})
		if err != nil {
			t.Fatal(err)
		}
		c := r.Spec.(*CSNN)
		train, test, err := c.LoadData()
		if err != nil {
			t.Fatal(err)
		}
		if train.Len() == 0 || test.Len() == 0 || !train.Dynamic() || train.Shape() != [3]int{2, 16, 16} || train.Classes() != 11 {
			t.Fatalf("%s: %d and %d samples, shape %v, %d classes", dir, train.Len(), test.Len(), train.Shape(), train.Classes())
		}
		ids := []int{0, train.Len() - 1}
		x, y := make([]float32, 4*len(ids)*2*16*16), make([]int, len(ids))
		train.Fill(x, y, ids)
		var events float32
		for _, v := range x {
			events += v
		}
		if events == 0 || y[0] != train.Label(0) {
			t.Fatalf("%s: %v events in the frames, labels %v", dir, events, y)
		}
		if sides := c.Sides(); sides[0] != (16-5+1)/2 {
			t.Fatalf("sides %v for 16×16 frames", sides)
		}
	}
	r, err := recipes.Load("dvsgesture-csnn", []string{"data_dir=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Spec.(*CSNN).LoadData(); err == nil || !strings.Contains(err.Error(), "trials_to_train.txt") {
		t.Fatalf("empty folder: %v", err)
	}
	if _, err := recipes.Load("dvsgesture-csnn", []string{"data.side=8", "model.kernel=5"}); err == nil || !strings.Contains(err.Error(), "model.channels") {
		t.Fatalf("8×8 frames through two 5×5 blocks: %v", err)
	}
}

// data.validation's split of csnn-classify data: the last n samples, of
// images and of recordings, with their labels and inputs, and the rest to
// train on.
func TestSplitCSNN(t *testing.T) {
	r, err := recipes.Load("dvsgesture-csnn", []string{"data_dir=../datasets/events/testdata/gesture", "data.steps=4", "data.side=16"})
	if err != nil {
		t.Fatal(err)
	}
	frames, _, err := r.Spec.(*CSNN).LoadData()
	if err != nil {
		t.Fatal(err)
	}
	px := make([]uint8, 5*28*28)
	for i := range px {
		px[i] = uint8(i * 7)
	}
	images := ImageData{&datasets.Images{Name: "tiny", N: 5, Rows: 28, Cols: 28, Classes: 10, Pixels: px, Labels: []uint8{3, 1, 4, 1, 5}}}
	for _, d := range []CSNNData{images, frames} {
		n := d.Len()
		if n < 2 {
			t.Fatalf("%d samples: nothing to split", n)
		}
		head, tail := splitCSNN(d, 1)
		if head.Len() != n-1 || tail.Len() != 1 || head.Dynamic() != d.Dynamic() || tail.Shape() != d.Shape() {
			t.Fatalf("%T: %d samples split into %d and %d", d, n, head.Len(), tail.Len())
		}
		rows := 1
		if d.Dynamic() {
			rows = 4
		}
		size := rows * d.Shape()[0] * d.Shape()[1] * d.Shape()[2]
		fill := func(d CSNNData, i int) ([]float32, int) {
			x, y := make([]float32, size), make([]int, 1)
			d.Fill(x, y, []int{i})
			return x, y[0]
		}
		for i := range n {
			want, wl := fill(d, i)
			part, j := head, i
			if i == n-1 {
				part, j = tail, 0
			}
			got, gl := fill(part, j)
			if gl != wl || !slices.Equal(got, want) {
				t.Fatalf("%T: sample %d after the split: label %d, want %d; inputs equal: %v", d, i, gl, wl, slices.Equal(got, want))
			}
		}
	}
}
