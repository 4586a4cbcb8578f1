package checkpoint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/fuzzopt"
)

func sample() *Checkpoint {
	c := &Checkpoint{Meta: json.RawMessage(`{"epoch":3,"recipe":"fmnist-snn"}`)}
	c.Add("fc1.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, -6.5})
	c.Add("fc1.bias", []int{3}, []float32{0.1, 0.2, 0.3})
	c.Add("empty", []int{0}, []float32{})
	return c
}

func encode(t testing.TB, c *Checkpoint) []byte {
	var b bytes.Buffer
	if err := Encode(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt.bgc")
	if err := Save(path, sample()); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Meta) != `{"epoch":3,"recipe":"fmnist-snn"}` || len(c.Arrays) != 3 {
		t.Fatalf("meta %s arrays %d", c.Meta, len(c.Arrays))
	}
	dst := make([]float32, 6)
	if err := c.Into("fc1.weight", dst); err != nil || dst[5] != -6.5 {
		t.Fatalf("fc1.weight %v %v", dst, err)
	}
	if err := c.Into("fc1.weight", make([]float32, 5)); err == nil || !strings.Contains(err.Error(), "shape [2 3]") {
		t.Fatalf("size mismatch error %v", err)
	}
	if err := c.Into("nope", dst); err == nil {
		t.Fatal("missing array accepted")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestRejectsDamage(t *testing.T) {
	good := encode(t, sample())
	flip := append([]byte(nil), good...)
	flip[len(flip)-10] ^= 0x40
	newer := append([]byte(nil), good...)
	newer[8] = 9
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":     {nil, "truncated"},
		"magic":     {append([]byte("XXXXXXXX"), good[8:]...), "not a braingo checkpoint"},
		"newer":     {newer, "newer than this braingo"},
		"truncated": {good[:len(good)-9], "truncated"},
		"bit flip":  {flip, "checksum"},
		"trailing":  {append(append([]byte(nil), good[:len(good)-4]...), 1, 2, 3, 4, 5, 6, 7, 8), "corrupt"},
	}
	for name, c := range cases {
		if _, err := Decode(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}

func TestFailedSaveKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.bgc")
	if err := Save(path, sample()); err != nil {
		t.Fatal(err)
	}
	bad := sample()
	bad.Arrays[0].Shape = []int{7} // inconsistent: Encode fails mid-way
	if err := Save(path, bad); err == nil || !strings.Contains(err.Error(), "previous checkpoint is intact") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("previous checkpoint damaged: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(f, sample()))
	f.Add(encode(f, &Checkpoint{}))
	if b, err := os.ReadFile(filepath.Join("testdata", "v1.bgc")); err == nil {
		f.Add(b)
	}
	for _, name := range []string{"wrapping shape", "negative shape", "huge header"} {
		f.Add(crafted(f, name))
	}
	// Bound Go's quadratic minimization of each new input (see fuzzopt).
	fuzzopt.BoundMinimization(100)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Decode(b)
		if err != nil {
			return
		}
		// Anything accepted re-encodes to the same bytes when its arrays
		// are in name order (the order Encode writes), and to the same
		// content in any case.
		again := encode(t, c)
		sorted := slices.IsSortedFunc(c.Arrays, func(a, b Array) int { return strings.Compare(a.Name, b.Name) })
		if sorted && !bytes.Equal(again, b) {
			t.Fatalf("accepted input does not re-encode identically")
		}
		back, err := Decode(again)
		if err != nil {
			t.Fatalf("re-encoded checkpoint does not decode: %v", err)
		}
		if !bytes.Equal(encode(t, back), again) {
			t.Fatal("re-encoding is not stable")
		}
	})
}
