// Package nir reads and writes NIR (Neuromorphic Intermediate
// Representation) files and converts braingo's networks to and from NIR
// graphs.
//
// # Files
//
// A NIR file is HDF5 in the layout of the NIR reference implementation's
// nir.write (github.com/neuromorphs/NIR, nir/serialization.py): a root
// dataset "version" (a string) and a group "node" holding the top NIRGraph.
// Every node is a group with a "type" string dataset and one dataset per
// parameter; a NIRGraph has a "nodes" group of its nodes (which may be
// graphs: nested subgraphs), an "edges" dataset of (source, target) name
// pairs, shape (E, 2), and optionally a "metadata" group. Input and Output
// nodes store their shape as "shape"; neuron parameters are float arrays of
// the population's shape. Read accepts what nir.write of NIR 1.0.x writes
// (contiguous data) and of its main branch (gzip-compressed chunks); Write
// writes contiguous data that both versions' nir.read accept.
//
// # Conventions
//
// braingo's neurons are discrete; NIR's are continuous ODEs. The
// conversion is snnTorch's (export_to_nir/import_from_nir): with a time
// step dt (Options.DT, default 1e-4 s),
//
//	LIF decay β            -> LIF  tau = dt/(1−β), r = tau/dt, v_leak = 0
//	                          (β = 1: IF with r = 1/dt)
//	Synaptic α, β          -> CubaLIF tau_syn = dt/(1−α), tau_mem = dt/(1−β),
//	                          r = tau_mem/dt, w_in = tau_syn/dt, v_leak = 0
//	LI β                   -> LI   tau = dt/(1−β), r = tau/dt, v_leak = 0
//	CubaLI α, β            -> CubaLI (as CubaLIF without threshold)
//	threshold θ            -> v_threshold = θ (one per neuron)
//	reset to zero          -> v_reset = 0 (U[t] = β·(1 − r)·U[t−1] + I[t]:
//	                          the input of the step after a spike is kept)
//	Dense W (in×out), b    -> Affine weight = Wᵀ (out×in), bias = b
//	                          (Linear without bias); a fixed input gain g -> a
//	                          Scale node of g after it
//
// so that Euler's step of the ODE with dt is the discrete update:
// v ← (1 − dt/τ)·v + (dt/τ)·r·I = β·v + I. Reading inverts it (β = 1 − dt/τ,
// and a factor r·dt/τ ≠ 1 becomes an input gain). Like snnTorch, braingo
// computes the reset from the previous step's membrane; NIR's continuous
// neuron resets at once. That one-step delay is the discretization
// convention of this mapping, shared with snnTorch's exporter.
//
// What NIR cannot express is refused with an error naming it, unless
// Options.Lossy is set: reset by subtraction, no reset or the legacy zero
// reset (NIR resets to v_reset), adaptive thresholds (ALIF), after-spike currents (GIF),
// Dale's-law sign constraints and the no-self-connection mask of RSNN. A
// lossy export writes the nearest NIR node and returns a warning for each
// thing it dropped; braingo keeps what it needs to read its own file back
// exactly in node metadata (braingo_reset, braingo_learn_beta, braingo_dt),
// which other tools ignore. Every neuron node braingo writes carries
// braingo_reset; a braingo file (one with braingo_dt) whose zero-reset
// neurons lack it was written before braingo's zero reset followed NIR and
// snnTorch ≥ 0.8 (2026-12-06), and reads back with snn.ResetZeroLegacy and
// a warning (Options.Warn). Trained CSR and JIT projections are written
// as dense Affine nodes (zeros off their structure; a JIT matrix with its
// weight rule drawn out) and read back as dense layers. Conductance-based
// and Hodgkin-Huxley neurons belong to package snn's simulations, which
// have no NIR export.
package nir

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/braingo/braingo/internal/checked"
	"github.com/braingo/braingo/internal/fileio"
	"github.com/braingo/braingo/internal/hdf5"
)

