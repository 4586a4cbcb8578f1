package events

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSHD(t *testing.T) {
	for _, tc := range []struct {
		file    string
		fix     shdFixture
		classes int
		open    func(string) (*SHD, error)
	}{
		{"shd_test.h5", makeSHD(SHDClasses, 12, 1), SHDClasses, OpenSHD},
		{"shd_train.h5.gz", makeSHD(SHDClasses, 9, 2), SHDClasses, OpenSHD},
		{"ssc_valid.h5", makeSHD(SSCClasses, 5, 3), SSCClasses, OpenSSC},
	} {
		t.Run(tc.file, func(t *testing.T) {
			d, err := tc.open(testdata(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Len() != len(tc.fix.labels) || !reflect.DeepEqual(d.Classes(), tc.fix.keys) || d.Sensor() != (Sensor{700, 1, 1}) {
				t.Fatalf("len %d classes %q sensor %v", d.Len(), d.Classes(), d.Sensor())
			}
			for i := 0; i < d.Len(); i++ {
				ev, label, err := d.Sample(i)
				if err != nil {
					t.Fatal(err)
				}
				want := tc.fix.events(i)
				if label != int(tc.fix.labels[i]) || len(ev) != len(want) {
					t.Fatalf("sample %d: label %d, %d events; want %d, %d", i, label, len(ev), tc.fix.labels[i], len(want))
				}
				for k := range want {
					if ev[k] != want[k] {
						t.Fatalf("sample %d event %d = %+v, want %+v", i, k, ev[k], want[k])
					}
				}
				times, units, _ := d.Spikes(i)
				for k := range times {
					if times[k] != float64(tc.fix.times[i][k]) || units[k] != int(tc.fix.units[i][k]) {
						t.Fatalf("sample %d spike %d: %v s unit %d", i, k, times[k], units[k])
					}
				}
				if sp, ok := d.Speaker(i); !ok || sp != int(tc.fix.speaker[i]) {
					t.Fatalf("speaker %d %v", sp, ok)
				}
			}
		})
	}
	d, _ := OpenSHD(testdata("shd_test.h5"))
	d.Close()
	if _, _, err := d.Sample(0); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("sample after Close: %v", err)
	}
	// SHD's class count is checked: an SSC file's labels may exceed 19 and
	// its 35 keys do not fit.
	if _, err := OpenSHD(testdata("ssc_valid.h5")); err == nil {
		t.Error("an SSC file opened as SHD")
	}
}

// Errors name the file and say what is wrong, on one line.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	shd, _ := os.ReadFile(testdata("shd_test.h5"))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		path, want string
	}{
		{"/dev/zero", "not a regular file"},
		{dir, "not a regular file"},
		{filepath.Join(dir, "missing.h5"), "no such file"},
		{write("garbage.h5", []byte("this is not an hdf5 file at all, just text")), "not an HDF5 file"},
		{write("trunc.h5", shd[:len(shd)/2]), "trunc.h5"},
		{write("trunc.h5.gz", gz(shd)[:300]), "gzip"},
	} {
		_, err := OpenSHD(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("OpenSHD(%s) = %v, want one line mentioning %q", tc.path, err, tc.want)
		} else if !strings.Contains(err.Error(), filepath.Base(tc.path)) && tc.path != dir {
			t.Errorf("error %q does not name the file", err)
		}
	}
	if _, err := (Opener{MaxBytes: 1000}).SHD(testdata("shd_test.h5")); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("size cap: %v", err)
	}
	if _, err := (Opener{MaxBytes: 5000}).SHD(testdata("shd_train.h5.gz")); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("size cap of gzipped content: %v", err)
	}
}

// Every truncation of the SHD fixture is an error at open or at sample
// time, never a panic.
func TestSHDTruncated(t *testing.T) {
	b, _ := os.ReadFile(testdata("shd_test.h5"))
	for n := 0; n < len(b); n += 1 + n/100 {
		d, err := DecodeHeidelberg(b[:n], SHDClasses)
		if err != nil {
			continue
		}
		for i := 0; i < d.Len(); i++ {
			d.Sample(i)
		}
	}
}

