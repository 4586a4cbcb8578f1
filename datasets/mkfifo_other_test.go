//go:build !unix

package datasets

import "errors"

func mkfifo(path string) error { return errors.New("no FIFOs") }
