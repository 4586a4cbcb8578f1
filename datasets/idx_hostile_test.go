package datasets

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// craftedIDX is an unsigned-byte IDX header declaring dims, followed by
// only data bytes.
func craftedIDX(data []byte, dims ...uint32) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// A header that declares a gigabyte over a few bytes of data is refused
// after allocating about what is there, raw or compressed.
func TestIDXHeaderBeyondData(t *testing.T) {
	lie := craftedIDX([]byte{1, 2, 3, 4, 5}, 1<<15, 1<<15) // 1 GiB declared
	for name, b := range map[string][]byte{"raw": lie, "gzip": gz(lie)} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := DecodeIDX(bytes.NewReader(b))
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "only 5 present") {
			t.Errorf("%s: error %v", name, err)
		}
		if a := after.TotalAlloc - before.TotalAlloc; a > 4<<20 {
			t.Errorf("%s: refusing allocated %d bytes", name, a)
		}
	}
	// Dimensions whose product wraps in 64 bits.
	for _, dims := range [][]uint32{{1 << 31, 1 << 31, 1 << 31, 1 << 31}, {0xffffffff, 0xffffffff, 0xffffffff}} {
		if _, err := DecodeIDX(bytes.NewReader(craftedIDX(nil, dims...))); err == nil || !strings.Contains(err.Error(), "declare more than") {
			t.Errorf("dims %v: error %v", dims, err)
		}
	}
}

// ReadIDX refuses devices, folders and FIFOs at once.
func TestReadIDXRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	paths := []string{dir, "/dev/zero"}
	if runtime.GOOS != "windows" {
		fifo := filepath.Join(dir, "fifo-idx3-ubyte")
		if mkfifo(fifo) == nil {
			paths = append(paths, fifo)
		}
	}
	big := filepath.Join(dir, "big-idx3-ubyte")
	if f, err := os.Create(big); err == nil {
		if f.Truncate(MaxIDXFileSize+1) == nil {
			paths = append(paths, big)
		}
		f.Close()
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		done := make(chan error, 1)
		go func() { _, err := ReadIDX(p); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error %v", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadIDX blocks", p)
		}
	}
}

// EncodeIDX refuses dimensions that wrap or do not fit the header's 32 bits.
func TestEncodeIDXBadDims(t *testing.T) {
	for _, dims := range [][]int{{math.MaxInt/2 + 1, 2}, {math.MaxInt}, {-1, -1}, {-1}} {
		if err := EncodeIDX(&bytes.Buffer{}, dims, nil); err == nil {
			t.Errorf("dims %v accepted", dims)
		}
	}
}

// allocOf is the bytes allocated by ReadIDX(path) and its error.
func allocOf(path string) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ReadIDX(path)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

// A gzip file whose trailer agrees with its header is read into one buffer
// of the payload's size (growing one as the data arrives allocated about
// twice the payload and copied it); a short file whose trailer lies as its
// header does still allocates at most maxInflate times its size.
func TestReadIDXGzipAllocation(t *testing.T) {
	dir := t.TempDir()
	const n = 4 << 20
	data := make([]uint8, n)
	for i := range data {
		data[i] = uint8(i * 7 % 251)
	}
	good := filepath.Join(dir, "good-idx1-ubyte.gz")
	if err := os.WriteFile(good, gz(craftedIDX(data, n)), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ReadIDX(good)
	if err != nil || len(m.Data) != n || m.Data[n-1] != data[n-1] {
		t.Fatalf("ReadIDX: %v", err)
	}
	if a, err := allocOf(good); err != nil || a > n+n/4 {
		t.Errorf("good: allocated %d bytes for a payload of %d (error %v)", a, n, err)
	}

	// 1 GiB declared over five bytes, the trailer forged to agree.
	lie := gz(craftedIDX([]byte{1, 2, 3, 4, 5}, 1<<15, 1<<15))
	binary.LittleEndian.PutUint32(lie[len(lie)-4:], 4+8+1<<30)
	bad := filepath.Join(dir, "lie-idx2-ubyte.gz")
	if err := os.WriteFile(bad, lie, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := allocOf(bad)
	if err == nil {
		t.Fatal("forged trailer accepted")
	}
	if a > 4<<20 {
		t.Errorf("forged trailer: allocated %d bytes (error %v)", a, err)
	}
}
