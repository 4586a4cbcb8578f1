package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kernels/kbench"
)

// run runs the command line in-process and returns its outputs and status.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = app.Run(&cli.Env{Stdout: &o, Stderr: &e}, args)
	return o.String(), e.String(), code
}

// tinyBench shrinks the kernel suite for the duration of a test.
func tinyBench(t *testing.T) {
	t.Helper()
	benchTweak = tiny
	t.Cleanup(func() { benchTweak = nil })
}

func tiny(c *kbench.Config) {
	c.GemmShapes = [][3]int{{4, 5, 6}, {3, 2, 7}}
	c.EventShape = [3]int{4, 40, 8}
	c.Densities = []float64{0.1, 0.5}
	c.NetSizes = []int{300, 600}
	c.DenseMatvecMax = 400
	c.Budget = 2e6 // 2 ms
}

func TestExitCodes(t *testing.T) {
	tinyBench(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{nil, 2, "", "Usage:"},
		{[]string{"help"}, 0, "The commands are:", ""},
		{[]string{"--help"}, 0, "The commands are:", ""},
		{[]string{"help", "bench"}, 0, "usage: braingo bench [flags] kernels", ""},
		{[]string{"help", "nosuch"}, 2, "", "unknown help topic"},
		{[]string{"help", "a", "b"}, 2, "", "usage: braingo help"},
		{[]string{"nosuch"}, 2, "", "braingo nosuch: unknown command"},
		{[]string{"--nosuch"}, 2, "", "unknown flag"},
		{[]string{"bench", "-h"}, 0, "usage: braingo bench", ""},
		{[]string{"bench", "kernels", "--help"}, 0, "-threads", ""},
		{[]string{"bench", "--bogus", "kernels"}, 2, "", "flag provided but not defined"},
		{[]string{"bench", "kernels", "--threads", "x"}, 2, "", "invalid value"},
		{[]string{"bench", "kernels", "--threads", "-1"}, 2, "", "--threads must be >= 0"},
		{[]string{"bench"}, 2, "", "want exactly one suite name"},
		{[]string{"bench", "nosuch"}, 2, "", `unknown suite "nosuch"`},
		{[]string{"bench", "kernels", "--run", "("}, 2, "", "bad --run pattern"},
		{[]string{"bench", "kernels", "--run", "nomatch"}, 1, "", "no benchmark matches"},
		{[]string{"bench", "kernels", "--list"}, 0, "gemm_tn 4x5x6", ""},
		{[]string{"version"}, 0, "braingo ", ""},
		{[]string{"version", "extra"}, 2, "", "unexpected arguments"},
	} {
		stdout, stderr, code := run(t, tc.args...)
		if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("braingo %q: exit %d, stdout %q, stderr %q; want exit %d, stdout containing %q, stderr containing %q",
				tc.args, code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
			t.Errorf("braingo %q: stack trace on stderr:\n%s", tc.args, stderr)
		}
	}
}

// Every command's help is generated from its table row and shows its flags.
func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range app.Commands() {
		if c.Short == "" || strings.HasSuffix(c.Short, ".") {
			t.Errorf("command %s: Short %q should be a one-line summary without a period", c.Name, c.Short)
		}
		out, _, code := run(t, "help", c.Name)
		if code != 0 || !strings.Contains(out, "usage: braingo "+c.UsageLine()) {
			t.Errorf("help %s: exit %d, output:\n%s", c.Name, code, out)
		}
		top, _, _ := run(t, "help")
		if !strings.Contains(top, c.Name) || !strings.Contains(top, c.Short) {
			t.Errorf("help does not list %s", c.Name)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	out, _, code := run(t, "version", "--json")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("version --json: exit %d, output %q", code, out)
	}
	for _, k := range []string{"version", "go", "os", "arch"} {
		if _, ok := v[k]; !ok {
			t.Errorf("version --json lacks key %q: %s", k, out)
		}
	}
}

func TestBenchKernelsJSON(t *testing.T) {
	tinyBench(t)
	out, stderr, code := run(t, "bench", "kernels", "--quick", "--json", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var cfg kbench.Config
	tiny(&cfg)
	want := kbench.Suite(cfg)
	if len(lines) != len(want) {
		t.Fatalf("got %d JSON lines, want %d (%v):\n%s", len(lines), len(want), want, out)
	}
	for i, line := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i, err, line)
		}
		for _, k := range []string{"kernel", "shape", "density", "seconds", "gflops", "speedup_vs_dense", "threads"} {
			if _, ok := r[k]; !ok {
				t.Errorf("line %d lacks key %q: %s", i, k, line)
			}
		}
		if got := r["kernel"].(string) + " " + r["shape"].(string); got != want[i] {
			t.Errorf("line %d is %q, want %q", i, got, want[i])
		}
		if s, _ := r["seconds"].(float64); s <= 0 {
			t.Errorf("line %d: seconds %v, want > 0", i, r["seconds"])
		}
		if r["threads"].(float64) != 1 {
			t.Errorf("line %d: threads %v, want 1", i, r["threads"])
		}
		if strings.HasPrefix(r["kernel"].(string), "gemm") && r["speedup_vs_dense"] != 1.0 {
			t.Errorf("line %d: dense entry has speedup_vs_dense %v, want 1", i, r["speedup_vs_dense"])
		}
		if _, ok := r["gbps"]; ok {
			if g, _ := r["gbps"].(float64); g <= 0 {
				t.Errorf("line %d: gbps %v, want > 0", i, r["gbps"])
			}
		}
	}
	if !strings.Contains(stderr, "bench: [1/") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
}

func TestBenchKernelsTable(t *testing.T) {
	tinyBench(t)
	out, _, code := run(t, "bench", "--quick", "kernels", "--run", "gemm_nt")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{"kernel", "shape", "density", "seconds", "GFLOP/s", "speed-up vs dense", "gemm_nt", "4x5x6", "3x2x7"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "gemm_nn") {
		t.Errorf("--run gemm_nt ran gemm_nn:\n%s", out)
	}
}
