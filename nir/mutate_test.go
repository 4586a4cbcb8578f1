package nir

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Mutated and truncated files (the h5py, NIR reference and snnTorch
// testdata) are errors or graphs, never a panic, in Decode and in the
// conversions. NIR_MUTATIONS=N runs N mutations per file (default 200).
func TestMutatedFilesNeverPanic(t *testing.T) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("NIR_MUTATIONS")); err == nil && v > 0 {
		n = v
	}
	files, _ := filepath.Glob("testdata/*.nir")
	files = append(files, "../internal/hdf5/testdata/plain.h5", "../internal/hdf5/testdata/gzip.h5", "../internal/hdf5/testdata/chunks.h5")
	r := rand.New(rand.NewPCG(11, 12))
	for _, f := range files {
		seed, _ := os.ReadFile(f)
		for it := 0; it < n; it++ {
			b := append([]byte(nil), seed...)
			for k := 0; k < 1+r.IntN(6); k++ {
				switch r.IntN(5) {
				case 0:
					b[r.IntN(len(b))] = byte(r.IntN(256))
				case 1:
					i := r.IntN(len(b) - 8)
					copy(b[i:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}[:1+r.IntN(8)])
				case 2:
					b = b[:r.IntN(len(b))+1]
				case 3:
					i, j := r.IntN(len(b)-8), r.IntN(len(b)-8)
					copy(b[i:i+8], b[j:j+8])
				case 4:
					i := r.IntN(len(b) - 2)
					b[i] ^= 1 << r.IntN(8)
				}
				if len(b) < 16 {
					break
				}
			}
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s iteration %d: panic %v", f, it, p)
					}
				}()
				g, _, err := Decode(b)
				if err == nil {
					ToFeedForward(g, Options{})
					ToRSNN(g, Options{})
				}
			}()
		}
	}
}
