//go:build torch

package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/nir"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/torchlayer"
)

// nirRun simulates a chain-shaped NIR graph (Conv2d, AvgPool2d, SumPool2d,
// LIF, Flatten, Affine nodes) on one image given at every step, by naive
// loops in float64, with braingo's discrete reading of LIF nodes (β =
// 1 − dt/τ, input gain r·dt/τ, the reset of the braingo_reset metadata
// computed from the previous membrane). It returns the last node's spikes
// and membranes per step.
func nirRun(t *testing.T, g *nir.Node, path []string, img []float64, steps int) (spk, mem [][]float64) {
	t.Helper()
	dt := g.Metadata["braingo_dt"].Float()[0]
	state := map[string][]float64{}
	for range steps {
		x, shape := img, []int{1, 28, 28}
		var lastV []float64
		for _, name := range path[1 : len(path)-1] {
			nd := g.Nodes[name]
			p := func(k string) []int {
				var out []int
				for _, v := range nd.Params[k].I64 {
					out = append(out, int(v))
				}
				return out
			}
			switch nd.Type {
			case "Conv2d":
				w := nd.Params["weight"]
				co, ci, kh, kw := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
				st, pd, dl, grp := p("stride"), p("padding"), p("dilation"), int(nd.Params["groups"].I64[0])
				if ih := p("input_shape"); !slices.Equal(ih, shape[1:]) {
					t.Fatalf("%s: input_shape %v, its input is %v", name, ih, shape)
				}
				H, W := shape[1], shape[2]
				oh, ow := (H+2*pd[0]-dl[0]*(kh-1)-1)/st[0]+1, (W+2*pd[1]-dl[1]*(kw-1)-1)/st[1]+1
				y := make([]float64, co*oh*ow)
				opg := co / grp
				for o := range co {
					gi := o / opg
					for i := range oh {
						for j := range ow {
							s := float64(nd.Params["bias"].F32[o])
							for c := range ci {
								cin := gi*ci + c
								for a := range kh {
									for b := range kw {
										r, q := i*st[0]-pd[0]+a*dl[0], j*st[1]-pd[1]+b*dl[1]
										if r >= 0 && r < H && q >= 0 && q < W {
											s += float64(w.F32[((o*ci+c)*kh+a)*kw+b]) * x[(cin*H+r)*W+q]
										}
									}
								}
							}
							y[(o*oh+i)*ow+j] = s
						}
					}
				}
				x, shape = y, []int{co, oh, ow}
			case "AvgPool2d", "SumPool2d":
				k, st := p("kernel_size"), p("stride")
				C, H, W := shape[0], shape[1], shape[2]
				oh, ow := (H-k[0])/st[0]+1, (W-k[1])/st[1]+1
				y := make([]float64, C*oh*ow)
				for c := range C {
					for i := range oh {
						for j := range ow {
							s := 0.0
							for a := range k[0] {
								for b := range k[1] {
									s += x[(c*H+i*st[0]+a)*W+j*st[1]+b]
								}
							}
							if nd.Type == "AvgPool2d" {
								s /= float64(k[0] * k[1])
							}
							y[(c*oh+i)*ow+j] = s
						}
					}
				}
				x, shape = y, []int{C, oh, ow}
			case "Flatten":
				if it := p("input_type"); !slices.Equal(it, shape) {
					t.Fatalf("%s: input_type %v, its input is %v", name, it, shape)
				}
				shape = []int{len(x)}
			case "Affine":
				w := nd.Params["weight"]
				out, in := w.Shape[0], w.Shape[1]
				if in != len(x) {
					t.Fatalf("%s: weight %v for %d inputs", name, w.Shape, len(x))
				}
				y := make([]float64, out)
				for o := range out {
					s := float64(nd.Params["bias"].F32[o])
					for i := range in {
						s += float64(w.F32[o*in+i]) * x[i]
					}
					y[o] = s
				}
				x, shape = y, []int{out}
			case "LIF":
				tau, r, th := nd.Params["tau"].Float(), nd.Params["r"].Float(), nd.Params["v_threshold"].Float()
				if got := nd.Params["tau"].Shape; !slices.Equal(got, shape) {
					t.Fatalf("%s: parameters of shape %v, its input is %v", name, got, shape)
				}
				reset := "zero"
				if m := nd.Metadata["braingo_reset"]; m != nil {
					reset = m.Str[0]
				}
				u := state[name]
				if u == nil {
					u = make([]float64, len(x))
				}
				v, s := make([]float64, len(x)), make([]float64, len(x))
				for i := range x {
					beta, gain := 1-dt/tau[i], r[i]*dt/tau[i]
					fired := u[i] > th[i]
					v[i] = beta*u[i] + gain*x[i]
					switch {
					case fired && reset == "subtract":
						v[i] -= th[i]
					case fired && reset == "zero":
						v[i] = 0
					}
					if v[i] > th[i] {
						s[i] = 1
					}
				}
				state[name] = v
				x, lastV = s, v
			default:
				t.Fatalf("%s: the test's simulator has no %s", name, nd.Type)
			}
		}
		spk, mem = append(spk, x), append(mem, lastV)
	}
	return spk, mem
}

