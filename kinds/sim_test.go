package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/braingo/braingo/recipes"
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
	for _, sets := range [][]string{{"scale=0", "neurons=0"}, {"duration_ms=-1"}, {"conn=sparse"}, {"neurons=10", "fixed_k=80"}} {
		r, err := recipes.Load("coba", sets)
		if err == nil {
			_, err = r.Spec.(*Sim).Build()
		}
		if err == nil {
			t.Errorf("%v: no error", sets)
		}
	}
}
