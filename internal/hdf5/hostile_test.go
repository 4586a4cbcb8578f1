package hdf5

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/braingo/braingo/internal/craft"
)

// Crafted files: what a hostile or corrupt file may declare. Each helper
// writes a valid file with Encode and patches it; they seed FuzzRead too.

func encodeTB(t testing.TB, g *Group) []byte {
	t.Helper()
	b, err := Encode(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// craftedShape is a file whose dataset "w" (written as 3 × 5 float32)
// declares the shape dims.
func craftedShape(t testing.TB, dims ...uint64) []byte {
	g := NewGroup()
	g.Datasets["w"] = &Dataset{Shape: []int{3, 5}, Type: Float32, F32: make([]float32, 15)}
	return craft.ReplaceOnce(t, encodeTB(t, g), craft.Dataspace(3, 5), craft.Dataspace(dims...))
}

// craftedEmpty is a file whose dataset "w" of shape dims was never
// written (its data reads as zeros).
func craftedEmpty(t testing.TB, dims ...uint64) []byte {
	g := NewGroup()
	g.Datasets["w"] = &Dataset{Shape: []int{3, 0}, Type: Float64}
	return craft.ReplaceOnce(t, encodeTB(t, g), craft.Dataspace(3, 0), craft.Dataspace(dims...))
}

// craftedShared is a chain of depth groups g/a/a/.../a in which each
// group's second member "b" is patched to be the same object as "a": a
// tree of 2^depth paths over depth objects.
func craftedShared(t testing.TB, depth int) []byte {
	root := NewGroup()
	g := root
	for range depth {
		g.Group("b")
		g = g.Group("a")
	}
	b := encodeTB(t, root)
	// Symbol table nodes: "SNOD", version, reserved, count, then entries
	// of link-name offset (8), object header address (8), cache type (4),
	// reserved (4), scratch (16).
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte("SNOD"))
		if i < 0 {
			break
		}
		p := off + i
		if binary.LittleEndian.Uint16(b[p+6:]) == 2 {
			e0, e1 := p+8, p+8+40
			copy(b[e1+8:e1+16], b[e0+8:e0+16])
		}
		off = p + 4
	}
	return b
}

func TestCraftedShapes(t *testing.T) {
	cases := map[string]struct {
		b    []byte
		want string
	}{
		// 2^24 · 2^40 is 0 in 64 bits.
		"wrapping shape": {craftedShape(t, 1<<24, 1<<40), "too large"},
		"wrapping bytes": {craftedShape(t, 1<<31, 1<<31), "too large"},
		"2^40 x 2^40":    {craftedShape(t, 1<<40, 1<<40), "too large"},
		"over the file":  {craftedShape(t, 1<<20, 1<<10), "larger than the file could hold"},
		"huge zeros":     {craftedEmpty(t, 1<<24, 1<<10), "larger than the file could hold"},
	}
	for name, c := range cases {
		_, err := Decode(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "/w") {
			t.Errorf("%s: error %v, want one naming /w and containing %q", name, err, c.want)
		}
	}
	// An empty dataset of a zero dimension is fine.
	g, err := Decode(craftedShape(t, 0, 5))
	if err != nil || g.Datasets["w"].Len() != 0 {
		t.Fatalf("shape [0 5]: %v", err)
	}
}

// A file whose groups share members many times over is refused at once
// instead of being walked 2^40 times.
func TestCraftedSharedObjects(t *testing.T) {
	// A few levels read (the structure is a tree of paths: legal).
	if g, err := Decode(craftedShared(t, 3)); err != nil || g.Groups["a"].Groups["b"].Groups["a"] == nil {
		t.Fatalf("depth 3: %v", err)
	}
	b := craftedShared(t, 40)
	start := time.Now()
	_, err := Decode(b)
	if err == nil || !strings.Contains(err.Error(), "too many times") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusing took %v", d)
	}
}

func TestDecodeLimit(t *testing.T) {
	b := craftedEmpty(t, 1000, 100) // 800 kB of zeros from a small file
	if _, err := Decode(b); err != nil {
		t.Fatalf("under the default bound: %v", err)
	}
	if _, err := DecodeLimit(b, 1<<16); err == nil || !strings.Contains(err.Error(), "larger than the file could hold") {
		t.Fatalf("DecodeLimit 64 KiB: %v", err)
	}
}

func TestLenOverflow(t *testing.T) {
	for _, c := range []struct {
		shape []int
		want  int
	}{{nil, 1}, {[]int{2, 3}, 6}, {[]int{0, 784}, 0}, {[]int{math.MaxInt/2 + 1, 2}, -1}, {[]int{-1, -1}, -1}, {[]int{math.MaxInt, 2}, -1}} {
		if got := (&Dataset{Shape: c.shape}).Len(); got != c.want {
			t.Errorf("Len of %v = %d, want %d", c.shape, got, c.want)
		}
	}
	g := NewGroup()
	g.Datasets["x"] = &Dataset{Shape: []int{math.MaxInt/2 + 1, 2}, Type: Float32}
	if _, err := Encode(g); err == nil || !strings.Contains(err.Error(), "more elements") {
		t.Errorf("Encode of a wrapping shape: %v", err)
	}
}
