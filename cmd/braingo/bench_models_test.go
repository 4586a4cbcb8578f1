package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// bench models --json writes one line per size with the benchmark's keys;
// the table names every size; bad sizes are usage errors.
func TestBenchModels(t *testing.T) {
	out, _, code := run(t, "bench", "models", "--sizes", "16,24", "--steps", "6", "--batch", "3", "--rounds", "2", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), out)
	}
	for i, line := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"model", "n", "batch", "steps", "forward_seconds", "backward_seconds", "peak_rss_mb"} {
			if _, ok := r[k]; !ok {
				t.Fatalf("line %d has no %q: %s", i, k, line)
			}
		}
		if r["model"] != "linear-lif" || r["n"] != float64([]int{16, 24}[i]) || r["batch"] != 3.0 || r["steps"] != 6.0 {
			t.Fatalf("line %d: %s", i, line)
		}
		// The tape holds the spikes and one current-sized buffer, plus a few
		// steps' worth: 4·(2·S + 4·M + 2) bytes (networks.LinearLIF.ForwardSum).
		n := []int{16, 24}[i]
		S, M := 6*3*n, 3*n
		if want := float64(4*(2*S+4*M+2)) / (1 << 20); r["tape_mb"] != want {
			t.Fatalf("line %d: tape_mb %v, want %v", i, r["tape_mb"], want)
		}
		for _, k := range []string{"forward_seconds", "backward_seconds", "peak_rss_mb", "grad_norm"} {
			if v := r[k].(float64); !(v > 0) {
				t.Fatalf("line %d: %s = %v", i, k, v)
			}
		}
	}
	out, _, code = run(t, "bench", "models", "--sizes", "8", "--steps", "3", "--batch", "2", "--rounds", "1")
	if code != 0 || !strings.Contains(out, "linear-lif") || !strings.Contains(out, "peak RSS MB") {
		t.Fatalf("exit %d, table:\n%s", code, out)
	}
	for _, args := range [][]string{
		{"bench", "models", "--sizes", "0"},
		{"bench", "models", "--sizes", "4096,x"},
		{"bench", "models", "--steps", "0"},
		{"bench", "models", "--rounds", "-1"},
		{"bench", "speed"},
	} {
		if _, errOut, code := run(t, args...); code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") > 2 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// bench models --precision bf16 says so in its JSON, and its check values
// (spike rate, weight-gradient norm) agree with float32's within 1% at
// n = 256; an unknown precision is a usage error.
func TestBenchModelsBF16(t *testing.T) {
	if !kernels.HasBF16() {
		out, errOut, code := run(t, "bench", "models", "--sizes", "16", "--steps", "3", "--precision", "bf16")
		if code != 2 || !strings.Contains(errOut, "AVX512_BF16") {
			t.Fatalf("bf16 on a CPU without it: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		return
	}
	var got [2]map[string]any
	for i, p := range []string{"float32", "bf16"} {
		out, _, code := run(t, "bench", "models", "--sizes", "256", "--steps", "50", "--rounds", "1", "--warmup=false", "--precision", p, "--json")
		if code != 0 {
			t.Fatalf("%s: exit %d", p, code)
		}
		if err := json.Unmarshal([]byte(out), &got[i]); err != nil {
			t.Fatal(err)
		}
		if got[i]["precision"] != p {
			t.Fatalf("precision %v, want %s: %s", got[i]["precision"], p, out)
		}
	}
	for _, k := range []string{"spike_rate", "grad_norm"} {
		f, b := got[0][k].(float64), got[1][k].(float64)
		if !(math.Abs(b/f-1) < 0.01) || f == b {
			t.Errorf("%s: bf16 %v, float32 %v", k, b, f)
		}
	}
	if _, errOut, code := run(t, "bench", "models", "--sizes", "16", "--precision", "fp8"); code != 2 || !strings.Contains(errOut, "fp8") {
		t.Fatalf("--precision fp8: exit %d, stderr %q", code, errOut)
	}
}

// bench models --gemm strassen says so in its JSON with its settings, its
// check values agree with the blocked products' (n = 256 halved twice with
// --strassen-min 32), and bad settings are usage errors.
func TestBenchModelsStrassen(t *testing.T) {
	var got [2]map[string]any
	for i, g := range []string{"blocked", "strassen"} {
		out, _, code := run(t, "bench", "models", "--sizes", "256", "--steps", "50", "--rounds", "1", "--warmup=false",
			"--gemm", g, "--strassen-min", "32", "--json")
		if code != 0 {
			t.Fatalf("%s: exit %d", g, code)
		}
		if err := json.Unmarshal([]byte(out), &got[i]); err != nil {
			t.Fatal(err)
		}
		if got[i]["gemm"] != g {
			t.Fatalf("gemm %v, want %s: %s", got[i]["gemm"], g, out)
		}
	}
	if got[1]["strassen_levels"] != 2.0 || got[1]["strassen_min"] != 32.0 {
		t.Errorf("strassen settings %v, %v; want 2, 32", got[1]["strassen_levels"], got[1]["strassen_min"])
	}
	for _, k := range []string{"spike_rate", "grad_norm"} {
		f, s := got[0][k].(float64), got[1][k].(float64)
		if !(math.Abs(s/f-1) < 1e-4) {
			t.Errorf("%s: strassen %v, blocked %v", k, s, f)
		}
	}
	if got[0]["grad_norm"] == got[1]["grad_norm"] {
		t.Errorf("the same weight-gradient norm to the bit: strassen not used?")
	}
	for _, args := range [][]string{{"--gemm", "winograd"}, {"--gemm", "strassen", "--strassen-levels", "-1"}, {"--gemm", "strassen", "--strassen-min", "0"}} {
		a := append([]string{"bench", "models", "--sizes", "16"}, args...)
		if _, errOut, code := run(t, a...); code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") > 2 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}
