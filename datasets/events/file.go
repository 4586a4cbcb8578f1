package events

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// DefaultMaxBytes is the largest file (and the largest decompressed
// content of a gzipped file) an Opener with MaxBytes 0 reads: 16 GiB, more
// than the largest file of these datasets (SSC's training file).
const DefaultMaxBytes = 16 << 30

// Opener opens the datasets' files. Its zero value works; the package-level
// Open functions use it.
type Opener struct {
	// MaxBytes bounds the size of a file and of a gzipped file's content;
	// 0 means DefaultMaxBytes. Larger files are refused before anything is
	// read, so that a wrong path (a device, a huge unrelated file) fails
	// fast instead of filling memory.
	MaxBytes int64
}

func (o Opener) max() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// statRegular checks that path is a regular file of at most max bytes and
// returns its size.
func statRegular(path string, max int64) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("%s: not a regular file (%v)", path, st.Mode().Type())
	}
	if st.Size() > max {
		return 0, fmt.Errorf("%s: file of %d bytes is larger than the limit of %d bytes", path, st.Size(), max)
	}
	return st.Size(), nil
}

// readFile reads a regular file of at most max bytes whole, decompressing
// it when it is gzipped (detected by its content) with the same limit on
// what it inflates to.
func readFile(path string, max int64) ([]byte, error) {
	size, err := statRegular(path, max)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: corrupt gzip stream: %v", path, err)
		}
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(zr, max+1))
		if err != nil {
			return nil, fmt.Errorf("%s: corrupt or truncated gzip stream: %v", path, err)
		}
		if n > max {
			return nil, fmt.Errorf("%s: gzipped content larger than the limit of %d bytes", path, max)
		}
		return buf.Bytes(), nil
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(br, b); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return b, nil
}

// isGzip reports whether the file at path starts with the gzip magic.
func isGzip(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var m [2]byte
	n, _ := io.ReadFull(f, m[:])
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b, nil
}
