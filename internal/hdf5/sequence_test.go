package hdf5

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// Half floats written by h5py (testdata/float16.h5: np.arange(3,
// dtype=np.float16)) read as float32.
func TestFloat16H5py(t *testing.T) {
	x := readTestdata(t, "float16.h5").Datasets["x"]
	if x.Type != Float32 || x.Bits != 16 || !reflect.DeepEqual(x.F32, []float32{0, 1, 2}) {
		t.Fatalf("x = %+v", x)
	}
}

// Every half float converts to float32 and back unchanged, and the
// conversion to half rounds to the nearest half (ties to even), checked
// against a search over the neighbouring halves.
func TestHalf(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := halfToFloat(uint16(h))
		if f != f {
			if g := halfToFloat(floatToHalf(f)); g == g {
				t.Fatalf("NaN %#04x came back as %v", h, g)
			}
			continue
		}
		if back := floatToHalf(f); back != uint16(h) {
			t.Fatalf("half %#04x -> %v -> %#04x", h, f, back)
		}
	}
	for _, f := range []float32{0.1, 1.0 / 3, 1.4, 65504, 65519, 65520, 1e-5, 6e-8, 2.9e-8, 3e-8, -0.7, 1e9, 1 + 1.0/2048, 1 + 3.0/2048} {
		got := halfToFloat(floatToHalf(f))
		// Naive reference: the nearest of all finite halves (ties to even).
		best, bestD := uint16(0), math.Inf(1)
		for h := 0; h < 0x7c00; h++ {
			v := float64(halfToFloat(uint16(h)))
			d := math.Abs(v - math.Abs(float64(f)))
			if d < bestD || (d == bestD && h%2 == 0) {
				best, bestD = uint16(h), d
			}
		}
		want := float64(halfToFloat(best))
		if math.Abs(float64(f)) >= 65520 {
			want = math.Inf(1)
		}
		if f < 0 {
			want = -want
		}
		if float64(got) != want {
			t.Errorf("half(%v) = %v, want %v", f, got, want)
		}
	}
}

func sequenceSample() *Group {
	g := NewGroup()
	s := g.Group("spikes")
	var times, units []*Dataset
	for i := 0; i < 7; i++ {
		var tv []float32
		var uv []int64
		for k := 0; k < i*3; k++ {
			tv = append(tv, float32(k)*0.125+float32(i))
			uv = append(uv, int64((k*37+i)%700))
		}
		times = append(times, &Dataset{Shape: []int{len(tv)}, Type: Float32, Bits: 16, F32: tv})
		units = append(units, &Dataset{Shape: []int{len(uv)}, Type: Int64, Bits: 16, Unsigned: true, I64: uv})
	}
	s.Datasets["times"] = &Dataset{Shape: []int{7}, Type: Sequence, Seq: NewSequences(times)}
	s.Datasets["units"] = &Dataset{Shape: []int{7}, Type: Sequence, Seq: NewSequences(units)}
	g.Datasets["labels"] = &Dataset{Shape: []int{7}, Type: Int64, Bits: 8, Unsigned: true, I64: []int64{0, 1, 2, 3, 4, 5, 19}}
	return g
}

// Sequences of half floats and 16-bit unsigned integers (SHD's layout)
// round-trip, element by element, with empty elements.
func TestSequences(t *testing.T) {
	g := sequenceSample()
	b, err := Encode(g)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(g, back) {
		t.Fatal("sequences changed in a round trip")
	}
	ts := back.Groups["spikes"].Datasets["times"]
	if ts.Type != Sequence || ts.Seq.Len() != 7 || ts.Seq.ElemLen(6) != 18 {
		t.Fatalf("times: %+v", ts)
	}
	if typ, bits := ts.Seq.ElemType(); typ != Float32 || bits != 16 {
		t.Fatalf("element type %v/%d", typ, bits)
	}
	e, err := ts.Seq.At(2)
	if err != nil || !reflect.DeepEqual(e.F32, []float32{2, 2.125, 2.25, 2.375, 2.5, 2.625}) {
		t.Fatalf("times[2] = %+v, %v", e, err)
	}
	// A reference into garbage is an error, not a panic.
	bad := append([]byte(nil), b...)
	for i := 0; i+4 <= len(bad); i++ {
		if string(bad[i:i+4]) == "GCOL" {
			copy(bad[i:], "XXXX")
		}
	}
	back, err = Decode(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Groups["spikes"].Datasets["times"].Seq.At(3); err == nil || !strings.Contains(err.Error(), "global heap") {
		t.Fatalf("corrupt heap: %v", err)
	}
}

// Two sequences of one file read from several goroutines at once share the
// file's heap index safely (run with -race).
func TestSequencesConcurrent(t *testing.T) {
	b, err := Encode(sequenceSample())
	if err != nil {
		t.Fatal(err)
	}
	g, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	sp := g.Groups["spikes"]
	done := make(chan bool)
	for w := 0; w < 4; w++ {
		go func(w int) {
			seq := sp.Datasets[[]string{"times", "units"}[w%2]].Seq
			for k := 0; k < 200; k++ {
				if _, err := seq.At((k + w) % seq.Len()); err != nil {
					t.Error(err)
				}
			}
			done <- true
		}(w)
	}
	for w := 0; w < 4; w++ {
		<-done
	}
}
