package kinds

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/torchlayer"
)

// LoadNetwork returns the trained network of a run directory, or of a
// checkpoint file alone (its metadata holds the recipe): the recipe builds
// the network, the checkpoint fills its parameters. The network is a
// *networks.FeedForward (snn-classify) or a networks.Recurrent (task-bptt:
// *networks.RSNN or a rate RNN), or in torch builds a *torchlayer.CSNN
// (csnn-classify, in inference mode; other builds say how to get one).
// Warnings (a checkpoint that keeps the legacy zero reset) go to warn.
func LoadNetwork(path string, warn io.Writer) (*recipes.Recipe, any, error) {
	ckpt := path
	var r *recipes.Recipe
	if st, err := os.Stat(path); err != nil {
		return nil, nil, err
	} else if st.IsDir() {
		ckpt = filepath.Join(path, CheckpointFile)
		if r, err = recipes.Load(filepath.Join(path, recipes.EchoFile), nil); err != nil {
			return nil, nil, err
		}
	}
	ck, err := loadCheckpoint(ckpt)
	if err != nil {
		return nil, nil, err
	}
	var meta checkpointMeta
	if err := json.Unmarshal(ck.Meta, &meta); err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: metadata: %v", ckpt, err)
	}
	if r == nil {
		if meta.Recipe == "" {
			return nil, nil, fmt.Errorf("checkpoint %s holds no recipe: give its run directory", ckpt)
		}
		if r, err = recipes.Parse(ckpt+" (recipe)", []byte(meta.Recipe), nil); err != nil {
			return nil, nil, err
		}
	}
	if lz, ok := r.Spec.(legacyZeroResetter); ok && meta.ZeroReset == "" {
		warnLegacyZeroReset(warn, ckpt, lz.legacyZeroReset())
	}
	shape := func(name string, dim int) (int, error) {
		a, ok := ck.Get(name)
		if !ok || len(a.Shape) != 2 {
			return 0, fmt.Errorf("checkpoint %s has no matrix %s", ckpt, name)
		}
		return a.Shape[dim], nil
	}
	switch c := r.Spec.(type) {
	case *Classify:
		// The inputs are an image's pixels (a first layer may be sparse
		// or JIT, with no matrix to read them from); the readout is dense.
		// Restoring checks every parameter's size against the checkpoint.
		out, err := shape(fmt.Sprintf("fc%d.weight", len(c.Model.Hidden)+1), 1)
		if err != nil {
			return nil, nil, err
		}
		net, err := c.Build(imagePixels, out)
		if err != nil {
			return nil, nil, err
		}
		if _, err := restoreTraining(ckpt, ffFormat, net.Params(), nil); err != nil {
			return nil, nil, err
		}
		return r, net, nil
	case *TaskBPTT:
		d, err := c.data()
		if err != nil {
			return nil, nil, err
		}
		net, err := c.network(d)
		if err != nil {
			return nil, nil, err
		}
		if _, err := restoreTraining(ckpt, taskCheckpointFormat, net.Params(), nil); err != nil {
			return nil, nil, err
		}
		return r, net, nil
	case *CSNN:
		if loadCSNN == nil {
			return nil, nil, fmt.Errorf("%s: recipe %s (kind %s) mixes libtorch and braingo layers: %w", path, r.Name, r.Kind, torchlayer.ErrNoTorch)
		}
		net, err := loadCSNN(c, ckpt)
		if err != nil {
			return nil, nil, err
		}
		return r, net, nil
	}
	return nil, nil, fmt.Errorf("%s: recipe kind %s has no network to export", path, r.Kind)
}

// imagePixels is the number of inputs of an snn-classify network: the
// pixels of a Fashion-MNIST or MNIST image.
const imagePixels = 28 * 28

