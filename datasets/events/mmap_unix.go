//go:build unix

package events

import (
	"os"
	"syscall"
)

// mapFile maps a regular file read-only; release unmaps it.
func mapFile(path string, size int64) (b []byte, release func() error, err error) {
	if size == 0 {
		return nil, func() error { return nil }, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	b, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		// Some file systems cannot map: read instead.
		b, err = os.ReadFile(path)
		return b, func() error { return nil }, err
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
