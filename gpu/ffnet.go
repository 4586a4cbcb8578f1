package gpu

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// FFConfig is a dense feed-forward LIF network trained on the device by
// BPTT with a static (direct) input: snn-classify's fmnist-snn network.
//
// Sizes are the inputs, the hidden layers and the outputs; layer l (1-based)
// projects Sizes[l-1] to Sizes[l] with a weight stored in×out (row-major, as
// networks.Dense) and an optional bias, and runs kernels.LIFForward's LIF
// over Steps steps from a zero membrane. The first projection is computed
// once per batch (the input is the same at every step); the others take the
// previous layer's spikes of all steps in one product. The loss is
// ce_membrane: the sum over steps of the batch's mean cross-entropy of the
// output membranes; the prediction is the output neuron with the most
// spikes (the first on ties). Resets are computed from the previous
// membrane and detached, as on the CPU.
type FFConfig struct {
	Sizes     []int
	Steps     int
	Batch     int       // the most samples of a batch
	Beta      []float32 // the membrane decay of each layer (len(Sizes)−1)
	Theta     float32
	Reset     int // kernels.LIFReset*
	Surrogate kernels.Surrogate
	Bias      bool
}

// FF is an FFConfig's network on a device: parameters, gradients, Adam's
// moments and the activations of one batch.
type FF struct {
	cfg FFConfig
	d   *Device
	// Per layer l = 0..L−1 (the layer from Sizes[l] to Sizes[l+1]).
	w, b, dw, db   []*Buf
	mw, vw, mb, vb []*Buf
	// cur: the input currents (layer 0: Batch×out, once per batch; the
	// others: Steps·Batch×out), then their gradients (g, alike); u: the
	// membranes ((Steps+1)·Batch·out, the first Batch·out the initial
	// zeros); s: the spikes; gs: the spikes' gradients (hidden layers).
	cur, g, u, s, gs []*Buf
	x                *Buf // Batch×Sizes[0]
	labels, labelsT  *Buf // int32: Batch, and Steps·Batch (repeated per step)
	ce, ceGrad       *Buf // Steps·Batch, Steps·Batch×out
	counts, correct  *Buf // Batch×out, Batch
	scratch          *Buf // the sums' partials, then the loss and the correct count
	rows             int  // the samples of the batch in flight
	labT             []int32
	// A data set kept on the device (SetData): N×Sizes[0] inputs and N
	// labels; ids, a batch's sample indices.
	dataX, dataY, ids *Buf
	dataN             int
	ids32             []int32
}

// NewFF allocates c's network on d with zero parameters (SetParams sets
// them).
func NewFF(d *Device, c FFConfig) (*FF, error) {
	L := len(c.Sizes) - 1
	if L < 1 || len(c.Beta) != L || c.Steps < 1 || c.Batch < 1 {
		return nil, fmt.Errorf("gpu: NewFF: %d sizes, %d decays, %d steps, batch %d", len(c.Sizes), len(c.Beta), c.Steps, c.Batch)
	}
	for _, n := range c.Sizes {
		if n < 1 {
			return nil, fmt.Errorf("gpu: NewFF: layer sizes %v", c.Sizes)
		}
	}
	f := &FF{cfg: c, d: d, labT: make([]int32, c.Steps*c.Batch)}
	T, B := c.Steps, c.Batch
	var aerr error
	alloc := func(n int) *Buf {
		if aerr != nil {
			return nil
		}
		b, err := d.Alloc(n)
		if err != nil {
			aerr = err
		}
		return b
	}
	for l := range L {
		in, out := c.Sizes[l], c.Sizes[l+1]
		f.w = append(f.w, alloc(in*out))
		f.dw = append(f.dw, alloc(in*out))
		f.mw = append(f.mw, alloc(in*out))
		f.vw = append(f.vw, alloc(in*out))
		if c.Bias {
			f.b = append(f.b, alloc(out))
			f.db = append(f.db, alloc(out))
			f.mb = append(f.mb, alloc(out))
			f.vb = append(f.vb, alloc(out))
		}
		rows := T * B
		if l == 0 {
			rows = B
		}
		f.cur = append(f.cur, alloc(rows*out))
		f.g = append(f.g, alloc(rows*out))
		f.u = append(f.u, alloc((T+1)*B*out))
		f.s = append(f.s, alloc(T*B*out))
		if l < L-1 {
			f.gs = append(f.gs, alloc(T*B*out))
		}
	}
	out := c.Sizes[L]
	f.x = alloc(B * c.Sizes[0])
	f.labels = alloc(B)
	f.labelsT = alloc(T * B)
	f.ce = alloc(T * B)
	f.ceGrad = alloc(T * B * out)
	f.counts = alloc(B * out)
	f.correct = alloc(B)
	f.scratch = alloc(sumBlocks + 2)
	f.ids = alloc(B)
	if aerr != nil {
		f.Free()
		return nil, fmt.Errorf("gpu: the network %v for batch %d and %d steps: %w", c.Sizes, B, T, aerr)
	}
	return f, nil
}

