package kinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/recipes"
)

// Axis is one swept recipe key and its values (--sweep key=v1,v2,...).
type Axis struct {
	Key    string
	Values []string
}

// ParseAxis reads "key=v1,v2,...".
func ParseAxis(s string) (Axis, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || v == "" {
		return Axis{}, fmt.Errorf("--sweep %q: want key=v1,v2,...", s)
	}
	var vals []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			vals = append(vals, x)
		}
	}
	if len(vals) == 0 {
		return Axis{}, fmt.Errorf("--sweep %q: no values", s)
	}
	return Axis{Key: strings.TrimSpace(k), Values: vals}, nil
}

// ParseSeeds reads a seed list: "1,2,3", a range "1-5", or both ("1-3,7").
func ParseSeeds(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a || b-a > 1000 {
			return nil, fmt.Errorf("--seeds %q: want seeds such as 1,2,3 or 1-5 (non-negative, at most 1,000 in a range)", s)
		}
		for x := a; x <= b; x++ {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out, nil
}

// Point is one point of an experiment's grid: its overrides, beside the
// user's, and the runs of its seeds.
type Point struct {
	Sets  []string // the swept key=value overrides
	Runs  []PointRun
	Stats map[string]Stat // final measures over the seeds
}

// PointRun is one run of a point.
type PointRun struct {
	Seed     int
	Dir      string
	Measures map[string]float64
}

// Stat is a measure over the seeds of a point: mean and sample standard
// deviation (0 for one seed).
type Stat struct {
	Mean, Std float64
	Values    []float64
}

// Experiment runs recipe (a name or file) with the user's overrides at
// every point of the sweep grid and every seed: one run directory each,
// root/POINT/seed-N (root/seed-N without a sweep). A run directory that
// already holds a run is resumed, so a finished run is reused rather than
// trained again. Each run's tables are left out (results go to the
// summary); progress goes to opts.Stderr.
func Experiment(ctx context.Context, recipe string, sets []string, seeds []int, sweep []Axis, root string, opts RunOptions) ([]*Point, error) {
	if len(seeds) == 0 {
		seeds = []int{-1} // the recipe's own seed
	}
	grid := [][]string{nil}
	for _, ax := range sweep {
		var next [][]string
		for _, g := range grid {
			for _, v := range ax.Values {
				next = append(next, append(append([]string(nil), g...), ax.Key+"="+v))
			}
		}
		grid = next
	}
	var points []*Point
	for _, g := range grid {
		p := &Point{Sets: g}
		for _, seed := range seeds {
			all := append(append([]string(nil), sets...), g...)
			dir := root
			if len(g) > 0 {
				dir = filepath.Join(dir, pointName(g))
			}
			if seed >= 0 {
				all = append(all, "seed="+strconv.Itoa(seed))
				dir = filepath.Join(dir, "seed-"+strconv.Itoa(seed))
			}
			r, err := recipes.Load(recipe, all)
			if err != nil {
				return nil, err
			}
			o := opts
			o.Dir, o.Resume, o.Stdout, o.JSON = dir, !opts.Force, io.Discard, true
			fmt.Fprintf(opts.Stderr, "experiment: %s %s\n", r.Name, strings.Join(append(g, seedText(seed)), " "))
			if err := Run(ctx, r, o); err != nil {
				return nil, fmt.Errorf("%s: %w", dir, err)
			}
			recs, err := eval.ReadRecords(filepath.Join(dir, eval.MetricsFile))
			if err != nil || len(recs) == 0 {
				return nil, fmt.Errorf("%s: a %s run writes no metrics (%s) to summarize", dir, r.Kind, eval.MetricsFile)
			}
			m := finalMeasures(recs[len(recs)-1])
			if err := addTestFile(dir, m); err != nil {
				return nil, err
			}
			p.Runs = append(p.Runs, PointRun{Seed: seed, Dir: dir, Measures: m})
		}
		p.Stats = stats(p.Runs)
		points = append(points, p)
	}
	return points, nil
}

func seedText(seed int) string {
	if seed < 0 {
		return ""
	}
	return "seed=" + strconv.Itoa(seed)
}

// pointName is a folder name for a point: key=value pairs joined by commas,
// with path separators replaced.
func pointName(sets []string) string {
	return strings.NewReplacer("/", "_", string(filepath.Separator), "_", " ", "").Replace(strings.Join(sets, ","))
}

// addTestFile adds a validated run's test.json to its final measures: the
// test figures of the best validation epoch, that epoch and its validation
// measure (replacing the last epoch's). A run without one adds nothing.
func addTestFile(dir string, m map[string]float64) error {
	b, err := os.ReadFile(filepath.Join(dir, TestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var t map[string]any
	if err := json.Unmarshal(b, &t); err != nil {
		return fmt.Errorf("%s: %v", filepath.Join(dir, TestFile), err)
	}
	for k, v := range t {
		if f, ok := v.(float64); ok && k != "samples" && k != "trials" {
			m[k] = f
		}
	}
	return nil
}

// finalMeasures are a run's last metrics record without times: the losses
// and accuracies that were measured and the kind's extra measures.
func finalMeasures(rec eval.EpochRecord) map[string]float64 {
	m := map[string]float64{}
	for k, v := range map[string]float64{"train_loss": rec.TrainLoss, "train_acc": rec.TrainAcc, "test_loss": rec.TestLoss, "test_acc": rec.TestAcc} {
		if !math.IsNaN(v) {
			m[k] = v
		}
	}
	for k, v := range rec.Extra {
		if !TimingKey(k) && !math.IsNaN(v) {
			m[k] = v
		}
	}
	return m
}

// TimingKey reports whether a measure's key names a time, a speed, a
// memory size or a date, which differ between runs of the same recipe and
// seed: keys holding "seconds", "peak_rss", "saved", "wall" or
// "bridge_pct", and speeds ending in "_per_s" (not other "per_s…" keys:
// synops_per_sample is a measure).
func TimingKey(k string) bool {
	if strings.HasSuffix(k, "_per_s") {
		return true
	}
	for _, s := range []string{"seconds", "peak_rss", "saved", "wall", "bridge_pct"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

func stats(runs []PointRun) map[string]Stat {
	out := map[string]Stat{}
	for _, r := range runs {
		for k, v := range r.Measures {
			s := out[k]
			s.Values = append(s.Values, v)
			out[k] = s
		}
	}
	for k, s := range out {
		var sum float64
		for _, v := range s.Values {
			sum += v
		}
		s.Mean = sum / float64(len(s.Values))
		if n := len(s.Values); n > 1 {
			var ss float64
			for _, v := range s.Values {
				ss += (v - s.Mean) * (v - s.Mean)
			}
			s.Std = math.Sqrt(ss / float64(n-1))
		}
		out[k] = s
	}
	return out
}

// measureNames lists the measures of the points, the headline ones first.
func measureNames(points []*Point) []string {
	seen := map[string]bool{}
	for _, p := range points {
		for k := range p.Stats {
			seen[k] = true
		}
	}
	order := []string{"test_acc", "performance", "mean_reward", "test_nmse", "train_acc", "train_loss", "test_loss"}
	var out []string
	for _, k := range order {
		if seen[k] {
			out = append(out, k)
			delete(seen, k)
		}
	}
	var rest []string
	for k := range seen {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// WriteExperimentTable prints one row per point: its swept values, the
// number of seeds and each measure as mean ± standard deviation.
func WriteExperimentTable(w io.Writer, sweep []Axis, points []*Point) error {
	names := measureNames(points)
	var header []string
	for _, ax := range sweep {
		header = append(header, ax.Key)
	}
	header = append(header, "runs")
	header = append(header, names...)
	var rows [][]string
	for _, p := range points {
		var row []string
		for _, s := range p.Sets {
			_, v, _ := strings.Cut(s, "=")
			row = append(row, v)
		}
		row = append(row, strconv.Itoa(len(p.Runs)))
		for _, k := range names {
			s, ok := p.Stats[k]
			switch {
			case !ok:
				row = append(row, "-")
			case len(s.Values) > 1:
				row = append(row, fmt.Sprintf("%.4g ± %.2g", s.Mean, s.Std))
			default:
				row = append(row, fmt.Sprintf("%.4g", s.Mean))
			}
		}
		rows = append(rows, row)
	}
	return eval.WriteSummaryTable(w, header, rows)
}

// ExperimentJSON is the --json object of one point.
type ExperimentJSON struct {
	Point    map[string]string `json:"point,omitempty"`
	Seeds    []int             `json:"seeds,omitempty"`
	Dirs     []string          `json:"dirs"`
	Measures map[string]Stat   `json:"measures"`
}

// JSON returns p as an ExperimentJSON.
func (p *Point) JSON() ExperimentJSON {
	out := ExperimentJSON{Measures: p.Stats}
	if len(p.Sets) > 0 {
		out.Point = map[string]string{}
		for _, s := range p.Sets {
			k, v, _ := strings.Cut(s, "=")
			out.Point[k] = v
		}
	}
	for _, r := range p.Runs {
		if r.Seed >= 0 {
			out.Seeds = append(out.Seeds, r.Seed)
		}
		out.Dirs = append(out.Dirs, r.Dir)
	}
	return out
}

// SweepPlotFile is the plot of a one-axis numeric sweep.
const SweepPlotFile = "sweep.png"

// WriteSweepPlot plots the headline measure (and, where present, the
// training loss) against the swept value, with the seeds' standard
// deviation as error bars, into dir/sweep.png. It writes nothing unless the
// sweep has one axis of numbers.
func WriteSweepPlot(dir string, sweep []Axis, points []*Point) error {
	if len(sweep) != 1 {
		return nil
	}
	x := make([]float64, len(points))
	for i, v := range sweep[0].Values {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil
		}
		x[i] = f
	}
	var panels []eval.LinePlot
	for _, k := range measureNames(points) {
		if len(panels) == 2 {
			break
		}
		s := eval.Series{Name: k, X: x}
		for _, p := range points {
			st, ok := p.Stats[k]
			if !ok {
				st.Mean = math.NaN()
			}
			s.Y = append(s.Y, st.Mean)
			s.YErr = append(s.YErr, st.Std)
		}
		panels = append(panels, eval.LinePlot{Title: k + " against " + sweep[0].Key, XLabel: sweep[0].Key, YLabel: k, Series: []eval.Series{s}})
	}
	if len(panels) == 0 {
		return nil
	}
	return eval.WriteLines(filepath.Join(dir, SweepPlotFile), panels...)
}
