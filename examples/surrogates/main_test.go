package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/examples/internal/tinydata"
)

func TestSurrogates(t *testing.T) {
	data := t.TempDir()
	if err := tinydata.Write(data, 128, 32); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var b bytes.Buffer
	err := run(context.Background(), &b, config{data: data, out: out, train: 128, test: 32, hidden: 32, steps: 8, epochs: 1, seed: 1})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "test accuracy"); n != len(compared) {
		t.Errorf("%d accuracies, want %d", n, len(compared))
	}
	if _, err := os.Stat(filepath.Join(out, "surrogates.png")); err != nil {
		t.Error(err)
	}
}
