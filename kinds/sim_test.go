package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

func TestRunSim(t *testing.T) {
	for _, c := range []struct {
		name string
		sets []string
	}{
		{"coba", []string{"neurons=1000", "duration_ms=100", "conn=jit"}},
		{"coba", []string{"scale=0.25", "duration_ms=100", "conn=dense", "threads=1"}},
		{"cuba", []string{"neurons=800", "duration_ms=100"}},
		{"coba-hh", []string{"neurons=400", "duration_ms=50", "plots=false"}},
	} {
		r, err := recipes.Load(c.name, c.sets)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var out bytes.Buffer
		if err := Run(context.Background(), r, RunOptions{Dir: dir, Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
			t.Fatalf("%s %v: %v", c.name, c.sets, err)
		}
		var res SimResult
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("%s: %v in %q", c.name, err, out.String())
		}
		if res.Neurons == 0 || res.Synapses == 0 || res.RateHz <= 0 || res.RunSeconds <= 0 || res.PeakRSSMB <= 0 {
			t.Errorf("%s %v: %+v", c.name, c.sets, res)
		}
		want := []string{recipes.EchoFile}
		if r.Spec.(*Sim).Plots {
			want = append(want, "raster.png", SimRateFile)
		}
		for _, f := range want {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
	}
}

func TestSimInvalid(t *testing.T) {
	for _, c := range []struct {
		sets []string
		want string // in the message
	}{
		{[]string{"scale=0", "neurons=0"}, "scale"},
		{[]string{"duration_ms=-1"}, "duration_ms"},
		{[]string{"conn=sparse"}, "conn"},
		{[]string{"neurons=10", "fixed_k=80"}, "fixed_k"},
		{[]string{"neurons=1"}, "neurons: 1 neurons leave group E none"},
		{[]string{"projections.1.pre=Q"}, `projections.1.pre: no group named "Q" (groups: E, I)`},
		{[]string{"groups.1.name=E"}, "groups.1.name: two groups are named E"},
		{[]string{"groups.0.name=all"}, "groups.0.name"},
		{[]string{"projections.0.rule=fixed_in", "projections.0.conn=jit"}, "projections.0.conn: jit storage"},
		{[]string{"projections.0.rule=fixed_in", "projections.0.in_degree=4000"}, "projections.0.in_degree: 4000 exceeds the 3200 neurons of group E"},
		{[]string{"projections.1.rule=one_to_one"}, "projections.1.rule: one_to_one needs groups of one size"},
		{[]string{"projections.0.delay_ms=2", "projections.0.delay_max_ms=1"}, "projections.0.delay_max_ms"},
		{[]string{"projections.0.delay_max_ms=3", "projections.0.conn=dense"}, "per-synapse delays need csr or jit"},
		{[]string{"projections.1.name=E-E"}, "two projections are named E-E"},
		{[]string{"monitors.0.group=E", "monitors.0.var=q"}, ""},
	} {
		r, err := recipes.Load("coba", c.sets)
		if err == nil {
			var net *snn.Net
			if net, err = r.Spec.(*Sim).Build(); err == nil {
				_, err = r.Spec.(*Sim).addMonitors(net, true)
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one saying %q", c.sets, err, c.want)
		}
	}
}

// sim draws its progress bar where a terminal would show it (forced here)
// and not on a plain stderr.
func TestSimProgressBar(t *testing.T) {
	for _, force := range []bool{true, false} {
		r, err := recipes.Load("coba", []string{"neurons=100", "duration_ms=3000", "plots=false", "checkpoint_s=0"})
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		if err := Run(context.Background(), r, RunOptions{Dir: t.TempDir(), Stdout: &out, Stderr: &errb, ForceProgress: force}); err != nil {
			t.Fatal(err)
		}
		bar := strings.Contains(errb.String(), "/30000)")
		if bar != force {
			t.Errorf("forced %v: bar drawn %v; stderr %q", force, bar, errb.String())
		}
		for _, want := range []string{"│ E ", "│ I ", "│ all ", "rate (Hz)"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("results table lacks %q:\n%s", want, out.String())
			}
		}
	}
}
