package events

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/braingo/braingo/internal/hdf5"
)

// The fixtures of testdata are written by the helpers below; the tests
// check that the committed files are exactly what the helpers write and
// read them back event for event. go test -run TestFixtures -update
// rewrites them.
var update = flag.Bool("update", false, "rewrite the testdata fixtures")

// shdFixture is a small SHD-like set: per sample times (s) and units.
type shdFixture struct {
	times   [][]float32 // as stored (float16-representable)
	units   [][]int64
	labels  []int64
	speaker []int64
	keys    []string
}

func makeSHD(classes, n int, seed uint64) shdFixture {
	r := rand.New(rand.NewPCG(seed, 1))
	f := shdFixture{}
	for i := 0; i < classes; i++ {
		f.keys = append(f.keys, fmt.Sprintf("class-%02d", i))
	}
	for i := 0; i < n; i++ {
		m := r.IntN(30)
		if i == 2 {
			m = 0 // an empty sample
		}
		var ts []float32
		var us []int64
		t := 0.0
		for k := 0; k < m; k++ {
			t += r.Float64() * 0.05
			ts = append(ts, halfRound(float32(t)))
			us = append(us, int64(r.IntN(AudioChannels)))
		}
		if i == 1 && m > 0 {
			us[0] = AudioChannels - 1
		}
		f.times = append(f.times, ts)
		f.units = append(f.units, us)
		f.labels = append(f.labels, int64(r.IntN(classes)))
		f.speaker = append(f.speaker, int64(r.IntN(12)))
	}
	return f
}

// halfRound rounds to float16 through the hdf5 package's writer and reader.
func halfRound(v float32) float32 {
	g := hdf5.NewGroup()
	g.Datasets["x"] = &hdf5.Dataset{Shape: []int{1}, Type: hdf5.Float32, Bits: 16, F32: []float32{v}}
	b, err := hdf5.Encode(g)
	if err != nil {
		panic(err)
	}
	back, err := hdf5.Decode(b)
	if err != nil {
		panic(err)
	}
	return back.Datasets["x"].F32[0]
}

// encodeSHD writes the fixture in SHD's layout: vlen float16 times, vlen
// uint16 units, uint8 labels, extra/keys strings, extra/speaker uint16.
func encodeSHD(f shdFixture, timeBits int) []byte {
	g := hdf5.NewGroup()
	sp := g.Group("spikes")
	var ts, us []*hdf5.Dataset
	for i := range f.times {
		ts = append(ts, &hdf5.Dataset{Shape: []int{len(f.times[i])}, Type: hdf5.Float32, Bits: timeBits, F32: f.times[i]})
		us = append(us, &hdf5.Dataset{Shape: []int{len(f.units[i])}, Type: hdf5.Int64, Bits: 16, Unsigned: true, I64: f.units[i]})
	}
	n := len(f.times)
	sp.Datasets["times"] = &hdf5.Dataset{Shape: []int{n}, Type: hdf5.Sequence, Seq: hdf5.NewSequences(ts)}
	sp.Datasets["units"] = &hdf5.Dataset{Shape: []int{n}, Type: hdf5.Sequence, Seq: hdf5.NewSequences(us)}
	g.Datasets["labels"] = &hdf5.Dataset{Shape: []int{n}, Type: hdf5.Int64, Bits: 8, Unsigned: true, I64: f.labels}
	ex := g.Group("extra")
	ex.Datasets["keys"] = &hdf5.Dataset{Shape: []int{len(f.keys)}, Type: hdf5.String, Str: f.keys}
	ex.Datasets["speaker"] = &hdf5.Dataset{Shape: []int{n}, Type: hdf5.Int64, Bits: 16, Unsigned: true, I64: f.speaker}
	b, err := hdf5.Encode(g)
	if err != nil {
		panic(err)
	}
	return b
}