func TestNMNIST(t *testing.T) {
	d, err := OpenNMNIST(testdata("nmnist", "Test"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 4 || d.Sensor() != NMNISTSensor || len(d.Classes()) != 10 {
		t.Fatalf("len %d", d.Len())
	}
	for i, digit := range []int{0, 0, 3, 9} {
		ev, label, err := d.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		want := makeNMNIST(60+20*i, uint64(10+i))
		if label != digit || !reflect.DeepEqual(ev, want) {
			t.Fatalf("sample %d (%s): label %d, events differ", i, d.File(i), label)
		}
		raw, _ := os.ReadFile(d.File(i))
		markers := 0
		for k := 1; k < len(raw); k += 5 {
			if raw[k] == 240 {
				markers++
			}
		}
		if markers == 0 {
			t.Errorf("%s has no overflow marker to test", d.File(i))
		}
	}
	ev, _, _ := d.Sample(3)
	fs := FirstSaccade(ev)
	if len(fs) == 0 || len(fs) == len(ev) || fs[len(fs)-1].T >= 100_000 || ev[len(fs)].T < 100_000 {
		t.Fatalf("first saccade: %d of %d events", len(fs), len(ev))
	}
	b, _ := os.ReadFile(d.File(0))
	if _, err := DecodeNMNIST(b[:len(b)-2], NMNISTSensor); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated: %v", err)
	}
	bad := append([]byte(nil), b...)
	bad[0] = 40
	if _, err := DecodeNMNIST(bad, NMNISTSensor); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("pixel outside: %v", err)
	}
	if _, err := OpenNMNIST(testdata("shd_test.h5")); err == nil {
		t.Error("a file opened as an N-MNIST folder")
	}
}

func TestGestureAEDAT(t *testing.T) {
	for split, u := range map[string]uint64{"train": 20, "test": 21} {
		d, err := OpenGesture(testdata("gesture"), split)
		if err != nil {
			t.Fatal(err)
		}
		_, valid, segs := makeAEDAT(u)
		if d.Len() != len(segs) {
			t.Fatalf("%s: %d samples, want %d", split, d.Len(), len(segs))
		}
		for i, s := range segs {
			ev, label, err := d.Sample(i)
			if err != nil {
				t.Fatal(err)
			}
			var want []Event
			for _, e := range valid {
				if e.T >= s.Start && e.T < s.End {
					e.T -= s.Start
					want = append(want, e)
				}
			}
			if label != s.Class || !reflect.DeepEqual(ev, want) {
				t.Fatalf("%s sample %d: label %d, %d events, want %d, %d", split, i, label, len(ev), s.Class, len(want))
			}
		}
	}
	all, err := OpenGesture(testdata("gesture"), "")
	if err != nil || all.Len() != 4 {
		t.Fatalf("all recordings: %v", err)
	}
	file, valid, _ := makeAEDAT(20)
	ev, err := DecodeAEDAT3(file, GestureSensor)
	if err != nil || !reflect.DeepEqual(ev, valid) {
		t.Fatalf("decode: %v", err)
	}
	if valid[len(valid)-1].T < 1<<31 {
		t.Error("the fixture does not cross a timestamp overflow")
	}
	// Every truncation inside the packets is an error naming the packet.
	body, _ := aedatBody(file)
	head := len(file) - len(body)
	boundary := map[int]bool{}
	for p := head; p < len(file); {
		boundary[p] = true
		p += 28 + 8*int(binary.LittleEndian.Uint32(file[p+16:]))
	}
	for n := head + 1; n < len(file); n++ {
		if boundary[n] {
			continue // a file may end after any packet
		}
		if _, err := DecodeAEDAT3(file[:n], GestureSensor); err == nil || !strings.Contains(err.Error(), "packet") {
			t.Fatalf("prefix of %d bytes: %v", n, err)
		}
	}
	for _, tc := range []struct{ b, want string }{
		{"#!AER-DAT2.0\r\n", "version"},
		{"hello", "not an AEDAT 3 file"},
		{"#!AER-DAT3.1\r\n#no end", "truncated header"},
	} {
		if _, err := DecodeAEDAT3([]byte(tc.b), GestureSensor); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v", tc.b, err)
		}
	}
	for _, tc := range []struct{ csv, want string }{
		{"class,startTime_usec,endTime_usec\n12,1,2\n", "class 12"},
		{"1,5,2\n", "not a time interval"},
		{"1,x,2\n", "not an integer"},
		{"1,2\n", "fields"},
	} {
		if _, err := ParseGestureLabels([]byte(tc.csv)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v", tc.csv, err)
		}
	}
}

