package gpu

import (
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
)

func TestGather(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(11, 12))
	const N, f, n, T = 50, 7, 13, 3
	src := randSlice(r, N*f, -1, 1)
	labels := make([]int32, N)
	ids := make([]int32, n)
	for i := range labels {
		labels[i] = int32(r.IntN(10))
	}
	for i := range ids {
		ids[i] = int32(r.IntN(N))
	}
	ds, _ := upload(t, d, src, 2)
	dl, err := d.Alloc(N)
	must(t, err)
	must(t, d.UploadInt32(dl, labels))
	di, err := d.Alloc(n)
	must(t, err)
	must(t, d.UploadInt32(di, ids))
	dst, all := upload(t, d, make([]float32, n*f), 2)
	must(t, d.GatherRows(dst, ds, di, n, f))
	want := make([]float32, n*f)
	for k, i := range ids {
		copy(want[k*f:], src[int(i)*f:(int(i)+1)*f])
	}
	sameBits(t, "rows", download(t, d, all, 2), want)
	lab, err := d.Alloc(n)
	must(t, err)
	labT, err := d.Alloc(T * n)
	must(t, err)
	must(t, d.GatherLabels(lab, labT, dl, di, n, T))
	got, gotT := make([]int32, n), make([]int32, T*n)
	must(t, d.DownloadInt32(got, lab))
	must(t, d.DownloadInt32(gotT, labT))
	for k, i := range ids {
		for step := range T {
			if gotT[step*n+k] != labels[i] {
				t.Fatalf("labT[%d][%d] = %d, want %d", step, k, gotT[step*n+k], labels[i])
			}
		}
		if got[k] != labels[i] {
			t.Fatalf("lab[%d] = %d, want %d", k, got[k], labels[i])
		}
	}
}

// A batch taken from the data set on the device (TrainIndexed) trains as
// the same batch uploaded (TrainBatch): the same loss, count and gradients,
// to the bit.
func TestFFIndexedEqualsUploaded(t *testing.T) {
	d := testDevice(t)
	r := rand.New(rand.NewPCG(13, 14))
	cfg := FFConfig{Sizes: []int{30, 20, 5}, Steps: 4, Batch: 16, Beta: []float32{0.9, 0.95}, Theta: 1,
		Reset: kernels.LIFResetSubtract, Surrogate: kernels.Surrogate{Kind: kernels.SurrogateATan, A: 2}, Bias: true}
	const N = 40
	x := randSlice(r, N*30, 0, 1)
	labels := make([]int32, N)
	for i := range labels {
		labels[i] = int32(r.IntN(5))
	}
	ids := []int{3, 17, 17, 0, 39, 22, 8, 11, 5}
	var params [][]float32
	for l := range 2 {
		in, out := cfg.Sizes[l], cfg.Sizes[l+1]
		params = append(params, randSlice(r, in*out, -0.6, 0.8), randSlice(r, out, -0.2, 0.5))
	}
	run := func(indexed bool) (float64, int, [][]float32) {
		f, err := NewFF(d, cfg)
		must(t, err)
		defer f.Free()
		must(t, f.Upload(f.Params(), params))
		var loss float64
		var correct int
		if indexed {
			must(t, f.SetData(x, labels))
			loss, correct, err = f.TrainIndexed(ids)
		} else {
			bx := make([]float32, 0, len(ids)*30)
			var by []int32
			for _, i := range ids {
				bx = append(bx, x[i*30:(i+1)*30]...)
				by = append(by, labels[i])
			}
			loss, correct, err = f.TrainBatch(bx, by)
		}
		must(t, err)
		var grads [][]float32
		for _, g := range f.Grads() {
			grads = append(grads, make([]float32, g.Len()))
		}
		must(t, f.Download(grads, f.Grads()))
		return loss, correct, grads
	}
	l1, c1, g1 := run(false)
	l2, c2, g2 := run(true)
	if l1 != l2 || c1 != c2 {
		t.Fatalf("uploaded: loss %v, %d correct; indexed: %v, %d", l1, c1, l2, c2)
	}
	if !(l1 > 0) {
		t.Fatalf("loss %v", l1)
	}
	for i := range g1 {
		sameBits(t, "gradient", g2[i], g1[i])
	}
}
