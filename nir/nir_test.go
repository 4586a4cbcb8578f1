package nir

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/fuzzopt"
	"github.com/braingo/braingo/internal/hdf5"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

func f64(v ...float64) *Array { return Float64s([]int{len(v)}, v) }
func i64(v ...int64) *Array   { return Int64s([]int{len(v)}, v) }

// One node of every NIR 1.0 type, with the parameters nir.write stores.
func everyNode() map[string]*Node {
	w := Float32s([]int{2, 3}, []float32{1, 2, 3, 4, 5, -6})
	return map[string]*Node{
		"Input":     NewNode("Input", map[string]*Array{"shape": i64(3)}),
		"Output":    NewNode("Output", map[string]*Array{"shape": i64(2)}),
		"Affine":    NewNode("Affine", map[string]*Array{"weight": w, "bias": Float32s([]int{2}, []float32{0.5, -1})}),
		"Linear":    NewNode("Linear", map[string]*Array{"weight": w}),
		"Scale":     NewNode("Scale", map[string]*Array{"scale": f64(2, 3)}),
		"LIF":       NewNode("LIF", map[string]*Array{"tau": f64(2e-3, 1e-3), "r": f64(20, 10), "v_leak": f64(0, 0), "v_threshold": f64(1, 1), "v_reset": f64(0, 0)}),
		"CubaLIF":   NewNode("CubaLIF", map[string]*Array{"tau_syn": f64(1e-3, 1e-3), "tau_mem": f64(2e-3, 2e-3), "r": f64(20, 20), "v_leak": f64(0, 0), "v_threshold": f64(1, 1), "v_reset": f64(0, 0), "w_in": f64(10, 10)}),
		"LI":        NewNode("LI", map[string]*Array{"tau": f64(2e-3, 1e-3), "r": f64(20, 10), "v_leak": f64(0, 0)}),
		"CubaLI":    NewNode("CubaLI", map[string]*Array{"tau_syn": f64(1e-3, 1e-3), "tau_mem": f64(2e-3, 2e-3), "r": f64(20, 20), "v_leak": f64(0, 0), "w_in": f64(10, 10)}),
		"IF":        NewNode("IF", map[string]*Array{"r": f64(1, 1), "v_threshold": f64(1, 1), "v_reset": f64(0, 0)}),
		"I":         NewNode("I", map[string]*Array{"r": f64(1, 1)}),
		"Threshold": NewNode("Threshold", map[string]*Array{"threshold": f64(0.5, 0.5)}),
		"Flatten":   NewNode("Flatten", map[string]*Array{"start_dim": Int64s(nil, []int64{0}), "end_dim": Int64s(nil, []int64{-1}), "input_type": i64(1, 28, 28)}),
		"Conv1d": NewNode("Conv1d", map[string]*Array{"input_shape": Int64s(nil, []int64{16}), "weight": Float32s([]int{2, 1, 3}, make([]float32, 6)),
			"stride": i64(1), "padding": i64(1), "dilation": i64(1), "groups": Int64s(nil, []int64{1}), "bias": Float32s([]int{2}, []float32{1, 2})}),
		"Conv2d": NewNode("Conv2d", map[string]*Array{"input_shape": i64(8, 8), "weight": Float32s([]int{2, 1, 3, 3}, make([]float32, 18)),
			"stride": i64(1, 1), "padding": i64(1, 1), "dilation": i64(1, 1), "groups": Int64s(nil, []int64{1}), "bias": Float32s([]int{2}, []float32{1, 2})}),
		"SumPool2d": NewNode("SumPool2d", map[string]*Array{"kernel_size": i64(2, 2), "stride": i64(2, 2), "padding": i64(0, 0)}),
		"AvgPool2d": NewNode("AvgPool2d", map[string]*Array{"kernel_size": i64(2, 2), "stride": i64(2, 2), "padding": i64(0, 0)}),
		"Delay":     NewNode("Delay", map[string]*Array{"delay": f64(1e-3, 2e-3)}),
	}
}

