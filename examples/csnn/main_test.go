//go:build torch

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/braingo/braingo/examples/internal/tinydata"
)

// The tutorial at its test size: a tiny learnable data set, one epoch.
func TestTutorial(t *testing.T) {
	dir := t.TempDir()
	if err := tinydata.Write(dir, 256, 64); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	acc, err := run(dir, "", 256, 1, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "block 1: Conv2d") || !strings.Contains(out.String(), "readout: dense") {
		t.Errorf("the model's description is missing:\n%s", out.String())
	}
	if acc <= 0.2 {
		t.Errorf("test accuracy %v: the network learned nothing of a data set it should learn", acc)
	}
}
