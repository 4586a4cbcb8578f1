package events

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// GestureSensor is the DVS128's sensor: 128 × 128 pixels, 2 polarities.
var GestureSensor = Sensor{128, 128, 2}

// GestureClasses are the 11 classes of DVS128 Gesture, in label order
// (the labels files number them 1 to 11; labels here are 0 to 10).
var GestureClasses = []string{
	"Hand clapping", "Right hand wave", "Left hand wave", "Right arm cw",
	"Right arm ccw", "Left arm cw", "Left arm ccw", "Arm roll", "Air drums",
	"Air guitar", "Other gestures",
}

// Segment is one labelled gesture of a recording: events with
// Start ≤ t < End (microseconds, the recording's clock) of class Class
// (0-based).
type Segment struct {
	Class      int
	Start, End int64
}

// ParseGestureLabels parses a DVS Gesture labels file (*_labels.csv): a
// header line "class,startTime_usec,endTime_usec" and one line per gesture
// with the 1-based class and its start and end in microseconds.
func ParseGestureLabels(b []byte) ([]Segment, error) {
	var segs []Segment
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		if line == 1 && strings.HasPrefix(s, "class") {
			continue
		}
		f := strings.Split(s, ",")
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: %q has %d fields, want class,startTime_usec,endTime_usec", line, s, len(f))
		}
		var v [3]int64
		for k := range f {
			x, err := strconv.ParseInt(strings.TrimSpace(f[k]), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: field %d %q is not an integer", line, k+1, f[k])
			}
			v[k] = x
		}
		if v[0] < 1 || v[0] > int64(len(GestureClasses)) {
			return nil, fmt.Errorf("line %d: class %d is outside 1 to %d", line, v[0], len(GestureClasses))
		}
		if v[1] < 0 || v[2] < v[1] {
			return nil, fmt.Errorf("line %d: segment [%d, %d) is not a time interval", line, v[1], v[2])
		}
		segs = append(segs, Segment{Class: int(v[0] - 1), Start: v[1], End: v[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %v", line+1, err)
	}
	return segs, nil
}

// Gesture is DVS128 Gesture as IBM distributes it (DvsGesture.tar.gz): a
// folder of AEDAT 3.1 recordings userNN_lighting.aedat, each with a
// userNN_lighting_labels.csv. Every labelled segment is one sample; its
// events are the recording's in [start, end), with times made relative to
// the segment's start. Open reads the labels files; Sample decodes the
// recording (keeping the last one decoded, since samples of one recording
// are consecutive).
type Gesture struct {
	files    []string
	segs     []gestureSeg
	maxBytes int64

	mu   sync.Mutex
	last int
	ev   []Event
}

type gestureSeg struct {
	file int
	Segment
}

// OpenGesture opens the AEDAT layout with the default Opener.
func OpenGesture(dir, split string) (*Gesture, error) { return Opener{}.Gesture(dir, split) }

// Gesture opens the recordings of dir listed in trials_to_<split>.txt
// (split "train" or "test", IBM's split), or every .aedat file of dir with a
// labels file when split is "".
func (o Opener) Gesture(dir, split string) (*Gesture, error) {
	var names []string
	if split != "" {
		list := filepath.Join(dir, "trials_to_"+split+".txt")
		b, err := readFile(list, 1<<20)
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, filepath.Join(dir, l))
			}
		}
	} else {
		var err error
		if names, err = filepath.Glob(filepath.Join(dir, "*.aedat")); err != nil {
			return nil, err
		}
		sort.Strings(names)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no DVS Gesture recordings (want .aedat files with _labels.csv files)", dir)
	}
	g := &Gesture{maxBytes: o.max(), last: -1}
	for fi, n := range names {
		lab := strings.TrimSuffix(n, ".aedat") + "_labels.csv"
		b, err := readFile(lab, 1<<20)
		if err != nil {
			return nil, err
		}
		segs, err := ParseGestureLabels(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", lab, err)
		}
		if _, err := statRegular(n, o.max()); err != nil {
			return nil, err
		}
		g.files = append(g.files, n)
		for _, s := range segs {
			g.segs = append(g.segs, gestureSeg{fi, s})
		}
	}
	return g, nil
}

// Len is the number of labelled segments.
func (g *Gesture) Len() int { return len(g.segs) }

// Classes are GestureClasses.
func (g *Gesture) Classes() []string { return GestureClasses }

// Sensor is 128 × 128 × 2.
func (g *Gesture) Sensor() Sensor { return GestureSensor }

// Segment is sample i's recording file and segment.
func (g *Gesture) Segment(i int) (file string, s Segment) {
	return g.files[g.segs[i].file], g.segs[i].Segment
}