func (f shdFixture) events(i int) []Event {
	var ev []Event
	for k, t := range f.times[i] {
		ev = append(ev, Event{T: int64(float64(t) * 1e6), X: uint16(f.units[i][k])})
	}
	return ev
}

// nmnistFixture: events in 5-byte records with overflow markers.
func makeNMNIST(n int, seed uint64) []Event {
	r := rand.New(rand.NewPCG(seed, 2))
	var ev []Event
	t := int64(0)
	for k := 0; k < n; k++ {
		t += int64(r.IntN(3000))
		ev = append(ev, Event{T: t, X: uint16(r.IntN(34)), Y: uint16(r.IntN(34)), P: uint8(r.IntN(2))})
	}
	return ev
}

// encodeNMNIST writes events with a y = 240 overflow marker each time the
// time passes a multiple of 2^13 µs past the 23-bit field... as the
// camera does: the field holds t − 2^13·(markers so far).
func encodeNMNIST(ev []Event) []byte {
	var b []byte
	markers := int64(0)
	for _, e := range ev {
		for e.T-markers<<13 >= 1<<23 || (e.T>>13 > markers && e.T%5 == 0) {
			b = append(b, 0, 240, 0, 0, 0)
			markers++
		}
		ts := e.T - markers<<13
		b = append(b, byte(e.X), byte(e.Y), e.P<<7|byte(ts>>16&0x7f), byte(ts>>8), byte(ts))
	}
	return b
}

// aedatFixture: a recording with special-event packets, invalid events and
// a timestamp overflow, plus its labels.
func makeAEDAT(seed uint64) (file []byte, valid []Event, segs []Segment) {
	file, valid, segs, _ = makeAEDATRecords(seed)
	return
}

