//go:build mpi

package main

// The tests of the mpi build (make test-mpi): braingo-mpi under mpirun on
// 1, 2 and 4 ranks gives the spikes, state and rates of one process, bit for
// bit, and a failing rank ends the job with a message instead of a hang.
// They build braingo-mpi with the mpi tag and need mpirun (make mpi-setup).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/braingo/braingo/checkpoint"
)

func buildMPI(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("mpirun"); err != nil {
		t.Skip("mpirun is not installed (make mpi-setup)")
	}
	bin := filepath.Join(t.TempDir(), "braingo-mpi")
	out, err := exec.Command("go", "build", "-tags", "mpi", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -tags mpi: %v\n%s", err, out)
	}
	return bin
}

// mpirun runs bin on np ranks (np 0: bin alone, no mpirun) with a timeout.
func mpirun(t *testing.T, np int, env []string, bin string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if np == 0 {
		cmd = exec.CommandContext(ctx, bin, args...)
	} else {
		a := append([]string{"--allow-run-as-root", "--oversubscribe", "-np", fmt.Sprint(np), bin}, args...)
		cmd = exec.CommandContext(ctx, "mpirun", a...)
	}
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v on %d ranks hung (killed after 3 minutes)\nstderr:\n%s", args, np, e.String())
	}
	return o.String(), e.String(), err
}

func TestMPISimMatchesOneProcess(t *testing.T) {
	bin := buildMPI(t)
	for _, c := range []struct{ name, model, conn, neurons, ms string }{
		{"coba-csr", "coba", "csr", "4000", "300"},
		{"coba-jit", "coba", "jit", "4000", "300"},
		{"cuba-csr", "cuba", "csr", "4000", "300"},
		{"coba-hh-csr", "coba-hh", "csr", "2000", "100"},
		{"coba-dense", "coba", "dense", "2000", "200"},
		{"coba-jit-2blocks", "coba", "jit", "70001", "20"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := func(out string) []string {
				return []string{"sim", c.model, "--json", "--out", filepath.Join(dir, out), "--set", "conn=" + c.conn,
					"--set", "neurons=" + c.neurons, "--set", "duration_ms=" + c.ms, "--set", "plots=false", "--set", "seed=7"}
			}
			var want map[string]any
			var wantCk *checkpoint.Checkpoint
			for _, np := range []int{0, 1, 2, 4} {
				out := fmt.Sprintf("np%d", np)
				stdout, stderr, err := mpirun(t, np, nil, bin, args(out)...)
				if err != nil {
					t.Fatalf("%d ranks: %v\n%s", np, err, stderr)
				}
				var res map[string]any
				if err := json.Unmarshal([]byte(stdout), &res); err != nil {
					t.Fatalf("%d ranks: stdout %q: %v", np, stdout, err)
				}
				ck, err := checkpoint.Load(filepath.Join(dir, out, "checkpoint.bgc"))
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"run_seconds", "setup_seconds", "peak_rss_mb", "threads", "ranks", "exchange_seconds", "exchange_bytes_per_step"} {
					delete(res, k)
				}
				if np == 0 {
					want, wantCk = res, ck
					if want["rate_hz"].(float64) == 0 {
						t.Fatal("no spikes: the test would prove nothing")
					}
					continue
				}
				if fmt.Sprint(res) != fmt.Sprint(want) {
					t.Errorf("%d ranks: result %v\none process: %v", np, res, want)
				}
				if len(ck.Arrays) != len(wantCk.Arrays) {
					t.Fatalf("%d ranks: %d arrays in the checkpoint, one process %d", np, len(ck.Arrays), len(wantCk.Arrays))
				}
				for _, a := range wantCk.Arrays {
					g, ok := ck.Get(a.Name)
					if !ok || !slices.Equal(bitsOf(g.Data), bitsOf(a.Data)) {
						t.Errorf("%d ranks: checkpoint array %s differs from one process's", np, a.Name)
					}
				}
			}
		})
	}
}

