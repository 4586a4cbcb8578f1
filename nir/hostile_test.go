package nir

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/braingo/braingo/internal/craft"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
)

// Crafted files: valid files written by Encode, then patched the way a
// hostile or corrupt file may be. They are regular tests and seeds of
// FuzzDecode.

// Distinctive values the crafted files patch.
const (
	markW   = float32(1.2345678) // a weight
	markTau = 2.0000001e-3       // a time constant
	markDT  = 1.0000003e-4       // braingo_dt
	markIn  = 784                // the input size (with 3 outputs: weight [3 784])
)

// craftGraph is input(784) -> fc (Linear [3 784]) -> scale (one factor)
// -> lif (3 LIF neurons) -> output(3), which ToFeedForward reads.
func craftGraph() *Node {
	w := make([]float32, 3*markIn)
	for i := range w {
		w[i] = 0.01 * float32(i%7)
	}
	w[5] = markW
	g := NewGraph()
	g.Metadata = map[string]*Array{metaDT: Float64s(nil, []float64{markDT})}
	g.Add("input", shapeNode("Input", markIn))
	g.Add("fc", NewNode("Linear", map[string]*Array{"weight": Float32s([]int{3, markIn}, w)}))
	g.Add("scale", NewNode("Scale", map[string]*Array{"scale": Float64s(nil, []float64{2})}))
	g.Add("lif", NewNode("LIF", map[string]*Array{"tau": f64(markTau, 2e-3, 2e-3), "r": f64(20, 20, 20),
		"v_leak": f64(0, 0, 0), "v_threshold": f64(1, 1, 1), "v_reset": f64(0, 0, 0)}))
	g.Add("output", shapeNode("Output", 3))
	g.Connect("input", "fc", "scale", "lif", "output")
	return g
}

func f32le(v float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)) }
func f64le(v float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)) }

// crafted returns craftGraph's file with one patch applied.
func crafted(t testing.TB, patch string) []byte {
	t.Helper()
	b, err := Encode(craftGraph())
	if err != nil {
		t.Fatal(err)
	}
	switch patch {
	case "":
	case "wrapping weight": // 2^24 · 2^40 wraps to 0 in 64 bits
		b = craft.ReplaceOnce(t, b, craft.Dataspace(3, markIn), craft.Dataspace(1<<24, 1<<40))
	case "wrapping weight and input": // and an Input of 2^40 values to match
		b = craft.ReplaceOnce(t, b, craft.Dataspace(3, markIn), craft.Dataspace(1<<24, 1<<40))
		b = craft.ReplaceOnce(t, b, binary.LittleEndian.AppendUint64(nil, markIn), binary.LittleEndian.AppendUint64(nil, 1<<40))
	case "empty weight":
		b = craft.ReplaceOnce(t, b, craft.Dataspace(3, markIn), craft.Dataspace(0, markIn))
	case "NaN weight":
		b = craft.ReplaceOnce(t, b, f32le(markW), f32le(float32(math.NaN())))
	case "Inf weight":
		b = craft.ReplaceOnce(t, b, f32le(markW), f32le(float32(math.Inf(1))))
	case "Inf tau":
		b = craft.ReplaceOnce(t, b, f64le(markTau), f64le(math.Inf(1)))
	case "NaN tau":
		b = craft.ReplaceOnce(t, b, f64le(markTau), f64le(math.NaN()))
	case "NaN dt":
		b = craft.ReplaceOnce(t, b, f64le(markDT), f64le(math.NaN()))
	case "Inf dt":
		b = craft.ReplaceOnce(t, b, f64le(markDT), f64le(math.Inf(1)))
	default:
		t.Fatalf("unknown patch %q", patch)
	}
	return b
}

var craftedPatches = map[string]string{
	// patch: what the error must say
	"wrapping weight":           "too large",
	"wrapping weight and input": "too large",
	"empty weight":              "weight of shape [0 784] has a zero dimension",
	"NaN weight":                "weight holds NaN at index 5",
	"Inf weight":                "weight holds +Inf at index 5",
	"Inf tau":                   "tau holds +Inf",
	"NaN tau":                   "tau holds NaN",
	"NaN dt":                    "braingo_dt must be one finite positive number",
	"Inf dt":                    "braingo_dt must be one finite positive number",
}

// Each crafted file is refused by ReadFile with one line naming the file,
// the node and the problem; none panics in the conversions.
func TestCraftedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.nir")
	if err := os.WriteFile(good, crafted(t, ""), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ToFeedForward(g, Options{}); err != nil {
		t.Fatalf("the unpatched file does not convert: %v", err)
	}
	for patch, want := range craftedPatches {
		p := filepath.Join(dir, strings.ReplaceAll(patch, " ", "_")+".nir")
		if err := os.WriteFile(p, crafted(t, patch), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFile(p)
		if err == nil {
			t.Errorf("%s: read without error", patch)
			continue
		}
		msg := err.Error()
		node := "node/nodes/fc/weight"
		switch {
		case strings.Contains(patch, "tau"):
			node = "node/lif"
		case strings.Contains(patch, "dt"):
			node = "node:"
		case strings.Contains(patch, "NaN weight"), strings.Contains(patch, "Inf weight"), strings.Contains(patch, "empty"):
			node = "node/fc"
		}
		if !strings.Contains(msg, want) || !strings.HasPrefix(msg, p+": ") || !strings.Contains(msg, node) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q, want one line starting with the file, naming %s and saying %q", patch, msg, node, want)
		}
	}
}

