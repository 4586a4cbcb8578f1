// Package fileio opens, reads and writes the user's files defensively:
// readers take only regular files of bounded size (so that /dev/zero, a
// FIFO or a directory is refused at once with a one-line error instead of
// hanging or exhausting memory), and writers replace a file atomically (a
// temporary file in the same folder, fsync, rename, fsync of the folder),
// keeping the mode of the file they replace and leaving no temporary file
// behind when they fail.
//
// Temporary files are named ".BASE.tmp-RANDOM" beside BASE; a process
// killed between creating and renaming one leaves it behind. TempFiles
// lists such leftovers of a path and RemoveTemps deletes them, for the
// layer that knows no writer is running (a run directory's owner).
package fileio

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxSize is the default cap on the size of a file the readers of braingo
// accept: 4 GiB, above any checkpoint (checkpoint.MaxElements float32
// values), NIR file or dataset file braingo writes or reads.
const MaxSize int64 = 4 << 30

// ErrNotRegular is wrapped by the error of a path that is not a regular
// file (a directory, device, FIFO or socket).
var ErrNotRegular error = usageError("not a regular file")

// ErrDirSync is wrapped by the error of a write whose rename succeeded
// (the new content is in place) but whose folder could not be synced, so
// that the rename may not survive a crash.
var ErrDirSync = errors.New("folder not synced")

// ErrTooLarge is wrapped by the error of a file larger than the cap.
var ErrTooLarge error = usageError("file too large")

// SizeError is the error of a file over the cap.
type SizeError struct {
	Path        string
	Size, Limit int64
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("%s: file of %s is larger than the %s limit for this kind of file (truncated or not the file meant?)",
		e.Path, Bytes(e.Size), Bytes(e.Limit))
}

func (e *SizeError) Unwrap() error { return ErrTooLarge }

// usageError is an error the user fixes by naming another file: a command
// line exits 2 for it (its Usage method), as for a usage error.
type usageError string

func (e usageError) Error() string { return string(e) }

// Usage reports that the mistake is the user's to fix.
func (usageError) Usage() bool { return true }

// Bytes formats n bytes for messages: "512 B", "3.0 KiB", "4.0 GiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// kind names a file mode for messages.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

func checkRegular(path string, st fs.FileInfo, limit int64) error {
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: is %s, %w: give the path of a file", path, kind(st.Mode()), ErrNotRegular)
	}
	if st.Size() > limit {
		return &SizeError{Path: path, Size: st.Size(), Limit: limit}
	}
	return nil
}

// OpenRegular opens path for reading when it is a regular file of at most
// limit bytes (limit ≤ 0: MaxSize) and returns it with its size. It checks
// before opening, so a FIFO cannot block it, and again on the opened file.
// Errors name the path and the problem on one line and wrap ErrNotRegular
// or ErrTooLarge (a *SizeError), or the *fs.PathError of the system.
func OpenRegular(path string, limit int64) (*os.File, int64, error) {
	if limit <= 0 {
		limit = MaxSize
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := checkRegular(path, st, limit); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fst, err := f.Stat()
	if err == nil {
		err = checkRegular(path, fst, limit)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fst.Size(), nil
}

// ReadFileCapped reads the whole regular file at path, refusing anything
// else and files over limit bytes (limit ≤ 0: MaxSize) with one-line
// errors that name the path. A file that grows past limit while it is read
// is refused too.
func ReadFileCapped(path string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = MaxSize
	}
	f, size, err := OpenRegular(path, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// As os.ReadFile, from a buffer sized from the file, but reading at
	// most limit+1 bytes.
	r := io.LimitReader(f, limit+1)
	b := make([]byte, 0, size+512)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > limit {
		return nil, &SizeError{Path: path, Size: int64(len(b)), Limit: limit}
	}
	return b, nil
}

// tempPrefix is the start of the names of path's temporary files.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// createTemp creates a new temporary file beside path with permissions
// perm (less the umask, as for any new file).
func createTemp(path string, perm fs.FileMode) (*os.File, error) {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	for range 100 {
		var r [6]byte
		rand.Read(r[:])
		name := filepath.Join(dir, prefix+hex.EncodeToString(r[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("%s: cannot find a free temporary file name", path)
}

// WriteAtomic writes data to path so that path holds either its old
// content or all of data, even across a crash or a full disk. See
// WriteAtomicFunc.
func WriteAtomic(path string, data []byte, perm fs.FileMode) error {
	return WriteAtomicFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomicFunc replaces path with what write writes: write fills a new
// temporary file beside path, which is synced, closed and renamed over
// path, and the folder is synced so that the rename is durable. A file
// that path already names keeps its permission bits; a new one gets perm
// less the umask. When write or any step fails, the temporary file is
// removed and path is left as it was; the error names path.
func WriteAtomicFunc(path string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	mode := fs.FileMode(0)
	if st, serr := os.Stat(path); serr == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: is %s, %w: cannot replace it", path, kind(st.Mode()), ErrNotRegular)
		}
		mode = st.Mode().Perm()
	}
	f, err := createTemp(path, perm.Perm())
	if err != nil {
		return err
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if mode != 0 {
		if err = f.Chmod(mode); err != nil {
			return err
		}
	}
	if err = f.Sync(); err != nil {
		return err
	}
	closed = true
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// TempFiles lists the temporary files that WriteAtomic or WriteAtomicFunc
// of path left behind (a writer killed before its rename), full paths in
// name order. Only names of the form ".BASE.tmp-*" in path's folder match.
func TempFiles(path string) ([]string, error) {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && len(e.Name()) > len(prefix) && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// RemoveTemps removes the temporary files TempFiles lists and returns
// those it removed. Call it only when no writer of path is running (a
// running writer's temporary file would go too).
func RemoveTemps(path string) ([]string, error) {
	tmps, err := TempFiles(path)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, t := range tmps {
		if err := os.Remove(t); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, t)
	}
	return removed, nil
}
