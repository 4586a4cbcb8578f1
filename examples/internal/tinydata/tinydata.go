// Package tinydata writes a small, learnable Fashion-MNIST-shaped data set
// so that the tutorials' tests run in seconds without the real files.
package tinydata

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/braingo/braingo/datasets"
)

// Write writes train (nTrain images) and t10k (nTest images) IDX files into
// dir, named as Fashion-MNIST's uncompressed files. Class c is a bright band
// of rows 2c to 2c+5, so a small network learns it in an epoch or two.
func Write(dir string, nTrain, nTest int) error {
	write := func(split string, n int) error {
		px := make([]uint8, n*28*28)
		lb := make([]uint8, n)
		for i := range lb {
			c := (i * 7) % 10
			lb[i] = uint8(c)
			for r := 2 * c; r < 2*c+6; r++ {
				for col := 4; col < 24; col++ {
					px[i*784+r*28+col] = uint8(150 + (i*31+col)%100)
				}
			}
		}
		var b bytes.Buffer
		if err := datasets.EncodeIDX(&b, []int{n, 28, 28}, px); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), b.Bytes(), 0o644); err != nil {
			return err
		}
		b.Reset()
		if err := datasets.EncodeIDX(&b, []int{n}, lb); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte"), b.Bytes(), 0o644)
	}
	if err := write("train", nTrain); err != nil {
		return err
	}
	return write("t10k", nTest)
}
