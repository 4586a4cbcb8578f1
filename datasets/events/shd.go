package events

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/braingo/braingo/internal/hdf5"
)

// AudioChannels is the number of input channels of SHD and SSC: the 700
// fibres of the cochlea model that produced the spikes.
const AudioChannels = 700

// Classes of the Heidelberg spiking data sets.
const (
	SHDClasses = 20
	SSCClasses = 35
)

// SHD is one file of the Spiking Heidelberg Digits (shd_train.h5,
// shd_test.h5) or of the Spiking Speech Commands (ssc_train.h5,
// ssc_valid.h5, ssc_test.h5), which share a layout (Cramer et al. 2020):
//
//	spikes/times  variable-length float (h5py vlen), seconds, per sample
//	spikes/units  variable-length integer, channel 0..699, per sample
//	labels        integer class per sample
//	extra/keys    class names (optional)
//	extra/speaker speaker per sample (optional)
//
// Open reads the labels and the per-sample references; a sample's spikes
// are read from the file (memory-mapped; a gzipped file is inflated into
// memory first) when Sample asks for them. Sample gives audio events: X is
// the channel, T the time in microseconds, truncated toward zero from the
// stored seconds times 1e6, as Tonic's SHD and SSC do (the product is
// computed in float64; Tonic's, under NumPy 1.x, in float32 for float16
// times, which can differ by 1 µs); Y and P are zero
// (Tonic gives p = 1 and its ToFrame then sets it to 0 for the one-polarity
// sensor).
type SHD struct {
	path         string
	times, units *hdf5.Sequences
	labels       []int
	keys         []string
	speaker      []int
	release      func() error
	closed       atomic.Bool
}

// OpenSHD opens an SHD file with the default Opener.
func OpenSHD(path string) (*SHD, error) { return Opener{}.SHD(path) }

// OpenSSC opens an SSC file with the default Opener.
func OpenSSC(path string) (*SHD, error) { return Opener{}.SSC(path) }

// SHD opens a Spiking Heidelberg Digits file (20 classes), raw or gzipped.
func (o Opener) SHD(path string) (*SHD, error) { return o.heidelberg(path, SHDClasses) }

// SSC opens a Spiking Speech Commands file (35 classes), raw or gzipped.
func (o Opener) SSC(path string) (*SHD, error) { return o.heidelberg(path, SSCClasses) }