// Free releases f's buffers.
func (f *FF) Free() {
	for _, bs := range [][]*Buf{f.w, f.b, f.dw, f.db, f.mw, f.vw, f.mb, f.vb, f.cur, f.g, f.u, f.s, f.gs,
		{f.x, f.labels, f.labelsT, f.ce, f.ceGrad, f.counts, f.correct, f.scratch, f.ids, f.dataX, f.dataY}} {
		for _, b := range bs {
			f.d.Free(b)
		}
	}
}

// Params are the parameters in networks.FeedForward.Params' order: each
// layer's weight, then its bias.
func (f *FF) Params() []*Buf { return f.interleave(f.w, f.b) }

// Grads are the parameters' gradients, in Params' order.
func (f *FF) Grads() []*Buf { return f.interleave(f.dw, f.db) }

// Moments are Adam's first and second moments, in Params' order.
func (f *FF) Moments() (m, v []*Buf) { return f.interleave(f.mw, f.mb), f.interleave(f.vw, f.vb) }

func (f *FF) interleave(w, b []*Buf) []*Buf {
	var out []*Buf
	for l := range w {
		out = append(out, w[l])
		if f.cfg.Bias {
			out = append(out, b[l])
		}
	}
	return out
}

// Upload copies host values into bufs (one slice per buffer, in order).
func (f *FF) Upload(bufs []*Buf, host [][]float32) error {
	if len(bufs) != len(host) {
		panic(fmt.Sprintf("gpu: FF.Upload: %d values for %d buffers", len(host), len(bufs)))
	}
	for i, b := range bufs {
		if len(host[i]) != b.Len() {
			panic(fmt.Sprintf("gpu: FF.Upload: buffer %d has %d elements, got %d", i, b.Len(), len(host[i])))
		}
		if err := f.d.Upload(b, host[i]); err != nil {
			return err
		}
	}
	return nil
}

// Download copies bufs into host (one slice per buffer, in order).
func (f *FF) Download(host [][]float32, bufs []*Buf) error {
	if len(bufs) != len(host) {
		panic(fmt.Sprintf("gpu: FF.Download: %d slices for %d buffers", len(host), len(bufs)))
	}
	for i, b := range bufs {
		if err := f.d.Download(host[i][:b.Len()], b); err != nil {
			return err
		}
	}
	return nil
}

// Forward runs the network on the rows samples of x (rows×Sizes[0], rows
// at most Batch) over all steps: the first projection once, each layer's
// LIF over all steps in one launch, the next projection over all steps in
// one product. The output spike counts per sample are left in counts.
func (f *FF) Forward(x []float32, rows int) error {
	c, d := f.cfg, f.d
	if rows < 1 || rows > c.Batch || len(x) != rows*c.Sizes[0] {
		panic(fmt.Sprintf("gpu: FF.Forward: %d values for %d rows of %d (batch %d)", len(x), rows, c.Sizes[0], c.Batch))
	}
	if err := d.Upload(f.x, x); err != nil {
		return err
	}
	return f.forward(rows)
}

