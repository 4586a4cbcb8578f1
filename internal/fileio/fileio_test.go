//go:build unix

package fileio

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func oneLine(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

func TestReadFileCapped(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	want := []byte("hello, world")
	if err := os.WriteFile(p, want, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFileCapped(p, 0)
	if err != nil || string(b) != string(want) {
		t.Fatalf("%q, %v", b, err)
	}
	if b, err = ReadFileCapped(p, int64(len(want))); err != nil || string(b) != string(want) {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	_, err = ReadFileCapped(p, int64(len(want))-1)
	oneLine(t, err)
	var se *SizeError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &se) || se.Size != int64(len(want)) || !strings.Contains(err.Error(), p) {
		t.Errorf("over the limit: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	if b, err := ReadFileCapped(empty, 0); err != nil || len(b) != 0 {
		t.Errorf("empty file: %q, %v", b, err)
	}
	if _, err := ReadFileCapped(filepath.Join(dir, "missing"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// Devices, folders and FIFOs are refused at once, without reading or
// blocking.
func TestRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]string{"a directory": dir}
	if runtime.GOOS != "windows" {
		paths["a character device"] = "/dev/zero"
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err == nil {
			paths["a named pipe"] = fifo
		}
	}
	for what, p := range paths {
		done := make(chan error, 1)
		go func() {
			_, err := ReadFileCapped(p, 0)
			done <- err
		}()
		select {
		case err := <-done:
			oneLine(t, err)
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), what) || !strings.HasPrefix(err.Error(), p+": ") {
				t.Errorf("%s: %v", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadFileCapped blocks", p)
		}
		if f, _, err := OpenRegular(p, 0); err == nil || !errors.Is(err, ErrNotRegular) {
			f.Close()
			t.Errorf("OpenRegular(%s): %v", p, err)
		}
	}
}

func TestOpenRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, make([]byte, 100), 0o644)
	f, n, err := OpenRegular(p, 100)
	if err != nil || n != 100 {
		t.Fatalf("%d, %v", n, err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if len(b) != 100 {
		t.Errorf("read %d bytes", len(b))
	}
	if _, _, err := OpenRegular(p, 99); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
}

func mode(t *testing.T, p string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.nir")
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	if err := WriteAtomic(p, []byte("one"), 0o666); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("content %q", b)
	}
	if m := mode(t, p); m != 0o644 {
		t.Errorf("new file has mode %v, want 0644 (0666 less the umask)", m)
	}
	// Replacing a file keeps its mode.
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, p); m != 0o640 {
		t.Errorf("replaced file has mode %v, want its old 0640", m)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Fatalf("content %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// A failed write leaves the old file and no temporary file.
func TestWriteAtomicFailure(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ckpt.bgc")
	os.WriteFile(p, []byte("old"), 0o644)
	boom := errors.New("boom")
	err := WriteAtomicFunc(p, 0o644, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("old content became %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	// A folder in the way: refused before anything is written.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	if err := WriteAtomic(sub, []byte("x"), 0o644); !errors.Is(err, ErrNotRegular) {
		t.Errorf("over a folder: %v", err)
	}
	// A folder that does not exist.
	if err := WriteAtomic(filepath.Join(dir, "nope", "f"), []byte("x"), 0o644); err == nil {
		t.Error("write into a missing folder succeeded")
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestTemps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "checkpoint.bgc")
	for _, n := range []string{".checkpoint.bgc.tmp-1234", ".checkpoint.bgc.tmp-abcd", "checkpoint.bgc", ".checkpoint.bgc.tmp-", ".other.bgc.tmp-1", "x.tmp-1"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	want := []string{filepath.Join(dir, ".checkpoint.bgc.tmp-1234"), filepath.Join(dir, ".checkpoint.bgc.tmp-abcd")}
	got, err := TempFiles(p)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("TempFiles = %v, %v; want %v", got, err, want)
	}
	removed, err := RemoveTemps(p)
	if err != nil || !slices.Equal(removed, want) {
		t.Fatalf("RemoveTemps = %v, %v", removed, err)
	}
	if got, _ := TempFiles(p); len(got) != 0 {
		t.Errorf("still there: %v", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("removed too much: %v", entries)
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 4 << 30: "4.0 GiB", 1536 << 20: "1.5 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
