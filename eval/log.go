package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/braingo/braingo/internal/fileio"
)

// MetricsFile is the name of the metrics log in a run directory.
const MetricsFile = "metrics.jsonl"

// EpochRecord is one epoch's line of the metrics log. A metric that was not
// measured is NaN (start from [NewRecord]); in JSON a NaN is null and an
// infinity is the string "+Inf" or "-Inf", so a diverged run still logs.
type EpochRecord struct {
	Epoch         int     // 1-based by convention
	TrainLoss     float64 // mean training loss over the epoch
	TrainAcc      float64 // training accuracy, a fraction
	TestLoss      float64 // test loss
	TestAcc       float64 // test accuracy, a fraction
	Seconds       float64 // wall time of the epoch (training and testing)
	SamplesPerSec float64 // training samples per second
	// Rates is the firing statistics per layer, from a [RateMeter].
	Rates []LayerRate
	// Extra holds task-specific figures by name, such as "psychometric_slope"
	// or "coba_rate_hz".
	Extra map[string]float64
}

// NewRecord returns a record for epoch with every metric NaN (not measured).
func NewRecord(epoch int) EpochRecord {
	n := math.NaN()
	return EpochRecord{Epoch: epoch, TrainLoss: n, TrainAcc: n, TestLoss: n, TestAcc: n, Seconds: n, SamplesPerSec: n}
}

// jsonRecord is the wire form of EpochRecord.
type jsonRecord struct {
	Epoch         int               `json:"epoch"`
	TrainLoss     jfloat            `json:"train_loss"`
	TrainAcc      jfloat            `json:"train_acc"`
	TestLoss      jfloat            `json:"test_loss"`
	TestAcc       jfloat            `json:"test_acc"`
	Seconds       jfloat            `json:"seconds"`
	SamplesPerSec jfloat            `json:"samples_per_s"`
	Rates         []jsonRate        `json:"rates,omitempty"`
	Extra         map[string]jfloat `json:"extra,omitempty"`
}

type jsonRate struct {
	Layer   string `json:"layer"`
	Neurons int    `json:"neurons"`
	Rate    jfloat `json:"rate"`
	Silent  jfloat `json:"silent"`
}

// jfloat is a float64 whose JSON form admits NaN (null) and infinities
// ("+Inf", "-Inf"). A missing field decodes as NaN through its preset.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte("null"), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jfloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*f = jfloat(math.NaN())
		return nil
	case `"+Inf"`, `"Inf"`, `"Infinity"`:
		*f = jfloat(math.Inf(1))
		return nil
	case `"-Inf"`, `"-Infinity"`:
		*f = jfloat(math.Inf(-1))
		return nil
	case `"NaN"`:
		*f = jfloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%s is not a number, null, \"+Inf\" or \"-Inf\"", b)
	}
	*f = jfloat(v)
	return nil
}

// MarshalJSON encodes r as one JSON object with snake_case keys (epoch,
// train_loss, train_acc, test_loss, test_acc, seconds, samples_per_s, rates,
// extra).
func (r EpochRecord) MarshalJSON() ([]byte, error) {
	j := jsonRecord{
		Epoch:         r.Epoch,
		TrainLoss:     jfloat(r.TrainLoss),
		TrainAcc:      jfloat(r.TrainAcc),
		TestLoss:      jfloat(r.TestLoss),
		TestAcc:       jfloat(r.TestAcc),
		Seconds:       jfloat(r.Seconds),
		SamplesPerSec: jfloat(r.SamplesPerSec),
	}
	for _, l := range r.Rates {
		j.Rates = append(j.Rates, jsonRate{l.Layer, l.Neurons, jfloat(l.Rate), jfloat(l.Silent)})
	}
	if len(r.Extra) > 0 {
		j.Extra = make(map[string]jfloat, len(r.Extra))
		for k, v := range r.Extra {
			j.Extra[k] = jfloat(v)
		}
	}
	return json.Marshal(j) // map keys are sorted: the output is deterministic
}

// UnmarshalJSON decodes the form MarshalJSON writes. Absent metrics are NaN,
// an absent silent fraction is -1 (unknown), and unknown keys are ignored
// so that newer logs stay readable.
func (r *EpochRecord) UnmarshalJSON(b []byte) error {
	n := jfloat(math.NaN())
	j := jsonRecord{TrainLoss: n, TrainAcc: n, TestLoss: n, TestAcc: n, Seconds: n, SamplesPerSec: n}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	out := EpochRecord{
		Epoch:         j.Epoch,
		TrainLoss:     float64(j.TrainLoss),
		TrainAcc:      float64(j.TrainAcc),
		TestLoss:      float64(j.TestLoss),
		TestAcc:       float64(j.TestAcc),
		Seconds:       float64(j.Seconds),
		SamplesPerSec: float64(j.SamplesPerSec),
	}
	for _, l := range j.Rates {
		out.Rates = append(out.Rates, LayerRate{l.Layer, l.Neurons, float64(l.Rate), float64(l.Silent)})
	}
	if j.Extra != nil {
		out.Extra = make(map[string]float64, len(j.Extra))
		for k, v := range j.Extra {
			out.Extra[k] = float64(v)
		}
	}
	*r = out
	return nil
}

// UnmarshalJSON for jsonRate presets an absent silent fraction to -1.
func (l *jsonRate) UnmarshalJSON(b []byte) error {
	type plain jsonRate
	p := plain{Rate: jfloat(math.NaN()), Silent: -1}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*l = jsonRate(p)
	return nil
}

// EncodeRecord writes r to w as one line of JSON, in a single Write.
func EncodeRecord(w io.Writer, r EpochRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// AppendRecord appends r as one line to the metrics log at path (usually
// filepath.Join(runDir, MetricsFile)), creating the file if needed. The line
// goes out in one write to a file opened for appending, so a crash leaves at
// worst a torn last line, which [ReadRecords] reports.
func AppendRecord(path string, r EpochRecord) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if err := EncodeRecord(f, r); err != nil {
		f.Close()
		return fmt.Errorf("eval: appending to %s: %w", path, err)
	}
	return f.Close()
}

// ReadRecords reads the metrics log at path, which must be a regular file
// (a FIFO or a device is refused at once, not read until it ends).
func ReadRecords(path string) ([]EpochRecord, error) {
	f, _, err := fileio.OpenRegular(path, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeRecords(f, path)
}

// maxLine bounds one line of the metrics log.
const maxLine = 16 << 20

// DecodeRecords reads JSON lines of [EpochRecord] from r; name is the file
// name used in errors. Blank lines are skipped. A line that is not a JSON
// object of the record's form is an error of the form
// "eval: NAME:LINE: what is wrong", returned with the records before that
// line (so a run can resume after a torn final write if the caller accepts
// it).
func DecodeRecords(r io.Reader, name string) ([]EpochRecord, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var recs []EpochRecord
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if b[0] != '{' {
			return recs, fmt.Errorf("eval: %s:%d: not a JSON object (a corrupt or foreign metrics log?)", name, line)
		}
		var rec EpochRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return recs, fmt.Errorf("eval: %s:%d: %v", name, line, err)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return recs, fmt.Errorf("eval: %s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return recs, fmt.Errorf("eval: reading %s: %w", name, err)
	}
	return recs, nil
}
