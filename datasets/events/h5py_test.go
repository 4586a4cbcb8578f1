package events

import (
	"math"
	"testing"
)

// Files written by h5py itself in SHD's and SSC's layout
// (testdata/gen_h5py.py): vlen float16 times (SHD) and gzip-chunked vlen
// float32 times (SSC), vlen uint16 units, uint8 labels, string keys.
func TestH5py(t *testing.T) {
	for _, tc := range []struct {
		file       string
		n, classes int
		half       bool
		open       func(string) (*SHD, error)
	}{
		{"h5py_shd.h5", 11, SHDClasses, true, OpenSHD},
		{"h5py_ssc.h5", 7, SSCClasses, false, OpenSSC},
	} {
		d, err := tc.open(testdata(tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if d.Len() != tc.n || d.Classes()[3] != "key-3" || len(d.Classes()) != tc.classes {
			t.Fatalf("%s: len %d classes %q", tc.file, d.Len(), d.Classes())
		}
		for i := 0; i < tc.n; i++ {
			times, units, err := d.Spikes(i)
			if err != nil {
				t.Fatal(err)
			}
			if len(times) != 3*i || d.Label(i) != i*7%tc.classes {
				t.Fatalf("%s sample %d: %d spikes, label %d", tc.file, i, len(times), d.Label(i))
			}
			if sp, ok := d.Speaker(i); !ok || sp != i%5 {
				t.Fatalf("speaker %d", sp)
			}
			for k := range times {
				// numpy computes k·0.01 + i·0.001 in float64, then rounds.
				v := float64(k)*0.01 + float64(i)*0.001
				want := float64(float32(v))
				if tc.half {
					want = float64(halfRoundF64(v))
				}
				if times[k] != want || units[k] != (k*37+i)%700 {
					t.Fatalf("%s sample %d spike %d: %v s, unit %d; want %v, %d", tc.file, i, k, times[k], units[k], want, (k*37+i)%700)
				}
			}
		}
		d.Close()
	}
}

// halfRoundF64 rounds a float64 straight to the nearest half (numpy's
// float64 → float16 cast), searching the halves around it.
func halfRoundF64(v float64) float32 {
	best, bestD := float32(0), math.Inf(1)
	for h := 0; h < 0x7c00; h++ {
		f := halfToFloatTest(uint16(h))
		if d := math.Abs(float64(f) - v); d < bestD || (d == bestD && h%2 == 0) {
			best, bestD = f, d
		}
	}
	return best
}

func halfToFloatTest(h uint16) float32 {
	exp := int(h>>10) & 0x1f
	man := float64(h & 0x3ff)
	if exp == 0 {
		return float32(man / 1024 * math.Pow(2, -14))
	}
	return float32((1 + man/1024) * math.Pow(2, float64(exp-15)))
}
