package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/braingo/braingo/examples/internal/tinydata"
)

func TestFMNIST(t *testing.T) {
	data := t.TempDir()
	if err := tinydata.Write(data, 256, 64); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var b bytes.Buffer
	acc, err := run(context.Background(), &b, config{
		data: data, out: out, hidden: 64, steps: 10, batch: 32, epochs: 2, lr: 5e-3, seed: 1,
	})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.5 { // ten bands of rows: learnt in two epochs
		t.Errorf("test accuracy %.2f, want at least 0.5", acc)
	}
	for _, f := range []string{"curves.png", "confusion.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
