package hdf5

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/fuzzopt"
)

func readTestdata(t testing.TB, name string) *Group {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	g, err := Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return g
}

// The files of testdata/gen.py, written by h5py: contiguous (NIR 1.0.7's
// nir.write) and gzip-chunked (the NIR main branch's) give the same values.
func TestReadH5py(t *testing.T) {
	for _, name := range []string{"plain.h5", "gzip.h5"} {
		t.Run(name, func(t *testing.T) {
			g := readTestdata(t, name)
			checkBasic(t, g)
		})
	}
}

func checkBasic(t *testing.T, g *Group) {
	t.Helper()
	if v := g.Datasets["version"]; v == nil || v.Type != String || len(v.Shape) != 0 || v.Str[0] != "1.0.7" {
		t.Fatalf("version = %+v", v)
	}
	node := g.Groups["node"]
	if node == nil {
		t.Fatal("no node group")
	}
	if e := node.Datasets["edges"]; e == nil || !reflect.DeepEqual(e.Shape, []int{2, 2}) || !reflect.DeepEqual(e.Str, []string{"input", "lif", "lif", "output"}) {
		t.Fatalf("edges = %+v", e)
	}
	aff := node.Groups["nodes"].Groups["aff"]
	w := aff.Datasets["weight"]
	if w.Type != Float32 || !reflect.DeepEqual(w.Shape, []int{3, 4}) {
		t.Fatalf("weight %v %v", w.Type, w.Shape)
	}
	for i, v := range w.F32 {
		if v != float32(i)/7 {
			t.Fatalf("weight[%d] = %v, want %v", i, v, float32(i)/7)
		}
	}
	if b := aff.Datasets["bias"]; !reflect.DeepEqual(b.F32, []float32{1.5, -2, 3}) {
		t.Fatalf("bias %v", b.F32)
	}
	if ty := aff.Datasets["type"]; ty.Str[0] != "Affine" {
		t.Fatalf("type %v", ty.Str)
	}
	lif := node.Groups["nodes"].Groups["lif"]
	if tau := lif.Datasets["tau"]; tau.Type != Float64 || tau.F64[0] != 1e-3 || tau.F64[1] != 2e-3 || !math.IsInf(tau.F64[2], 1) {
		t.Fatalf("tau %+v", tau)
	}
	for name, want := range map[string][]int64{"shape": {3}, "i32": {-1, 2, -3}, "u8": {1, 200}, "start_dim": {1}} {
		if d := lif.Datasets[name]; d.Type != Int64 || !reflect.DeepEqual(d.I64, want) {
			t.Errorf("%s = %+v, want %v", name, d, want)
		}
	}
	if s := lif.Datasets["start_dim"]; len(s.Shape) != 0 {
		t.Errorf("start_dim shape %v, want scalar", s.Shape)
	}
	if s := lif.Datasets["scale"]; s.Type != Float64 || s.F64[0] != 0.25 {
		t.Errorf("scale %+v", s)
	}
	if e := lif.Datasets["empty"]; !reflect.DeepEqual(e.Shape, []int{0}) || len(e.F32) != 0 {
		t.Errorf("empty %+v", e)
	}
	if s := lif.Groups["metadata"].Datasets["note"]; s.Str[0] != "héllo" {
		t.Errorf("note %q", s.Str)
	}
}

func TestReadChunksAndManyMembers(t *testing.T) {
	g := readTestdata(t, "chunks.h5")
	x := g.Datasets["x"]
	if !reflect.DeepEqual(x.Shape, []int{7, 5}) {
		t.Fatalf("shape %v", x.Shape)
	}
	for i, v := range x.F64 {
		if v != float64(i) {
			t.Fatalf("x[%d] = %v", i, v)
		}
	}
	if y := g.Datasets["y"]; !reflect.DeepEqual(y.I64, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("y %v", y.I64)
	}
	if c := g.Datasets["compact"]; c == nil || !reflect.DeepEqual(c.F32, []float32{1.5, 2.5, -3}) {
		t.Fatalf("compact %+v", c)
	}
	if s := g.Datasets["fixed"]; !reflect.DeepEqual(s.Str, []string{"ab", "cde"}) {
		t.Fatalf("fixed %q", s.Str)
	}
	m := readTestdata(t, "many.h5").Groups["g"]
	if len(m.Datasets) != 300 {
		t.Fatalf("%d members, want 300", len(m.Datasets))
	}
	for i := 0; i < 300; i++ {
		name := "d" + string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
		if d := m.Datasets[name]; d == nil || d.I64[0] != int64(i) {
			t.Fatalf("%s = %+v", name, d)
		}
	}
}

// Unsupported features are errors that name them.
func TestUnsupported(t *testing.T) {
	for name, want := range map[string]string{"latest.h5": "superblock version"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Decode(b)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, want)
		}
	}
	if _, err := Decode([]byte("not an hdf5 file at all")); err == nil {
		t.Error("garbage decoded without error")
	}
}

func sample() *Group {
	g := NewGroup()
	g.SetString("version", "1.0.7")
	n := g.Group("node")
	n.SetString("type", "NIRGraph")
	n.Datasets["edges"] = &Dataset{Shape: []int{2, 2}, Type: String, Str: []string{"a", "b", "b", "ünïcode"}}
	a := n.Group("nodes").Group("a")
	a.Datasets["w"] = &Dataset{Shape: []int{2, 3}, Type: Float32, F32: []float32{1, -2, 3.5, float32(math.Inf(-1)), 5, 6}}
	a.Datasets["tau"] = &Dataset{Shape: []int{2}, Type: Float64, F64: []float64{1e-4, math.Pi}}
	a.Datasets["stride"] = &Dataset{Shape: []int{2}, Type: Int64, I64: []int64{-1, 1 << 40}}
	a.Datasets["dim"] = &Dataset{Type: Int64, I64: []int64{3}}
	a.Datasets["empty"] = &Dataset{Shape: []int{0, 4}, Type: Float32}
	a.Datasets["s"] = &Dataset{Type: String, Str: []string{""}}
	big := n.Group("nodes").Group("big")
	for i := 0; i < 600; i++ {
		big.Datasets[strings.Repeat("x", i%7)+string(rune('A'+i%26))+string(rune('0'+i/26%10))+string(rune('a'+i/260))] = &Dataset{Type: Float64, F64: []float64{float64(i)}}
	}
	return g
}

