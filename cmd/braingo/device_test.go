package main

import (
	"strings"
	"testing"

	"github.com/braingo/braingo/gpu"
)

// --set device=...: an unknown device is a usage error; cuda in a build
// without CUDA is one too, in one line naming the key and the fix. The CPU
// path is what runs without the key (the other tests).
func TestDeviceKey(t *testing.T) {
	if ok, _ := gpu.Built(); ok {
		t.Skip("a build with a GPU backend: TestCUDA* cover it")
	}
	for _, args := range [][]string{
		{"train", "fmnist-snn", "--set", "device=cuda"},
		{"sim", "coba", "--set", "device=cuda", "--set", "conn=jit"},
	} {
		_, stderr, code := run(t, args...)
		if code != 2 || !strings.Contains(firstLine(stderr), "device=cuda: this braingo was built without CUDA") ||
			!strings.Contains(stderr, "make cuda") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	_, stderr, code := run(t, "sim", "coba", "--set", "device=tpu")
	if code != 2 || !strings.Contains(firstLine(stderr), "device=tpu: unknown device (cpu or cuda)") {
		t.Errorf("device=tpu: exit %d, stderr %q", code, stderr)
	}
	stdout, _, code := run(t, "version")
	if code != 0 || strings.Contains(stdout, "cuda") {
		t.Errorf("version in the default build: exit %d, %q", code, stdout)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