// forward is Forward on the rows inputs already in f.x.
func (f *FF) forward(rows int) error {
	c, d := f.cfg, f.d
	f.rows = rows
	T, n := c.Steps, rows
	for l := range len(c.Sizes) - 1 {
		in, out := c.Sizes[l], c.Sizes[l+1]
		m, src := n, f.x // the product's rows and input
		if l > 0 {
			m, src = T*n, f.s[l-1]
		}
		beta := float32(0)
		if c.Bias {
			if err := d.SetRows(f.cur[l], m, out, f.b[l]); err != nil {
				return err
			}
			beta = 1
		}
		if err := d.Gemm(false, false, m, out, in, 1, src, in, f.w[l], out, beta, f.cur[l], out); err != nil {
			return err
		}
		if err := d.Fill(f.u[l].At(0, n*out), 0); err != nil {
			return err
		}
		var err error
		if l == 0 {
			err = d.LIFForwardStatic(T, n*out, f.cur[l], f.u[l], f.s[l], c.Beta[l], c.Theta, c.Reset)
		} else {
			err = d.LIFForwardSeq(T, n*out, f.cur[l], f.u[l], f.s[l], c.Beta[l], c.Theta, c.Reset)
		}
		if err != nil {
			return err
		}
	}
	L := len(c.Sizes) - 1
	if err := d.Fill(f.counts.At(0, n*c.Sizes[L]), 0); err != nil {
		return err
	}
	return d.AddColSums(f.counts, f.s[L-1], T, n*c.Sizes[L])
}

// TrainBatch runs the forward pass on x (rows = len(labels) samples), the
// loss and its backward pass, leaving the parameters' gradients (Grads,
// overwritten) on the device. It returns the batch's loss (the sum over
// steps of the mean cross-entropy) and its number of correct predictions,
// the only values read back.
func (f *FF) TrainBatch(x []float32, labels []int32) (loss float64, correct int, err error) {
	c, d := f.cfg, f.d
	n, T := len(labels), c.Steps
	if n < 1 || n > c.Batch || len(x) != n*c.Sizes[0] {
		panic(fmt.Sprintf("gpu: FF.TrainBatch: %d values for %d rows of %d (batch %d)", len(x), n, c.Sizes[0], c.Batch))
	}
	if err := d.Upload(f.x, x); err != nil {
		return 0, 0, err
	}
	for t := range T {
		copy(f.labT[t*n:(t+1)*n], labels)
	}
	if err := d.UploadInt32(f.labels, labels); err != nil {
		return 0, 0, err
	}
	if err := d.UploadInt32(f.labelsT, f.labT[:T*n]); err != nil {
		return 0, 0, err
	}
	return f.train(n)
}

// SetData keeps a data set on the device for TrainIndexed: x holds its
// inputs (rows of Sizes[0]) and labels its labels. Replaces the previous.
func (f *FF) SetData(x []float32, labels []int32) error {
	in := f.cfg.Sizes[0]
	if len(x) != len(labels)*in {
		panic(fmt.Sprintf("gpu: FF.SetData: %d values for %d samples of %d", len(x), len(labels), in))
	}
	f.d.Free(f.dataX)
	f.d.Free(f.dataY)
	f.dataN = 0
	var err error
	if f.dataX, err = f.d.Alloc(len(x)); err != nil {
		return err
	}
	if f.dataY, err = f.d.Alloc(len(labels)); err != nil {
		return err
	}
	if err := f.d.Upload(f.dataX, x); err != nil {
		return err
	}
	f.dataN = len(labels)
	return f.d.UploadInt32(f.dataY, labels)
}

// DataAt is the view of the inputs of samples [lo, hi) of the data set on
// the device (AllocData), to upload them in pieces.
func (f *FF) DataAt(lo, hi int) *Buf { return f.dataX.At(lo*f.cfg.Sizes[0], (hi-lo)*f.cfg.Sizes[0]) }

