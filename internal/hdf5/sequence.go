package hdf5

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Sequences holds the elements of a Sequence dataset: variable-length
// one-dimensional arrays of numbers, such as the per-sample spike times of
// the SHD files (h5py's vlen_dtype(np.float16)).
//
// Decode keeps only each element's reference (16 bytes) and reads an
// element's numbers from the file's bytes when At asks for it, so a file of
// many samples costs memory for one sample at a time. The bytes given to
// Decode must stay unchanged while the Sequences is in use (a read-only
// memory map of the file is the intended use). At is safe for concurrent use.
type Sequences struct {
	n     int
	elem  dtype
	refs  []byte     // n references of 4 + size-of-offsets + 4 bytes
	d     *decoder   // shared by the file's Sequences; its mu guards its heap index
	items []*Dataset // elements given to NewSequences
}

// NewSequences returns the elements items (each a one-dimensional Float32,
// Float64 or Int64 dataset of one common type and width) as a Sequences to
// be written by Encode.
func NewSequences(items []*Dataset) *Sequences {
	return &Sequences{n: len(items), items: items}
}

// Len is the number of elements.
func (s *Sequences) Len() int { return s.n }

// ElemType is the type the elements read as (Float32, Float64 or Int64) and
// their stored width in bits.
func (s *Sequences) ElemType() (DType, int) {
	if s.items != nil {
		if len(s.items) == 0 {
			return Float64, 64
		}
		return s.items[0].Type, s.items[0].Bits
	}
	return s.elem.dtype(), 8 * s.elem.size
}

// ElemLen returns the number of values in element i without reading them.
func (s *Sequences) ElemLen(i int) int {
	if i < 0 || i >= s.n {
		panic(fmt.Sprintf("hdf5: sequence index %d out of range [0, %d)", i, s.n))
	}
	if s.items != nil {
		return s.items[i].Len()
	}
	es := 4 + s.d.so + 4
	return int(binary.LittleEndian.Uint32(s.refs[i*es:]))
}

// At reads element i. A reference outside the file or a heap object
// shorter than the element is an error (the file is corrupt), never a panic.
// An index out of range panics.
func (s *Sequences) At(i int) (ds *Dataset, err error) {
	if i < 0 || i >= s.n {
		panic(fmt.Sprintf("hdf5: sequence index %d out of range [0, %d)", i, s.n))
	}
	if s.items != nil {
		return s.items[i], nil
	}
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(*formatError)
			if !ok {
				panic(r)
			}
			ds, err = nil, errors.New("hdf5: "+fe.msg)
		}
	}()
	d := s.d
	es := 4 + d.so + 4
	c := &cursor{d: &decoder{b: s.refs[i*es : (i+1)*es], so: d.so, sl: d.sl}, end: uint64(es), ctx: "sequence reference"}
	n := uint64(c.u32())
	addr := c.uint(d.so)
	idx := c.u32()
	path := fmt.Sprintf("sequence element %d", i)
	if n == 0 {
		return d.convert(nil, []int{0}, s.elem, 0, path), nil
	}
	nb := n * uint64(s.elem.size)
	if nb/uint64(s.elem.size) != n || nb > uint64(len(d.b)) {
		fail("%s: %d values do not fit in the file", path, n)
	}
	// The heap index is the file's, shared by its Sequences: look up under
	// the decoder's lock, convert outside.
	raw := func() []byte {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.global(addr+d.base, idx, nb, path)
	}()
	return d.convert(raw, []int{int(n)}, s.elem, int(n), path), nil
}

// dtype is the DType a decoded number type reads as.
func (t dtype) dtype() DType {
	switch {
	case t.class == 1 && t.size <= 4:
		return Float32
	case t.class == 1:
		return Float64
	case t.class == 0:
		return Int64
	}
	return String
}

// halfToFloat converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf, NaN
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: man * 2^-24.
		f := float32(man) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
}

// floatToHalf rounds a float32 to the nearest IEEE 754 binary16 value (ties
// to even), overflowing to infinity.
func floatToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff { // inf, NaN
		if man != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		// Subnormal half: shift the mantissa with its implicit bit.
		m := man | 0x800000
		shift := uint32(14 - e)
		h := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, which is right
	}
	return sign | uint16(h)
}
