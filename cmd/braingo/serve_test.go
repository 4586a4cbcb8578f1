package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeRuns writes two run directories (one still training: its last
// metrics line half written), a directory that holds no run and a file.
func fakeRuns(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(path, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "fmnist-a", "recipe.yaml"), "# Resolved braingo recipe\nkind: snn-classify\nname: fmnist-snn\ndescription: \"Fashion-MNIST, LIF\"\ndata:\n  kind: not-this-one\n")
	write(filepath.Join(dir, "fmnist-a", "metrics.jsonl"),
		`{"epoch":1,"train_loss":0.9,"test_acc":0.7,"extra":{"hidden_rate":0.1}}`+"\n"+
			`{"epoch":2,"train_loss":0.5,"test_acc":0.8,"extra":{"hidden_rate":0.09}}`+"\n")
	write(filepath.Join(dir, "fmnist-a", "curves.png"), "\x89PNG\r\n\x1a\nfake")
	write(filepath.Join(dir, "pdm-b", "recipe.yaml"), "kind: task-bptt\nname: pdm-rate\n")
	write(filepath.Join(dir, "pdm-b", "metrics.jsonl"), `{"epoch":1,"train_loss":0.4,"extra":{"performance":0.6}}`+"\n"+`{"epoch":2,"train_lo`)
	write(filepath.Join(dir, "notarun", "notes.txt"), "nothing")
	write(filepath.Join(dir, "stray.txt"), "nothing")
	return dir
}

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestServeAPI(t *testing.T) {
	srv := httptest.NewServer(newDashboard(fakeRuns(t)))
	defer srv.Close()

	code, ctype, body := get(t, srv.URL+"/api/runs")
	if code != 200 || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("/api/runs: %d %s", code, ctype)
	}
	var runs []struct {
		Name        string          `json:"name"`
		Kind        string          `json:"kind"`
		Description string          `json:"description"`
		Epochs      int             `json:"epochs"`
		Last        json.RawMessage `json:"last"`
		PNGs        []string        `json:"pngs"`
	}
	if err := json.Unmarshal([]byte(body), &runs); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	byName := map[string]int{}
	for i, r := range runs {
		byName[r.Name] = i
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want fmnist-a and pdm-b: %s", len(runs), body)
	}
	a, b := runs[byName["fmnist-a"]], runs[byName["pdm-b"]]
	if a.Kind != "snn-classify" || a.Description != "Fashion-MNIST, LIF" || a.Epochs != 2 || len(a.PNGs) != 1 || a.PNGs[0] != "curves.png" {
		t.Errorf("fmnist-a: %+v", a)
	}
	var last map[string]any
	json.Unmarshal(a.Last, &last)
	if last["epoch"] != 2.0 || last["test_acc"] != 0.8 {
		t.Errorf("fmnist-a last metrics %s", a.Last)
	}
	if b.Kind != "task-bptt" || b.Epochs != 1 { // the half-written line is skipped
		t.Errorf("pdm-b: %+v", b)
	}

	code, _, body = get(t, srv.URL+"/api/runs/pdm-b/metrics")
	if code != 200 || !strings.Contains(body, `"performance":0.6`) {
		t.Errorf("metrics: %d %s", code, body)
	}
	code, _, body = get(t, srv.URL+"/api/runs/fmnist-a/recipe")
	if code != 200 || !strings.Contains(body, "kind: snn-classify") {
		t.Errorf("recipe: %d %s", code, body)
	}
	code, ctype, _ = get(t, srv.URL+"/runs/fmnist-a/curves.png")
	if code != 200 || ctype != "image/png" {
		t.Errorf("png: %d %s", code, ctype)
	}
	for _, bad := range []string{"/runs/fmnist-a/recipe.yaml", "/runs/notarun/notes.txt", "/api/runs/notarun/metrics",
		"/api/runs/..%2f..%2fetc/recipe", "/runs/..%2Ffmnist-a/curves.png", "/api/runs/missing/recipe"} {
		if code, _, _ := get(t, srv.URL+bad); code != 404 {
			t.Errorf("%s: status %d, want 404", bad, code)
		}
	}

	code, ctype, body = get(t, srv.URL+"/")
	if code != 200 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, "/api/runs") {
		t.Errorf("page: %d %s", code, ctype)
	}
	for _, remote := range []string{"http://", "https://", "//cdn"} {
		if strings.Contains(strings.ReplaceAll(body, "http://www.w3.org/2000/svg", ""), remote) {
			t.Errorf("the page refers to %q: it must need nothing from the network", remote)
		}
	}
}

func TestServeUsage(t *testing.T) {
	if _, stderr, code := run(t, "serve", filepath.Join(t.TempDir(), "missing")); code != 2 {
		t.Errorf("missing directory: exit %d, want 2 (%s)", code, stderr)
	}
	if _, stderr, code := run(t, "serve", t.TempDir(), "--addr", "nonsense"); code != 2 {
		t.Errorf("bad --addr: exit %d, want 2 (%s)", code, stderr)
	}
}

// TestServeInChromium loads the page in headless Chromium and checks that
// the script fetched the runs and wrote their names into the page.
func TestServeInChromium(t *testing.T) {
	var browser string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no headless browser: install Debian's chromium package (apt-get install chromium) to run this test")
	}
	srv := httptest.NewServer(newDashboard(fakeRuns(t)))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000", "--dump-dom", srv.URL+"/")
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			t.Skipf("chromium did not finish in 60 s: %v", err)
		}
		var ee *exec.ExitError
		if errorsAs(err, &ee) {
			t.Skipf("chromium cannot run here: %v: %s", err, lastLines(string(ee.Stderr), 5))
		}
		t.Skipf("chromium cannot run here: %v", err)
	}
	dom := string(out)
	for _, want := range []string{`data-run="fmnist-a"`, `data-run="pdm-b"`, "snn-classify", "task-bptt", "2 runs"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q:\n%s", want, lastLines(dom, 40))
		}
	}
	if !strings.Contains(dom, "<svg") {
		t.Errorf("no metrics chart in the rendered page")
	}
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