// The conversions check graphs built in memory too (Decode validates what
// it reads; ToFeedForward and ToRSNN validate what they are given).
func TestConversionsValidate(t *testing.T) {
	cases := map[string]func(g *Node){
		"zero dimension": func(g *Node) {
			g.Nodes["fc"].Params["weight"] = Float32s([]int{0, markIn}, nil)
		},
		"NaN": func(g *Node) { g.Nodes["lif"].Params["r"].F64[1] = math.NaN() },
		"dimension of -3": func(g *Node) {
			g.Nodes["input"].Params["shape"] = i64(-3)
		},
		"dimension of 1099511627776": func(g *Node) {
			g.Nodes["input"].Params["shape"] = i64(1 << 40)
		},
		"more than 1073741824 values": func(g *Node) {
			g.Nodes["input"].Params["shape"] = i64(1<<20, 1<<20)
		},
		"beyond float32": func(g *Node) { // 1e300 is finite in float64
			g.Nodes["fc"].Params["weight"] = Float64s([]int{3, markIn}, make([]float64, 3*markIn))
			g.Nodes["fc"].Params["weight"].F64[7] = 1e300
		},
		"input factor": func(g *Node) { // r·dt/tau = 1e300·1e-4/2e-3
			g.Nodes["lif"].Params["r"] = f64(1e300, 1e300, 1e300)
		},
		"threshold": func(g *Node) {
			g.Nodes["lif"].Params["v_threshold"] = f64(1e300, 1e300, 1e300)
		},
		"holds no values": func(g *Node) {
			g.Nodes["lif"].Params = map[string]*Array{"tau": f64(), "r": f64(), "v_leak": f64(), "v_threshold": f64()}
		},
	}
	for want, mutate := range cases {
		g := craftGraph()
		mutate(g)
		if _, err := ToFeedForward(g, Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: ToFeedForward error %v", want, err)
		}
		if _, err := ToRSNN(g, Options{}); err == nil {
			t.Errorf("%s: ToRSNN accepted it", want)
		}
	}
	// A huge Input shape that wraps to the weight's width.
	g := craftGraph()
	g.Nodes["input"].Params["shape"] = i64(1<<32, 1<<32, markIn)
	if _, err := ToFeedForward(g, Options{}); err == nil {
		t.Error("an Input shape whose product wraps was accepted")
	}
}

// Non-finite or negative time steps are refused on export and import.
func TestBadTimeStep(t *testing.T) {
	net := randomFF(t, []networks.Cell{networks.LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1, Reset: snn.ResetZero}}, networks.LIFCell{LIF: snn.LIF{Beta: 0.8, Threshold: 1, Reset: snn.ResetZero}}}, 1, true)
	for _, dt := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1e-4} {
		if _, _, err := FromFeedForward(net, Options{DT: dt}); err == nil || !strings.Contains(err.Error(), "time step") {
			t.Errorf("export with dt %v: %v", dt, err)
		}
		if _, _, err := FromRSNN(testRSNN(0, false), Options{DT: dt}); err == nil {
			t.Errorf("RSNN export with dt %v accepted", dt)
		}
		if _, _, err := FromSequential([]int{1, 4, 4}, smallConvNet("avg", 0), Options{DT: dt}); err == nil {
			t.Errorf("sequential export with dt %v accepted", dt)
		}
		if _, err := ToFeedForward(craftGraph(), Options{DT: dt}); err == nil || !strings.Contains(err.Error(), "time step") {
			t.Errorf("import with dt %v: %v", dt, err)
		}
	}
	// A graph whose metadata holds a NaN dt cannot be written either.
	g, _, err := FromFeedForward(net, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g.Metadata[metaDT].F64[0] = math.NaN()
	if _, err := Encode(g); err == nil || !strings.Contains(err.Error(), "braingo_dt") {
		t.Errorf("Encode with a NaN braingo_dt: %v", err)
	}
}

// ReadFile refuses devices and oversized files at once.
func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.nir")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk used.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	for _, p := range []string{"/dev/zero", dir, big} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		start := time.Now()
		_, err := ReadFile(p)
		if err == nil || !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v", p, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refusing took %v", p, d)
		}
	}
}

// WriteFile replaces a file keeping its mode and leaves no temporary file,
// whether it succeeds or fails.
func TestWriteFileSafely(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "net.nir")
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	if err := WriteFile(p, craftGraph()); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", st.Mode().Perm())
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, craftGraph()); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("exporting over a file changed its mode to %v, want 0640", st.Mode().Perm())
	}
	// Failures: an invalid graph, a folder in the way, a missing folder.
	bad := craftGraph()
	bad.Nodes["fc"].Params["weight"].F32[0] = float32(math.NaN())
	sub := filepath.Join(dir, "sub.nir")
	os.Mkdir(sub, 0o755)
	for _, c := range []struct {
		path string
		g    *Node
	}{{p, bad}, {sub, craftGraph()}, {filepath.Join(dir, "missing", "x.nir"), craftGraph()}} {
		if err := WriteFile(c.path, c.g); err == nil {
			t.Errorf("WriteFile(%s) succeeded", c.path)
		}
	}
	if g, err := ReadFile(p); err != nil || g.Nodes["fc"] == nil {
		t.Errorf("the file a failed export targeted is damaged: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}