func equalNode(a, b *Node) bool {
	if a.Type != b.Type || len(a.Params) != len(b.Params) || len(a.Nodes) != len(b.Nodes) || len(a.Metadata) != len(b.Metadata) {
		return false
	}
	for k, v := range a.Params {
		if w, ok := b.Params[k]; !ok || !reflect.DeepEqual(normalize(v), normalize(w)) {
			return false
		}
	}
	for k, v := range a.Metadata {
		if w, ok := b.Metadata[k]; !ok || !reflect.DeepEqual(normalize(v), normalize(w)) {
			return false
		}
	}
	for k, v := range a.Nodes {
		if w, ok := b.Nodes[k]; !ok || !equalNode(v, w) {
			return false
		}
	}
	return slices.Equal(a.Edges, b.Edges)
}

func normalize(a *Array) Array {
	c := *a
	if len(c.Shape) == 0 {
		c.Shape = nil
	}
	if len(c.F32) == 0 {
		c.F32 = nil
	}
	if len(c.F64) == 0 {
		c.F64 = nil
	}
	if len(c.I64) == 0 {
		c.I64 = nil
	}
	if len(c.Str) == 0 {
		c.Str = nil
	}
	return c
}

// Write, read, write again: the same graph and the same bytes, for a graph
// of every node type and a nested subgraph with a recurrent edge.
func TestRoundTripEveryType(t *testing.T) {
	for typ, node := range everyNode() {
		t.Run(typ, func(t *testing.T) {
			g := NewGraph()
			g.Add("n", node)
			g.Metadata = map[string]*Array{"note": {Type: hdf5.String, Str: []string{"x"}}}
			node.Metadata = map[string]*Array{"k": Int64s(nil, []int64{7})}
			roundTrip(t, g)
		})
	}
	t.Run("nested recurrent", func(t *testing.T) {
		roundTrip(t, snnTorchRSynaptic())
	})
}

func roundTrip(t *testing.T, g *Node) *Node {
	t.Helper()
	b, err := Encode(g)
	if err != nil {
		t.Fatal(err)
	}
	back, version, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if version != Version {
		t.Errorf("version %q, want %q", version, Version)
	}
	if !equalNode(g, back) {
		t.Fatalf("round trip changed the graph")
	}
	b2, err := Encode(back)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(b2) {
		t.Fatal("writing what was read gives other bytes")
	}
	return back
}

// snnTorchRSynaptic is the graph snnTorch's export_to_nir makes of
// Linear -> RSynaptic -> Linear -> Leaky(readout): the recurrent layer as
// a nested NIRGraph of input, lif, w_rec and output.
func snnTorchRSynaptic() *Node {
	n := 3
	sub := NewGraph()
	sub.Add("input", shapeNode("Input", n))
	sub.Add("lif", NewNode("CubaLIF", map[string]*Array{"tau_syn": f64(1e-3, 1e-3, 1e-3), "tau_mem": f64(2e-3, 2e-3, 2e-3), "r": f64(20, 20, 20),
		"v_leak": f64(0, 0, 0), "v_threshold": f64(1, 1, 1), "v_reset": f64(0, 0, 0), "w_in": f64(10, 10, 10)}))
	sub.Add("w_rec", dense([]float32{0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8, -0.9}, n, n, []float32{0, 0.1, 0}))
	sub.Add("output", shapeNode("Output", n))
	sub.Connect("input", "lif", "w_rec", "lif")
	sub.Connect("lif", "output")
	g := NewGraph()
	g.Add("input", shapeNode("Input", 2))
	g.Add("fc1", dense([]float32{1, 2, 3, 4, 5, 6}, 2, n, []float32{0, 0, 0}))
	g.Add("rlif", sub)
	g.Add("fc2", dense([]float32{1, -1, 0.5, 0.5, 2, 0}, n, 2, []float32{0, 0}))
	g.Add("li", NewNode("LI", map[string]*Array{"tau": f64(1e-3, 1e-3), "r": f64(10, 10), "v_leak": f64(0, 0)}))
	g.Add("output", shapeNode("Output", 2))
	g.Connect("input", "fc1", "rlif", "fc2", "li", "output")
	return g
}

