// Package craft helps tests build hostile files: valid files written by a
// package's own encoder, then patched (the hostile-file tests of nir and
// internal/hdf5, and their fuzz seeds).
package craft

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// ReplaceOnce replaces the single occurrence of old in b; it fails t
// unless old occurs exactly once (a patch must hit what it means to).
func ReplaceOnce(t testing.TB, b, old, new []byte) []byte {
	t.Helper()
	if n := bytes.Count(b, old); n != 1 {
		t.Fatalf("pattern % x occurs %d times, want once", old, n)
	}
	return bytes.Replace(b, old, new, 1)
}

// Dataspace is a version-1 HDF5 dataspace message of dims as
// internal/hdf5's writer writes it.
func Dataspace(dims ...uint64) []byte {
	sp := []byte{1, byte(len(dims)), 0, 0, 0, 0, 0, 0}
	for _, d := range dims {
		sp = binary.LittleEndian.AppendUint64(sp, d)
	}
	return sp
}