// Version is the NIR release whose file layout Write follows; it is
// written as the file's "version".
const Version = "1.0.7"

// MaxFileSize is the largest NIR file ReadFile reads: 2 GiB, far above
// the weights of any network braingo trains (a file of a billion float32
// weights is 4 GiB; convert such a network in parts).
const MaxFileSize = 2 << 30

// MaxUnits bounds the size of an Input or Output node's shape (the product
// of its dimensions) that Validate accepts.
const MaxUnits = 1 << 30

// maxDecoded bounds the data Decode unpacks from a file (on top of the
// HDF5 reader's bound of 1100 times the file's size): compressed chunks
// and never-written datasets could otherwise unpack to far more memory
// than the file's size suggests. Tests lower it.
var maxDecoded int64 = 8 << 30

// Array is a parameter: an n-dimensional array (or a scalar: Shape empty)
// of float32, float64, int64 or strings.
type Array = hdf5.Dataset

// Float32s returns a float32 array of the given shape.
func Float32s(shape []int, v []float32) *Array {
	return &Array{Shape: append([]int(nil), shape...), Type: hdf5.Float32, F32: v}
}

// Float64s returns a float64 array of the given shape.
func Float64s(shape []int, v []float64) *Array {
	return &Array{Shape: append([]int(nil), shape...), Type: hdf5.Float64, F64: v}
}

// Int64s returns an int64 array of the given shape.
func Int64s(shape []int, v []int64) *Array {
	return &Array{Shape: append([]int(nil), shape...), Type: hdf5.Int64, I64: v}
}

// Text returns a scalar string, e.g. a metadata value.
func Text(s string) *Array { return &Array{Type: hdf5.String, Str: []string{s}} }

// Edge is a directed edge of a graph from node From to node To.
type Edge struct{ From, To string }

// Node is a NIR node; a NIRGraph when Type is "NIRGraph".
type Node struct {
	Type   string
	Params map[string]*Array
	// Nodes and Edges of a NIRGraph.
	Nodes map[string]*Node
	Edges []Edge
	// Metadata is free-form; braingo keeps its own keys here.
	Metadata map[string]*Array
}

// NewNode returns a node of the given type and parameters.
func NewNode(typ string, params map[string]*Array) *Node {
	if params == nil {
		params = map[string]*Array{}
	}
	return &Node{Type: typ, Params: params}
}

// NewGraph returns an empty NIRGraph.
func NewGraph() *Node { return &Node{Type: "NIRGraph", Nodes: map[string]*Node{}} }

// Add puts a node into a graph under name.
func (g *Node) Add(name string, n *Node) { g.Nodes[name] = n }

// Connect adds edges along a path of node names.
func (g *Node) Connect(names ...string) {
	for i := 0; i+1 < len(names); i++ {
		g.Edges = append(g.Edges, Edge{names[i], names[i+1]})
	}
}

// spec lists a node type's parameters: required, then optional ones.
type spec struct {
	required, optional []string
	// same lists parameters that must share one shape (neuron parameters).
	same []string
}

