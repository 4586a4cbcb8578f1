// Package checkpoint reads and writes braingo's native checkpoint format:
// named float32 arrays (parameters, optimizer moments, neuron state) plus a
// JSON metadata document (recipe, epoch, RNG state, anything else).
//
// # Format, version 1
//
// All integers little-endian.
//
//	offset  size  field
//	0       8     magic "BRGOCKPT"
//	8       4     format version (uint32, 1)
//	12      4     header length H (uint32)
//	16      H     header: JSON {"meta": {...}, "arrays": [{"name", "shape"}...]}
//	16+H    4·N   array data, float32, in header order, N = total elements
//	end−4   4     CRC-32C (Castagnoli) of every preceding byte
//
// Encode writes the arrays sorted by name, whatever the order they were
// added in, so that the same content always gives the same bytes (two
// identical runs write identical checkpoints when their metadata is
// identical). Decode accepts any order and keeps the file's.
//
// Save writes to a temporary file in the destination folder, syncs it and
// renames it over the destination (then syncs the folder), so a crash or a
// full disk mid-write leaves the previous checkpoint intact; a checkpoint it
// replaces keeps its mode. A process killed mid-save leaves its temporary
// file, ".NAME.tmp-*" beside NAME: TempFiles and RemoveTemps find and remove
// them. Load reads only a regular file of at most MaxFileSize bytes and
// verifies the magic, version, sizes and checksum, and names the file and
// the problem when any is wrong.
package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/braingo/braingo/internal/checked"
	"github.com/braingo/braingo/internal/fileio"
)

// Version is the format version Save writes.
const Version = 1

const magic = "BRGOCKPT"

// MaxElements bounds the float32 elements a header may declare (4 GiB of data).
const MaxElements = 1 << 30

// MaxHeader bounds the JSON header (64 MiB).
const MaxHeader = 1 << 26

// MaxFileSize is the largest file Load reads: the data of MaxElements
// values, a header of MaxHeader bytes and the fixed fields.
const MaxFileSize = 4*MaxElements + MaxHeader + 20

// Array is one named float32 array.
type Array struct {
	Name  string    `json:"name"`
	Shape []int     `json:"shape"`
	Data  []float32 `json:"-"`
}

// Checkpoint is the content of a checkpoint file.
type Checkpoint struct {
	// Meta is free-form JSON metadata (kind of network, recipe, epoch, RNG
	// state, optimizer hyperparameters).
	Meta json.RawMessage
	// Arrays in file order; names are unique.
	Arrays []Array
}

// Add appends an array (not copied).
func (c *Checkpoint) Add(name string, shape []int, data []float32) {
	c.Arrays = append(c.Arrays, Array{Name: name, Shape: append([]int(nil), shape...), Data: data})
}

// Get returns the array called name.
func (c *Checkpoint) Get(name string) (*Array, bool) {
	for i := range c.Arrays {
		if c.Arrays[i].Name == name {
			return &c.Arrays[i], true
		}
	}
	return nil, false
}

// Into copies the array called name into dst, which must have its size.
func (c *Checkpoint) Into(name string, dst []float32) error {
	a, ok := c.Get(name)
	if !ok {
		return fmt.Errorf("checkpoint has no array %q", name)
	}
	if len(a.Data) != len(dst) {
		return fmt.Errorf("checkpoint array %q has %d values (shape %v), expected %d", name, len(a.Data), a.Shape, len(dst))
	}
	copy(dst, a.Data)
	return nil
}

