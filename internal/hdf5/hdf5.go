// Package hdf5 reads and writes the subset of HDF5 that NIR files use, in
// pure Go: the format h5py writes with its default ("earliest") settings.
//
// Supported when reading: superblock versions 0 and 1; version-1 object
// headers with continuation blocks; groups stored as symbol tables (v1
// B-tree, symbol-table nodes, local heap); datasets with contiguous,
// compact or chunked layout (v1 B-tree chunk index; deflate and shuffle
// filters, which nir.write of the NIR main branch applies by default);
// little-endian IEEE float16 (read as float32), float32 and float64, 8- to
// 64-bit integers, fixed-length strings and variable-length strings (global
// heap); variable-length sequences of numbers (h5py's vlen_dtype, as in the
// SHD and SSC spike files), read lazily one element at a time through
// Sequences; scalar and n-dimensional dataspaces. Attributes, fill values and
// times are skipped.
//
// Anything else (superblock 2 or 3, version-2 object headers, link messages
// and dense link storage of libver="latest" files, big-endian or compound
// types, other filters) is an error that names the feature. A malformed or
// truncated file is an error, never a panic.
//
// Encode writes the same family: superblock 0, version-1 object headers,
// symbol-table groups and contiguous datasets (numbers of the width Bits
// asks for, strings and sequences in global heap collections), so that
// h5py, the NIR reference implementation and Decode read it.
package hdf5

import (
	"fmt"
	"math"
	"sort"

	"github.com/braingo/braingo/internal/checked"
)

// DType is the element type of a dataset.
type DType int

const (
	Float32 DType = iota + 1
	Float64
	Int64 // every integer type reads as Int64
	String
	// Sequence is a one-dimensional dataset of variable-length sequences
	// of numbers (HDF5 class 9, type 0); its elements are in Seq.
	Sequence
)

func (t DType) String() string {
	switch t {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Int64:
		return "int64"
	case String:
		return "string"
	case Sequence:
		return "sequence"
	}
	return fmt.Sprintf("DType(%d)", int(t))
}

// Dataset is an n-dimensional array (row-major) or a scalar (Shape empty).
// Exactly the slice of its Type holds the values.
type Dataset struct {
	Shape []int
	Type  DType
	F32   []float32
	F64   []float64
	I64   []int64
	Str   []string
	Seq   *Sequences

	// Bits is the stored width of a number in bits: 16, 32 or 64 for
	// floats (16: IEEE half, which reads into F32), 8, 16, 32 or 64 for
	// integers; 0 means the type's own width, 32 for Float32 and 64 for
	// Float64 and Int64. Decode sets it only for other widths, Encode
	// writes it.
	Bits int
	// Unsigned marks integers stored unsigned.
	Unsigned bool
}

// Len is the number of elements Shape declares (1 for a scalar), or -1
// when a dimension is negative or the product overflows an int.
func (d *Dataset) Len() int {
	n, ok := checked.Product(d.Shape, math.MaxInt)
	if !ok {
		return -1
	}
	return n
}

// values is the length of the slice of d's type.
func (d *Dataset) values() int {
	switch d.Type {
	case Float32:
		return len(d.F32)
	case Float64:
		return len(d.F64)
	case Int64:
		return len(d.I64)
	case String:
		return len(d.Str)
	case Sequence:
		if d.Seq == nil {
			return 0
		}
		return d.Seq.Len()
	}
	return -1
}

// Float returns the values as float64 (strings: nil).
func (d *Dataset) Float() []float64 {
	switch d.Type {
	case Float32:
		out := make([]float64, len(d.F32))
		for i, v := range d.F32 {
			out[i] = float64(v)
		}
		return out
	case Float64:
		return d.F64
	case Int64:
		out := make([]float64, len(d.I64))
		for i, v := range d.I64 {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// Group is a folder of named groups and datasets.
type Group struct {
	Groups   map[string]*Group
	Datasets map[string]*Dataset
}

// NewGroup returns an empty group.
func NewGroup() *Group {
	return &Group{Groups: map[string]*Group{}, Datasets: map[string]*Dataset{}}
}

// Names lists the group's members in byte order (HDF5's order).
func (g *Group) Names() []string {
	names := make([]string, 0, len(g.Groups)+len(g.Datasets))
	for k := range g.Groups {
		names = append(names, k)
	}
	for k := range g.Datasets {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Group returns the subgroup called name, creating it if needed.
func (g *Group) Group(name string) *Group {
	if s, ok := g.Groups[name]; ok {
		return s
	}
	s := NewGroup()
	g.Groups[name] = s
	return s
}

// SetString stores a scalar string dataset.
func (g *Group) SetString(name, v string) {
	g.Datasets[name] = &Dataset{Type: String, Str: []string{v}}
}
