package events

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// NMNISTSensor is N-MNIST's sensor: 34 × 34 pixels, 2 polarities.
var NMNISTSensor = Sensor{34, 34, 2}

// maxNMNISTBytes bounds one N-MNIST file (the largest is about 60 kB).
const maxNMNISTBytes = 64 << 20

// DecodeNMNIST decodes an N-MNIST (or N-Caltech101) binary event file:
// 5 bytes per event, x (8 bits), y (8 bits), polarity (1 bit) and a 23-bit
// timestamp in microseconds. An event with y = 240 marks a timestamp
// overflow: 2^13 µs are added to the timestamps of every later event and
// the marker itself is dropped (as Tonic's read_mnist_file does). A length
// that is not a multiple of 5 is an error (a truncated file), and so is a
// pixel outside sensor (pass a zero Sensor to skip the check).
func DecodeNMNIST(b []byte, sensor Sensor) ([]Event, error) {
	if len(b)%5 != 0 {
		return nil, fmt.Errorf("truncated N-MNIST file: %d bytes is not a whole number of 5-byte events", len(b))
	}
	ev := make([]Event, 0, len(b)/5)
	var offset int64
	for i := 0; i < len(b); i += 5 {
		x, y := b[i], b[i+1]
		if y == 240 {
			offset += 1 << 13
			continue
		}
		e := Event{
			X: uint16(x), Y: uint16(y), P: b[i+2] >> 7,
			T: offset + (int64(b[i+2]&0x7f)<<16 | int64(b[i+3])<<8 | int64(b[i+4])),
		}
		if sensor.Width > 0 && !sensor.Contains(e) {
			return nil, fmt.Errorf("event %d: pixel (%d, %d) outside the %v sensor", i/5, x, y, sensor)
		}
		ev = append(ev, e)
	}
	return ev, nil
}

// NMNIST is one split of N-MNIST in the layout its authors distribute:
// a folder (Train or Test) with one folder per digit, 0 to 9, of .bin files.
// Open lists the files; Sample reads one.
type NMNIST struct {
	files    []string
	labels   []int
	maxBytes int64
}

// OpenNMNIST opens an N-MNIST split folder with the default Opener.
func OpenNMNIST(dir string) (*NMNIST, error) { return Opener{}.NMNIST(dir) }

// NMNIST lists the .bin files of dir/0 ... dir/9, each folder's files in
// name order, digit by digit. A digit folder may be missing (a partial
// download) but at least one file must be found.
func (o Opener) NMNIST(dir string) (*NMNIST, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a folder (want N-MNIST's Train or Test folder of digit folders 0 to 9)", dir)
	}
	d := &NMNIST{maxBytes: min(o.max(), maxNMNISTBytes)}
	for digit := 0; digit < 10; digit++ {
		names, err := filepath.Glob(filepath.Join(dir, strconv.Itoa(digit), "*.bin"))
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		for _, n := range names {
			d.files = append(d.files, n)
			d.labels = append(d.labels, digit)
		}
	}
	if len(d.files) == 0 {
		return nil, fmt.Errorf("%s: no N-MNIST files (want digit folders 0 to 9 of .bin files)", dir)
	}
	return d, nil
}

// Len is the number of recordings.
func (d *NMNIST) Len() int { return len(d.files) }

// Classes are the digits "0" to "9".
func (d *NMNIST) Classes() []string {
	return []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
}

// Sensor is 34 × 34 × 2.
func (d *NMNIST) Sensor() Sensor { return NMNISTSensor }

// File is the path of recording i.
func (d *NMNIST) File(i int) string { return d.files[i] }

// Label is recording i's digit.
func (d *NMNIST) Label(i int) int { return d.labels[i] }

// Sample reads recording i.
func (d *NMNIST) Sample(i int) ([]Event, int, error) {
	checkIndex(i, len(d.files), "N-MNIST")
	b, err := readFile(d.files[i], d.maxBytes)
	if err != nil {
		return nil, 0, err
	}
	ev, err := DecodeNMNIST(b, NMNISTSensor)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", d.files[i], err)
	}
	return ev, d.labels[i], nil
}

// FirstSaccade keeps the events of N-MNIST's first saccade, those before
// 100 ms (Tonic's NMNIST first_saccade_only: t < 1e5 µs).
func FirstSaccade(ev []Event) []Event {
	var out []Event
	for _, e := range ev {
		if e.T < 100_000 {
			out = append(out, e)
		}
	}
	return out
}
