package events

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
)

// synthetic is an in-memory audio dataset with a read counter.
type synthetic struct {
	samples [][]Event
	labels  []int
	reads   atomic.Int64
}

func (s *synthetic) Len() int          { return len(s.samples) }
func (s *synthetic) Classes() []string { return []string{"a", "b", "c"} }
func (s *synthetic) Sample(i int) ([]Event, int, error) {
	s.reads.Add(1)
	return s.samples[i], s.labels[i], nil
}

// makeSynthetic draws n SHD-like samples: mean spikes per sample, times in
// [0, 1 s), 700 channels.
func makeSynthetic(n, mean int, seed uint64) *synthetic {
	r := rand.New(rand.NewPCG(seed, 9))
	s := &synthetic{}
	for i := 0; i < n; i++ {
		m := mean/2 + r.IntN(mean+1)
		ev := make([]Event, m)
		for k := range ev {
			ev[k] = Event{T: int64(r.IntN(1_000_000)), X: uint16(r.IntN(AudioChannels))}
		}
		s.samples = append(s.samples, ev)
		s.labels = append(s.labels, r.IntN(3))
	}
	return s
}

func TestBinnedCache(t *testing.T) {
	ds := makeSynthetic(50, 300, 1)
	for k := 0; k < 200; k++ { // bins with counts above 1, up to 201
		ds.samples[0] = append(ds.samples[0], ds.samples[0][0], ds.samples[0][k%7])
	}
	s := Sensor{AudioChannels, 1, 1}
	spec := BinSpec{Steps: 100, Duration: 1_000_000}
	b, err := Bin(ds, s, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < ds.Len(); i++ {
		want := ToBins(ds.samples[i], s, spec, nil)
		if got := b.Sample(i, nil); !reflect.DeepEqual(got, want) || b.Label(i) != ds.labels[i] {
			t.Fatalf("sample %d differs from ToBins", i)
		}
	}
	// Batches in both layouts.
	idx := []int{4, 0, 9}
	bm := make([]float32, 3*100*700)
	tm := make([]float32, 3*100*700)
	y1, y2 := make([]int, 3), make([]int, 3)
	b.Fill(bm, y1, idx)
	b.FillTimeMajor(tm, y2, idx, nil)
	for r, i := range idx {
		one := b.Sample(i, nil)
		if y1[r] != ds.labels[i] || y2[r] != ds.labels[i] || !reflect.DeepEqual(bm[r*70000:(r+1)*70000], one) {
			t.Fatalf("Fill row %d", r)
		}
		for step := 0; step < 100; step++ {
			if !reflect.DeepEqual(tm[(step*3+r)*700:(step*3+r+1)*700], one[step*700:(step+1)*700]) {
				t.Fatalf("FillTimeMajor row %d step %d", r, step)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "shd.bins")
	before := ds.reads.Load()
	c1, err := LoadOrBin(path, "source v1", ds, s, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	built := ds.reads.Load()
	c2, err := LoadOrBin(path, "source v1", ds, s, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.reads.Load() != built || built == before {
		t.Fatalf("the second load read %d samples, the first %d", ds.reads.Load()-built, built-before)
	}
	for i := 0; i < ds.Len(); i++ {
		if !reflect.DeepEqual(c1.Sample(i, nil), c2.Sample(i, nil)) || c2.Label(i) != ds.labels[i] {
			t.Fatalf("cached sample %d differs", i)
		}
	}
	if !reflect.DeepEqual(c2.Classes(), ds.Classes()) || c2.Spec != spec || c2.Channels != 700 {
		t.Fatal("cache header")
	}
	// Another key or spec rebuilds; so does a corrupt file.
	n := ds.reads.Load()
	if _, err := LoadOrBin(path, "source v2", ds, s, spec, nil); err != nil || ds.reads.Load() == n {
		t.Fatal("a new key did not rebuild")
	}
	n = ds.reads.Load()
	spec2 := BinSpec{Steps: 50, Duration: 1_000_000, Binary: true}
	if c, err := LoadOrBin(path, "source v2", ds, s, spec2, nil); err != nil || ds.reads.Load() == n || c.Spec != spec2 {
		t.Fatal("a new spec did not rebuild")
	}
	raw, _ := os.ReadFile(path)
	raw[len(raw)/2] ^= 0xff
	os.WriteFile(path, raw, 0o644)
	n = ds.reads.Load()
	if _, err := LoadOrBin(path, "source v2", ds, s, spec2, nil); err != nil || ds.reads.Load() == n {
		t.Fatal("a corrupt cache did not rebuild")
	}
	if _, err := ReadBinned(path); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(path)
	for k := 0; k < len(raw); k += 1 + k/20 {
		if _, err := DecodeBinned(raw[:k]); err == nil {
			t.Fatalf("a prefix of %d bytes decoded", k)
		}
	}
	if _, err := ReadBinned("/dev/zero"); err == nil {
		t.Fatal("read /dev/zero")
	}
}

// The keyed binned cache of an SHD-sized synthetic set: 8,156 samples of
// 2,500 to 7,500 spikes (5,000 on average) over 700 channels in 1 s,
// binned to 100 steps. BenchmarkBinnedLoad times loading the cache;
// BenchmarkBinnedLoadDense also expands every sample to its dense
// [100][700] array; BenchmarkBinFromEvents is the baseline without a
// cache: binning the same events, already in memory.
var (
	shdSizedOnce sync.Once
	shdSized     *synthetic
)

func shdSizedSet() *synthetic {
	shdSizedOnce.Do(func() { shdSized = makeSynthetic(8156, 5000, 3) })
	return shdSized
}

var shdSpec = BinSpec{Steps: 100, Duration: 1_000_000}

func benchBinned(b *testing.B, dense bool) {
	path := filepath.Join(b.TempDir(), "shd.bins")
	ds := shdSizedSet()
	s := Sensor{AudioChannels, 1, 1}
	if _, err := LoadOrBin(path, "synthetic", ds, s, shdSpec, nil); err != nil {
		b.Fatal(err)
	}
	n := ds.reads.Load()
	buf := make([]float32, 100*AudioChannels)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := LoadOrBin(path, "synthetic", ds, s, shdSpec, nil)
		if err != nil {
			b.Fatal(err)
		}
		if dense {
			for k := 0; k < c.Len(); k++ {
				buf = c.Sample(k, buf)
			}
		}
	}
	b.StopTimer()
	st, _ := os.Stat(path)
	b.ReportMetric(float64(st.Size())/1e6, "MB-cache")
	if ds.reads.Load() != n {
		b.Fatal("a cache hit read samples")
	}
}

func BenchmarkBinnedLoad(b *testing.B)      { benchBinned(b, false) }
func BenchmarkBinnedLoadDense(b *testing.B) { benchBinned(b, true) }

func BenchmarkBinFromEvents(b *testing.B) {
	ds := shdSizedSet()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Bin(ds, Sensor{AudioChannels, 1, 1}, shdSpec, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSHDOpenBin reads an SHD-layout HDF5 file (float16 times, uint16
// units, as encodeSHD writes) of 1,000 samples of 2,500 to 7,500 spikes and
// bins every sample to 100 steps: the uncached path from the file, per
// file; ns/op divided by 1,000 is the cost per sample.
func BenchmarkSHDOpenBin(b *testing.B) {
	syn := makeSynthetic(1000, 5000, 4)
	f := shdFixture{keys: make([]string, SHDClasses)}
	for i, ev := range syn.samples {
		SortByTime(ev)
		ts := make([]float32, len(ev))
		us := make([]int64, len(ev))
		for k, e := range ev {
			ts[k], us[k] = float32(e.T)/1e6, int64(e.X)
		}
		f.times, f.units = append(f.times, ts), append(f.units, us)
		f.labels, f.speaker = append(f.labels, int64(syn.labels[i])), append(f.speaker, 0)
	}
	path := filepath.Join(b.TempDir(), "shd_synthetic.h5")
	if err := os.WriteFile(path, encodeSHD(f, 16), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := OpenSHD(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Bin(d, d.Sensor(), shdSpec, nil); err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
	b.StopTimer()
	st, _ := os.Stat(path)
	b.ReportMetric(float64(st.Size())/1e6, "MB-file")
}