// Sample reads segment i.
func (g *Gesture) Sample(i int) ([]Event, int, error) {
	checkIndex(i, len(g.segs), "DVS Gesture")
	s := g.segs[i]
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last != s.file {
		path := g.files[s.file]
		b, err := readFile(path, g.maxBytes)
		if err != nil {
			return nil, 0, err
		}
		ev, err := DecodeAEDAT3(b, GestureSensor)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %v", path, err)
		}
		SortByTime(ev)
		g.last, g.ev = s.file, ev
	}
	lo := sort.Search(len(g.ev), func(k int) bool { return g.ev[k].T >= s.Start })
	hi := sort.Search(len(g.ev), func(k int) bool { return g.ev[k].T >= s.End })
	out := make([]Event, hi-lo)
	for k, e := range g.ev[lo:hi] {
		e.T -= s.Start
		out[k] = e
	}
	return out, s.Class, nil
}

// GestureNPY is DVS Gesture in the preprocessed layout Tonic downloads
// (ibmGestureTrain, ibmGestureTest): folders userNN_lighting holding one
// <class>.npy per gesture, an N×4 array of x, y, p and t in milliseconds.
// Sample converts t to microseconds (t·1000, truncated toward zero) as
// Tonic's DVSGesture does.
type GestureNPY struct {
	files    []string
	labels   []int
	maxBytes int64
}

// OpenGestureNPY opens Tonic's layout with the default Opener.
func OpenGestureNPY(dir string) (*GestureNPY, error) { return Opener{}.GestureNPY(dir) }

// GestureNPY lists dir's user folders in name order and each folder's
// .npy files in class order.
func (o Opener) GestureNPY(dir string) (*GestureNPY, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a folder (want Tonic's ibmGestureTrain or ibmGestureTest)", dir)
	}
	users, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	g := &GestureNPY{maxBytes: o.max()}
	for _, u := range users {
		if !u.IsDir() {
			continue
		}
		names, err := filepath.Glob(filepath.Join(dir, u.Name(), "*.npy"))
		if err != nil {
			return nil, err
		}
		type item struct {
			path  string
			class int
		}
		var items []item
		for _, n := range names {
			c, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(n), ".npy"))
			if err != nil || c < 0 || c >= len(GestureClasses) {
				return nil, fmt.Errorf("%s: file name is not a class number 0 to %d", n, len(GestureClasses)-1)
			}
			items = append(items, item{n, c})
		}
		sort.Slice(items, func(a, b int) bool { return items[a].class < items[b].class })
		for _, it := range items {
			g.files = append(g.files, it.path)
			g.labels = append(g.labels, it.class)
		}
	}
	if len(g.files) == 0 {
		return nil, fmt.Errorf("%s: no .npy files in user folders", dir)
	}
	return g, nil
}

// Len is the number of gestures.
func (g *GestureNPY) Len() int { return len(g.files) }

// Classes are GestureClasses.
func (g *GestureNPY) Classes() []string { return GestureClasses }

// Sensor is 128 × 128 × 2.
func (g *GestureNPY) Sensor() Sensor { return GestureSensor }

// File is the path of gesture i.
func (g *GestureNPY) File(i int) string { return g.files[i] }

// Sample reads gesture i.
func (g *GestureNPY) Sample(i int) ([]Event, int, error) {
	checkIndex(i, len(g.files), "DVS Gesture")
	b, err := readFile(g.files[i], g.maxBytes)
	if err != nil {
		return nil, 0, err
	}
	ev, err := DecodeGestureNPY(b, GestureSensor)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", g.files[i], err)
	}
	return ev, g.labels[i], nil
}

// DecodeGestureNPY decodes one gesture of Tonic's layout: an N×4 .npy array
// of x, y, p, t (milliseconds). x, y truncate toward zero, p is 1 when
// nonzero, t becomes microseconds (t·1000, truncated). A pixel outside
// sensor (zero: unchecked) or a negative time is an error.
func DecodeGestureNPY(b []byte, sensor Sensor) ([]Event, error) {
	a, err := DecodeNPY(b)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 || a.Shape[1] != 4 {
		return nil, fmt.Errorf("array of shape %v, want N×4 (x, y, p, t)", a.Shape)
	}
	n := a.Shape[0]
	ev := make([]Event, n)
	for i := range ev {
		x, y, p, t := a.At(4*i), a.At(4*i+1), a.At(4*i+2), a.At(4*i+3)*1000
		if !(x >= 0 && x < 65536 && y >= 0 && y < 65536) {
			return nil, fmt.Errorf("event %d: pixel (%v, %v) is not a pixel", i, x, y)
		}
		if !(t >= 0 && t < 1<<62) {
			return nil, fmt.Errorf("event %d: time %v µs is not in [0, 2^62)", i, t)
		}
		e := Event{X: uint16(x), Y: uint16(y), T: int64(t)}
		if p != 0 {
			e.P = 1
		}
		if sensor.Width > 0 && !sensor.Contains(e) {
			return nil, fmt.Errorf("event %d: pixel (%d, %d) outside the %v sensor", i, e.X, e.Y, sensor)
		}
		ev[i] = e
	}
	return ev, nil
}