// The three-population network of docs/sim-recipes.md (a Poisson source,
// fixed in-degree, per-synapse delays, an alpha synapse; groups of 200 to
// 800 neurons, each split among the ranks) gives one process's results on 2
// and 3 ranks.
func TestMPIDocNetworkMatchesOneProcess(t *testing.T) {
	bin := buildMPI(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "my.yaml")
	if err := os.WriteFile(file, []byte(docYAML(t, "../../docs/sim-recipes.md", "<!-- my.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	var want string
	for _, np := range []int{0, 2, 3} {
		stdout, stderr, err := mpirun(t, np, nil, bin, "sim", file, "--json", "--out", filepath.Join(dir, fmt.Sprint("np", np)), "--set", "plots=false", "--set", "threads=1")
		if err != nil {
			t.Fatalf("%d ranks: %v\n%s", np, err, stderr)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("%d ranks: stdout %q: %v", np, stdout, err)
		}
		for _, k := range []string{"run_seconds", "setup_seconds", "peak_rss_mb", "ranks", "exchange_seconds", "exchange_bytes_per_step"} {
			delete(res, k)
		}
		if np == 0 {
			want = fmt.Sprint(res)
			if res["rate_hz"].(float64) == 0 {
				t.Fatal("no spikes: the test would prove nothing")
			}
		} else if got := fmt.Sprint(res); got != want {
			t.Errorf("%d ranks: %s\none process: %s", np, got, want)
		}
	}
}

func bitsOf(f []float32) []string {
	s := make([]string, len(f))
	for i, x := range f {
		s[i] = fmt.Sprintf("%08x", x)
	}
	return s
}

// A rank that fails ends the whole job with its rank and cause; ranks
// waiting in the spike exchange do not hang.
func TestMPIFailingRankEndsTheJob(t *testing.T) {
	bin := buildMPI(t)
	for _, r := range []string{"1", "0"} {
		dir := t.TempDir()
		_, stderr, err := mpirun(t, 2, []string{"BRAINGO_TEST_FAIL_RANK=" + r}, bin, "sim", "coba", "--out", dir+"/run", "--set", "duration_ms=100")
		if err == nil {
			t.Fatalf("rank %s failing: the job succeeded", r)
		}
		if !strings.Contains(stderr, "rank "+r+" of 2 failed") || !strings.Contains(stderr, "BRAINGO_TEST_FAIL_RANK") {
			t.Errorf("rank %s failing: stderr does not name the rank and the cause:\n%s", r, stderr)
		}
	}
	// A kind that does not run on several ranks says so.
	_, stderr, err := mpirun(t, 2, nil, bin, "train", "fmnist-snn", "--out", t.TempDir()+"/run")
	if err == nil || !strings.Contains(stderr, "does not run on several MPI ranks") {
		t.Errorf("train on 2 ranks: err %v, stderr:\n%s", err, stderr)
	}
}

// A run stopped on some ranks resumes on another number of ranks (or in one
// process) to the checkpoint of an uninterrupted one-process run.
func TestMPIResumeOnOtherRanks(t *testing.T) {
	bin := buildMPI(t)
	dir := t.TempDir()
	args := func(out, ms string, more ...string) []string {
		return append([]string{"sim", "coba", "--json", "--out", filepath.Join(dir, out), "--set", "duration_ms=" + ms,
			"--set", "plots=false", "--set", "conn=jit"}, more...)
	}
	if _, stderr, err := mpirun(t, 0, nil, bin, args("whole", "200")...); err != nil {
		t.Fatalf("one process: %v\n%s", err, stderr)
	}
	want, err := checkpoint.Load(filepath.Join(dir, "whole", "checkpoint.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ first, then int }{{2, 4}, {4, 0}, {0, 2}} {
		out := fmt.Sprintf("from%d-to%d", c.first, c.then)
		if _, stderr, err := mpirun(t, c.first, nil, bin, args(out, "100")...); err != nil {
			t.Fatalf("%d ranks, first 100 ms: %v\n%s", c.first, err, stderr)
		}
		_, stderr, err := mpirun(t, c.then, nil, bin, args(out, "200", "--resume")...)
		if err != nil || !strings.Contains(stderr, "resuming") {
			t.Fatalf("%d ranks, resumed: %v\n%s", c.then, err, stderr)
		}
		got, err := checkpoint.Load(filepath.Join(dir, out, "checkpoint.bgc"))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range want.Arrays {
			g, ok := got.Get(a.Name)
			if !ok || !slices.Equal(bitsOf(g.Data), bitsOf(a.Data)) {
				t.Errorf("%d ranks then %d: checkpoint array %s differs from the uninterrupted run's", c.first, c.then, a.Name)
			}
		}
	}
}
