package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestFORCE(t *testing.T) {
	out := t.TempDir()
	var b bytes.Buffer
	nmse, err := run(&b, config{units: 300, periodMs: 120, trainS: 1.5, testS: 0.5, seed: 1, out: out})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if nmse > 0.1 {
		t.Errorf("test NMSE %.3f, want below 0.1", nmse)
	}
	if _, err := os.Stat(filepath.Join(out, "force.png")); err != nil {
		t.Error(err)
	}
}
