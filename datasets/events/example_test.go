package events_test

import (
	"fmt"

	"github.com/braingo/braingo/datasets/events"
)

// Reading an SHD file and binning one sample for a recurrent network.
func Example() {
	d, err := events.OpenSHD("testdata/shd_test.h5")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	ev, label, err := d.Sample(0)
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := events.BinSpec{Steps: 100, Duration: 1_000_000}
	x := events.ToBins(ev, d.Sensor(), spec, nil)
	rows := events.Rows(x, d.Sensor().Channels())
	fmt.Println(d.Len(), "samples,", len(d.Classes()), "classes; sample 0 is", d.Classes()[label])
	fmt.Printf("first event: channel %d at %d µs\n", ev[0].X, ev[0].T)
	fmt.Println(len(rows), "steps ×", len(rows[0]), "channels")
	// Output:
	// 12 samples, 20 classes; sample 0 is class-04
	// first event: channel 604 at 45501 µs
	// 100 steps × 700 channels
}

// Generating randman (Zenke and Vogels 2021) and binning it per step.
func ExampleNewRandman() {
	r := events.NewRandman(events.RandmanConfig{Classes: 3, Units: 10, Steps: 20, SamplesPerClass: 5, Seed: 1})
	x := r.Bins(0, nil) // [20][10]
	total := float32(0)
	for _, v := range x {
		total += v
	}
	fmt.Println(r.Len(), "samples of", len(x), "values,", total, "spikes")
	// Output: 15 samples of 200 values, 10 spikes
}