// types lists the node types of NIR 1.0 and their parameters.
var types = map[string]spec{
	"Input":     {required: []string{"shape"}},
	"Output":    {required: []string{"shape"}},
	"Affine":    {required: []string{"weight", "bias"}},
	"Linear":    {required: []string{"weight"}},
	"Scale":     {required: []string{"scale"}},
	"Threshold": {required: []string{"threshold"}},
	"Delay":     {required: []string{"delay"}},
	"Flatten":   {required: []string{"start_dim", "end_dim"}, optional: []string{"input_type"}},
	"Conv1d":    {required: []string{"weight", "stride", "padding", "dilation", "groups", "bias"}, optional: []string{"input_shape"}},
	"Conv2d":    {required: []string{"weight", "stride", "padding", "dilation", "groups", "bias"}, optional: []string{"input_shape"}},
	"SumPool2d": {required: []string{"kernel_size", "stride", "padding"}},
	"AvgPool2d": {required: []string{"kernel_size", "stride", "padding"}},
	"I":         {required: []string{"r"}},
	"IF":        {required: []string{"r", "v_threshold"}, optional: []string{"v_reset"}, same: []string{"r", "v_threshold", "v_reset"}},
	"LI":        {required: []string{"tau", "r", "v_leak"}, same: []string{"tau", "r", "v_leak"}},
	"LIF": {required: []string{"tau", "r", "v_leak", "v_threshold"}, optional: []string{"v_reset"},
		same: []string{"tau", "r", "v_leak", "v_threshold", "v_reset"}},
	"CubaLI": {required: []string{"tau_syn", "tau_mem", "r", "v_leak", "w_in"},
		same: []string{"tau_syn", "tau_mem", "r", "v_leak"}},
	"CubaLIF": {required: []string{"tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "w_in"}, optional: []string{"v_reset"},
		same: []string{"tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset"}},
}

// Types returns the names of the node types Read and Write know, sorted.
func Types() []string {
	names := []string{"NIRGraph"}
	for k := range types {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Validate checks a node and, for a graph, its nodes and edges: known
// types, every required parameter, numeric parameters of finite values,
// neuron parameters of one non-empty shape, weights without an empty
// dimension, Input and Output shapes of 1 to MaxUnits values, a finite
// positive braingo_dt, edges between existing nodes. path names the node
// in errors.
func (n *Node) Validate(path string) error {
	if err := checkMetadata(path, n.Metadata); err != nil {
		return err
	}
	if n.Type == "NIRGraph" {
		if len(n.Params) > 0 {
			for k := range n.Params {
				return fmt.Errorf("%s: graph has an unexpected parameter %q", path, k)
			}
		}
		for _, name := range sortedKeys(n.Nodes) {
			if n.Nodes[name] == nil {
				return fmt.Errorf("%s: node %q is nil", path, name)
			}
			if err := n.Nodes[name].Validate(path + "/" + name); err != nil {
				return err
			}
		}
		for _, e := range n.Edges {
			for _, end := range []string{e.From, e.To} {
				if _, ok := n.Nodes[end]; !ok {
					return fmt.Errorf("%s: edge %s -> %s names a node %q the graph does not have", path, e.From, e.To, end)
				}
			}
		}
		return nil
	}
	s, ok := types[n.Type]
	if !ok {
		return fmt.Errorf("%s: unknown node type %q (NIR 1.0 has %s)", path, n.Type, strings.Join(Types(), ", "))
	}
	for _, p := range s.required {
		if n.Params[p] == nil {
			return fmt.Errorf("%s: %s node lacks parameter %q", path, n.Type, p)
		}
	}
	for k, a := range n.Params {
		if !slices.Contains(s.required, k) && !slices.Contains(s.optional, k) {
			return fmt.Errorf("%s: %s node has an unknown parameter %q", path, n.Type, k)
		}
		if a == nil {
			return fmt.Errorf("%s: parameter %s is nil", path, k)
		}
		if a.Len() < 0 {
			return fmt.Errorf("%s: parameter %s has shape %v: a negative dimension, or more elements than memory holds", path, k, a.Shape)
		}
		if a.Len() != valuesOf(a) {
			return fmt.Errorf("%s: parameter %s has shape %v but %d values", path, k, a.Shape, valuesOf(a))
		}
		if i, v, ok := nonFinite(a); ok {
			return fmt.Errorf("%s: parameter %s holds %v at index %d: NIR parameters must be finite numbers", path, k, v, i)
		}
		if a.Type == hdf5.String && !(k == "padding" || k == "input_type") {
			return fmt.Errorf("%s: parameter %s holds strings, not numbers", path, k)
		}
	}
	var first string
	for _, p := range s.same {
		a := n.Params[p]
		if a == nil {
			continue
		}
		if first == "" {
			first = p
			continue
		}
		if !slices.Equal(a.Shape, n.Params[first].Shape) {
			return fmt.Errorf("%s: %s has shape %v, %s has %v: a %s node's parameters must share one shape", path, p, a.Shape, first, n.Params[first].Shape, n.Type)
		}
	}
	// Neuron parameters, scales and thresholds describe at least one
	// neuron; weights have no empty dimension.
	for _, p := range append(slices.Clone(s.same), "w_in", "scale", "threshold") {
		if a := n.Params[p]; a != nil && a.Len() == 0 && slices.Contains(s.required, p) {
			return fmt.Errorf("%s: %s of shape %v holds no values: a %s node needs at least one", path, p, a.Shape, n.Type)
		}
	}
	if n.Type == "I" && n.Params["r"].Len() == 0 {
		return fmt.Errorf("%s: r of shape %v holds no values: an I node needs at least one", path, n.Params["r"].Shape)
	}
	if w := n.Params["weight"]; w != nil && !checked.Positive(w.Shape) {
		return fmt.Errorf("%s: weight of shape %v has a zero dimension: a %s node needs a non-empty weight", path, w.Shape, n.Type)
	}
	switch n.Type {
	case "Affine", "Linear":
		w := n.Params["weight"]
		if len(w.Shape) < 2 {
			return fmt.Errorf("%s: weight of shape %v is not a matrix", path, w.Shape)
		}
		if b := n.Params["bias"]; b != nil && !slices.Equal(b.Shape, w.Shape[:len(w.Shape)-1]) {
			return fmt.Errorf("%s: bias of shape %v for a weight of shape %v", path, b.Shape, w.Shape)
		}
	case "Input", "Output":
		sh := n.Params["shape"]
		if sh.Type != hdf5.Int64 || len(sh.Shape) > 1 {
			return fmt.Errorf("%s: shape must be a vector of integers", path)
		}
		if _, err := units(sh.I64); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
	}
	return nil
}

// units is the number of values of a tensor of the given shape (an Input
// or Output node's): every dimension at least 1, the product at most
// MaxUnits.
func units(shape []int64) (int, error) {
	dims := make([]int, len(shape))
	for i, s := range shape {
		if s < 1 || s > MaxUnits {
			return 0, fmt.Errorf("shape %v has a dimension of %d (needs 1 to %d)", shape, s, MaxUnits)
		}
		dims[i] = int(s)
	}
	n, ok := checked.Product(dims, MaxUnits)
	if !ok {
		return 0, fmt.Errorf("shape %v has more than %d values", shape, MaxUnits)
	}
	return n, nil
}

// nonFinite returns the first NaN or infinite value of a float array.
func nonFinite(a *Array) (int, float64, bool) {
	switch a.Type {
	case hdf5.Float32:
		for i, v := range a.F32 {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return i, f, true
			}
		}
	case hdf5.Float64:
		for i, v := range a.F64 {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return i, v, true
			}
		}
	}
	return 0, 0, false
}

// checkMetadata checks the metadata braingo reads: braingo_dt, when
// present, is one finite positive number.
func checkMetadata(path string, m map[string]*Array) error {
	if a := m[metaDT]; a != nil {
		f := a.Float()
		if len(f) != 1 || a.Len() != 1 || !(f[0] > 0) || math.IsInf(f[0], 0) {
			return fmt.Errorf("%s: metadata %s must be one finite positive number of seconds, got %v", path, metaDT, f)
		}
	}
	return nil
}

func valuesOf(a *Array) int {
	switch a.Type {
	case hdf5.Float32:
		return len(a.F32)
	case hdf5.Float64:
		return len(a.F64)
	case hdf5.Int64:
		return len(a.I64)
	case hdf5.String:
		return len(a.Str)
	}
	return -1
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Encode returns the NIR file of graph g.
func Encode(g *Node) ([]byte, error) {
	if err := g.Validate("node"); err != nil {
		return nil, fmt.Errorf("nir: %v", err)
	}
	root := hdf5.NewGroup()
	root.SetString("version", Version)
	if err := encodeNode(root.Group("node"), g); err != nil {
		return nil, err
	}
	return hdf5.Encode(root)
}

func encodeNode(grp *hdf5.Group, n *Node) error {
	grp.SetString("type", n.Type)
	for k, a := range n.Params {
		if k == "type" || k == "metadata" || k == "nodes" || k == "edges" {
			return fmt.Errorf("nir: parameter name %q is reserved", k)
		}
		grp.Datasets[k] = a
	}
	if len(n.Metadata) > 0 {
		m := grp.Group("metadata")
		for k, a := range n.Metadata {
			m.Datasets[k] = a
		}
	}
	if n.Type != "NIRGraph" {
		return nil
	}
	nodes := grp.Group("nodes")
	for name, c := range n.Nodes {
		if name == "" || strings.ContainsAny(name, "/\x00") {
			return fmt.Errorf("nir: node name %q cannot be stored (empty, or holds '/')", name)
		}
		if err := encodeNode(nodes.Group(name), c); err != nil {
			return err
		}
	}
	e := &Array{Shape: []int{len(n.Edges), 2}, Type: hdf5.String}
	for _, ed := range n.Edges {
		e.Str = append(e.Str, ed.From, ed.To)
	}
	grp.Datasets["edges"] = e
	return nil
}

// Decode reads a NIR file's graph and its version string.
func Decode(b []byte) (*Node, string, error) {
	root, err := hdf5.DecodeLimit(b, min(1100*int64(len(b))+1<<20, maxDecoded))
	if err != nil {
		return nil, "", fmt.Errorf("nir: %v", err)
	}
	version := ""
	if v := root.Datasets["version"]; v != nil && v.Type == hdf5.String && len(v.Str) == 1 {
		version = v.Str[0]
	}
	ng := root.Groups["node"]
	if ng == nil {
		return nil, "", fmt.Errorf("nir: no group \"node\" at the root: not a NIR file")
	}
	n, err := decodeNode(ng, "node", 0)
	if err != nil {
		return nil, "", err
	}
	if err := n.Validate("node"); err != nil {
		return nil, "", fmt.Errorf("nir: %v", err)
	}
	return n, version, nil
}

func decodeNode(g *hdf5.Group, path string, depth int) (*Node, error) {
	if depth > 32 {
		return nil, fmt.Errorf("nir: %s: graphs nested deeper than 32", path)
	}
	t := g.Datasets["type"]
	if t == nil || t.Type != hdf5.String || len(t.Str) != 1 {
		return nil, fmt.Errorf("nir: %s: no type string", path)
	}
	n := &Node{Type: t.Str[0], Params: map[string]*Array{}}
	for k, d := range g.Datasets {
		if k == "type" || (n.Type == "NIRGraph" && k == "edges") {
			continue
		}
		n.Params[k] = d
	}
	for k, sub := range g.Groups {
		switch {
		case k == "metadata":
			n.Metadata = map[string]*Array{}
			for mk, d := range sub.Datasets {
				n.Metadata[mk] = d
			}
		case k == "nodes" && n.Type == "NIRGraph":
		default:
			return nil, fmt.Errorf("nir: %s: unexpected group %q in a %s node", path, k, n.Type)
		}
	}
	if n.Type != "NIRGraph" {
		return n, nil
	}
	// NIRGraph: nodes and edges; input_type and output_type, which older
	// writers stored, are dropped.
	delete(n.Params, "input_type")
	delete(n.Params, "output_type")
	n.Nodes = map[string]*Node{}
	if ns := g.Groups["nodes"]; ns != nil {
		for name, sub := range ns.Groups {
			c, err := decodeNode(sub, path+"/"+name, depth+1)
			if err != nil {
				return nil, err
			}
			n.Nodes[name] = c
		}
		if len(ns.Datasets) > 0 {
			return nil, fmt.Errorf("nir: %s: nodes holds datasets, not node groups", path)
		}
	}
	if e := g.Datasets["edges"]; e != nil {
		switch {
		case e.Type == hdf5.String && len(e.Shape) == 2 && e.Shape[1] == 2:
			for i := 0; i+1 < len(e.Str); i += 2 {
				n.Edges = append(n.Edges, Edge{e.Str[i], e.Str[i+1]})
			}
		case e.Len() == 0:
			// h5py writes an empty edge list as an empty float array.
		default:
			return nil, fmt.Errorf("nir: %s: edges must be (E, 2) strings, got %v of shape %v", path, e.Type, e.Shape)
		}
	}
	return n, nil
}

// ReadFile reads the NIR file at path: a regular file of at most
// MaxFileSize bytes. Errors name the file and, for a bad graph, the node
// and the problem, on one line.
func ReadFile(path string) (*Node, error) {
	b, err := fileio.ReadFileCapped(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("nir: %w", err)
	}
	g, _, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// WriteFile writes graph g to path atomically (fileio.WriteAtomic): a
// temporary file in the same folder, synced and renamed over path, then
// the folder synced. A file it replaces keeps its mode; a new one gets
// 0666 less the umask. When it fails, path is as it was and no temporary
// file is left.
func WriteFile(path string, g *Node) error {
	b, err := Encode(g)
	if err != nil {
		return err
	}
	if err := fileio.WriteAtomic(path, b, 0o666); err != nil {
		return fmt.Errorf("nir: writing %s: %w", path, err)
	}
	return nil
}

// Flatten returns a graph without nested subgraphs: each NIRGraph node's
// nodes move up under "name.sub" names, edges into the subgraph go to the
// targets of its Input nodes and edges out of it leave from the sources of
// its Output nodes.
func Flatten(g *Node) (*Node, error) {
	if g.Type != "NIRGraph" {
		return nil, fmt.Errorf("nir: Flatten of a %s node", g.Type)
	}
	out := NewGraph()
	out.Metadata = g.Metadata
	ins := map[string][]string{}  // subgraph name -> nodes its inputs feed
	outs := map[string][]string{} // subgraph name -> nodes that feed its outputs
	for _, name := range sortedKeys(g.Nodes) {
		n := g.Nodes[name]
		if n.Type != "NIRGraph" {
			out.Nodes[name] = n
			continue
		}
		f, err := Flatten(n)
		if err != nil {
			return nil, err
		}
		for sub, sn := range f.Nodes {
			if sn.Type == "Input" || sn.Type == "Output" {
				continue
			}
			full := name + "." + sub
			if _, dup := g.Nodes[full]; dup {
				return nil, fmt.Errorf("nir: flattening %s: name %s is taken", name, full)
			}
			out.Nodes[full] = sn
		}
		for _, e := range f.Edges {
			from, to := f.Nodes[e.From], f.Nodes[e.To]
			switch {
			case from.Type == "Input" && to.Type == "Output":
				return nil, fmt.Errorf("nir: subgraph %s connects an input straight to an output", name)
			case from.Type == "Input":
				ins[name] = append(ins[name], name+"."+e.To)
			case to.Type == "Output":
				outs[name] = append(outs[name], name+"."+e.From)
			default:
				out.Edges = append(out.Edges, Edge{name + "." + e.From, name + "." + e.To})
			}
		}
	}
	for _, e := range g.Edges {
		froms, tos := []string{e.From}, []string{e.To}
		if g.Nodes[e.From].Type == "NIRGraph" {
			froms = outs[e.From]
		}
		if g.Nodes[e.To].Type == "NIRGraph" {
			tos = ins[e.To]
		}
		for _, f := range froms {
			for _, t := range tos {
				out.Edges = append(out.Edges, Edge{f, t})
			}
		}
	}
	return out, nil
}
