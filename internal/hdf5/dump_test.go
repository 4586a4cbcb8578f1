package hdf5

import (
	"os"
	"testing"
)

func TestDumpForH5py(t *testing.T) {
	out := os.Getenv("HDF5_DUMP")
	if out == "" {
		t.Skip("HDF5_DUMP not set")
	}
	b, err := Encode(sample())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(out, b, 0o644)
}
