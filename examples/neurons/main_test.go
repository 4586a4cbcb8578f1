package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNeurons(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(&out, dir, 400); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"LIF", "ALIF", "Izhikevich", "AdEx"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("output lacks %s:\n%s", name, out.String())
		}
	}
	if strings.Contains(out.String(), "  0 spikes") {
		t.Errorf("a model never fired:\n%s", out.String())
	}
	if fi, err := os.Stat(filepath.Join(dir, "neurons.png")); err != nil || fi.Size() == 0 {
		t.Fatalf("no plot: %v", err)
	}
}
