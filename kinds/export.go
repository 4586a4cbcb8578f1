package kinds

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/nir"
	"github.com/braingo/braingo/recipes"
)

// Exporter is implemented by the kinds whose trained networks NIR can
// express: ExportNIR converts the network LoadNetwork returns for a run of
// the kind, with the warnings of a lossy export.
type Exporter interface {
	ExportNIR(net any, o nir.Options) (*nir.Node, []string, error)
}

// ExportNIR returns the NIR graph of the trained network of a run
// directory or checkpoint (path), with the run's recipe in the graph's
// metadata, and the warnings of a lossy export. Warnings about the
// checkpoint itself go to warn.
func ExportNIR(path string, o nir.Options, warn io.Writer) (*nir.Node, []string, error) {
	r, net, err := LoadNetwork(path, warn)
	if err != nil {
		return nil, nil, err
	}
	ex, ok := r.Spec.(Exporter)
	if !ok {
		return nil, nil, fmt.Errorf("%s: a %s run has no NIR export (kinds with one: %s)", path, r.Kind, strings.Join(exportable(), ", "))
	}
	g, lossy, err := ex.ExportNIR(net, o)
	if err != nil {
		return nil, nil, err
	}
	g.Metadata[nir.MetaRecipe] = nir.Text(string(r.Echo()))
	return g, lossy, nil
}

// exportable lists the registered kinds that implement Exporter.
func exportable() []string {
	var out []string
	for _, k := range recipes.Kinds() {
		if spec, err := recipes.NewSpec(k); err == nil {
			if _, ok := spec.(Exporter); ok {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ExportNIR writes a feed-forward network as a chain of NIR nodes.
func (c *Classify) ExportNIR(net any, o nir.Options) (*nir.Node, []string, error) {
	return nir.FromFeedForward(net.(*networks.FeedForward), o)
}

// ExportNIR writes a recurrent spiking network as a graph with a recurrent
// edge; rate networks have no NIR node.
func (c *TaskBPTT) ExportNIR(net any, o nir.Options) (*nir.Node, []string, error) {
	rs, ok := net.(*networks.RSNN)
	if !ok {
		return nil, nil, fmt.Errorf("a %T network has no NIR export (NIR has spiking and leaky-integrator neurons only; train with model.type: rsnn)", net)
	}
	if rs.Cell != nil {
		return nil, nil, fmt.Errorf("%s neurons have no NIR node (NIR's neurons are leaky integrate-and-fire)", rs.Neuron)
	}
	if g := rs.Gain; g != 0 && g != 1 {
		return nil, nil, fmt.Errorf("the network's current gain (model.hidden_gain %v) has no NIR export", g)
	}
	return nir.FromRSNN(rs, o)
}

// exportCSNN, set by the torch build, converts a *torchlayer.CSNN.
var exportCSNN func(net any, o nir.Options) (*nir.Node, []string, error)

// ExportNIR writes a convolutional SNN as a chain of Conv2d, pooling, LIF,
// Flatten and Affine nodes (torch build).
func (c *CSNN) ExportNIR(net any, o nir.Options) (*nir.Node, []string, error) {
	if exportCSNN == nil {
		return nil, nil, fmt.Errorf("csnn-classify networks are exported by bin/braingo-torch (make torch)")
	}
	return exportCSNN(net, o)
}