// AllocData allocates the device data set for n samples (inputs zero) and
// uploads their labels; fill the inputs in pieces with Device.Upload into
// DataAt. SetData does both at once.
func (f *FF) AllocData(labels []int32) error {
	f.d.Free(f.dataX)
	f.d.Free(f.dataY)
	f.dataN = 0
	var err error
	if f.dataX, err = f.d.Alloc(len(labels) * f.cfg.Sizes[0]); err != nil {
		return fmt.Errorf("gpu: the data set (%d samples of %d) on the device: %w", len(labels), f.cfg.Sizes[0], err)
	}
	if f.dataY, err = f.d.Alloc(len(labels)); err != nil {
		return err
	}
	f.dataN = len(labels)
	return f.d.UploadInt32(f.dataY, labels)
}

// TrainIndexed is TrainBatch on the samples ids of the data set on the
// device (SetData or AllocData): only the indices travel to the device.
func (f *FF) TrainIndexed(ids []int) (loss float64, correct int, err error) {
	c, d := f.cfg, f.d
	n := len(ids)
	if n < 1 || n > c.Batch {
		panic(fmt.Sprintf("gpu: FF.TrainIndexed: %d samples (batch %d)", n, c.Batch))
	}
	if cap(f.ids32) < n {
		f.ids32 = make([]int32, c.Batch)
	}
	f.ids32 = f.ids32[:n]
	for i, v := range ids {
		if v < 0 || v >= f.dataN {
			panic(fmt.Sprintf("gpu: FF.TrainIndexed: sample %d of a data set of %d", v, f.dataN))
		}
		f.ids32[i] = int32(v)
	}
	if err := d.UploadInt32(f.ids, f.ids32); err != nil {
		return 0, 0, err
	}
	if err := d.GatherRows(f.x, f.dataX, f.ids, n, c.Sizes[0]); err != nil {
		return 0, 0, err
	}
	if err := d.GatherLabels(f.labels, f.labelsT, f.dataY, f.ids, n, c.Steps); err != nil {
		return 0, 0, err
	}
	return f.train(n)
}

// train runs forward, loss and backward on the n samples whose inputs and
// labels are on the device (x, labels, labelsT).
func (f *FF) train(n int) (loss float64, correct int, err error) {
	c, d := f.cfg, f.d
	T := c.Steps
	L := len(c.Sizes) - 1
	out := c.Sizes[L]
	if err := f.forward(n); err != nil {
		return 0, 0, err
	}
	// The loss of every step's membranes (u[1..T]) and its gradient, each
	// row's scaled by 1/n (the batch mean).
	if err := d.CrossEntropyRows(T*n, out, f.u[L-1].At(n*out, T*n*out), out, f.labelsT, f.ce, f.ceGrad, 1/float32(n)); err != nil {
		return 0, 0, err
	}
	if err := d.CorrectRows(f.correct, f.counts, f.labels, n, out); err != nil {
		return 0, 0, err
	}
	// The output layer's spikes are not in the loss (and resets are
	// detached): only the membranes' gradients enter its backward pass.
	if err := d.LIFBackwardSeq(T, n*out, f.u[L-1], nil, f.ceGrad, nil, f.g[L-1], nil, c.Beta[L-1], c.Theta, c.Reset, c.Surrogate); err != nil {
		return 0, 0, err
	}
	for l := L - 1; l >= 0; l-- {
		in, o := c.Sizes[l], c.Sizes[l+1]
		m, src := n, f.x
		if l > 0 {
			m, src = T*n, f.s[l-1]
		}
		if err := d.Gemm(true, false, in, o, m, 1, src, in, f.g[l], o, 0, f.dw[l], o); err != nil {
			return 0, 0, err
		}
		if c.Bias {
			if err := d.Fill(f.db[l], 0); err != nil {
				return 0, 0, err
			}
			if err := d.AddColSums(f.db[l], f.g[l], m, o); err != nil {
				return 0, 0, err
			}
		}
		if l == 0 {
			break
		}
		// The previous layer's spikes' gradients, then its LIF backward.
		if err := d.Gemm(false, true, T*n, in, o, 1, f.g[l], o, f.w[l], o, 0, f.gs[l-1], in); err != nil {
			return 0, 0, err
		}
		var err error
		if l-1 == 0 {
			err = d.LIFBackwardStatic(T, n*in, f.u[0], f.gs[0], nil, nil, f.g[0], nil, c.Beta[0], c.Theta, c.Reset, c.Surrogate)
		} else {
			err = d.LIFBackwardSeq(T, n*in, f.u[l-1], f.gs[l-1], nil, nil, f.g[l-1], nil, c.Beta[l-1], c.Theta, c.Reset, c.Surrogate)
		}
		if err != nil {
			return 0, 0, err
		}
	}
	// The two sums into scratch[256:258], read back together: the batch's
	// one wait for the device.
	out2 := f.scratch.At(sumBlocks, 2)
	if err := d.sumTo(f.ce, T*n, f.scratch, out2.At(0, 1)); err != nil {
		return 0, 0, err
	}
	if err := d.sumTo(f.correct, n, f.scratch, out2.At(1, 1)); err != nil {
		return 0, 0, err
	}
	var r [2]float32
	if err := d.Download(r[:], out2); err != nil {
		return 0, 0, err
	}
	return float64(r[0]) / float64(n), int(r[1]), nil
}

