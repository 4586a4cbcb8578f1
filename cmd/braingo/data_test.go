package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDataInfo(t *testing.T) {
	out, stderr, code := run(t, "data", "info", "../../datasets/events/testdata")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"shd_train.h5.gz", "shd_test.h5", "ssc_valid.h5", "SHD", "SSC", "700"} {
		if !strings.Contains(out, want) {
			t.Errorf("data info lacks %q:\n%s", want, out)
		}
	}
	out, _, code = run(t, "data", "info", "--json", "testdata/events/nmnist")
	if code != 0 || strings.Count(out, `"dataset":"N-MNIST"`) != 2 || !strings.Contains(out, `"channels":2312`) {
		t.Errorf("data info N-MNIST: exit %d\n%s", code, out)
	}
	if _, stderr, code := run(t, "data", "info", t.TempDir()); code != 1 || !strings.Contains(stderr, "holds no event data set") {
		t.Errorf("empty folder: exit %d, %s", code, stderr)
	}
	if _, _, code := run(t, "data", "info"); code != 2 {
		t.Errorf("data info without a folder: exit %d, want 2", code)
	}
}

// Export writes NumPy files whose headers and sizes match the recipe's data.
func TestDataExport(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := run(t, "data", "export", "randman-rsnn", "--out", dir, "--set", "data.randman.units=7",
		"--set", "data.randman.samples_per_class=5", "--set", "data.steps=12")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for name, shape := range map[string]string{"x_train.npy": "(40, 12, 7)", "x_test.npy": "(10, 12, 7)", "y_train.npy": "(40,)", "y_test.npy": "(10,)"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		hlen := int(b[8]) | int(b[9])<<8
		header := string(b[10 : 10+hlen])
		if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) || (10+hlen)%64 != 0 || !strings.Contains(header, "'shape': "+shape) {
			t.Errorf("%s: header %q", name, header)
		}
		size := 1
		for _, f := range strings.Fields(strings.NewReplacer("(", "", ")", "", ",", " ").Replace(shape)) {
			var d int
			fmt.Sscan(f, &d)
			size *= d
		}
		if strings.HasPrefix(name, "y") {
			size *= 8
		}
		if len(b)-10-hlen != size {
			t.Errorf("%s: %d data bytes, want %d", name, len(b)-10-hlen, size)
		}
	}
	if _, _, code := run(t, "data", "export", "fmnist-snn", "--out", dir); code != 2 {
		t.Errorf("export of an snn-classify recipe: exit %d, want 2", code)
	}
}

// fetchServer serves files and their md5sums.txt (the one of badSum wrong)
// with range requests.
func fetchServer(t *testing.T, files map[string][]byte, badSum string) *httptest.Server {
	var sums strings.Builder
	for name, b := range files {
		h := md5.Sum(b)
		sum := hex.EncodeToString(h[:])
		if name == badSum {
			sum = strings.Repeat("0", 32)
		}
		fmt.Fprintf(&sums, "%s  %s\n", sum, name)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "md5sums.txt" {
			io.WriteString(w, sums.String())
			return
		}
		b, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	}))
}

func TestDataFetch(t *testing.T) {
	train, err := os.ReadFile("../../datasets/events/testdata/shd_train.h5.gz")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../datasets/events/testdata/shd_test.h5")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	test := gz.Bytes()
	files := map[string][]byte{"shd_train.h5.gz": train, "shd_test.h5.gz": test}
	srv := fetchServer(t, files, "")
	defer srv.Close()
	dir := t.TempDir()
	// An interrupted download of the test file: its first 500 bytes.
	if err := os.WriteFile(filepath.Join(dir, "shd_test.h5.gz.part"), test[:500], 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if err := dataFetch(context.Background(), &log, srv.Client(), srv.URL, "shd", dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, want %d (%v)", name, len(got), len(want), err)
		}
	}
	if !strings.Contains(log.String(), "resuming after 500 bytes") {
		t.Errorf("no resume:\n%s", log.String())
	}
	// The downloaded SHD file reads.
	out, stderr, code := run(t, "data", "info", dir)
	if code != 0 || !strings.Contains(out, "shd_train.h5.gz") {
		t.Errorf("data info of the download: exit %d %s\n%s", code, stderr, out)
	}
	// A second run keeps the files.
	log.Reset()
	if err := dataFetch(context.Background(), &log, srv.Client(), srv.URL, "shd", dir); err != nil || strings.Count(log.String(), "present") != 2 {
		t.Errorf("second fetch: %v\n%s", err, log.String())
	}
	// A checksum mismatch is an error and leaves no file.
	bad := fetchServer(t, files, "shd_test.h5.gz")
	defer bad.Close()
	dir2 := t.TempDir()
	err = dataFetch(context.Background(), io.Discard, bad.Client(), bad.URL, "shd", dir2)
	if err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("bad checksum: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir2, "shd_test.h5.gz")); err == nil {
		t.Error("a file with a wrong checksum was kept")
	}
	if err := dataFetch(context.Background(), io.Discard, srv.Client(), srv.URL, "nmnist", dir2); err == nil || !strings.Contains(err.Error(), "by hand") && !strings.Contains(err.Error(), "no stable download") {
		t.Errorf("nmnist: %v", err)
	}
}