func TestValidateErrors(t *testing.T) {
	bad := map[string]*Node{
		"unknown node type": NewNode("Spiky", nil),
		"lacks parameter":   NewNode("LIF", map[string]*Array{"tau": f64(1)}),
		"unknown parameter": NewNode("Scale", map[string]*Array{"scale": f64(1), "gain": f64(2)}),
		"share one shape":   NewNode("LI", map[string]*Array{"tau": f64(1, 2), "r": f64(1), "v_leak": f64(0, 0)}),
		"not a matrix":      NewNode("Linear", map[string]*Array{"weight": f64(1, 2)}),
	}
	for want, n := range bad {
		g := NewGraph()
		g.Add("n", n)
		_, err := Encode(g)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v", want, err)
		}
	}
	g := NewGraph()
	g.Add("a", shapeNode("Input", 1))
	g.Connect("a", "b")
	if _, err := Encode(g); err == nil || !strings.Contains(err.Error(), `node "b"`) {
		t.Errorf("dangling edge: %v", err)
	}
}

// The conventions of the package doc, on numbers: β 0.95 at dt 1e-4 is
// tau 2 ms and r 20; α 0.9 gives tau_syn 1 ms and w_in 10.
func TestConventions(t *testing.T) {
	net := &networks.FeedForward{Blocks: []networks.Block{{Name: "hidden1",
		Proj: networks.NewDense("fc1", 2, 2, true, rand.New(rand.NewPCG(1, 1))),
		Cell: networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.9, LIF: snn.LIF{Beta: 0.95, Threshold: 0.5, Reset: snn.ResetZero}}}}}}
	g, warn, err := FromFeedForward(net, Options{})
	if err != nil || len(warn) > 0 {
		t.Fatal(err, warn)
	}
	c := g.Nodes["hidden1"]
	if c.Type != "CubaLIF" {
		t.Fatalf("type %s", c.Type)
	}
	for k, want := range map[string]float64{"tau_mem": 2e-3, "r": 20, "tau_syn": 1e-3, "w_in": 10, "v_threshold": 0.5, "v_reset": 0, "v_leak": 0} {
		got := c.Params[k].F64[0]
		if math.Abs(got-want) > 1e-6*math.Max(1, want) { // β and α are float32
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	w := g.Nodes["fc1"].Params["weight"]
	if !slices.Equal(w.Shape, []int{2, 2}) || w.F32[1] != net.Blocks[0].Proj.W.Data[2] {
		t.Errorf("weight not transposed to (out, in): %v", w.F32)
	}
	g2, _, err := FromFeedForward(net, Options{DT: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	if got := g2.Nodes["hidden1"].Params["tau_mem"].F64[0]; math.Abs(got-2e-2) > 1e-8 {
		t.Errorf("dt 1e-3: tau_mem %v, want 0.02", got)
	}
}

func randomFF(t *testing.T, cells []networks.Cell, gain float32, bias bool) *networks.FeedForward {
	r := rand.New(rand.NewPCG(3, 4))
	sizes := []int{5, 7, 6, 3}
	net := &networks.FeedForward{}
	for i, c := range cells {
		d := networks.NewDense("fc", sizes[i], sizes[i+1], bias, r)
		for j := range d.W.Data {
			d.W.Data[j] *= 3
		}
		d.Gain = gain
		name := "hidden"
		if i == len(cells)-1 {
			name = "output"
		}
		net.Blocks = append(net.Blocks, networks.Block{Name: name + string(rune('1'+i)), Proj: d, Cell: c})
	}
	return net
}

// runFF returns the membranes and spikes of every layer and step.
func runFF(net *networks.FeedForward, steps int) []float32 {
	r := rand.New(rand.NewPCG(7, 7))
	x := make([]float32, 4*net.Blocks[0].Proj.In())
	for i := range x {
		x[i] = float32(r.Float64())
	}
	tp := tensor.NewTape()
	tr := net.Run(tp, networks.Input{Static: tensor.New([]int{4, net.Blocks[0].Proj.In()}, x)}, steps)
	var out []float32
	for l := range tr.Mem {
		for s := range tr.Mem[l] {
			out = append(out, tr.Mem[l][s].Data...)
			if tr.Spikes[l][s] != nil {
				out = append(out, tr.Spikes[l][s].Data...)
			}
		}
	}
	return out
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// Export, write, read, import: the same membranes and spikes, bit for bit,
// for each cell kind braingo exports.
func TestFeedForwardRoundTrip(t *testing.T) {
	lif := func(beta float32, reset snn.Reset) snn.LIF {
		return snn.LIF{Beta: beta, Threshold: 0.8, Reset: reset}
	}
	learned := lif(0.9, snn.ResetZero)
	learned.LearnBeta = tensor.NewParam("b", []int{6}, []float32{0.5, 0.7, 0.9, 0.95, 0.99, -0.2}) // -0.2 clamps to 0
	cases := []struct {
		name  string
		cells []networks.Cell
		gain  float32
		bias  bool
		lossy bool
	}{
		{"lif zero", []networks.Cell{networks.LIFCell{LIF: lif(0.95, snn.ResetZero)}, networks.LIFCell{LIF: lif(0.9, snn.ResetZero)}}, 0, true, false},
		{"lif subtract lossy", []networks.Cell{networks.LIFCell{LIF: lif(0.95, snn.ResetSubtract)}, networks.LIFCell{LIF: lif(0.8, snn.ResetNone)}}, 0, true, true},
		{"lif zero_legacy lossy", []networks.Cell{networks.LIFCell{LIF: lif(0.95, snn.ResetZeroLegacy)}, networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.85, LIF: lif(0.9, snn.ResetZeroLegacy)}}}, 0, true, true},
		{"synaptic, li, gain, no bias", []networks.Cell{networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.85, LIF: lif(0.9, snn.ResetZero)}},
			networks.LIFCell{LIF: learned}, networks.LICell{LI: snn.LI{Beta: 0.7}}}, 0.3, false, false},
		{"cuba_li readout, IF", []networks.Cell{networks.LIFCell{LIF: lif(1, snn.ResetZero)}, networks.CubaLICell{Alpha: 0.5, LI: snn.LI{Beta: 0.6}}}, 2, true, false},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			net := randomFF(t, c.cells, c.gain, c.bias)
			g, warn, err := FromFeedForward(net, Options{Lossy: c.lossy})
			if err != nil {
				t.Fatal(err)
			}
			if c.lossy != (len(warn) > 0) {
				t.Errorf("warnings %q", warn)
			}
			path := filepath.Join(dir, "m.nir")
			if err := WriteFile(path, g); err != nil {
				t.Fatal(err)
			}
			back, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			net2, err := ToFeedForward(back, Options{})
			if err != nil {
				t.Fatal(err)
			}
			a, b := runFF(net, 12), runFF(net2, 12)
			if !sameBits(a, b) {
				t.Fatalf("read-back network computes other values")
			}
			spikes := 0
			for _, v := range a {
				if v == 1 {
					spikes++
				}
			}
			if spikes == 0 {
				t.Fatal("no spikes: the comparison tests nothing")
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ff := func(c networks.Cell) *networks.FeedForward {
		return &networks.FeedForward{Blocks: []networks.Block{{Name: "h", Proj: networks.NewDense("fc1", 2, 2, true, r), Cell: c}}}
	}
	for want, c := range map[string]networks.Cell{
		"subtraction":          networks.LIFCell{LIF: snn.LIF{Beta: 0.9}},
		"no reset":             networks.LIFCell{LIF: snn.LIF{Beta: 0.9, Reset: snn.ResetNone}},
		"adaptive threshold":   networks.ALIFCell{ALIF: snn.ALIF{Beta: 0.9, Rho: 0.9, BetaA: 1}},
		"have no NIR node":     networks.IzhikevichCell{},
		"has no time constant": networks.LIFCell{LIF: snn.LIF{Beta: 1.5, Reset: snn.ResetZero}},
	} {
		_, _, err := FromFeedForward(ff(c), Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v", want, err)
		}
	}
	// Lossy: ALIF becomes LIF with a warning naming what was dropped.
	g, warn, err := FromFeedForward(ff(networks.ALIFCell{ALIF: snn.ALIF{Beta: 0.9, Rho: 0.9, BetaA: 1}}), Options{Lossy: true})
	if err != nil || g.Nodes["h"].Type != "LIF" || len(warn) != 2 || !strings.Contains(warn[0], "adaptive") {
		t.Errorf("lossy ALIF: %v %v", err, warn)
	}
}

func testRSNN(inBeta float32, dale bool) *networks.RSNN {
	net := networks.NewRSNN("rsnn", networks.RSNNConfig{Inputs: 4, Units: 8, Outputs: 3, InitScale: 3, Inhibitory: map[bool]int{true: 2}[dale], NoSelf: dale},
		rand.New(rand.NewPCG(5, 6)))
	for i := range net.RecB.Data {
		net.RecB.Data[i] = 0.05 * float32(i%3)
		net.In.B.Data[i] = 0.1
	}
	net.LIF = snn.LIF{Beta: 0.9, Threshold: 1, Reset: snn.ResetZero}
	net.InBeta, net.OutBeta = inBeta, 0.8
	net.BinaryInput = true
	return net
}

func runRSNN(net *networks.RSNN, steps int) []float32 {
	r := rand.New(rand.NewPCG(8, 8))
	tp := tensor.NewTape()
	st := net.Start(tp, 2, nil, nil)
	var out []float32
	for range steps {
		x := make([]float32, 2*net.Inputs())
		for i := range x {
			if r.Float64() < 0.5 {
				x[i] = 1
			}
		}
		o, h := st.Step(tensor.New([]int{2, net.Inputs()}, x))
		out = append(out, o.Data...)
		out = append(out, h.Data...)
	}
	return out
}

// A recurrent LIF network (and one with a leaky input stage, exported as
// CubaLIF) reads back as the same network, bit for bit, with a recurrent
// edge in the graph.
func TestRSNNRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name    string
		inBeta  float32
		dale    bool
		outBeta float32
	}{{"lif", 0, false, 0.8}, {"cubalif", 0.7, false, 0.8}, {"dale lossy", 0, true, 0.8}, {"no readout node", 0.5, false, 0}} {
		t.Run(c.name, func(t *testing.T) {
			net := testRSNN(c.inBeta, c.dale)
			net.OutBeta = c.outBeta
			g, warn, err := FromRSNN(net, Options{Lossy: c.dale})
			if err != nil {
				t.Fatal(err)
			}
			if c.dale != (len(warn) == 1) {
				t.Errorf("warnings %q", warn)
			}
			if !slices.Contains(g.Edges, Edge{"rec", "lif"}) || !slices.Contains(g.Edges, Edge{"lif", "rec"}) {
				t.Fatalf("no recurrent edge: %v", g.Edges)
			}
			back := roundTrip(t, g)
			net2, err := ToRSNN(back, Options{})
			if err != nil {
				t.Fatal(err)
			}
			a, b := runRSNN(net, 15), runRSNN(net2, 15)
			if !sameBits(a, b) {
				t.Fatal("read-back RSNN computes other values")
			}
			if !slices.Contains(a, 1) {
				t.Fatal("no spikes")
			}
		})
	}
	if _, _, err := FromRSNN(testRSNN(0, true), Options{}); err == nil || !strings.Contains(err.Error(), "Dale") {
		t.Errorf("Dale's law without lossy: %v", err)
	}
	alif := testRSNN(0, false)
	alif.Neuron = "alif"
	if _, _, err := FromRSNN(alif, Options{}); err == nil || !strings.Contains(err.Error(), "ALIF") {
		t.Errorf("ALIF: %v", err)
	}
	alif.Neuron = "gif"
	if _, _, err := FromRSNN(alif, Options{Lossy: true}); err == nil {
		t.Error("GIF exported")
	}
}