// A csnn-classify run with average pooling and batch norm, trained briefly,
// exports (with --lossy: its LIF neurons reset by subtraction) to a NIR
// file whose graph read back has the expected nodes, edges and shapes, and
// which the naive simulation above runs to braingo's readout spikes and
// membranes on a few images.
func TestExportCSNNToNIR(t *testing.T) {
	data := tinyData(t)
	dir := t.TempDir()
	run1, file := filepath.Join(dir, "run"), filepath.Join(dir, "csnn.nir")
	const steps = 4
	if _, stderr, code := run(t, "train", "fmnist-csnn", "--out", run1, "--set", "data_dir="+data, "--set", "model.pool=avg",
		"--set", "model.batch_norm=true", "--set", "model.channels=4,8", "--set", "model.threshold=0.3", "--set", "model.beta=0.9", "--set", fmt.Sprintf("steps=%d", steps),
		"--set", "batch_size=64", "--set", "epochs=1", "--json"); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, "export", run1, "--format", "nir", "-o", file); code != 1 || !strings.Contains(stderr, "lif1: reset by subtraction") {
		t.Fatalf("export without --lossy: exit %d, %s", code, stderr)
	}
	_, stderr, code := run(t, "export", run1, "--format", "nir", "-o", file, "--lossy")
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr)
	}
	for _, w := range []string{"lif1: reset by subtraction", "lif2: reset by subtraction", "readout: reset by subtraction"} {
		if !strings.Contains(stderr, "warning: dropped: "+w) {
			t.Errorf("warnings %q lack %q", stderr, w)
		}
	}
	g, err := nir.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	path := []string{"input", "conv1", "pool1", "lif1", "conv2", "pool2", "lif2", "flatten", "fc", "readout", "output"}
	types := []string{"Input", "Conv2d", "AvgPool2d", "LIF", "Conv2d", "AvgPool2d", "LIF", "Flatten", "Affine", "LIF", "Output"}
	if len(g.Nodes) != len(path) || len(g.Edges) != len(path)-1 {
		t.Fatalf("%d nodes, %d edges: %v", len(g.Nodes), len(g.Edges), g.Edges)
	}
	for i, name := range path {
		if nd := g.Nodes[name]; nd == nil || nd.Type != types[i] {
			t.Fatalf("node %s: %v, want a %s", name, nd, types[i])
		}
		if i > 0 && g.Edges[i-1] != (nir.Edge{From: path[i-1], To: name}) {
			t.Errorf("edge %d is %v, want %s -> %s", i-1, g.Edges[i-1], path[i-1], name)
		}
	}
	// 28 -conv5-> 24 -pool-> 12 -conv5-> 8 -pool-> 4.
	for name, want := range map[string][]int{"conv1": {4, 1, 5, 5}, "conv2": {8, 4, 5, 5}, "fc": {10, 128}} {
		if sh := g.Nodes[name].Params["weight"].Shape; !slices.Equal(sh, want) {
			t.Errorf("%s weight %v, want %v", name, sh, want)
		}
	}
	for name, want := range map[string][]int{"lif1": {4, 12, 12}, "lif2": {8, 4, 4}, "readout": {10}} {
		if sh := g.Nodes[name].Params["tau"].Shape; !slices.Equal(sh, want) {
			t.Errorf("%s of shape %v, want %v", name, sh, want)
		}
	}
	if sh := g.Nodes["conv2"].Params["input_shape"].I64; !slices.Equal(sh, []int64{12, 12}) {
		t.Errorf("conv2 input_shape %v", sh)
	}
	if g.Metadata[nir.MetaRecipe] == nil {
		t.Error("no recipe in the file's metadata")
	}

	// braingo's forward pass on a few images against the file's.
	_, net, err := kinds.LoadNetwork(run1, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := net.(*torchlayer.CSNN)
	const n = 4
	r := rand.New(rand.NewPCG(7, 8))
	x := make([]float32, n*784)
	for i := range x {
		x[i] = r.Float32()
	}
	tp := tensor.NewTape()
	var spk, mem []*tensor.Tensor
	var hidden []float64
	tp.NoGrad(func() { spk, mem, hidden = m.Run(tp, tensor.New([]int{n, 1, 28, 28}, x)) })
	if hidden[0] == 0 || hidden[1] == 0 {
		t.Fatalf("silent conv blocks (%v spikes): the comparison tests little", hidden)
	}
	worst, flips, count := 0.0, 0, 0.0
	for i := range n {
		img := make([]float64, 784)
		for k := range img {
			img[k] = float64(x[i*784+k])
		}
		s, v := nirRun(t, g, path, img, steps)
		for st := range steps {
			for c := range 10 {
				bs, bv := float64(spk[st].Data[i*10+c]), float64(mem[st].Data[i*10+c])
				count += bs
				if bs != s[st][c] {
					flips++
				}
				worst = max(worst, math.Abs(bv-v[st][c])/(1+math.Abs(bv)))
			}
		}
	}
	t.Logf("readout: %v spikes; largest membrane difference %.2g (relative), %d spikes differ", count, worst, flips)
	if flips > 0 || worst > 1e-4 {
		t.Errorf("the NIR graph's readout differs from braingo's: %d spikes differ, membranes by up to %.2g", flips, worst)
	}
	tp.Reset()
	m.Store.Release()
}