type header struct {
	Meta   json.RawMessage `json:"meta,omitempty"`
	Arrays []Array         `json:"arrays"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode writes c in the checkpoint format, its arrays sorted by name.
func Encode(w io.Writer, c *Checkpoint) error {
	seen := map[string]bool{}
	total := 0
	for _, a := range c.Arrays {
		n, ok := checked.Product(a.Shape, MaxElements)
		if !ok {
			return fmt.Errorf("checkpoint: array %q: shape %v has a negative dimension or more than %d values", a.Name, a.Shape, MaxElements)
		}
		if n != len(a.Data) {
			return fmt.Errorf("checkpoint: array %q: shape %v needs %d values, has %d", a.Name, a.Shape, n, len(a.Data))
		}
		if seen[a.Name] {
			return fmt.Errorf("checkpoint: array name %q used twice", a.Name)
		}
		seen[a.Name] = true
		if total += n; total > MaxElements {
			return fmt.Errorf("checkpoint: arrays hold more than %d values", MaxElements)
		}
	}
	// Sorted by name: the bytes do not depend on the order of Add (a map's
	// order, for optimizer buffers).
	arrays := slices.Clone(c.Arrays)
	slices.SortStableFunc(arrays, func(a, b Array) int { return strings.Compare(a.Name, b.Name) })
	h, err := json.Marshal(header{Meta: c.Meta, Arrays: arrays})
	if err != nil {
		return fmt.Errorf("checkpoint: metadata: %v", err)
	}
	if len(h) > MaxHeader {
		return fmt.Errorf("checkpoint: header of %d bytes (metadata and array names) is over the %d-byte limit", len(h), MaxHeader)
	}
	crc := crc32.New(castagnoli)
	mw := io.MultiWriter(w, crc)
	var pre [16]byte
	copy(pre[:], magic)
	binary.LittleEndian.PutUint32(pre[8:], Version)
	binary.LittleEndian.PutUint32(pre[12:], uint32(len(h)))
	if _, err := mw.Write(pre[:]); err != nil {
		return err
	}
	if _, err := mw.Write(h); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, a := range arrays {
		for _, v := range a.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				if _, err := mw.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	if _, err := mw.Write(buf); err != nil {
		return err
	}
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], crc.Sum32())
	_, err = w.Write(sum[:])
	return err
}

// Decode reads a checkpoint from b (a whole file's bytes).
func Decode(b []byte) (*Checkpoint, error) {
	if len(b) < 20 || string(b[:8]) != magic {
		if len(b) >= 8 && string(b[:8]) != magic {
			return nil, errors.New("not a braingo checkpoint (bad magic number)")
		}
		return nil, fmt.Errorf("truncated: %d bytes is shorter than any checkpoint", len(b))
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != Version {
		if v > Version {
			return nil, fmt.Errorf("format version %d is newer than this braingo reads (%d): upgrade braingo", v, Version)
		}
		if v < 1 {
			return nil, fmt.Errorf("format version %d was never written by braingo (versions start at 1): the file is damaged or not a checkpoint", v)
		}
		return nil, fmt.Errorf("format version %d is no longer read (this braingo reads version %d): load and save it with the braingo that wrote it", v, Version)
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	hl := int64(binary.LittleEndian.Uint32(b[12:]))
	if hl > MaxHeader {
		return nil, fmt.Errorf("corrupt header: length %d is over the %d-byte limit", hl, MaxHeader)
	}
	if 16+hl > int64(len(body)) {
		return nil, fmt.Errorf("truncated: header of %d bytes does not fit in %d bytes", hl, len(b))
	}
	var h header
	dec := json.NewDecoder(bytes.NewReader(b[16 : 16+hl]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		if crc32.Checksum(body, castagnoli) != sum {
			return nil, errors.New("corrupt: checksum mismatch")
		}
		return nil, fmt.Errorf("corrupt header: %v", err)
	}
	total := int64(0)
	for _, a := range h.Arrays {
		// A checked product: dimensions such as [2, 2^62] must not wrap
		// to a small (or negative) count.
		n, ok := checked.Product(a.Shape, MaxElements)
		if !ok {
			return nil, fmt.Errorf("corrupt header: array %q has shape %v (a negative dimension, or more than %d values)", a.Name, a.Shape, MaxElements)
		}
		total += int64(n)
		if total > MaxElements {
			return nil, errors.New("corrupt header: arrays too large")
		}
	}
	if want := 16 + hl + 4*total; want != int64(len(body)) {
		if want > int64(len(body)) {
			return nil, fmt.Errorf("truncated: arrays declare %d bytes of data, the file holds %d", 4*total, int64(len(body))-16-hl)
		}
		return nil, fmt.Errorf("corrupt: %d bytes of trailing data", int64(len(body))-want)
	}
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("corrupt: checksum mismatch (the file was damaged after it was written)")
	}
	c := &Checkpoint{Meta: h.Meta, Arrays: h.Arrays}
	off := 16 + hl
	seen := map[string]bool{}
	for i := range c.Arrays {
		a := &c.Arrays[i]
		if seen[a.Name] {
			return nil, fmt.Errorf("corrupt header: array name %q used twice", a.Name)
		}
		seen[a.Name] = true
		n, _ := checked.Product(a.Shape, MaxElements)
		a.Data = make([]float32, n)
		for j := range a.Data {
			a.Data[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[off:]))
			off += 4
		}
	}
	return c, nil
}

// Save writes c to path atomically (fileio.WriteAtomicFunc): a temporary
// file in the same folder, fsync, rename, fsync of the folder. When it
// fails before the rename, the previous checkpoint is intact and no
// temporary file is left; the error says so. A file it replaces keeps its
// mode; a new one gets 0666 less the umask.
func Save(path string, c *Checkpoint) error {
	err := fileio.WriteAtomicFunc(path, 0o666, func(w io.Writer) error { return Encode(w, c) })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fileio.ErrDirSync):
		return fmt.Errorf("checkpoint %s: written, but it may not survive a crash: %w", path, err)
	}
	return fmt.Errorf("checkpoint %s: %w (the previous checkpoint is intact)", path, err)
}

// Load reads and verifies the checkpoint at path, a regular file of at
// most MaxFileSize bytes.
func Load(path string) (*Checkpoint, error) {
	b, err := fileio.ReadFileCapped(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	c, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return c, nil
}

// TempFiles lists the temporary files that a Save of path killed before
// its rename left behind (".NAME.tmp-*" beside NAME).
func TempFiles(path string) ([]string, error) { return fileio.TempFiles(path) }

// RemoveTemps removes the files TempFiles lists and returns them. Call it
// only when no Save of path is running.
func RemoveTemps(path string) ([]string, error) { return fileio.RemoveTemps(path) }
