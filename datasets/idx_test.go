package datasets

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/fuzzopt"
)

func idxBytes(t testing.TB, dims []int, data []uint8) []byte {
	var b bytes.Buffer
	if err := EncodeIDX(&b, dims, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestIDXRoundTrip(t *testing.T) {
	data := []uint8{1, 2, 3, 4, 5, 6}
	raw := idxBytes(t, []int{2, 3}, data)
	for name, b := range map[string][]byte{"raw": raw, "gzip": gz(raw)} {
		m, err := DecodeIDX(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m.Type != 0x08 || len(m.Dims) != 2 || m.Dims[0] != 2 || m.Dims[1] != 3 || !bytes.Equal(m.Data, data) {
			t.Fatalf("%s: decoded %+v", name, m)
		}
	}
}

func TestIDXOtherTypes(t *testing.T) {
	// int16 big-endian values -2 and 300, float32 1.5
	b := []byte{0, 0, 0x0B, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x2c}
	m, err := DecodeIDX(bytes.NewReader(b))
	if err != nil || m.Values[0] != -2 || m.Values[1] != 300 {
		t.Fatalf("int16: %+v %v", m, err)
	}
	b = []byte{0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0}
	if m, err = DecodeIDX(bytes.NewReader(b)); err != nil || m.Values[0] != 1.5 {
		t.Fatalf("float32: %+v %v", m, err)
	}
}

func TestIDXRejectsBadInput(t *testing.T) {
	good := idxBytes(t, []int{2, 3}, []uint8{1, 2, 3, 4, 5, 6})
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":          {nil, "header truncated"},
		"bad magic":      {append([]byte{1, 0}, good[2:]...), "magic number"},
		"unknown type":   {append([]byte{0, 0, 0x07}, good[3:]...), "unknown element type"},
		"zero dims":      {[]byte{0, 0, 8, 0}, "zero dimensions"},
		"dims truncated": {good[:6], "dimension 1 of 2 truncated"},
		"data truncated": {good[:len(good)-2], "truncated"},
		"trailing data":  {append(append([]byte{}, good...), 9), "trailing data"},
		"huge dims":      {[]byte{0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "declare more than"},
		"gzip truncated": {gz(good)[:20], "truncated"},
		"gzip corrupt":   {[]byte{0x1f, 0x8b, 1, 2, 3}, "gzip"},
	}
	for name, c := range cases {
		_, err := DecodeIDX(bytes.NewReader(c.b))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

func TestReadIDXNamesFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x-idx3-ubyte")
	good := idxBytes(t, []int{2, 3}, []uint8{1, 2, 3, 4, 5, 6})
	os.WriteFile(p, good[:len(good)-1], 0o644)
	_, err := ReadIDX(p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "file holds 5") {
		t.Fatalf("error %v should name %s and the size mismatch", err, p)
	}
}

func FuzzDecodeIDX(f *testing.F) {
	f.Add(idxBytes(f, []int{2, 3}, []uint8{1, 2, 3, 4, 5, 6}))
	f.Add(gz(idxBytes(f, []int{1, 2, 2}, []uint8{1, 2, 3, 4})))
	f.Add([]byte{0, 0, 0x0E, 1, 0, 0, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})
	// Crafted: a gigabyte declared over five bytes, raw and compressed;
	// dimensions whose product wraps.
	lie := craftedIDX([]byte{1, 2, 3, 4, 5}, 1<<15, 1<<15)
	f.Add(lie)
	f.Add(gz(lie))
	f.Add(craftedIDX(nil, 1<<31, 1<<31, 1<<31, 1<<31))
	if seeds, _ := filepath.Glob("testdata/*-ubyte*"); len(seeds) > 0 {
		for _, s := range seeds {
			b, _ := os.ReadFile(s)
			f.Add(b)
		}
	}
	// Each input may decode at most 1 MiB (a short gzip stream can
	// inflate to the full gigabyte).
	defer func(l int) { idxLimit = l }(idxLimit)
	idxLimit = 1 << 20
	// Bound Go's quadratic minimization of each new input (see fuzzopt).
	fuzzopt.BoundMinimization(100)
	f.Fuzz(func(t *testing.T, b []byte) {
		// As a stream (DecodeIDX), and as a file of known size (ReadIDX's
		// path, where a gzip trailer that agrees with the header lets the
		// payload be allocated at once).
		for _, size := range []int64{-1, int64(len(b))} {
			m, err := decodeIDX(bytes.NewReader(b), size)
			if err != nil {
				continue
			}
			n := 1
			for _, d := range m.Dims {
				n *= d
			}
			if m.Type == 0x08 && len(m.Data) != n || m.Type != 0x08 && len(m.Values) != n {
				t.Fatalf("size %d: decoded %d values for dims %v", size, max(len(m.Data), len(m.Values)), m.Dims)
			}
		}
	})
}