func TestRoundTrip(t *testing.T) {
	for _, g := range []*Group{sample(), readTestdata(t, "plain.h5"), readTestdata(t, "gzip.h5"), readTestdata(t, "chunks.h5"), NewGroup()} {
		b, err := Encode(g)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !equal(g, back) {
			t.Fatalf("round trip changed the file:\n%+v\n%+v", g, back)
		}
		b2, err := Encode(back)
		if err != nil {
			t.Fatal(err)
		}
		if string(b2) != string(b) {
			t.Fatal("writing what was read gives other bytes")
		}
	}
}

func equal(a, b *Group) bool {
	if len(a.Groups) != len(b.Groups) || len(a.Datasets) != len(b.Datasets) {
		return false
	}
	for k, g := range a.Groups {
		if h, ok := b.Groups[k]; !ok || !equal(g, h) {
			return false
		}
	}
	for k, d := range a.Datasets {
		e, ok := b.Datasets[k]
		if !ok || d.Type != e.Type || width(d) != width(e) || d.Unsigned != e.Unsigned || len(d.Shape) != len(e.Shape) || d.values() != e.values() {
			return false
		}
		for i := range d.Shape {
			if d.Shape[i] != e.Shape[i] {
				return false
			}
		}
		for i := 0; i < d.values(); i++ {
			switch d.Type {
			case Float32:
				if math.Float32bits(d.F32[i]) != math.Float32bits(e.F32[i]) {
					return false
				}
			case Float64:
				if math.Float64bits(d.F64[i]) != math.Float64bits(e.F64[i]) {
					return false
				}
			case Int64:
				if d.I64[i] != e.I64[i] {
					return false
				}
			case String:
				if d.Str[i] != e.Str[i] {
					return false
				}
			case Sequence:
				x, err1 := d.Seq.At(i)
				y, err2 := e.Seq.At(i)
				if err1 != nil || err2 != nil || !equal(&Group{Datasets: map[string]*Dataset{"v": x}}, &Group{Datasets: map[string]*Dataset{"v": y}}) {
					return false
				}
			}
		}
	}
	return true
}

func TestEncodeErrors(t *testing.T) {
	for _, g := range []*Group{
		{Datasets: map[string]*Dataset{"x": {Shape: []int{3}, Type: Float32, F32: []float32{1}}}},
		{Datasets: map[string]*Dataset{"a/b": {Type: Int64, I64: []int64{1}}}},
		{Datasets: map[string]*Dataset{"x": {Shape: []int{-1}, Type: Int64}}},
	} {
		if _, err := Encode(g); err == nil {
			t.Errorf("Encode(%+v) succeeded", g.Datasets)
		}
	}
}

// Every truncation of a valid file is an error, never a panic.
func TestTruncated(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "gzip.h5"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n += 1 + n/50 {
		if _, err := Decode(b[:n]); err == nil {
			// A prefix can only be valid if it holds everything read.
			t.Logf("prefix of %d bytes decodes", n)
		}
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"plain.h5", "gzip.h5", "chunks.h5"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	if b, err := Encode(sequenceSample()); err == nil {
		f.Add(b)
	}
	small := sample()
	delete(small.Groups["node"].Groups["nodes"].Groups, "big")
	if b, err := Encode(small); err == nil {
		f.Add(b)
	}
	// Crafted: shapes that wrap or exceed the file, groups shared 2^40
	// times over.
	f.Add(craftedShape(f, 1<<24, 1<<40))
	f.Add(craftedShape(f, 0, 5))
	f.Add(craftedEmpty(f, 1<<24, 1<<10))
	f.Add(craftedShared(f, 40))
	// Keep each input's work small: mutated shapes of fill-value or
	// compressed data would otherwise decode megabytes of zeros.
	defer func(e, f int64) { expansion, floor = e, f }(expansion, floor)
	expansion, floor = 4, 1<<12
	// Inputs are kilobytes: bound Go's quadratic minimization of each.
	fuzzopt.BoundMinimization(100)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Decode(b)
		if err != nil {
			return
		}
		// What was read writes and reads back the same (skipped for large
		// fill-value datasets, which are slow to write).
		if total(g) > 1<<16 {
			return
		}
		out, err := Encode(g)
		if err != nil {
			return // e.g. a name with a slash cannot be written
		}
		back, err := Decode(out)
		if err != nil {
			t.Fatalf("re-reading a written file: %v", err)
		}
		if !equal(g, back) {
			t.Fatal("round trip of a fuzzed file changed it")
		}
	})
}

func total(g *Group) int {
	n := 0
	for _, s := range g.Groups {
		n += total(s)
	}
	for _, d := range g.Datasets {
		n += d.values()
	}
	return n
}

// width is the stored width of d's numbers, Encode's default for 0.
func width(d *Dataset) int {
	if d.Bits == 0 {
		switch d.Type {
		case Float32:
			return 32
		case Float64, Int64:
			return 64
		}
	}
	return d.Bits
}