// snnTorch nests its recurrent layer in a subgraph; it flattens and reads
// as an RSNN with the synaptic stage of CubaLIF.
func TestNestedSubgraph(t *testing.T) {
	g := roundTrip(t, snnTorchRSynaptic())
	f, err := Flatten(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []Edge{{"fc1", "rlif.lif"}, {"rlif.lif", "rlif.w_rec"}, {"rlif.w_rec", "rlif.lif"}, {"rlif.lif", "fc2"}} {
		if !slices.Contains(f.Edges, e) {
			t.Errorf("flattened graph lacks edge %v: %v", e, f.Edges)
		}
	}
	net, err := ToRSNN(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if net.Units() != 3 || math.Abs(float64(net.InBeta)-0.9) > 1e-6 || math.Abs(float64(net.LIF.Beta)-0.95) > 1e-6 || math.Abs(float64(net.OutBeta)-0.9) > 1e-6 {
		t.Errorf("rsnn %d units, in %v, beta %v, out %v", net.Units(), net.InBeta, net.LIF.Beta, net.OutBeta)
	}
	// W_rec (post, pre) becomes Rec (pre, post).
	if !sameBits(net.Rec.Data, []float32{0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8, -0.9}) || net.RecB.Data[1] != 0.1 {
		t.Errorf("rec %v bias %v", net.Rec.Data, net.RecB.Data)
	}
	if _, err := ToFeedForward(g, Options{}); err == nil || !strings.Contains(err.Error(), "not a feed-forward chain") {
		t.Errorf("a recurrent graph read as feed-forward: %v", err)
	}
}

// Files the NIR reference implementation and snnTorch wrote
// (baselines/nir_check.py write-reference) read, and the snnTorch one
// imports as a network.
func TestReadReferenceFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.nir"))
	if len(files) == 0 {
		t.Skip("no testdata/*.nir")
	}
	for _, f := range files {
		g, err := ReadFile(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		switch filepath.Base(f) {
		case "ref_every_type.nir", "ref_every_type_gzip.nir":
			want := everyNode()
			for typ := range want {
				if g.Nodes[strings.ToLower(typ)] == nil {
					t.Errorf("%s: no node %s", f, strings.ToLower(typ))
				}
			}
			if c := g.Nodes["lif"]; c == nil || c.Params["tau"].F64[0] != 2e-3 {
				t.Errorf("%s: lif %+v", f, c)
			}
		case "snntorch_ff.nir":
			net, err := ToFeedForward(g, Options{})
			if err != nil {
				t.Errorf("%s: %v", f, err)
			} else if len(net.Blocks) != 2 || net.Blocks[0].Proj.Out() != 6 || math.Abs(float64(net.Blocks[0].Cell.(networks.LIFCell).Beta)-0.9) > 1e-6 {
				t.Errorf("%s: network %v", f, net)
			}
		case "snntorch_rsynaptic.nir":
			// Linear -> RSynaptic (a nested subgraph) -> Linear.
			net, err := ToRSNN(g, Options{})
			if err != nil {
				t.Errorf("%s: %v", f, err)
			} else if net.Units() != 4 || net.Outputs() != 3 || math.Abs(float64(net.InBeta)-0.9) > 1e-6 || math.Abs(float64(net.LIF.Beta)-0.8) > 1e-6 || net.OutBeta != 0 {
				t.Errorf("%s: rsnn %d units, %d outputs, in %v, beta %v, out %v", f, net.Units(), net.Outputs(), net.InBeta, net.LIF.Beta, net.OutBeta)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.nir"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 40000 {
			f.Add(b)
		}
	}
	if b, err := Encode(snnTorchRSynaptic()); err == nil {
		f.Add(b)
	}
	f.Add(crafted(f, ""))
	for patch := range craftedPatches {
		f.Add(crafted(f, patch))
	}
	// Keep each input's work small: a mutated shape of never-written or
	// compressed data would otherwise unpack megabytes (up to 1100 times
	// the input's size) on every execution.
	defer func(m int64) { maxDecoded = m }(maxDecoded)
	maxDecoded = 1 << 16
	// Inputs are kilobytes: bound Go's quadratic minimization of each.
	fuzzopt.BoundMinimization(100)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, _, err := Decode(b)
		if err != nil {
			return
		}
		ToFeedForward(g, Options{})
		ToRSNN(g, Options{})
	})
}

// With NIR_DUMP=DIR set, writes DIR/braingo_every_type.nir, a graph of
// every node type as braingo writes it, for baselines/nir_check.py
// check-every (make nir-check) to load with the NIR reference.
func TestDumpEveryType(t *testing.T) {
	dir := os.Getenv("NIR_DUMP")
	if dir == "" {
		t.Skip("NIR_DUMP not set")
	}
	g := NewGraph()
	for typ, n := range everyNode() {
		g.Add(strings.ToLower(typ), n)
	}
	g.Nodes["affine"].Params["weight"] = Float32s([]int{2, 3}, []float32{1, 2, 3, 4, 5, -6})
	g.Connect("input", "affine", "lif", "output")
	if err := WriteFile(filepath.Join(dir, "braingo_every_type.nir"), g); err != nil {
		t.Fatal(err)
	}
}

// A braingo file written before the zero-reset change (zero-reset neurons
// without braingo_reset) keeps the legacy rule with one warning; a file
// from elsewhere (no braingo metadata) and today's files get NIR's reset.
func TestImportLegacyZeroReset(t *testing.T) {
	lif := snn.LIF{Beta: 0.9, Threshold: 0.8, Reset: snn.ResetZero}
	net := randomFF(t, []networks.Cell{networks.LIFCell{LIF: lif}, networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.8, LIF: lif}}}, 0, true)
	resets := func(ff *networks.FeedForward) []snn.Reset {
		var out []snn.Reset
		for _, b := range ff.Blocks {
			switch c := b.Cell.(type) {
			case networks.LIFCell:
				out = append(out, c.LIF.Reset)
			case networks.SynapticCell:
				out = append(out, c.Synaptic.LIF.Reset)
			}
		}
		return out
	}
	for _, c := range []struct {
		name     string
		edit     func(g *Node)
		want     snn.Reset
		warnings int
	}{
		{"today's file", func(*Node) {}, snn.ResetZero, 0},
		{"old braingo file", func(g *Node) {
			for _, n := range g.Nodes {
				delete(n.Metadata, metaReset)
			}
		}, snn.ResetZeroLegacy, 1},
		{"file from elsewhere", func(g *Node) {
			for _, n := range g.Nodes {
				delete(n.Metadata, metaReset)
			}
			delete(g.Metadata, metaDT)
		}, snn.ResetZero, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, _, err := FromFeedForward(net, Options{})
			if err != nil {
				t.Fatal(err)
			}
			c.edit(g)
			var warned []string
			back, err := ToFeedForward(g, Options{Warn: func(m string) { warned = append(warned, m) }})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range resets(back) {
				if r != c.want {
					t.Errorf("neuron %d: reset %v, want %v", i, r, c.want)
				}
			}
			if len(warned) != c.warnings {
				t.Errorf("warnings %q, want %d", warned, c.warnings)
			}
		})
	}
}

// FromRSNN names what each model NIR cannot express.
func TestFromRSNNNeuronRefusals(t *testing.T) {
	for neuron, want := range map[string]string{
		"gif":        "after-spike currents",
		"izhikevich": "recovery variable",
		"adex":       "adaptation current",
		"hh":         "sodium and potassium gates",
	} {
		net := testRSNN(0, false)
		net.Neuron = neuron
		_, _, err := FromRSNN(net, Options{})
		if err == nil || !strings.Contains(err.Error(), neuron+" neurons have no NIR node") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming %q", neuron, err, want)
		}
	}
}
