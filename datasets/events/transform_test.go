package events

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func audio(ts ...int64) []Event {
	ev := make([]Event, len(ts))
	for i, t := range ts {
		ev[i] = Event{T: t, X: uint16(i % 3)}
	}
	return ev
}

func frameCounts(frames [][]float32) []float32 {
	out := make([]float32, len(frames))
	for i, f := range frames {
		for _, v := range f {
			out[i] += v
		}
	}
	return out
}

// Frame event counts worked out by hand from Tonic's slicers.
func TestToFrameTonic(t *testing.T) {
	ev := audio(0, 10, 20, 35, 99, 100)
	s := Sensor{3, 1, 1}
	for _, tc := range []struct {
		spec FrameSpec
		want []float32
	}{
		// window (100−0)//3 = 33: [0,33) [33,66) [66,99); 99 and 100 fall out.
		{FrameSpec{NTimeBins: 3}, []float32{3, 1, 0}},
		// floor((100−40)/40)+1 = 2 windows.
		{FrameSpec{TimeWindow: 40}, []float32{4, 0}},
		{FrameSpec{TimeWindow: 40, IncludeIncomplete: true}, []float32{4, 0, 2}},
		// stride 30: floor(60/30)+1 = 3 windows [0,40) [30,70) [60,100).
		{FrameSpec{TimeWindow: 40, Overlap: 10}, []float32{4, 1, 1}},
		{FrameSpec{EventCount: 4}, []float32{4}},
		{FrameSpec{EventCount: 4, IncludeIncomplete: true}, []float32{4, 2}},
		{FrameSpec{NEventBins: 3}, []float32{2, 2, 2}},
		// window 33·1.5 = 49.5, stride 24.75: [0,49.5) [24.75,74.25) [49.5,99).
		{FrameSpec{NTimeBins: 3, Overlap: 0.5}, []float32{4, 1, 0}},
	} {
		frames, err := ToFrame(ev, s, tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := frameCounts(frames); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: counts %v, want %v", tc.spec, got, tc.want)
		}
	}
	if _, err := ToFrame(ev, s, FrameSpec{}); err == nil {
		t.Error("no slicing chosen: no error")
	}
	if _, err := ToFrame(ev, s, FrameSpec{NTimeBins: 2, EventCount: 3}); err == nil {
		t.Error("two slicings chosen: no error")
	}
	two := append(audio(1, 2), Event{T: 3, P: 1})
	if _, err := ToFrame(two, s, FrameSpec{NTimeBins: 2}); err == nil {
		t.Error("two polarities on a one-polarity sensor: no error")
	}
	if f, _ := ToFrame(nil, s, FrameSpec{NTimeBins: 4}); len(f) != 4 {
		t.Error("no events should give NTimeBins empty frames")
	}
}

// ToFrame against a naive reference: a linear scan per window with the
// window bounds of Tonic's slicers, on random camera events.
func TestToFrameNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	s := Sensor{5, 4, 2}
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(60)
		ev := make([]Event, n)
		for i := range ev {
			ev[i] = Event{T: int64(r.IntN(1000)), X: uint16(r.IntN(5)), Y: uint16(r.IntN(4)), P: uint8(r.IntN(2))}
		}
		SortByTime(ev)
		bins := 1 + r.IntN(7)
		frames, err := ToFrame(ev, s, FrameSpec{NTimeBins: bins})
		if err != nil {
			t.Fatal(err)
		}
		w := float64((ev[n-1].T - ev[0].T) / int64(bins))
		for k := 0; k < bins; k++ {
			lo := float64(ev[0].T) + float64(k)*w
			want := make([]float32, s.Channels())
			for _, e := range ev {
				if float64(e.T) >= lo && float64(e.T) < lo+w {
					want[(int(e.P)*4+int(e.Y))*5+int(e.X)]++
				}
			}
			if !reflect.DeepEqual(frames[k], want) {
				t.Fatalf("trial %d frame %d differs", trial, k)
			}
		}
		tw := float64(1 + r.IntN(300))
		frames, _ = ToFrame(ev, s, FrameSpec{TimeWindow: tw})
		nw := max(int(math.Floor((float64(ev[n-1].T-ev[0].T)-tw)/tw))+1, 1)
		if len(frames) != nw {
			t.Fatalf("%d windows, want %d", len(frames), nw)
		}
	}
}