// A csnn with max pooling is refused without --lossy, naming MaxPool2d; a
// lossy export writes AvgPool2d and lists it.
func TestExportCSNNMaxPool(t *testing.T) {
	r, err := recipes.Load("fmnist-csnn", []string{"model.channels=2,4", "model.pool=max"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := kinds.BuildCSNN(r.Spec.(*kinds.CSNN))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := (&kinds.CSNN{}).ExportNIR(m, nir.Options{}); err == nil || !strings.Contains(err.Error(), "pool1: MaxPool2d") || !strings.Contains(err.Error(), "--lossy") {
		t.Errorf("max pooling without --lossy: %v", err)
	}
	g, warn, err := (&kinds.CSNN{}).ExportNIR(m, nir.Options{Lossy: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(warn) == 0 || !strings.Contains(warn[0], "pool1: MaxPool2d") || g.Nodes["pool1"].Type != "AvgPool2d" || g.Nodes["pool2"].Type != "AvgPool2d" {
		t.Errorf("lossy: warnings %q, pool1 %s", warn, g.Nodes["pool1"].Type)
	}
}

// A csnn whose neurons all reset to zero, with average pooling, exports
// without --lossy and without warnings.
func TestExportCSNNZeroReset(t *testing.T) {
	r, err := recipes.Load("fmnist-csnn", []string{"model.channels=2,4", "model.pool=avg", "model.reset=zero", "model.readout_reset=zero", "model.batch_norm=true"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := kinds.BuildCSNN(r.Spec.(*kinds.CSNN))
	if err != nil {
		t.Fatal(err)
	}
	g, warn, err := (&kinds.CSNN{}).ExportNIR(m, nir.Options{})
	if err != nil || len(warn) > 0 {
		t.Fatalf("export: %v, warnings %q", err, warn)
	}
	if n := len(g.Nodes); n != 11 {
		t.Errorf("%d nodes, want 11 (batch norm folded)", n)
	}
}
