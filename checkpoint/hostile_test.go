package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// raw builds a checkpoint file from a header and data as they stand,
// with a correct checksum: what a hostile writer can produce.
func raw(header string, data []byte) []byte {
	b := []byte(magic)
	b = binary.LittleEndian.AppendUint32(b, Version)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	b = append(b, header...)
	b = append(b, data...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// crafted returns the crafted checkpoint files of the tests (and fuzz
// seeds).
func crafted(t testing.TB, name string) []byte {
	switch name {
	case "wrapping shape":
		// 2·2^62 wraps to 2^63 (negative), 4 times which is 0 bytes of
		// data: the sizes matched and Decode allocated a negative length.
		return raw(`{"arrays":[{"name":"a","shape":[2,4611686018427387904]}]}`, nil)
	case "negative shape":
		return raw(`{"arrays":[{"name":"a","shape":[-1,-4]}]}`, make([]byte, 16))
	case "huge header":
		b := raw(`{"arrays":[]}`, nil)
		binary.LittleEndian.PutUint32(b[12:], 1<<31)
		return b
	}
	t.Fatalf("no crafted file %q", name)
	return nil
}

func TestCraftedFiles(t *testing.T) {
	for name, want := range map[string]string{
		"wrapping shape": `corrupt header: array "a" has shape [2 4611686018427387904]`,
		"negative shape": `corrupt header: array "a" has shape [-1 -4]`,
		"huge header":    "corrupt header: length 2147483648",
	} {
		_, err := Decode(crafted(t, name))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}
	c := &Checkpoint{}
	c.Add("w", []int{math.MaxInt/2 + 1, 2}, nil) // wraps to 0
	if err := Encode(&bytes.Buffer{}, c); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("Encode of a wrapping shape: %v", err)
	}
}

// The bytes do not depend on the order arrays were added in.
func TestEncodeDeterministic(t *testing.T) {
	type arr struct {
		name  string
		shape []int
		data  []float32
	}
	arrays := []arr{{"fc1.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}}, {"fc1.bias", []int{3}, []float32{7, 8, 9}},
		{"optim/fc1.weight/exp_avg", []int{6}, make([]float32, 6)}, {"optim/fc1.weight/exp_avg_sq", []int{6}, make([]float32, 6)}, {"empty", []int{0}, nil}}
	var first []byte
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		r.Shuffle(len(arrays), func(i, j int) { arrays[i], arrays[j] = arrays[j], arrays[i] })
		c := &Checkpoint{Meta: json.RawMessage(`{"epoch": 3, "optim": {"b": 1, "a": 2}}`)}
		for _, a := range arrays {
			c.Add(a.name, a.shape, a.data)
		}
		b := encode(t, c)
		if first == nil {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Fatal("the same arrays added in another order encode to other bytes")
		}
	}
	back, err := Decode(first)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(back.Arrays, func(a, b Array) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("arrays not in name order: %v", back.Arrays)
	}
}

// As recipes saves training: optimizer buffers kept in a map, added in
// the map's (random) order. Every save of the same state gives the same
// bytes.
func TestMapOrderDeterministic(t *testing.T) {
	buffers := map[string][]float32{}
	for _, name := range []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "sum", "square_avg", "grad_avg"} {
		buffers[name] = []float32{float32(len(name)), 1, 2}
	}
	save := func() []byte {
		c := &Checkpoint{Meta: json.RawMessage(`{"optim":{}}`)}
		c.Add("w", []int{3}, []float32{1, 2, 3})
		for name, buf := range buffers {
			c.Add("optim/w/"+name, []int{len(buf)}, buf)
		}
		return encode(t, c)
	}
	first := save()
	for range 50 {
		if !bytes.Equal(save(), first) {
			t.Fatal("two saves of the same buffers differ")
		}
	}
}

// Load refuses devices, folders and oversized files at once.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bgc")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	for _, p := range []string{"/dev/zero", dir, big} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		start := time.Now()
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v", p, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refusing took %v", p, d)
		}
	}
}

// Save keeps the mode of the checkpoint it replaces; its leftovers are
// found and removed by pattern.
func TestSaveKeepsModeAndTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint.bgc")
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	if err := Save(path, sample()); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("new checkpoint mode %v", st.Mode().Perm())
	}
	os.Chmod(path, 0o600)
	if err := Save(path, sample()); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced checkpoint mode %v, want its 0600", st.Mode().Perm())
	}
	// A save killed before its rename leaves ".checkpoint.bgc.tmp-*".
	left := filepath.Join(dir, ".checkpoint.bgc.tmp-123456")
	os.WriteFile(left, []byte("partial"), 0o600)
	os.WriteFile(filepath.Join(dir, ".other.bgc.tmp-1"), nil, 0o600)
	if got, err := TempFiles(path); err != nil || !slices.Equal(got, []string{left}) {
		t.Fatalf("TempFiles = %v, %v", got, err)
	}
	if got, err := RemoveTemps(path); err != nil || !slices.Equal(got, []string{left}) {
		t.Fatalf("RemoveTemps = %v, %v", got, err)
	}
	if _, err := os.Stat(left); err == nil {
		t.Error("leftover not removed")
	}
	if _, err := Load(path); err != nil {
		t.Error(err)
	}
}
