package kinds

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/braingo/braingo/checkpoint"
)

// A command reads its run's checkpoint once. Resuming looks at it three
// times (OpenRun cuts metrics.jsonl back to its epoch, a kind with reset
// fields checks for the legacy zero reset, the kind restores it) and
// braingo eval twice; the first look loads the file and keeps it, the
// others take that copy. The restore is the last look: it takes the copy
// out (restored arrays may alias it, and a checkpoint need not stay in
// memory through training), and a save forgets it. A kept copy serves only
// while the file is the one it was read from: the same file (device and
// inode), size and modification time.
var ckptCache struct {
	sync.Mutex
	path string
	fi   os.FileInfo
	ck   *checkpoint.Checkpoint
	// reads counts the files read from disk per path (tests).
	reads map[string]int
}

// loadCheckpoint returns the checkpoint at path, read once and kept for
// the looks that follow.
func loadCheckpoint(path string) (*checkpoint.Checkpoint, error) {
	return cachedCheckpoint(path, false)
}

// takeCheckpoint returns the checkpoint at path as loadCheckpoint does and
// forgets it: for a restore, the last look.
func takeCheckpoint(path string) (*checkpoint.Checkpoint, error) {
	return cachedCheckpoint(path, true)
}

func cachedCheckpoint(path string, take bool) (*checkpoint.Checkpoint, error) {
	path = filepath.Clean(path)
	c := &ckptCache
	c.Lock()
	defer c.Unlock()
	fi, statErr := os.Stat(path)
	ck := c.ck
	if ck == nil || statErr != nil || c.path != path || !os.SameFile(c.fi, fi) || c.fi.Size() != fi.Size() || !c.fi.ModTime().Equal(fi.ModTime()) {
		var err error
		if c.reads == nil {
			c.reads = map[string]int{}
		}
		c.reads[path]++
		c.path, c.fi, c.ck = "", nil, nil
		if ck, err = checkpoint.Load(path); err != nil {
			return nil, err
		}
		if statErr == nil && !take {
			c.path, c.fi, c.ck = path, fi, ck
		}
	}
	if take {
		c.path, c.fi, c.ck = "", nil, nil
	}
	return ck, nil
}

// saveCheckpoint writes ck to path (checkpoint.Save), forgetting a kept
// copy of the file it replaces.
func saveCheckpoint(path string, ck *checkpoint.Checkpoint) error {
	forgetCheckpoint(path)
	err := checkpoint.Save(path, ck)
	forgetCheckpoint(path)
	return err
}

// forgetCheckpoint drops the kept copy of path, if any.
func forgetCheckpoint(path string) {
	c := &ckptCache
	c.Lock()
	defer c.Unlock()
	if c.path == filepath.Clean(path) {
		c.path, c.fi, c.ck = "", nil, nil
	}
}

// checkpointReads is how many times path was read from disk (tests).
func checkpointReads(path string) int {
	c := &ckptCache
	c.Lock()
	defer c.Unlock()
	return c.reads[filepath.Clean(path)]
}
