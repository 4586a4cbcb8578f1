package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/braingo/braingo/internal/cli"
)

func init() {
	register(&cli.Command{
		Name:  "serve",
		Args:  "[DIR]",
		Short: "serve a local dashboard of the runs under a directory",
		Long: `Serve serves a page listing the runs under DIR (default runs): every
subdirectory holding a recipe.yaml or a metrics.jsonl. Each run shows its
kind, its recipe, its metrics curves (updated while it trains: the page polls
every two seconds) and its PNG figures. The page needs nothing from the
network: its script and charts are inline.

It listens on --addr (default 127.0.0.1:8080, this machine only). The same
data is JSON at /api/runs (one object per run: name, kind, description,
epochs, last, pngs, modified_unix_ms), /api/runs/NAME/metrics (every metrics line)
and /api/runs/NAME/recipe (the recipe as written). Ctrl-C stops it.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on")
			return func(env *cli.Env, args []string) error {
				if len(args) > 1 {
					return cli.Usagef("serve takes at most one directory")
				}
				dir := "runs"
				if len(args) == 1 {
					dir = args[0]
				}
				fi, err := os.Stat(dir)
				if err != nil {
					return cli.Usagef("%v", err)
				}
				if !fi.IsDir() {
					return cli.Usagef("%s is not a directory", dir)
				}
				ln, err := net.Listen("tcp", *addr)
				if err != nil {
					return cli.Usagef("--addr: %v", err)
				}
				ctx, stop := interruptContext(env)
				defer stop()
				fmt.Fprintf(env.Stderr, "serving the runs under %s at http://%s/ (Ctrl-C stops)\n", dir, ln.Addr())
				return serveDashboard(ctx, ln, dir)
			}
		},
	})
}

// serveDashboard serves the dashboard of dir on ln until ctx ends.
func serveDashboard(ctx context.Context, ln net.Listener, dir string) error {
	srv := &http.Server{Handler: newDashboard(dir), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		return nil
	}
}

// Caps on what the dashboard reads from a run directory.
const (
	maxRecipeBytes  = 1 << 20
	maxMetricsBytes = 64 << 20
	maxPNGBytes     = 256 << 20
)

// runInfo is one run of /api/runs.
type runInfo struct {
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Description string          `json:"description,omitempty"`
	Epochs      int             `json:"epochs"`           // metrics lines
	Last        json.RawMessage `json:"last"`             // the last metrics line, or null
	PNGs        []string        `json:"pngs"`             // figure file names, sorted
	Modified    int64           `json:"modified_unix_ms"` // latest change of the run's files
}

// newDashboard returns the dashboard's handler for the runs under dir.
func newDashboard(dir string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'; connect-src 'self'")
		io.WriteString(w, dashboardPage)
	})
	mux.HandleFunc("GET /api/runs", func(w http.ResponseWriter, r *http.Request) {
		runs, err := listRuns(dir)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, runs)
	})
	mux.HandleFunc("GET /api/runs/{name}/metrics", func(w http.ResponseWriter, r *http.Request) {
		run, ok := runDir(dir, r.PathValue("name"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		lines, err := readMetrics(filepath.Join(run, "metrics.jsonl"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if lines == nil {
			lines = []json.RawMessage{}
		}
		writeJSON(w, lines)
	})
	mux.HandleFunc("GET /api/runs/{name}/recipe", func(w http.ResponseWriter, r *http.Request) {
		run, ok := runDir(dir, r.PathValue("name"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := readCapped(filepath.Join(run, "recipe.yaml"), maxRecipeBytes)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(b)
	})
	mux.HandleFunc("GET /runs/{name}/{file}", func(w http.ResponseWriter, r *http.Request) {
		run, ok := runDir(dir, r.PathValue("name"))
		file := r.PathValue("file")
		if !ok || !strings.HasSuffix(file, ".png") || file != filepath.Base(file) || strings.HasPrefix(file, ".") {
			http.NotFound(w, r)
			return
		}
		path := filepath.Join(run, file)
		fi, err := os.Lstat(path)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxPNGBytes {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFile(w, r, path)
	})
	return mux
}

// runDir returns the directory of the run named name under dir, if name is
// a plain directory name there holding a run.
func runDir(dir, name string) (string, bool) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return "", false
	}
	path := filepath.Join(dir, name)
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() || !isRun(path) {
		return "", false
	}
	return path, true
}

// isRun reports whether a directory holds a run: a recipe.yaml or a
// metrics.jsonl.
func isRun(path string) bool {
	for _, f := range []string{"recipe.yaml", "metrics.jsonl"} {
		if fi, err := os.Stat(filepath.Join(path, f)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// listRuns describes every run under dir, newest change first, then by name.
func listRuns(dir string) ([]runInfo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	runs := []runInfo{}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), ".") || !isDir(path) || !isRun(path) {
			continue
		}
		runs = append(runs, describeRun(path, e.Name()))
	}
	slices.SortStableFunc(runs, func(a, b runInfo) int {
		if a.Modified != b.Modified {
			if a.Modified > b.Modified {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return runs, nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// describeRun reads what /api/runs shows of one run; what it cannot read it
// leaves empty (a run that is being created may lack files).
func describeRun(path, name string) runInfo {
	info := runInfo{Name: name, Last: json.RawMessage("null"), PNGs: []string{}}
	if b, err := readCapped(filepath.Join(path, "recipe.yaml"), maxRecipeBytes); err == nil {
		info.Kind, info.Description = recipeHeader(b)
	}
	if lines, err := readMetrics(filepath.Join(path, "metrics.jsonl")); err == nil && len(lines) > 0 {
		info.Epochs = len(lines)
		info.Last = lines[len(lines)-1]
	}
	entries, _ := os.ReadDir(path)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if m := fi.ModTime().UnixMilli(); m > info.Modified {
			info.Modified = m
		}
		if strings.HasSuffix(e.Name(), ".png") && !strings.HasPrefix(e.Name(), ".") {
			info.PNGs = append(info.PNGs, e.Name())
		}
	}
	slices.Sort(info.PNGs)
	return info
}

// recipeHeader returns the values of the top-level kind: and description:
// lines of a recipe.
func recipeHeader(b []byte) (kind, desc string) {
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "kind:"); ok && kind == "" {
			kind = unquote(v)
		}
		if v, ok := strings.CutPrefix(line, "description:"); ok && desc == "" {
			desc = unquote(v)
		}
	}
	return kind, desc
}

// unquote trims a scalar YAML value: spaces, a trailing comment, quotes.
func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

// readMetrics returns the JSON objects of a metrics log, one per line. A
// line that is not a JSON object (the last one while a run writes it) is
// skipped.
func readMetrics(path string) ([]json.RawMessage, error) {
	b, err := readCapped(path, maxMetricsBytes)
	if err != nil {
		return nil, err
	}
	var lines []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' || !json.Valid(line) {
			continue
		}
		lines = append(lines, json.RawMessage(slices.Clone(line)))
	}
	return lines, sc.Err()
}

// readCapped reads a regular file of at most limit bytes (a longer one is
// read up to limit).
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	json.NewEncoder(w).Encode(v)
}

// dashboardPage is the whole page: markup, style and script inline, nothing
// fetched from elsewhere. The script polls /api/runs every two seconds,
// fetches a run's metrics when its line count changes and draws each
// numeric metric as an SVG curve over the epochs. Text from the runs goes
// in through textContent, never as markup.
const dashboardPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>braingo runs</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; }
section.run { border: 1px solid #ccc; border-radius: 6px; padding: 0.8em 1em; margin: 1em 0; }
section.run h2 { font-size: 1.15em; margin: 0 0 0.3em; }
.kind { font-weight: normal; color: #666; margin-left: 0.6em; font-size: 0.85em; }
.desc { color: #444; margin: 0 0 0.5em; }
.last { font-family: ui-monospace, monospace; font-size: 12px; color: #333; }
.charts { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 0.6em 0; }
.chart { border: 1px solid #eee; }
.chart text { font-size: 10px; fill: #444; }
.pngs img { max-width: 420px; margin: 0.3em 0.6em 0.3em 0; border: 1px solid #eee; vertical-align: top; }
pre { background: #f6f6f6; padding: 0.6em; max-height: 24em; overflow: auto; font-size: 12px; }
#status { color: #888; font-size: 12px; }
</style>
</head>
<body>
<h1>braingo runs</h1>
<div id="status">loading…</div>
<div id="runs"></div>
<script>
"use strict";
const state = {}; // name -> {epochs, modified, el}
const plotted = ["loss", "acc", "performance", "reward", "nmse", "rate", "regret"];

function flat(rec) {
  const out = {};
  for (const [k, v] of Object.entries(rec)) {
    if (k === "extra" && v && typeof v === "object") {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 === "number") out[k2] = v2;
    } else if (typeof v === "number") out[k] = v;
  }
  return out;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function chart(name, xs, ys) {
  const W = 260, H = 120, L = 38, R = 8, T = 16, B = 20;
  const pts = [];
  for (let i = 0; i < xs.length; i++) if (ys[i] !== undefined && isFinite(ys[i])) pts.push([xs[i], ys[i]]);
  const s = svg("svg", {width: W, height: H, class: "chart"});
  const title = svg("text", {x: L, y: 11}); title.textContent = name; s.appendChild(title);
  if (pts.length === 0) return s;
  let x0 = Math.min(...pts.map(p => p[0])), x1 = Math.max(...pts.map(p => p[0]));
  let y0 = Math.min(...pts.map(p => p[1])), y1 = Math.max(...pts.map(p => p[1]));
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { const d = y0 === 0 ? 1 : Math.abs(y0) * 0.1; y0 -= d; y1 += d; }
  const px = x => L + (x - x0) / (x1 - x0) * (W - L - R);
  const py = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  s.appendChild(svg("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#aaa"}));
  s.appendChild(svg("line", {x1: L, y1: T, x2: L, y2: H - B, stroke: "#aaa"}));
  const fmt = v => Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toPrecision(3);
  for (const [v, y] of [[y1, T + 4], [y0, H - B]]) {
    const t = svg("text", {x: 2, y: y}); t.textContent = fmt(v); s.appendChild(t);
  }
  for (const [v, x] of [[x0, L], [x1, W - R - 14]]) {
    const t = svg("text", {x: x, y: H - 6}); t.textContent = String(v); s.appendChild(t);
  }
  s.appendChild(svg("polyline", {points: pts.map(p => px(p[0]) + "," + py(p[1])).join(" "), fill: "none", stroke: "#c0392b", "stroke-width": 1.5}));
  for (const p of pts.length <= 60 ? pts : []) s.appendChild(svg("circle", {cx: px(p[0]), cy: py(p[1]), r: 2, fill: "#c0392b"}));
  return s;
}

function section(run) {
  const sec = el("section", "run");
  sec.dataset.run = run.name;
  const h = el("h2", "", run.name);
  h.appendChild(el("span", "kind", run.kind || "?"));
  sec.appendChild(h);
  sec.appendChild(el("p", "desc", run.description || ""));
  sec.appendChild(el("div", "last"));
  sec.appendChild(el("div", "charts"));
  sec.appendChild(el("div", "pngs"));
  const det = el("details");
  det.appendChild(el("summary", "", "recipe.yaml"));
  const pre = el("pre");
  det.appendChild(pre);
  det.addEventListener("toggle", () => {
    if (det.open && !pre.textContent) fetch("/api/runs/" + encodeURIComponent(run.name) + "/recipe")
      .then(r => r.ok ? r.text() : "(no recipe.yaml)").then(t => { pre.textContent = t; });
  });
  sec.appendChild(det);
  return sec;
}

async function updateRun(run, st) {
  const sec = st.el;
  const last = run.last ? flat(run.last) : {};
  sec.querySelector(".last").textContent = run.epochs + " epochs" +
    Object.entries(last).map(([k, v]) => "  " + k + "=" + (Number.isInteger(v) ? v : v.toPrecision(4))).join("");
  if (run.epochs !== st.epochs) {
    st.epochs = run.epochs;
    const recs = await (await fetch("/api/runs/" + encodeURIComponent(run.name) + "/metrics")).json();
    const rows = recs.map(flat);
    const xs = rows.map((r, i) => r.epoch !== undefined ? r.epoch : i + 1);
    const keys = [];
    for (const r of rows) for (const k of Object.keys(r)) if (k !== "epoch" && !keys.includes(k) && plotted.some(p => k.includes(p))) keys.push(k);
    const charts = sec.querySelector(".charts");
    charts.replaceChildren(...keys.map(k => chart(k, xs, rows.map(r => r[k]))));
  }
  if (run.modified_unix_ms !== st.modified) {
    st.modified = run.modified_unix_ms;
    const pngs = sec.querySelector(".pngs");
    pngs.replaceChildren(...run.pngs.map(f => {
      const img = el("img");
      img.alt = f; img.title = f;
      img.src = "/runs/" + encodeURIComponent(run.name) + "/" + encodeURIComponent(f) + "?t=" + run.modified_unix_ms;
      return img;
    }));
  }
}

async function poll() {
  try {
    const runs = await (await fetch("/api/runs")).json();
    const box = document.getElementById("runs");
    const order = [];
    for (const run of runs) {
      let st = state[run.name];
      if (!st) st = state[run.name] = {epochs: -1, modified: -1, el: section(run)};
      order.push(st.el);
      await updateRun(run, st);
    }
    box.replaceChildren(...order);
    document.getElementById("status").textContent = runs.length + " runs, updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("status").textContent = "cannot reach the server: " + e;
  }
  setTimeout(poll, 2000);
}
poll();
</script>
</body>
</html>
`
