package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/nir"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

// cellSets turns pdm-rate into a small RSNN of a cell model at 1-ms steps
// with short periods.
func cellSets(neuron string, more ...string) []string {
	gain := map[string]string{"izhikevich": "10", "adex": "3000", "hh": "2000"}[neuron]
	return append([]string{"model.type=rsnn", "model.neuron=" + neuron, "model.hidden_gain=" + gain, "model.hh_width=40",
		"task.dt=1", "task.timing=[fixation=50,stimulus=150,decision=50]", "model.units=16",
		"epochs=4", "batches=10", "batch_size=16", "eval_trials=32", "lr=5e-3", "threads=1"}, more...)
}

// The task kinds' model fields reach the RSNN's cells: the model at the
// task's step, the current gain, HH's surrogate width and backward pass.
func TestTaskCellFields(t *testing.T) {
	for _, tc := range []struct {
		neuron string
		sets   []string
		want   snn.Cell
	}{
		{"izhikevich", nil, snn.IzhikevichCell{Izhikevich: snn.Izhikevich{Dt: 1}}},
		{"adex", []string{"task.dt=0.5"}, snn.AdExCell{AdEx: snn.AdEx{Dt: 0.5}}},
		{"hh", nil, snn.HHCell{HH: snn.HH{Model: snn.TraubMiles(1), Scale: 40, DetachGates: true}}},
		{"hh", []string{"model.hh_width=7", "model.hh_gradient=full", "task.dt=0.25"}, snn.HHCell{HH: snn.HH{Model: snn.TraubMiles(0.25), Scale: 7}}},
	} {
		r, err := recipes.Load("pdm-rate", cellSets(tc.neuron, tc.sets...))
		if err != nil {
			t.Fatal(err)
		}
		c := r.Spec.(*TaskBPTT)
		d, err := c.data()
		if err != nil {
			t.Fatal(err)
		}
		rec, err := c.network(d)
		if err != nil {
			t.Fatal(err)
		}
		net := rec.(*networks.RSNN)
		got := net.Cell
		// the surrogate is checked by name, the rest field by field
		switch g := got.(type) {
		case snn.IzhikevichCell:
			if g.Surrogate == nil || g.Surrogate.Name() != "triangle" {
				t.Errorf("%s: surrogate %v", tc.neuron, g.Surrogate)
			}
			g.Surrogate = nil
			got = g
		case snn.AdExCell:
			g.Surrogate = nil
			got = g
		case snn.HHCell:
			g.Surrogate = nil
			got = g
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %v: cell %+v, want %+v", tc.neuron, tc.sets, got, tc.want)
		}
		if net.Gain != map[string]float32{"izhikevich": 10, "adex": 3000, "hh": 2000}[tc.neuron] {
			t.Errorf("%s: gain %v", tc.neuron, net.Gain)
		}
	}
}

// A bad value for the cell models is refused when the recipe loads, naming
// its field; so is a neuron e-prop cannot train.
func TestTaskCellRefused(t *testing.T) {
	for _, tc := range []struct {
		recipe string
		sets   []string
		field  string
	}{
		{"pdm-rate", cellSets("izhikevich", "task.dt=0"), "task.dt"}, // the task's own 100 ms
		{"pdm-rate", cellSets("adex", "task.dt=2"), "task.dt"},
		{"pdm-rate", cellSets("hh", "task.dt=1.5"), "task.dt"},
		{"pdm-rate", cellSets("hh", "model.hidden_gain=0"), "model.hidden_gain"},
		{"pdm-rate", cellSets("hh", "model.hh_width=-1"), "model.hh_width"},
		{"pdm-rate", cellSets("hh", "model.hh_gradient=gates"), "model.hh_gradient"},
		{"pdm-rate", cellSets("izhikevich", "train.mem_reg=1"), "train.mem_reg"},
		{"pdm-rate", cellSets("adex", "model.neuron=hodgkin"), "model.neuron"},
		{"evidence-eprop", []string{"model.neuron=izhikevich", "task.dt=1"}, "model.neuron"},
		{"evidence-eprop", []string{"model.neuron=hh", "task.dt=1"}, "model.neuron"},
		{"evidence-eprop", []string{"model.hidden_gain=2"}, "model.hidden_gain"},
	} {
		_, err := recipes.Load(tc.recipe, tc.sets)
		if err == nil || !strings.Contains(err.Error(), tc.field+": ") {
			t.Errorf("%s %v: error %v, want one naming %s", tc.recipe, tc.sets[len(tc.sets)-1], err, tc.field)
		}
	}
}

// Each cell model's RSNN learns by BPTT: four short epochs of a
// PerceptualDecisionMaking at 1-ms steps cut the training loss by a
// quarter or more, with the hidden neurons firing.
func TestTaskCellNeuronsLearn(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three networks")
	}
	for _, neuron := range []string{"izhikevich", "adex", "hh"} {
		t.Run(neuron, func(t *testing.T) {
			r, err := recipes.Load("pdm-rate", cellSets(neuron))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := Run(context.Background(), r, RunOptions{Dir: t.TempDir(), Stdout: &out, Stderr: io.Discard, JSON: true}); err != nil {
				t.Fatal(err)
			}
			var lines []TaskLine
			for _, l := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
				var tl TaskLine
				if err := json.Unmarshal(l, &tl); err != nil {
					t.Fatalf("%v: %s", err, l)
				}
				lines = append(lines, tl)
			}
			if len(lines) != 4 {
				t.Fatalf("%d epochs, want 4", len(lines))
			}
			first, last := lines[0], lines[len(lines)-1]
			if !(last.TrainLoss < 0.75*first.TrainLoss) {
				t.Errorf("training loss %v after the first epoch, %v after the last: want a quarter less", first.TrainLoss, last.TrainLoss)
			}
			if last.HiddenRate <= 0 {
				t.Errorf("hidden rate %v: the neurons are silent", last.HiddenRate)
			}
			t.Logf("loss %.4f -> %.4f, hidden rate %.4f, performance %v", first.TrainLoss, last.TrainLoss, last.HiddenRate, *last.Performance)
		})
	}
}

// NIR export refuses what it cannot express: a cell model's neurons and a
// current gain (which the export would otherwise drop).
func TestTaskCellExportRefused(t *testing.T) {
	for _, tc := range []struct {
		sets []string
		says string
	}{
		{cellSets("hh"), "hh neurons have no NIR node"},
		{cellSets("izhikevich"), "izhikevich neurons have no NIR node"},
		{[]string{"model.type=rsnn", "model.hidden_gain=2"}, "model.hidden_gain 2"},
	} {
		r, err := recipes.Load("pdm-rate", tc.sets)
		if err != nil {
			t.Fatal(err)
		}
		c := r.Spec.(*TaskBPTT)
		d, err := c.data()
		if err != nil {
			t.Fatal(err)
		}
		net, err := c.network(d)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.ExportNIR(net, nir.Options{DT: 1e-4})
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v: error %v, want one saying %q", tc.sets, err, tc.says)
		}
	}
}
