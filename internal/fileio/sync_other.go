//go:build !unix

package fileio

// syncDir does nothing: folders cannot be synced outside Unix.
func syncDir(dir string) error { return nil }
