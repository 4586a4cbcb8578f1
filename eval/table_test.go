package eval

import (
	"bytes"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update after checking the change); got:\n%s\nwant:\n%s", path, got, want)
	}
}

func fmnistMatrix() *ConfusionMatrix {
	m := NewConfusionMatrix(4)
	m.Counts = [][]int{
		{90, 2, 8, 0},
		{1, 97, 2, 0},
		{12, 1, 85, 2},
		{0, 0, 0, 0}, // a class with no samples
	}
	return m
}

func TestTables(t *testing.T) {
	recs := sampleRecords()
	noRates := []EpochRecord{NewRecord(1), NewRecord(2)}
	noRates[0].TrainLoss, noRates[1].TrainLoss = 0.9, math.NaN()
	noRates[1].TestAcc = 0.75
	for _, tc := range []struct {
		name   string
		render func(io.Writer) error
	}{
		{"epochs.golden", func(w io.Writer) error { return WriteEpochTable(w, recs) }},
		{"epochs_sparse.golden", func(w io.Writer) error { return WriteEpochTable(w, noRates) }},
		{"epochs_empty.golden", func(w io.Writer) error { return WriteEpochTable(w, nil) }},
		{"confusion.golden", func(w io.Writer) error {
			return WriteConfusionTable(w, fmnistMatrix(), []string{"T-shirt/top", "Trouser", "Pullover"})
		}},
		{"rates.golden", func(w io.Writer) error { return WriteRateTable(w, recs[0].Rates) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tc.render(&a); err != nil {
				t.Fatal(err)
			}
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("two renderings differ:\n%s\n%s", a.Bytes(), b.Bytes())
			}
			golden(t, tc.name, a.Bytes())
		})
	}
}
