//go:build cuda

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/braingo/braingo/gpu"
)

// braingo-cuda on a machine with or without a GPU: version exits 0 and
// lists the GPUs or says there is none; --set device=cuda runs sim's COBA
// network on the GPU, or fails in one line (exit 1) without one.
func TestCUDAVersionAndDevice(t *testing.T) {
	stdout, stderr, code := run(t, "version")
	if code != 0 || !strings.Contains(stdout, "cuda: ") {
		t.Fatalf("version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, _, code = run(t, "version", "--json")
	var v versionInfo
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || v.CUDA == nil {
		t.Fatalf("version --json: exit %d, %q", code, stdout)
	}
	d, err := gpu.Open(0, "cuda")
	if err != nil {
		t.Logf("no GPU here (%v): checking the failures", err)
		if v.CUDA.Error == "" || len(v.CUDA.Devices) != 0 {
			t.Errorf("version --json without a GPU: %+v", v.CUDA)
		}
		for _, args := range [][]string{
			{"sim", "coba", "--set", "device=cuda", "--set", "conn=jit"},
			{"train", "fmnist-snn", "--set", "device=cuda"},
			{"gpu", "coba"},
		} {
			_, stderr, code := run(t, args...)
			if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "no usable GPU") {
				t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
			}
		}
		return
	}
	d.Close()
	if len(v.CUDA.Devices) == 0 {
		t.Errorf("version --json lists no GPU: %+v", v.CUDA)
	}
	stdout, stderr, code = run(t, "sim", "coba", "--set", "device=cuda", "--set", "conn=jit", "--set", "duration_ms=50", "--json")
	var r cudaSimResult
	if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil || r.Neurons != 4000 || r.Steps != 500 || !(r.RateHz > 0) {
		t.Errorf("sim on the GPU: exit %d, %q, stderr %q", code, stdout, stderr)
	}
	_, stderr, code = run(t, "sim", "coba", "--set", "device=cuda", "--set", "conn=csr")
	if code != 2 || !strings.Contains(stderr, "does not run on the GPU yet") {
		t.Errorf("sim conn=csr on the GPU: exit %d, stderr %q", code, stderr)
	}
}