// ToBins against the float formula on a grid where it is exact, and
// Binary, dropping and reuse of dst.
func TestToBins(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	s := Sensor{7, 1, 1}
	spec := BinSpec{Steps: 16, Duration: 1 << 12} // 256 µs bins
	var ev []Event
	for i := 0; i < 500; i++ {
		ev = append(ev, Event{T: int64(r.IntN(1<<12+300)) - 100, X: uint16(r.IntN(8))})
	}
	got := ToBins(ev, s, spec, nil)
	want := make([]float32, 16*7)
	for _, e := range ev {
		if e.T < 0 || e.T >= 1<<12 || e.X >= 7 {
			continue
		}
		want[int(math.Floor(float64(e.T)/256))*7+int(e.X)]++
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("ToBins differs from the naive binning")
	}
	spec.Binary = true
	got = ToBins(ev, s, spec, got) // reuses and clears dst
	for i := range want {
		if (want[i] > 0) != (got[i] == 1) || got[i] > 1 {
			t.Fatalf("binary bin %d = %v (count %v)", i, got[i], want[i])
		}
	}
	rows := Rows(got, 7)
	if len(rows) != 16 || &rows[3][0] != &got[21] {
		t.Fatal("Rows does not view the array")
	}
	// An SHD-like grid that is not a power of two: 100 steps over 1 s.
	spec = BinSpec{Steps: 100, Duration: 1_000_000}
	got = ToBins([]Event{{T: 9_999}, {T: 10_000}, {T: 999_999}, {T: 1_000_000}}, Sensor{1, 1, 1}, spec, nil)
	if got[0] != 1 || got[1] != 1 || got[99] != 1 || sum(got) != 3 {
		t.Fatalf("bin edges: %v", got)
	}
}

func sum(v []float32) float32 {
	s := float32(0)
	for _, x := range v {
		s += x
	}
	return s
}

// Denoise on a hand-worked case, with Tonic's quirk that the memory starts
// at filterTime (so early events pass).
func TestDenoise(t *testing.T) {
	ev := []Event{
		{T: 5, X: 0, Y: 0},   // passes: neighbour memory starts at 10 > 5
		{T: 100, X: 3, Y: 3}, // isolated: dropped
		{T: 104, X: 3, Y: 2}, // (3,3) remembers 110 > 104: kept
		{T: 200, X: 0, Y: 3}, // isolated, neighbours remember 10: dropped
		{T: 300, X: 1, Y: 3}, // (0,3) remembers 210 < 300: dropped
		{T: 305, X: 2, Y: 3}, // (1,3) remembers 310: kept
	}
	got := Denoise(ev, 10)
	want := []Event{ev[0], ev[2], ev[5]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Denoise = %+v, want %+v", got, want)
	}
}

func TestJitterCropDownsample(t *testing.T) {
	ev := []Event{{T: 10, X: 5, Y: 6, P: 1}, {T: 20, X: 0, Y: 1}, {T: 30, X: 7, Y: 7}}
	a := TimeJitter(ev, 50, false, false, rand.New(rand.NewPCG(1, 2)))
	b := TimeJitter(ev, 50, false, false, rand.New(rand.NewPCG(1, 2)))
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, ev) {
		t.Fatal("jitter is not deterministic by seed, or did nothing")
	}
	if z := TimeJitter(ev, 0, false, false, rand.New(rand.NewPCG(1, 2))); !reflect.DeepEqual(z, ev) {
		t.Fatal("jitter of std 0 changed the events")
	}
	c := TimeJitter(ev, 1000, true, true, rand.New(rand.NewPCG(3, 4)))
	if !sorted(c) {
		t.Fatal("not sorted")
	}
	for _, e := range c {
		if e.T < 0 {
			t.Fatal("negative time kept")
		}
	}
	cr, cs := Crop(ev, Sensor{8, 8, 2}, 4, 5, 4, 3)
	if cs != (Sensor{4, 3, 2}) || !reflect.DeepEqual(cr, []Event{{T: 10, X: 1, Y: 1, P: 1}, {T: 30, X: 3, Y: 2}}) {
		t.Fatalf("crop %+v %v", cr, cs)
	}
	rc, rs := RandomCrop(ev, Sensor{8, 8, 2}, 8, 8, rand.New(rand.NewPCG(1, 1)))
	if rs != (Sensor{8, 8, 2}) || !reflect.DeepEqual(rc, ev) {
		t.Fatal("a full-size random crop changed the events")
	}
	ds, dsz := Downsample(ev, Sensor{8, 8, 2}, 0.001, 0.5, 0.25)
	if dsz != (Sensor{4, 2, 2}) || ds[0] != (Event{T: 0, X: 2, Y: 1, P: 1}) || ds[2] != (Event{T: 0, X: 3, Y: 1}) {
		t.Fatalf("downsample %+v %v", ds, dsz)
	}
	// DVS Gesture's 128 × 128 to 32 × 32: every pixel lands inside.
	var all []Event
	for x := 0; x < 128; x++ {
		all = append(all, Event{T: int64(x), X: uint16(x), Y: uint16(127 - x), P: 1})
	}
	small, ss := DownsampleTo(all, GestureSensor, 32, 32)
	if ss != (Sensor{32, 32, 2}) || small[127].X != 31 || small[127].Y != 0 || small[5].X != 1 || small[5].T != 5 {
		t.Fatalf("DownsampleTo: %v %+v", ss, small[127])
	}
	for _, e := range small {
		if !ss.Contains(e) {
			t.Fatalf("%+v outside %v", e, ss)
		}
	}
}
