package main

import (
	"bytes"
	"testing"
)

func TestEvents(t *testing.T) {
	var b bytes.Buffer
	acc, err := run(&b, config{classes: 3, units: 20, steps: 30, perClass: 100, hidden: 64, epochs: 10, batch: 16, lr: 1e-2, gain: 5, seed: 1})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.6 { // chance is 1/3; this run reaches 0.83
		t.Errorf("test accuracy %.2f, want at least 0.5", acc)
	}
}