func (o Opener) heidelberg(path string, classes int) (*SHD, error) {
	size, err := statRegular(path, o.max())
	if err != nil {
		return nil, err
	}
	gz, err := isGzip(path)
	if err != nil {
		return nil, err
	}
	var b []byte
	release := func() error { return nil }
	if gz {
		b, err = readFile(path, o.max())
	} else {
		b, release, err = mapFile(path, size)
	}
	if err != nil {
		return nil, err
	}
	s, err := DecodeHeidelberg(b, classes)
	if err != nil {
		release()
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	s.path, s.release = path, release
	return s, nil
}

// DecodeHeidelberg reads an SHD or SSC file held in b (which must stay
// unchanged while the result is used) with the given number of classes.
func DecodeHeidelberg(b []byte, classes int) (*SHD, error) {
	return decodeHeidelberg(b, classes, 0)
}

// decodeHeidelberg is DecodeHeidelberg with hdf5.DecodeLimit's limit.
func decodeHeidelberg(b []byte, classes int, limit int64) (*SHD, error) {
	root, err := hdf5.DecodeLimit(b, limit)
	if err != nil {
		return nil, err
	}
	s := &SHD{release: func() error { return nil }}
	sp := root.Groups["spikes"]
	if sp == nil {
		return nil, fmt.Errorf("no group spikes (not an SHD/SSC file)")
	}
	seq := func(name string) (*hdf5.Sequences, error) {
		d := sp.Datasets[name]
		if d == nil {
			return nil, fmt.Errorf("no dataset spikes/%s", name)
		}
		if d.Type != hdf5.Sequence {
			return nil, fmt.Errorf("spikes/%s holds %v, want variable-length sequences", name, d.Type)
		}
		return d.Seq, nil
	}
	if s.times, err = seq("times"); err != nil {
		return nil, err
	}
	if s.units, err = seq("units"); err != nil {
		return nil, err
	}
	if typ, _ := s.units.ElemType(); typ != hdf5.Int64 {
		return nil, fmt.Errorf("spikes/units holds %v values, want integers", typ)
	}
	if typ, _ := s.times.ElemType(); typ == hdf5.Int64 {
		return nil, fmt.Errorf("spikes/times holds integers, want floats (seconds)")
	}
	n := s.times.Len()
	if s.units.Len() != n {
		return nil, fmt.Errorf("spikes/times has %d samples, spikes/units %d", n, s.units.Len())
	}
	for i := 0; i < n; i++ {
		if a, b := s.times.ElemLen(i), s.units.ElemLen(i); a != b {
			return nil, fmt.Errorf("sample %d has %d times and %d units", i, a, b)
		}
	}
	lab := root.Datasets["labels"]
	if lab == nil || lab.Type != hdf5.Int64 || lab.Len() != n {
		return nil, fmt.Errorf("labels: want %d integers, one per sample", n)
	}
	s.labels = make([]int, n)
	for i, v := range lab.I64 {
		if v < 0 || v >= int64(classes) {
			return nil, fmt.Errorf("labels[%d] = %d is outside [0, %d)", i, v, classes)
		}
		s.labels[i] = int(v)
	}
	s.keys = make([]string, classes)
	for i := range s.keys {
		s.keys[i] = strconv.Itoa(i)
	}
	if ex := root.Groups["extra"]; ex != nil {
		if k := ex.Datasets["keys"]; k != nil {
			if k.Type != hdf5.String || len(k.Str) != classes {
				return nil, fmt.Errorf("extra/keys: want %d class names", classes)
			}
			copy(s.keys, k.Str)
		}
		if sp := ex.Datasets["speaker"]; sp != nil {
			if sp.Type != hdf5.Int64 || len(sp.I64) != n {
				return nil, fmt.Errorf("extra/speaker: want %d integers, one per sample", n)
			}
			s.speaker = make([]int, n)
			for i, v := range sp.I64 {
				s.speaker[i] = int(v)
			}
		}
	}
	return s, nil
}

// Len is the number of samples.
func (s *SHD) Len() int { return len(s.labels) }

// Classes are the class names of extra/keys ("0", "1", ... without it).
func (s *SHD) Classes() []string { return s.keys }

// Sensor is 700 × 1 × 1.
func (s *SHD) Sensor() Sensor { return Sensor{AudioChannels, 1, 1} }

// Label is sample i's class.
func (s *SHD) Label(i int) int { return s.labels[i] }

// Speaker is sample i's speaker (extra/speaker); ok is false when the file
// has none.
func (s *SHD) Speaker(i int) (speaker int, ok bool) {
	if s.speaker == nil {
		return 0, false
	}
	return s.speaker[i], true
}

// Close releases the file's memory map; later Samples are errors. Samples
// read before stay valid. Close must not run beside a Sample.
func (s *SHD) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.release()
}

func (s *SHD) where(i int) string {
	if s.path == "" {
		return fmt.Sprintf("sample %d", i)
	}
	return fmt.Sprintf("%s: sample %d", s.path, i)
}

// Spikes reads sample i's spikes as stored: times in seconds and channels.
func (s *SHD) Spikes(i int) (times []float64, units []int, err error) {
	checkIndex(i, len(s.labels), "SHD")
	if s.closed.Load() {
		return nil, nil, fmt.Errorf("%s: the file is closed", s.where(i))
	}
	td, err := s.times.At(i)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: spikes/times: %v", s.where(i), strings.TrimPrefix(err.Error(), "hdf5: "))
	}
	ud, err := s.units.At(i)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: spikes/units: %v", s.where(i), strings.TrimPrefix(err.Error(), "hdf5: "))
	}
	times = td.Float()
	if len(times) != len(ud.I64) {
		return nil, nil, fmt.Errorf("%s: %d times and %d units", s.where(i), len(times), len(ud.I64))
	}
	units = make([]int, len(ud.I64))
	for k, u := range ud.I64 {
		if u < 0 || u >= AudioChannels {
			return nil, nil, fmt.Errorf("%s: spike %d: unit %d is outside [0, %d)", s.where(i), k, u, AudioChannels)
		}
		units[k] = int(u)
		if t := times[k]; !(t >= 0 && t < 1e6) {
			return nil, nil, fmt.Errorf("%s: spike %d: time %v s is not in [0, 1e6)", s.where(i), k, t)
		}
	}
	return times, units, nil
}

// Sample reads sample i's events (in file order) and its class.
func (s *SHD) Sample(i int) ([]Event, int, error) {
	times, units, err := s.Spikes(i)
	if err != nil {
		return nil, 0, err
	}
	ev := make([]Event, len(times))
	for k, t := range times {
		ev[k] = Event{T: int64(t * 1e6), X: uint16(units[k])}
	}
	return ev, s.labels[i], nil
}