// makeAEDATRecords also returns every 8-byte record of the file, as Tonic's
// read_dvs_ibm reads them: special and invalid ones included, with the
// timestamp field alone (no overflow).
func makeAEDATRecords(seed uint64) (file []byte, valid []Event, segs []Segment, records []Event) {
	r := rand.New(rand.NewPCG(seed, 3))
	var b bytes.Buffer
	b.WriteString("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#Start-Time: 2017-04-21 10:11:12 (TZ+0200)\r\n#!END-HEADER\r\n")
	packet := func(typ uint16, size, capacity int, overflow int32, events []byte) {
		h := make([]byte, 28)
		binary.LittleEndian.PutUint16(h[0:], typ)
		binary.LittleEndian.PutUint16(h[2:], 1)
		binary.LittleEndian.PutUint32(h[4:], uint32(size))
		binary.LittleEndian.PutUint32(h[8:], 4)
		binary.LittleEndian.PutUint32(h[12:], uint32(overflow))
		binary.LittleEndian.PutUint32(h[16:], uint32(capacity))
		binary.LittleEndian.PutUint32(h[20:], uint32(capacity))
		binary.LittleEndian.PutUint32(h[24:], uint32(capacity))
		b.Write(h)
		b.Write(events)
	}
	// A special event (timestamp reset) packet first.
	packet(0, 8, 1, 0, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	records = append(records, Event{})
	t := int64(1<<31 - 40000)
	for p := 0; p < 4; p++ {
		var data []byte
		overflow := int32(t >> 31)
		m := 5 + r.IntN(20)
		for k := 0; k < m && t>>31 == int64(overflow); k++ {
			e := Event{T: t, X: uint16(r.IntN(128)), Y: uint16(r.IntN(128)), P: uint8(r.IntN(2))}
			w := uint32(e.X)<<17 | uint32(e.Y)<<2 | uint32(e.P)<<1 | 1
			if k == 3 {
				w &^= 1 // invalid: skipped
			} else {
				valid = append(valid, e)
			}
			rec := e
			rec.T = t & 0x7fffffff
			records = append(records, rec)
			data = binary.LittleEndian.AppendUint32(data, w)
			data = binary.LittleEndian.AppendUint32(data, uint32(t&0x7fffffff))
			t += int64(r.IntN(6000))
		}
		packet(1, 8, len(data)/8, overflow, data)
	}
	segs = []Segment{
		{Class: 0, Start: valid[2].T, End: valid[10].T},
		{Class: 10, Start: valid[10].T, End: valid[len(valid)-1].T + 1},
	}
	return b.Bytes(), valid, segs, records
}

func labelsCSV(segs []Segment) []byte {
	var b bytes.Buffer
	b.WriteString("class,startTime_usec,endTime_usec\r\n")
	for _, s := range segs {
		fmt.Fprintf(&b, "%d,%d,%d\r\n", s.Class+1, s.Start, s.End)
	}
	return b.Bytes()
}

// encodeNPY writes rows of float64 values as a .npy file (version 1).
func encodeNPY(rows [][4]float64) []byte {
	h := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, 4), }", len(rows))
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	b = append(b, h...)
	for _, r := range rows {
		for _, v := range r {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

func makeNPYGesture(seed uint64) ([][4]float64, []Event) {
	r := rand.New(rand.NewPCG(seed, 4))
	var rows [][4]float64
	var ev []Event
	t := 0.0
	for k := 0; k < 40; k++ {
		t += float64(r.IntN(4000)) / 1000 // ms, on a µs grid
		row := [4]float64{float64(r.IntN(128)), float64(r.IntN(128)), float64(r.IntN(2)), t}
		rows = append(rows, row)
		ev = append(ev, Event{X: uint16(row[0]), Y: uint16(row[1]), P: uint8(row[2]), T: int64(row[3] * 1000)})
	}
	return rows, ev
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// fixtureFiles lists every testdata file and its contents.
func fixtureFiles() map[string][]byte {
	files := map[string][]byte{}
	shd := makeSHD(SHDClasses, 12, 1)
	files["shd_test.h5"] = encodeSHD(shd, 16)
	files["shd_train.h5.gz"] = gz(encodeSHD(makeSHD(SHDClasses, 9, 2), 16))
	files["ssc_valid.h5"] = encodeSHD(makeSHD(SSCClasses, 5, 3), 32)
	for i, digit := range []int{0, 0, 3, 9} {
		ev := makeNMNIST(60+20*i, uint64(10+i))
		files[filepath.Join("nmnist", "Test", fmt.Sprint(digit), fmt.Sprintf("%05d.bin", i))] = encodeNMNIST(ev)
	}
	for u, user := range []string{"user01_fluorescent", "user02_led"} {
		file, _, segs := makeAEDAT(uint64(20 + u))
		files[filepath.Join("gesture", user+".aedat")] = file
		files[filepath.Join("gesture", user+"_labels.csv")] = labelsCSV(segs)
	}
	files[filepath.Join("gesture", "trials_to_train.txt")] = []byte("user01_fluorescent.aedat\n")
	files[filepath.Join("gesture", "trials_to_test.txt")] = []byte("user02_led.aedat\n")
	for k, p := range []string{"user01_fluorescent/0.npy", "user01_fluorescent/3.npy", "user02_led/10.npy"} {
		rows, _ := makeNPYGesture(uint64(30 + k))
		files[filepath.Join("gesture_npy", p)] = encodeNPY(rows)
	}
	return files
}

func TestFixtures(t *testing.T) {
	for name, want := range fixtureFiles() {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -run TestFixtures -update writes the fixtures)", err)
		}
		if name == "shd_train.h5.gz" {
			// gzip output may change between Go releases: compare content.
			got, want = gunzip(t, got), gunzip(t, want)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what its helper writes (go test -run TestFixtures -update)", path)
		}
		if len(want) > 50<<10 {
			t.Errorf("%s: fixture of %d bytes, keep them under 50 KB", path, len(want))
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func testdata(parts ...string) string {
	return filepath.Join(append([]string{"testdata"}, parts...)...)
}