// ImportClassify writes a run directory for a feed-forward network read
// from elsewhere (a NIR file): an snn-classify recipe — base with its model
// section set to describe net (base nil: the fmnist-snn recipe) — and a
// checkpoint of net's parameters, so that braingo eval and train --resume
// work on it. A network the recipe cannot describe (layers of different
// neuron models or gains) is an error naming the difference.
func ImportClassify(dir string, base *recipes.Recipe, net *networks.FeedForward) (*recipes.Recipe, error) {
	if base == nil {
		var err error
		if base, err = recipes.Load("fmnist-snn", nil); err != nil {
			return nil, err
		}
	}
	c, ok := base.Spec.(*Classify)
	if !ok {
		return nil, fmt.Errorf("recipe %s is of kind %s, not %s", base.Name, base.Kind, ClassifyKind)
	}
	if len(net.Blocks) == 0 {
		return nil, fmt.Errorf("network has no layers")
	}
	// Fashion-MNIST and MNIST images are 28×28 in 10 classes.
	if in := net.Blocks[0].Projection().In(); in != imagePixels {
		return nil, usageErrorf("the network takes %d inputs; recipe %s's data set %s has %d pixels per image: import a network made for it", in, base.Name, c.Data.Dataset, imagePixels)
	}
	if out := net.Blocks[len(net.Blocks)-1].Projection().Out(); out < 10 {
		return nil, usageErrorf("the network has %d outputs; recipe %s's data set %s has 10 classes", out, base.Name, c.Data.Dataset)
	}
	m := &c.Model
	m.Hidden = nil
	gain := func(d *networks.Dense) float64 {
		if d.Gain == 0 {
			return 1
		}
		return float64(d.Gain)
	}
	hidden := net.Blocks[:len(net.Blocks)-1]
	learn, lifSeen := false, false
	var lifErr error
	lifParams := func(name string, p snn.LIF) {
		th := float64(thr(p.Threshold))
		reset := p.Reset.String()
		if lifSeen && (th != m.Threshold || reset != m.Reset) {
			lifErr = errors.Join(lifErr, fmt.Errorf("layer %s: threshold %v or reset %s differs from an earlier layer's (%v, %s): an snn-classify recipe has one", name, th, reset, m.Threshold, m.Reset))
		}
		m.Threshold, m.Reset, lifSeen = th, reset, true
		if p.LearnBeta != nil {
			learn = true
		}
	}
	m.Delay, m.Connectivity, m.ConnKind = nil, 1, "csr" // NIR projections are dense
	delayed := false
	for i, b := range hidden {
		m.Hidden = append(m.Hidden, b.Proj.Out())
		m.Delay = append(m.Delay, b.Delay)
		delayed = delayed || b.Delay != 0
		var kind string
		var beta float32
		var p snn.LIF
		switch cell := b.Cell.(type) {
		case networks.LIFCell:
			kind, beta, p = "lif", cell.Beta, cell.LIF
		case networks.SynapticCell:
			kind, beta, p = "synaptic", cell.Beta, cell.LIF
		default:
			return nil, fmt.Errorf("layer %s: %T hidden neurons do not fit an snn-classify recipe (lif or synaptic)", b.Name, b.Cell)
		}
		if i > 0 && (kind != m.Neuron || float32(m.Beta) != beta || gain(b.Proj) != m.HiddenGain) {
			return nil, fmt.Errorf("layer %s differs from the first hidden layer (neuron model, decay or gain): an snn-classify recipe has one of each", b.Name)
		}
		if cell, ok := b.Cell.(networks.SynapticCell); ok {
			if i > 0 && float32(m.Alpha) != cell.Alpha {
				return nil, fmt.Errorf("layer %s: synaptic decay %v differs from the first layer's %v: an snn-classify recipe has one", b.Name, cell.Alpha, m.Alpha)
			}
			m.Alpha = float64(cell.Alpha)
		}
		m.Neuron, m.Beta, m.HiddenGain = kind, float64(beta), gain(b.Proj)
		lifParams(b.Name, p)
	}
	if !delayed {
		m.Delay = []int{0}
	}
	out := net.Blocks[len(net.Blocks)-1]
	if out.Delay != 0 {
		return nil, fmt.Errorf("output layer: its input is delayed by %d steps; an snn-classify recipe delays hidden layers only (model.delay)", out.Delay)
	}
	switch cell := out.Cell.(type) {
	case networks.LIFCell:
		m.Readout, m.ReadoutBeta = "lif", float64(cell.Beta)
		lifParams("output", cell.LIF)
	case networks.LICell:
		m.Readout, m.ReadoutBeta = "li", float64(cell.Beta)
	case networks.CubaLICell:
		m.Readout, m.ReadoutBeta, m.ReadoutAlpha = "cuba_li", float64(cell.Beta), float64(cell.Alpha)
	default:
		return nil, fmt.Errorf("output layer: %T neurons do not fit an snn-classify readout (lif, li, cuba_li)", out.Cell)
	}
	if lifErr != nil {
		return nil, lifErr
	}
	m.ReadoutGain = gain(out.Proj)
	m.LearnBeta = learn
	bias := net.Blocks[0].Proj.B != nil
	for _, b := range net.Blocks {
		if (b.Proj.B != nil) != bias {
			return nil, fmt.Errorf("layer %s: some projections have biases and some not: an snn-classify recipe has one setting", b.Name)
		}
	}
	m.Bias = bias
	m.InitFile = ""
	if m.Readout != "lif" && c.Train.Loss != "nll_max_membrane" && c.Train.Loss != "ce_membrane" {
		c.Train.Loss = "ce_membrane"
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// The recipe must rebuild net exactly: same parameters, same shapes.
	built, err := c.Build(net.Blocks[0].Proj.In(), out.Proj.Out())
	if err != nil {
		return nil, err
	}
	if err := copyParams(built.Params(), net); err != nil {
		return nil, err
	}
	r := &recipes.Recipe{Kind: ClassifyKind, Name: base.Name, Description: base.Description, Spec: c, Source: base.Source, Overrides: base.Overrides}
	// A run directory like any other: a directory holding a run is
	// refused, and another process cannot write it meanwhile.
	d, err := OpenRun(r, RunOptions{Dir: dir})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	opt, err := c.optimizer(built.Params())
	if err != nil {
		return nil, err
	}
	if err := saveTraining(d.CheckpointPath(), ffFormat, r, built.Params(), opt, 0); err != nil {
		return nil, err
	}
	if err := d.WriteEcho(); err != nil {
		return nil, err
	}
	return r, nil
}

func thr(t float32) float32 {
	if t == 0 {
		return 1
	}
	return t
}

// copyParams copies net's parameters into the recipe-built dst, in order;
// a learnable decay of one value per layer is spread over the neurons.
func copyParams(dst []*tensor.Tensor, net *networks.FeedForward) error {
	var src []*tensor.Tensor
	for _, b := range net.Blocks {
		src = append(src, b.Proj.Params()...)
		var p *snn.LIF
		switch c := b.Cell.(type) {
		case networks.LIFCell:
			p = &c.LIF
		case networks.SynapticCell:
			p = &c.LIF
		}
		if p == nil {
			continue
		}
		if p.LearnBeta != nil {
			src = append(src, p.LearnBeta)
		} else if len(dst) > len(src) && dst[len(src)].Name == b.Name+".beta" {
			// The recipe learns the decays of every LIF layer; this one had
			// a fixed decay.
			src = append(src, snn.NewLearnBeta(b.Name+".beta", b.Proj.Out(), p.Beta))
		}
	}
	if len(src) != len(dst) {
		return fmt.Errorf("the recipe's network has %d parameter tensors, the imported one %d", len(dst), len(src))
	}
	for i, d := range dst {
		s := src[i]
		if len(s.Data) != len(d.Data) {
			return fmt.Errorf("parameter %s: %d values, the recipe's network needs %d (shape %v)", d.Name, len(s.Data), len(d.Data), d.Shape)
		}
		copy(d.Data, s.Data)
	}
	return nil
}
