package events

import (
	"os"
	"testing"
)

func seedFiles(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(testdata(n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// Readers never panic and allocate in proportion to their input: each
// decoder bounds what it allocates by the input's size before allocating.

func FuzzSHD(f *testing.F) {
	// Inputs are 12 to 16 KB HDF5 files: the fuzzer's minimization of each
	// new interesting input (60 s by default) then dominates, so run this
	// one with -fuzzminimizetime 1s (about 2,000 execs/s on 2 busy cores).
	seedFiles(f, "shd_test.h5", "ssc_valid.h5", "h5py_shd.h5", "h5py_ssc.h5")
	f.Fuzz(func(t *testing.T, b []byte) {
		// Decoded HDF5 data is bounded by 4 times the input (the default
		// allows 1100 times, for deflated datasets of real files).
		d, err := decodeHeidelberg(b, SHDClasses, 4*int64(len(b))+4096)
		if err != nil {
			return
		}
		for i := 0; i < d.Len() && i < 64; i++ {
			ev, label, err := d.Sample(i)
			if err != nil {
				continue
			}
			if label < 0 || label >= SHDClasses {
				t.Fatalf("label %d", label)
			}
			for _, e := range ev {
				if !d.Sensor().Contains(e) || e.T < 0 {
					t.Fatalf("event %+v outside the sensor", e)
				}
			}
		}
	})
}

func FuzzNMNIST(f *testing.F) {
	seedFiles(f, "nmnist/Test/0/00000.bin", "nmnist/Test/3/00002.bin")
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeNMNIST(b, NMNISTSensor)
		if err != nil {
			return
		}
		if len(ev) > len(b)/5 {
			t.Fatalf("%d events from %d bytes", len(ev), len(b))
		}
		for _, e := range ev {
			if !NMNISTSensor.Contains(e) || e.T < 0 {
				t.Fatalf("event %+v", e)
			}
		}
	})
}

func FuzzAEDAT3(f *testing.F) {
	seedFiles(f, "gesture/user01_fluorescent.aedat", "gesture/user02_led.aedat")
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeAEDAT3(b, GestureSensor)
		if err != nil {
			return
		}
		if len(ev) > len(b)/8 {
			t.Fatalf("%d events from %d bytes", len(ev), len(b))
		}
		for _, e := range ev {
			if !GestureSensor.Contains(e) || e.T < 0 {
				t.Fatalf("event %+v", e)
			}
		}
	})
}

func FuzzGestureLabels(f *testing.F) {
	seedFiles(f, "gesture/user01_fluorescent_labels.csv", "gesture/user02_led_labels.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		segs, err := ParseGestureLabels(b)
		if err != nil {
			return
		}
		for _, s := range segs {
			if s.Class < 0 || s.Class >= len(GestureClasses) || s.End < s.Start || s.Start < 0 {
				t.Fatalf("segment %+v", s)
			}
		}
	})
}

func FuzzGestureNPY(f *testing.F) {
	seedFiles(f, "gesture_npy/user01_fluorescent/0.npy", "gesture_npy/user02_led/10.npy")
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeGestureNPY(b, GestureSensor)
		if err != nil {
			return
		}
		if len(ev) > len(b) {
			t.Fatalf("%d events from %d bytes", len(ev), len(b))
		}
		for _, e := range ev {
			if !GestureSensor.Contains(e) || e.T < 0 {
				t.Fatalf("event %+v", e)
			}
		}
	})
}

func FuzzBinned(f *testing.F) {
	ds := makeSynthetic(4, 30, 2)
	b, err := Bin(ds, Sensor{AudioChannels, 1, 1}, BinSpec{Steps: 10, Duration: 1_000_000}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(EncodeBinned(b, "seed"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bn, err := decodeBinned(data, nil, false)
		if err != nil {
			return
		}
		for i := 0; i < bn.Len() && i < 8; i++ {
			if bn.Spec.Steps*bn.Channels <= 1<<16 {
				bn.Sample(i, nil)
			}
		}
	})
}
