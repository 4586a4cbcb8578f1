package kinds

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/datasets/events"
	"github.com/braingo/braingo/recipes"
)

// CSNNData is the data of a csnn-classify recipe as its network sees it:
// 28×28 gray images, the same input at every step, or DVS Gesture's binned
// event frames, a new input at every step.
type CSNNData interface {
	Len() int
	Label(i int) int
	Classes() int
	ClassNames() []string
	// Dynamic reports whether the input changes from step to step.
	Dynamic() bool
	// Shape is one sample's (channels, height, width) at one step.
	Shape() [3]int
	// Fill writes samples ids into x and their labels into y: x holds
	// len(ids) images (static input) or steps·len(ids) frames, step-major
	// (frame t of sample k at row t·len(ids)+k).
	Fill(x []float32, y []int, ids []int)
}

// ImageData is a CSNNData of static images.
type ImageData struct{ *datasets.Images }

func (d ImageData) Len() int                       { return d.N }
func (d ImageData) Label(i int) int                { return int(d.Labels[i]) }
func (d ImageData) Classes() int                   { return d.Images.Classes }
func (d ImageData) ClassNames() []string           { return d.Images.ClassNames }
func (d ImageData) Dynamic() bool                  { return false }
func (d ImageData) Shape() [3]int                  { return [3]int{1, d.Rows, d.Cols} }
func (d ImageData) Fill(x []float32, y, ids []int) { d.Images.Fill(x, y, ids) }

// FrameData is a CSNNData of binned event frames: samples Index of Bins,
// each [steps][polarity·side·side].
type FrameData struct {
	Bins    *events.Binned
	Index   []int
	Side    int
	scratch []float32
}

func (d *FrameData) Len() int             { return len(d.Index) }
func (d *FrameData) Label(i int) int      { return d.Bins.Label(d.Index[i]) }
func (d *FrameData) Classes() int         { return len(d.Bins.Classes()) }
func (d *FrameData) ClassNames() []string { return d.Bins.Classes() }
func (d *FrameData) Dynamic() bool        { return true }
func (d *FrameData) Shape() [3]int {
	return [3]int{d.Bins.Channels / (d.Side * d.Side), d.Side, d.Side}
}

// Fill writes the frames of samples ids step-major (events.Binned.FillTimeMajor).
func (d *FrameData) Fill(x []float32, y, ids []int) {
	idx := make([]int, len(ids))
	for k, i := range ids {
		idx[k] = d.Index[i]
	}
	d.scratch = d.Bins.FillTimeMajor(x, y, idx, d.scratch)
}

// splitCSNN returns d without its last n samples, and those n samples
// (data.validation): images as splitTail splits them, recordings by their
// index.
func splitCSNN(d CSNNData, n int) (head, tail CSNNData) {
	switch d := d.(type) {
	case ImageData:
		h, t := splitTail(d.Images, n)
		return ImageData{h}, ImageData{t}
	case *FrameData:
		k := len(d.Index) - n
		h, t := &FrameData{Bins: d.Bins, Side: d.Side}, &FrameData{Bins: d.Bins, Side: d.Side}
		h.Index, t.Index = d.Index[:k:k], d.Index[k:]
		return h, t
	}
	panic(fmt.Sprintf("splitCSNN: %T", d))
}

// inputShape is the recipe's input per step: (channels, side) and the
// number of classes.
func (c *CSNN) inputShape() (channels, side, classes int) {
	if c.Data.Dataset == "dvsgesture" {
		return events.GestureSensor.Polarities, c.Data.Side, len(events.GestureClasses)
	}
	return 1, 28, 10
}

// LoadData reads the recipe's training and test sets, limits applied.
func (c *CSNN) LoadData() (train, test CSNNData, err error) {
	if c.Data.Dataset != "dvsgesture" {
		tr, te, err := c.source().Load(c.Data.Dir)
		if err != nil {
			return nil, nil, err
		}
		if tr.Rows != 28 || tr.Cols != 28 {
			return nil, nil, recipes.Invalid("data.dataset", "csnn-classify needs 28×28 images, %s has %d×%d", tr.Name, tr.Rows, tr.Cols)
		}
		return ImageData{tr.Limit(c.Data.TrainLimit)}, ImageData{te.Limit(c.Data.TestLimit)}, nil
	}
	var sets [2]*FrameData
	for k, split := range []string{"train", "test"} {
		b, err := c.binGesture(split)
		if err != nil {
			return nil, nil, err
		}
		limit := c.Data.TrainLimit
		if k == 1 {
			limit = c.Data.TestLimit
		}
		sets[k] = &FrameData{Bins: b, Index: firstN(b.Len(), limit), Side: c.Data.Side}
	}
	return sets[0], sets[1], nil
}

// binGesture opens a DVS Gesture split in either layout and bins it into
// data.steps frames of data.duration_ms, downsampled to data.side.
func (c *CSNN) binGesture(split string) (*events.Binned, error) {
	d := c.Data
	if d.Dir == "" {
		return nil, recipes.Invalid("data.dir", "dvsgesture needs the data set's folder (--set data_dir=DIR): IBM's DvsGesture folder (trials_to_train.txt, trials_to_test.txt, the .aedat and _labels.csv files) or Tonic's (ibmGestureTrain/, ibmGestureTest/)")
	}
	var ds events.Dataset
	var sensor events.Sensor
	switch npy := filepath.Join(d.Dir, map[string]string{"train": "ibmGestureTrain", "test": "ibmGestureTest"}[split]); {
	case fileExists(filepath.Join(d.Dir, "trials_to_"+split+".txt")):
		g, err := events.OpenGesture(d.Dir, split)
		if err != nil {
			return nil, err
		}
		ds, sensor = g, g.Sensor()
	case fileExists(npy):
		g, err := events.OpenGestureNPY(npy)
		if err != nil {
			return nil, err
		}
		ds, sensor = g, g.Sensor()
	default:
		return nil, fmt.Errorf("%s: no DVS Gesture %s split: want trials_to_%s.txt with the .aedat recordings (IBM's DvsGesture folder) or %s/ (Tonic's layout)",
			d.Dir, split, split, filepath.Base(npy))
	}
	spec := events.BinSpec{Steps: d.Steps, Duration: int64(d.DurationMS * 1000)}
	small := events.Sensor{Width: d.Side, Height: d.Side, Polarities: sensor.Polarities}
	down := func(ev []events.Event) []events.Event {
		out, _ := events.DownsampleTo(ev, sensor, d.Side, d.Side)
		return out
	}
	return events.Bin(ds, small, spec, down)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
