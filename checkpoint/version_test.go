package checkpoint

import (
	"encoding/binary"
	"flag"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.bgc (only while Version is 1)")

// v1 is the content of testdata/v1.bgc, a file of format version 1 kept
// on disk so that every later braingo keeps reading it.
func v1() *Checkpoint {
	c := &Checkpoint{Meta: []byte(`{"format":"test/1","epoch":3}`)}
	c.Add("w", []int{2, 3}, []float32{1, -2, 3.5, 0, 1e-8, -1e30})
	c.Add("b", []int{3}, []float32{0.25, 0.5, 0.75})
	c.Add("empty", []int{0}, []float32{})
	return c
}

func TestReadsVersion1File(t *testing.T) {
	path := filepath.Join("testdata", "v1.bgc")
	if *update {
		if Version != 1 {
			t.Fatal("testdata/v1.bgc must stay a version-1 file")
		}
		if err := Save(path, v1()); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("a version-1 checkpoint no longer loads: %v", err)
	}
	want := v1()
	if string(c.Meta) != string(want.Meta) || len(c.Arrays) != len(want.Arrays) {
		t.Fatalf("meta %s, %d arrays", c.Meta, len(c.Arrays))
	}
	// By name: the file keeps the order it was written in (w, b, empty;
	// Encode now sorts by name).
	for _, a := range want.Arrays {
		got, ok := c.Get(a.Name)
		if !ok || !slices.Equal(got.Shape, a.Shape) || !slices.Equal(got.Data, a.Data) {
			t.Errorf("array %s: %+v, want %+v", a.Name, got, a)
		}
	}
}

// A file of another format version is refused with the reason: older ones
// than any braingo wrote, newer ones than this braingo reads.
func TestOtherVersionsSayWhy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "v1.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[uint32]string{0: "version 0", 2: "newer than this braingo reads", 9: "upgrade braingo"} {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(c[8:], v)
		binary.LittleEndian.PutUint32(c[len(c)-4:], crc32.Checksum(c[:len(c)-4], castagnoli))
		_, err := Decode(c)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("version %d: error %v, want one containing %q", v, err, want)
		}
	}
}
