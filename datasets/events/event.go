package events

import (
	"fmt"
	"slices"
)

// Event is one address event. Camera events (N-MNIST, DVS Gesture) have a
// pixel X, Y and a polarity P (0 off, 1 on); audio events (SHD, SSC) have
// the channel in X, with Y and P zero. T is the time in microseconds from
// the start of the recording.
type Event struct {
	T    int64
	X, Y uint16
	P    uint8
}

// Sensor is the size of the address space: Width × Height pixels and
// Polarities polarities (Tonic's sensor_size (W, H, P)). Audio sets are
// 700 × 1 × 1.
type Sensor struct {
	Width, Height, Polarities int
}

// Channels is the number of addresses, Width·Height·Polarities.
func (s Sensor) Channels() int { return s.Width * s.Height * s.Polarities }

// Channel is the flat index of an event's address in the layout of Tonic's
// frames (polarity, then row, then column): (P·Height + Y)·Width + X.
func (s Sensor) Channel(e Event) int {
	return (int(e.P)*s.Height+int(e.Y))*s.Width + int(e.X)
}

// Contains reports whether the event's address lies inside the sensor.
func (s Sensor) Contains(e Event) bool {
	return int(e.X) < s.Width && int(e.Y) < s.Height && int(e.P) < s.Polarities
}

func (s Sensor) String() string {
	return fmt.Sprintf("%dx%dx%d", s.Width, s.Height, s.Polarities)
}

// Dataset is a labelled set of event recordings. Sample reads recording i
// (from the file, when the set is read lazily) and returns its events and
// its class, an index into Classes. Sample must be safe to call from
// several goroutines.
type Dataset interface {
	Len() int
	Sample(i int) ([]Event, int, error)
	Classes() []string
}

// Sensed is a Dataset that knows its sensor size; every dataset of this
// package is one.
type Sensed interface {
	Dataset
	Sensor() Sensor
}

// SortByTime sorts events by time, keeping the file order of equal times.
func SortByTime(ev []Event) {
	slices.SortStableFunc(ev, func(a, b Event) int {
		switch {
		case a.T < b.T:
			return -1
		case a.T > b.T:
			return 1
		}
		return 0
	})
}

// sorted reports whether events are in time order.
func sorted(ev []Event) bool {
	for i := 1; i < len(ev); i++ {
		if ev[i].T < ev[i-1].T {
			return false
		}
	}
	return true
}

func checkIndex(i, n int, what string) {
	if i < 0 || i >= n {
		panic(fmt.Sprintf("events: %s sample %d out of range [0, %d)", what, i, n))
	}
}