func TestGestureNPY(t *testing.T) {
	d, err := OpenGestureNPY(testdata("gesture_npy"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 3 {
		t.Fatalf("len %d", d.Len())
	}
	for i, want := range []int{0, 3, 10} {
		ev, label, err := d.Sample(i)
		if err != nil {
			t.Fatal(err)
		}
		_, wantEv := makeNPYGesture(uint64(30 + i))
		if label != want || !reflect.DeepEqual(ev, wantEv) {
			t.Fatalf("sample %d: label %d", i, label)
		}
	}
	b, _ := os.ReadFile(d.File(0))
	if _, err := DecodeGestureNPY(b[:len(b)-3], GestureSensor); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated: %v", err)
	}
	if _, err := DecodeGestureNPY(bytes.Replace(b, []byte("<f8"), []byte(">f8"), 1), GestureSensor); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("big-endian: %v", err)
	}
	if _, err := DecodeGestureNPY(bytes.Replace(b, []byte("(40, 4)"), []byte("(40, 3)"), 1), GestureSensor); err == nil || !strings.Contains(err.Error(), "N×4") {
		t.Errorf("shape: %v", err)
	}
}

// Binning an SHD file from several goroutines gives the samples one by one
// would (run with -race to check the lazy reader's locking).
func TestSHDConcurrent(t *testing.T) {
	d, err := OpenSHD(testdata("shd_test.h5"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	spec := BinSpec{Steps: 20, Duration: 1_000_000}
	b, err := Bin(d, d.Sensor(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < d.Len(); i++ {
		ev, _, _ := d.Sample(i)
		if !reflect.DeepEqual(b.Sample(i, nil), ToBins(ev, d.Sensor(), spec, nil)) {
			t.Fatalf("sample %d", i)
		}
	}
}

// .npy files of other element types than Tonic's float64.
func TestNPYTypes(t *testing.T) {
	for _, tc := range []struct {
		descr string
		data  []byte
		want  []float64
	}{
		{"<i2", []byte{1, 0, 0xff, 0xff, 3, 0, 0, 1}, []float64{1, -1, 3, 256}},
		{"|u1", []byte{1, 2, 255, 0}, []float64{1, 2, 255, 0}},
		{"<f4", []byte{0, 0, 0xc0, 0x3f, 0, 0, 0x80, 0xbf, 0, 0, 0, 0, 0, 0, 0x80, 0x3f}, []float64{1.5, -1, 0, 1}},
		{"<u4", []byte{1, 0, 0, 0, 0, 0, 0, 0x80, 2, 0, 0, 0, 3, 0, 0, 0}, []float64{1, 1 << 31, 2, 3}},
	} {
		h := "{'descr': '" + tc.descr + "', 'fortran_order': False, 'shape': (1, 4), }\n"
		b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), 0)
		b = append(append(b, h...), tc.data...)
		a, err := DecodeNPY(b)
		if err != nil {
			t.Fatalf("%s: %v", tc.descr, err)
		}
		for i, w := range tc.want {
			if a.At(i) != w {
				t.Errorf("%s value %d = %v, want %v", tc.descr, i, a.At(i), w)
			}
		}
	}
}

// Folder layouts: a missing labels file, a stray .npy name, an empty
// folder are errors naming the path.
func TestFolderErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "user03_led.aedat"), []byte("#!AER-DAT3.1\r\n#!END-HEADER\r\n"), 0o644)
	if _, err := OpenGesture(dir, ""); err == nil || !strings.Contains(err.Error(), "user03_led_labels.csv") {
		t.Errorf("missing labels: %v", err)
	}
	if _, err := OpenGesture(dir, "train"); err == nil || !strings.Contains(err.Error(), "trials_to_train.txt") {
		t.Errorf("missing trial list: %v", err)
	}
	os.MkdirAll(filepath.Join(dir, "npy", "user01_x"), 0o755)
	if _, err := OpenGestureNPY(filepath.Join(dir, "npy")); err == nil || !strings.Contains(err.Error(), "no .npy") {
		t.Errorf("empty npy folder: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "npy", "user01_x", "eleven.npy"), nil, 0o644)
	if _, err := OpenGestureNPY(filepath.Join(dir, "npy")); err == nil || !strings.Contains(err.Error(), "eleven.npy") {
		t.Errorf("bad npy name: %v", err)
	}
	os.MkdirAll(filepath.Join(dir, "nm", "4"), 0o755)
	if _, err := OpenNMNIST(filepath.Join(dir, "nm")); err == nil || !strings.Contains(err.Error(), "no N-MNIST files") {
		t.Errorf("empty N-MNIST: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "nm", "4", "1.bin"), []byte{1, 2, 3}, 0o644)
	d, err := OpenNMNIST(filepath.Join(dir, "nm"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Sample(0); err == nil || !strings.Contains(err.Error(), "1.bin") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated N-MNIST file: %v", err)
	}
}
