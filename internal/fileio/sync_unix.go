//go:build unix

package fileio

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// syncDir makes a rename in dir durable. File systems that cannot sync a
// folder (EINVAL) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDirSync, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("%w: syncing %s: %v", ErrDirSync, dir, err)
	}
	return nil
}
