package eval

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/fuzzopt"
)

func sampleRecords() []EpochRecord {
	r1 := NewRecord(1)
	r1.TrainLoss, r1.TrainAcc, r1.TestAcc, r1.Seconds, r1.SamplesPerSec = 1.5, 0.61, 0.7, 12.25, 4800
	r1.Rates = []LayerRate{{"hidden", 1000, 0.0625, -1}, {"output", 10, 0.125, 0.1}}
	r2 := r1
	r2.Epoch, r2.TrainLoss, r2.TestLoss, r2.TestAcc = 2, math.Inf(1), 0.5, 0.8
	r2.Extra = map[string]float64{"slope": 0.25, "bias": math.NaN(), "low": math.Inf(-1)}
	r3 := EpochRecord{Epoch: 3} // zero values, not NaN
	return []EpochRecord{r1, r2, r3}
}

// sameRecord compares two records, NaN equal to NaN.
func sameRecord(a, b EpochRecord) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

func TestRecordJSON(t *testing.T) {
	recs := sampleRecords()
	var buf bytes.Buffer
	for _, r := range recs {
		if err := EncodeRecord(&buf, r); err != nil {
			t.Fatal(err)
		}
	}
	const want = `{"epoch":1,"train_loss":1.5,"train_acc":0.61,"test_loss":null,"test_acc":0.7,"seconds":12.25,"samples_per_s":4800,"rates":[{"layer":"hidden","neurons":1000,"rate":0.0625,"silent":-1},{"layer":"output","neurons":10,"rate":0.125,"silent":0.1}]}
{"epoch":2,"train_loss":"+Inf","train_acc":0.61,"test_loss":0.5,"test_acc":0.8,"seconds":12.25,"samples_per_s":4800,"rates":[{"layer":"hidden","neurons":1000,"rate":0.0625,"silent":-1},{"layer":"output","neurons":10,"rate":0.125,"silent":0.1}],"extra":{"bias":null,"low":"-Inf","slope":0.25}}
{"epoch":3,"train_loss":0,"train_acc":0,"test_loss":0,"test_acc":0,"seconds":0,"samples_per_s":0}
`
	if buf.String() != want {
		t.Errorf("encoded:\n%s\nwant:\n%s", buf.String(), want)
	}
	got, err := DecodeRecords(&buf, "buf")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("decoded %d records, want %d", len(got), len(recs))
	}
	for i := range recs {
		if !sameRecord(got[i], recs[i]) {
			t.Errorf("record %d: decoded %+v, want %+v", i, got[i], recs[i])
		}
	}
	if !math.IsNaN(got[0].TestLoss) || !math.IsInf(got[1].TrainLoss, 1) || !math.IsInf(got[1].Extra["low"], -1) {
		t.Errorf("NaN and infinities did not survive: %+v %+v", got[0], got[1])
	}
}

