package kinds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
