package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/examples/internal/tinydata"
)

func TestEncoding(t *testing.T) {
	data := t.TempDir()
	if err := tinydata.Write(data, 16, 16); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var b bytes.Buffer
	if err := run(&b, data, out, 20); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"direct", "rate", "latency", "delta"} {
		if !strings.Contains(b.String(), name) {
			t.Errorf("output lacks %s:\n%s", name, b.String())
		}
	}
	if _, err := os.Stat(filepath.Join(out, "raster.png")); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
}