// Adam applies one Adam (or AdamW) step to every parameter with its
// gradient: kernels.AdamStep's arithmetic, h.Step the step's number
// (1-based).
func (f *FF) Adam(h kernels.AdamHyper) error {
	ps, gs := f.Params(), f.Grads()
	ms, vs := f.Moments()
	for i, p := range ps {
		if err := f.d.AdamStep(p.Len(), p, ms[i], vs[i], gs[i], h); err != nil {
			return err
		}
	}
	return nil
}

// Predict writes into pred the class of each sample of the last Forward:
// the output neuron with the most spikes, the first on ties.
func (f *FF) Predict(pred []int32) error {
	n, out := f.rows, f.cfg.Sizes[len(f.cfg.Sizes)-1]
	if len(pred) != n {
		panic(fmt.Sprintf("gpu: FF.Predict: %d predictions for %d rows", len(pred), n))
	}
	// correct is a float buffer of Batch elements; an int32 one of the
	// same size holds the predictions.
	if err := f.d.RowArgMax(f.correct, f.counts, n, out); err != nil {
		return err
	}
	return f.d.DownloadInt32(pred, f.correct)
}

// SpikeCount is the number of spikes of layer l (0-based) in the last
// Forward, over its samples and steps (exact below 2^24 spikes per
// partial sum: a float32 sum of integers).
func (f *FF) SpikeCount(l int) (float64, error) {
	n := f.cfg.Steps * f.rows * f.cfg.Sizes[l+1]
	s, err := f.d.Sum(f.s[l], n, f.scratch)
	return float64(s), err
}

// SpikesOf downloads layer l's spikes of the last Forward's sample row:
// Steps×Sizes[l+1] values.
func (f *FF) SpikesOf(l, row int) ([]float32, error) {
	if row < 0 || row >= f.rows {
		panic(fmt.Sprintf("gpu: FF.SpikesOf: row %d of %d", row, f.rows))
	}
	h := f.cfg.Sizes[l+1]
	out := make([]float32, f.cfg.Steps*h)
	for t := range f.cfg.Steps {
		if err := f.d.Download(out[t*h:(t+1)*h], f.s[l].At((t*f.rows+row)*h, h)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Membranes downloads layer l's membranes after each step of the last
// Forward: Steps×rows×Sizes[l+1] values (for tests).
func (f *FF) Membranes(l int) ([]float32, error) {
	k := f.rows * f.cfg.Sizes[l+1]
	out := make([]float32, f.cfg.Steps*k)
	return out, f.d.Download(out, f.u[l].At(k, f.cfg.Steps*k))
}
