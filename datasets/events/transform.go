package events

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
)

// FrameSpec chooses how ToFrame slices a recording, as Tonic's ToFrame
// does; set exactly one of TimeWindow, EventCount, NTimeBins, NEventBins.
type FrameSpec struct {
	// TimeWindow slices by time: frames of TimeWindow µs, advancing by
	// TimeWindow − Overlap, from the first event to the last.
	TimeWindow float64
	// EventCount slices by count: frames of EventCount events, advancing
	// by EventCount − Overlap.
	EventCount int
	// NTimeBins gives that many frames of equal duration
	// ⌊(t_last − t_first) / NTimeBins⌋·(1 + Overlap) µs, advancing by
	// duration·(1 − Overlap) from the first event (Overlap a fraction).
	NTimeBins int
	// NEventBins gives that many frames of equal event counts (Overlap a
	// fraction).
	NEventBins int
	// Overlap between frames: µs for TimeWindow, events for EventCount,
	// a fraction in [0, 1) for the bin counts.
	Overlap float64
	// IncludeIncomplete keeps a last, partial frame (TimeWindow and
	// EventCount only).
	IncludeIncomplete bool
}

// ToFrame accumulates events into frames of event counts, each of
// s.Channels() values laid out as Tonic's (polarity, row, column), with
// Tonic's slicing (tonic.slicers): frame k holds the events with
// start_k ≤ t < end_k (found by binary search on the time-sorted events).
// Events are sorted by time first when they are not. For a one-polarity
// sensor the polarity is ignored (Tonic sets it to 0; it refuses events of
// two polarities, and so does ToFrame). An event outside the sensor is an
// error. No events give no frames, except NTimeBins zero frames for
// NTimeBins.
func ToFrame(ev []Event, s Sensor, spec FrameSpec) ([][]float32, error) {
	set := 0
	for _, on := range []bool{spec.TimeWindow > 0, spec.EventCount > 0, spec.NTimeBins > 0, spec.NEventBins > 0} {
		if on {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("events: ToFrame needs exactly one of TimeWindow, EventCount, NTimeBins, NEventBins (got %+v)", spec)
	}
	if !sorted(ev) {
		ev = append([]Event(nil), ev...)
		SortByTime(ev)
	}
	if s.Polarities == 1 {
		for _, e := range ev {
			if e.P != ev[0].P {
				return nil, fmt.Errorf("events: single-polarity sensor, but events contain both polarities")
			}
		}
	}
	if len(ev) == 0 {
		frames := make([][]float32, spec.NTimeBins)
		for i := range frames {
			frames[i] = make([]float32, s.Channels())
		}
		return frames, nil
	}
	slices, err := sliceEvents(ev, spec)
	if err != nil {
		return nil, err
	}
	frames := make([][]float32, len(slices))
	for i, sl := range slices {
		f := make([]float32, s.Channels())
		for _, e := range ev[sl[0]:sl[1]] {
			if s.Polarities == 1 {
				e.P = 0
			}
			if !s.Contains(e) {
				return nil, fmt.Errorf("events: event at %d µs: address (%d, %d, %d) outside the %v sensor", e.T, e.X, e.Y, e.P, s)
			}
			f[s.Channel(e)]++
		}
		frames[i] = f
	}
	return frames, nil
}

// searchTime is numpy's searchsorted(t, x, side="left") on sorted events.
func searchTime(ev []Event, x float64) int {
	return sort.Search(len(ev), func(k int) bool { return float64(ev[k].T) >= x })
}

// sliceEvents returns [start, end) index pairs of Tonic's slicers.
func sliceEvents(ev []Event, spec FrameSpec) ([][2]int, error) {
	n := len(ev)
	var out [][2]int
	clip := func(a, b int) [2]int { return [2]int{min(max(a, 0), n), min(max(b, 0), n)} }
	switch {
	case spec.TimeWindow > 0:
		stride := spec.TimeWindow - spec.Overlap
		if stride <= 0 {
			return nil, fmt.Errorf("events: time window %v with overlap %v has no stride", spec.TimeWindow, spec.Overlap)
		}
		t0 := float64(ev[0].T)
		dur := float64(ev[n-1].T) - t0
		r := (dur - spec.TimeWindow) / stride
		var k int
		if spec.IncludeIncomplete {
			k = int(math.Ceil(r)) + 1
		} else {
			k = int(math.Floor(r)) + 1
		}
		k = max(k, 1)
		for i := 0; i < k; i++ {
			start := float64(i)*stride + t0
			out = append(out, [2]int{searchTime(ev, start), searchTime(ev, start+spec.TimeWindow)})
		}
	case spec.EventCount > 0:
		count := min(spec.EventCount, n)
		stride := float64(spec.EventCount) - spec.Overlap
		if stride <= 0 {
			return nil, fmt.Errorf("events: event count %d with overlap %v has no stride", spec.EventCount, spec.Overlap)
		}
		r := float64(n-count) / stride
		var k int
		if spec.IncludeIncomplete {
			k = int(math.Ceil(r)) + 1
		} else {
			k = int(math.Floor(r)) + 1
		}
		for i := 0; i < k; i++ {
			start := int(float64(i) * stride)
			out = append(out, clip(start, start+count))
		}
	case spec.NTimeBins > 0:
		if spec.Overlap < 0 || spec.Overlap >= 1 {
			return nil, fmt.Errorf("events: overlap %v of time bins is not in [0, 1)", spec.Overlap)
		}
		t0 := ev[0].T
		window := float64((ev[n-1].T-t0)/int64(spec.NTimeBins)) * (1 + spec.Overlap)
		stride := window * (1 - spec.Overlap)
		for i := 0; i < spec.NTimeBins; i++ {
			start := float64(i)*stride + float64(t0)
			out = append(out, [2]int{searchTime(ev, start), searchTime(ev, start+window)})
		}
	case spec.NEventBins > 0:
		if spec.Overlap < 0 || spec.Overlap >= 1 {
			return nil, fmt.Errorf("events: overlap %v of event bins is not in [0, 1)", spec.Overlap)
		}
		count := int(float64(n/spec.NEventBins) * (1 + spec.Overlap))
		stride := int(float64(count) * (1 - spec.Overlap))
		for i := 0; i < spec.NEventBins; i++ {
			out = append(out, clip(i*stride, i*stride+count))
		}
	}
	return out, nil
}

// BinSpec is the fixed time grid recurrent SNNs are trained on (SHD,
// SSC, randman): Steps bins of Duration/Steps µs each from time 0.
type BinSpec struct {
	// Steps is the number of time bins T.
	Steps int
	// Duration in µs covered by the bins; later events are dropped.
	Duration int64
	// Binary stores 1 for a bin with any event instead of the count.
	Binary bool
}

func (b BinSpec) String() string {
	return fmt.Sprintf("steps=%d duration=%dus binary=%v", b.Steps, b.Duration, b.Binary)
}

// ToBins bins events into dst, a [Steps][s.Channels()] row-major array
// (allocated when dst is shorter), and returns it: bin k counts the events
// with k·Duration/Steps ≤ t < (k+1)·Duration/Steps (computed exactly as
// ⌊t·Steps/Duration⌋) at s.Channel(e). Events at negative times, at or
// after Duration, or outside the sensor are dropped. The grid starts at 0
// for every sample, unlike ToFrame's NTimeBins, which spans each sample's
// own first to last event.
func ToBins(ev []Event, s Sensor, spec BinSpec, dst []float32) []float32 {
	if spec.Steps <= 0 || spec.Duration <= 0 {
		panic(fmt.Sprintf("events: ToBins with %v", spec))
	}
	c := s.Channels()
	n := spec.Steps * c
	if len(dst) < n {
		dst = make([]float32, n)
	} else {
		dst = dst[:n]
		clear(dst)
	}
	for _, e := range ev {
		if e.T < 0 || e.T >= spec.Duration || !s.Contains(e) {
			continue
		}
		k := binOf(e.T, spec)
		i := k*c + s.Channel(e)
		if spec.Binary {
			dst[i] = 1
		} else {
			dst[i]++
		}
	}
	return dst
}

// binOf is ⌊t·Steps/Duration⌋ for 0 ≤ t < Duration, without overflow.
func binOf(t int64, spec BinSpec) int {
	hi, lo := bits.Mul64(uint64(t), uint64(spec.Steps))
	q, _ := bits.Div64(hi, lo, uint64(spec.Duration))
	return int(q)
}

// Rows views a [T][channels] row-major array as T rows.
func Rows(flat []float32, channels int) [][]float32 {
	rows := make([][]float32, len(flat)/channels)
	for i := range rows {
		rows[i] = flat[i*channels : (i+1)*channels : (i+1)*channels]
	}
	return rows
}

// Downsample multiplies times by timeFactor and pixel coordinates by fx
// and fy, truncating toward zero (Tonic's Downsample with time_factor and
// spatial_factor (fx, fy)); no event is dropped. The new sensor is
// ⌈W·fx⌉ × ⌈H·fy⌉ (at least 1).
func Downsample(ev []Event, s Sensor, timeFactor, fx, fy float64) ([]Event, Sensor) {
	out := make([]Event, len(ev))
	for i, e := range ev {
		e.T = int64(float64(e.T) * timeFactor)
		e.X = uint16(float64(e.X) * fx)
		e.Y = uint16(float64(e.Y) * fy)
		out[i] = e
	}
	ns := Sensor{max(1, int(math.Ceil(float64(s.Width)*fx))), max(1, int(math.Ceil(float64(s.Height)*fy))), s.Polarities}
	return out, ns
}

// DownsampleTo scales pixel coordinates from sensor s to a w × h sensor
// (Tonic's Downsample with sensor_size and target_size: factors w/W and
// h/H, truncating); times are unchanged.
func DownsampleTo(ev []Event, s Sensor, w, h int) ([]Event, Sensor) {
	out, _ := Downsample(ev, s, 1, float64(w)/float64(s.Width), float64(h)/float64(s.Height))
	return out, Sensor{w, h, s.Polarities}
}

// Denoise drops events that no other event supports, exactly as Tonic's
// Denoise(filter_time): going through the events in order, each pixel
// remembers t + filterTime of its last event (initially filterTime), and
// an event is kept when a 4-neighbour's memory is later than its time.
// The grid is sized by the largest x and y present, as in Tonic.
func Denoise(ev []Event, filterTime int64) []Event {
	if len(ev) == 0 {
		return nil
	}
	w, h := 0, 0
	for _, e := range ev {
		w, h = max(w, int(e.X)+1), max(h, int(e.Y)+1)
	}
	mem := make([]int64, w*h)
	for i := range mem {
		mem[i] = filterTime
	}
	var out []Event
	for _, e := range ev {
		x, y, t := int(e.X), int(e.Y), e.T
		mem[x*h+y] = t + filterTime
		if (x > 0 && mem[(x-1)*h+y] > t) || (x < w-1 && mem[(x+1)*h+y] > t) ||
			(y > 0 && mem[x*h+y-1] > t) || (y < h-1 && mem[x*h+y+1] > t) {
			out = append(out, e)
		}
	}
	return out
}

// TimeJitter adds Gaussian noise of standard deviation std µs drawn from
// rng to every time, truncating toward zero (Tonic's TimeJitter); with
// clipNegative it drops events whose time became negative, with sortTimes
// it sorts the result by time.
func TimeJitter(ev []Event, std float64, clipNegative, sortTimes bool, rng *rand.Rand) []Event {
	out := make([]Event, 0, len(ev))
	for _, e := range ev {
		e.T = int64(float64(e.T) + rng.NormFloat64()*std)
		if clipNegative && e.T < 0 {
			continue
		}
		out = append(out, e)
	}
	if sortTimes {
		SortByTime(out)
	}
	return out
}

// Crop keeps the events of the w × h window whose corner is (x0, y0) and
// moves them to the window's coordinates; it returns them and the w × h
// sensor.
func Crop(ev []Event, s Sensor, x0, y0, w, h int) ([]Event, Sensor) {
	var out []Event
	for _, e := range ev {
		x, y := int(e.X), int(e.Y)
		if x >= x0 && x < x0+w && y >= y0 && y < y0+h {
			e.X, e.Y = uint16(x-x0), uint16(y-y0)
			out = append(out, e)
		}
	}
	return out, Sensor{w, h, s.Polarities}
}

// RandomCrop is Tonic's RandomCrop: a w × h window at a corner drawn
// uniformly from rng (x0 = ⌊u·(W − w)⌋, likewise y0).
func RandomCrop(ev []Event, s Sensor, w, h int, rng *rand.Rand) ([]Event, Sensor) {
	if w > s.Width || h > s.Height {
		panic(fmt.Sprintf("events: crop %dx%d larger than the %v sensor", w, h, s))
	}
	x0 := int(rng.Float64() * float64(s.Width-w))
	y0 := int(rng.Float64() * float64(s.Height-h))
	return Crop(ev, s, x0, y0, w, h)
}