func TestDecodeLenient(t *testing.T) {
	// Absent fields are NaN (metrics) and -1 (silent); unknown keys, blank
	// lines and a missing final newline are fine; the aliases "NaN" and
	// "Infinity" are read.
	in := "\n{\"epoch\":4,\"test_acc\":0.5,\"future\":{\"x\":1},\"rates\":[{\"layer\":\"h\",\"neurons\":3,\"rate\":0.5}]}\n  \n" +
		`{"epoch":5,"train_loss":"NaN","test_loss":"Infinity"}`
	got, err := DecodeRecords(strings.NewReader(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d records", len(got))
	}
	r := got[0]
	if r.Epoch != 4 || r.TestAcc != 0.5 || !math.IsNaN(r.TrainLoss) || !math.IsNaN(r.Seconds) ||
		len(r.Rates) != 1 || r.Rates[0].Silent != -1 || r.Rates[0].Rate != 0.5 || r.Extra != nil {
		t.Errorf("record 0 = %+v", r)
	}
	if !math.IsNaN(got[1].TrainLoss) || !math.IsInf(got[1].TestLoss, 1) {
		t.Errorf("record 1 = %+v", got[1])
	}
}

func TestDecodeErrors(t *testing.T) {
	good := `{"epoch":1,"train_loss":0.5}` + "\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"torn last line", good + good + `{"epoch":3,"train_lo`, "eval: m.jsonl:3: "},
		{"not an object", good + "[1,2]\n", "eval: m.jsonl:2: not a JSON object"},
		{"garbage", "\x00\x01\n", "eval: m.jsonl:1: not a JSON object"},
		{"string for number", good + "\n" + `{"epoch":2,"train_loss":"low"}`, `eval: m.jsonl:3: "low" is not a number`},
		{"fractional epoch", `{"epoch":1.5}`, "eval: m.jsonl:1: "},
		{"two objects", `{"epoch":1} {"epoch":2}`, "eval: m.jsonl:1: "},
		{"bad rate", `{"epoch":1,"rates":[{"layer":1}]}`, "eval: m.jsonl:1: "},
		{"bad extra", `{"epoch":1,"extra":{"a":true}}`, "eval: m.jsonl:1: "},
		{"too long", good + "{" + strings.Repeat(" ", maxLine) + "}", "eval: m.jsonl:2: line longer than"},
	} {
		recs, err := DecodeRecords(strings.NewReader(tc.in), "m.jsonl")
		if err == nil {
			t.Errorf("%s: no error, records %+v", tc.name, recs)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want prefix %q", tc.name, err, tc.want)
		}
	}
}

func TestAppendRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), MetricsFile)
	recs := sampleRecords()
	for _, r := range recs {
		if err := AppendRecord(path, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadRecords(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, want %d", len(got), len(recs))
	}
	for i := range recs {
		if !sameRecord(got[i], recs[i]) {
			t.Errorf("record %d: read %+v, want %+v", i, got[i], recs[i])
		}
	}
	// A torn write is reported with the file's name and the line.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"epoch":4,"tra`)
	f.Close()
	if _, err := ReadRecords(path); err == nil || !strings.Contains(err.Error(), path+":4: ") {
		t.Errorf("torn line: error %v, want one naming %s:4", err, path)
	}
	if _, err := ReadRecords(filepath.Join(t.TempDir(), "none.jsonl")); !os.IsNotExist(err) {
		t.Errorf("missing file: error %v", err)
	}
	if err := AppendRecord(filepath.Join(t.TempDir(), "no", "dir", MetricsFile), recs[0]); err == nil {
		t.Error("AppendRecord into a missing directory: no error")
	}
}

// FuzzDecodeRecords checks that the reader never panics and that whatever it
// accepts survives encoding and decoding again unchanged.
func FuzzDecodeRecords(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", MetricsFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	for _, line := range bytes.Split(seed, []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"epoch":1,"train_loss":null,"extra":{"a":"-Inf"}}`))
	f.Add([]byte("{}\n\n[]"))
	// Bound Go's quadratic minimization of each new input (see fuzzopt).
	fuzzopt.BoundMinimization(100)
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := DecodeRecords(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "eval: fuzz:") {
				t.Fatalf("error without file and line: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		for _, r := range recs {
			if err := EncodeRecord(&buf, r); err != nil {
				t.Fatalf("re-encoding %+v: %v", r, err)
			}
		}
		again, err := DecodeRecords(&buf, "again")
		if err != nil {
			t.Fatalf("decoding re-encoded records: %v\n%s", err, buf.Bytes())
		}
		if len(again) != len(recs) {
			t.Fatalf("%d records became %d", len(recs), len(again))
		}
		for i := range recs {
			if !sameRecord(recs[i], again[i]) {
				t.Fatalf("record %d: %+v became %+v", i, recs[i], again[i])
			}
		}
	})
}

// A metrics log that is not a regular file is refused at once.
func TestReadRecordsRefusesDevices(t *testing.T) {
	if _, err := ReadRecords("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadRecords(/dev/zero): %v", err)
	}
}
