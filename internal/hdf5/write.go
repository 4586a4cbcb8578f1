package hdf5

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Encode writes root as an HDF5 file in the format family of h5py's
// libver="earliest": superblock 0, version-1 object headers, symbol-table
// groups (v1 B-tree, symbol-table nodes, local heap), contiguous datasets,
// variable-length UTF-8 strings in global heap collections.
func Encode(root *Group) ([]byte, error) {
	e := &encoder{}
	// Superblock: 8 signature + 16 fixed + 4 addresses + root entry (40).
	e.b = make([]byte, 96)
	leafK := 4
	if m := maxMembers(root); m > 2*leafK*32 {
		leafK = (m + 63) / 64
		if leafK > 1<<15 {
			return nil, fmt.Errorf("hdf5: a group of %d members is too large", m)
		}
	}
	e.leafK = leafK
	rootAddr, btree, heap, err := e.group(root, "/")
	if err != nil {
		return nil, err
	}
	sb := e.b[:0:96]
	sb = append(sb, signature...)
	sb = append(sb, 0, 0, 0, 0, 0, 8, 8, 0)
	sb = binary.LittleEndian.AppendUint16(sb, uint16(leafK))
	sb = binary.LittleEndian.AppendUint16(sb, 16)
	sb = binary.LittleEndian.AppendUint32(sb, 0)
	sb = binary.LittleEndian.AppendUint64(sb, 0)     // base
	sb = binary.LittleEndian.AppendUint64(sb, undef) // free space
	sb = binary.LittleEndian.AppendUint64(sb, uint64(len(e.b)))
	sb = binary.LittleEndian.AppendUint64(sb, undef) // driver info
	sb = e.entry(sb, 0, rootAddr, btree, heap, true)
	_ = sb
	return e.b, nil
}

func maxMembers(g *Group) int {
	m := len(g.Groups) + len(g.Datasets)
	for _, s := range g.Groups {
		m = max(m, maxMembers(s))
	}
	return m
}

type encoder struct {
	b     []byte
	leafK int
}

func (e *encoder) align() {
	for len(e.b)%8 != 0 {
		e.b = append(e.b, 0)
	}
}

// alloc appends p (8-aligned) and returns its address.
func (e *encoder) alloc(p []byte) uint64 {
	e.align()
	a := uint64(len(e.b))
	e.b = append(e.b, p...)
	return a
}

// entry appends a symbol table entry.
func (e *encoder) entry(b []byte, nameOff, addr, btree, heap uint64, group bool) []byte {
	b = binary.LittleEndian.AppendUint64(b, nameOff)
	b = binary.LittleEndian.AppendUint64(b, addr)
	if group {
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint64(b, btree)
		b = binary.LittleEndian.AppendUint64(b, heap)
	} else {
		b = append(b, make([]byte, 8+16)...)
	}
	return b
}

type msg struct {
	typ  uint16
	data []byte
}

// header appends a version-1 object header and returns its address.
func (e *encoder) header(msgs []msg) uint64 {
	var body []byte
	for _, m := range msgs {
		d := m.data
		for len(d)%8 != 0 {
			d = append(d, 0)
		}
		body = binary.LittleEndian.AppendUint16(body, m.typ)
		body = binary.LittleEndian.AppendUint16(body, uint16(len(d)))
		body = append(body, 0, 0, 0, 0)
		body = append(body, d...)
	}
	h := []byte{1, 0}
	h = binary.LittleEndian.AppendUint16(h, uint16(len(msgs)))
	h = binary.LittleEndian.AppendUint32(h, 1)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(body)))
	h = append(h, 0, 0, 0, 0)
	return e.alloc(append(h, body...))
}

// group writes g's members, then g, and returns its header, B-tree and
// heap addresses.
func (e *encoder) group(g *Group, path string) (addr, btree, heap uint64, err error) {
	names := g.Names()
	type member struct {
		name         string
		addr, bt, hp uint64
		group        bool
		nameOff      uint64
		_            struct{}
	}
	ms := make([]member, len(names))
	for i, name := range names {
		if name == "" || containsByte(name, '/') || containsByte(name, 0) {
			return 0, 0, 0, fmt.Errorf("hdf5: %s: bad member name %q", path, name)
		}
		ms[i].name = name
		if s, ok := g.Groups[name]; ok {
			if _, dup := g.Datasets[name]; dup {
				return 0, 0, 0, fmt.Errorf("hdf5: %s%s is both a group and a dataset", path, name)
			}
			ms[i].addr, ms[i].bt, ms[i].hp, err = e.group(s, path+name+"/")
			ms[i].group = true
		} else {
			ms[i].addr, err = e.dataset(g.Datasets[name], path+name)
		}
		if err != nil {
			return 0, 0, 0, err
		}
	}
	// Local heap: "" at 0, then the names, each padded to 8 bytes.
	data := make([]byte, 8)
	for i := range ms {
		ms[i].nameOff = uint64(len(data))
		data = append(data, ms[i].name...)
		data = append(data, 0)
		for len(data)%8 != 0 {
			data = append(data, 0)
		}
	}
	dataAddr := e.alloc(data)
	h := []byte("HEAP")
	h = append(h, 0, 0, 0, 0)
	h = binary.LittleEndian.AppendUint64(h, uint64(len(data)))
	h = binary.LittleEndian.AppendUint64(h, 1) // no free block (libhdf5's H5HL_FREE_NULL)
	h = binary.LittleEndian.AppendUint64(h, dataAddr)
	heap = e.alloc(h)
	// Symbol table nodes of up to 2K entries each.
	per := 2 * e.leafK
	var snods []uint64
	var keys []uint64
	for lo := 0; lo < len(ms) || lo == 0; lo += per {
		hi := min(lo+per, len(ms))
		s := []byte("SNOD")
		s = append(s, 1, 0)
		s = binary.LittleEndian.AppendUint16(s, uint16(hi-lo))
		for _, m := range ms[lo:hi] {
			s = e.entry(s, m.nameOff, m.addr, m.bt, m.hp, m.group)
		}
		s = append(s, make([]byte, 40*(per-(hi-lo)))...)
		snods = append(snods, e.alloc(s))
		if hi > lo {
			keys = append(keys, ms[hi-1].nameOff)
		} else {
			keys = append(keys, 0)
		}
		if len(ms) == 0 {
			break
		}
	}
	if len(snods) > 32 {
		return 0, 0, 0, fmt.Errorf("hdf5: %s: too many members", path)
	}
	t := []byte("TREE")
	t = append(t, 0, 0)
	t = binary.LittleEndian.AppendUint16(t, uint16(len(snods)))
	t = binary.LittleEndian.AppendUint64(t, undef)
	t = binary.LittleEndian.AppendUint64(t, undef)
	t = binary.LittleEndian.AppendUint64(t, 0)
	for i, s := range snods {
		t = binary.LittleEndian.AppendUint64(t, s)
		t = binary.LittleEndian.AppendUint64(t, keys[i])
	}
	// Room for 2·16 children, as libhdf5 sizes every node.
	t = append(t, make([]byte, 16*(32-len(snods)))...)
	btree = e.alloc(t)
	stab := binary.LittleEndian.AppendUint64(nil, btree)
	stab = binary.LittleEndian.AppendUint64(stab, heap)
	addr = e.header([]msg{{0x11, stab}})
	return addr, btree, heap, nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func (e *encoder) dataset(d *Dataset, path string) (uint64, error) {
	n := d.Len()
	for _, s := range d.Shape {
		if s < 0 {
			return 0, fmt.Errorf("hdf5: %s: negative dimension in %v", path, d.Shape)
		}
	}
	if n < 0 {
		return 0, fmt.Errorf("hdf5: %s: shape %v has more elements than an int can count", path, d.Shape)
	}
	if got := d.values(); got != n {
		return 0, fmt.Errorf("hdf5: %s: shape %v needs %d %s values, has %d", path, d.Shape, n, d.Type, got)
	}
	// Dataspace, version 1.
	sp := []byte{1, byte(len(d.Shape)), 0, 0, 0, 0, 0, 0}
	for _, s := range d.Shape {
		sp = binary.LittleEndian.AppendUint64(sp, uint64(s))
	}
	var dt, raw []byte
	switch d.Type {
	case Float32, Float64, Int64:
		var err error
		if dt, err = numberType(d, path); err != nil {
			return 0, err
		}
		raw = appendNumbers(nil, d)
	case String:
		if len(d.Str) > 0xffff {
			return 0, fmt.Errorf("hdf5: %s: %d strings; one dataset holds at most 65535", path, len(d.Str))
		}
		// Variable-length UTF-8 string of 1-byte unsigned characters.
		dt = []byte{0x19, 0x01, 0x01, 0x00, 16, 0, 0, 0}
		dt = append(dt, 0x10, 0x00, 0x00, 0x00, 1, 0, 0, 0, 0, 0, 8, 0)
		raw = e.strings(d.Str)
	case Sequence:
		if d.Seq == nil {
			return 0, fmt.Errorf("hdf5: %s: a Sequence dataset without Seq", path)
		}
		if len(d.Shape) != 1 || d.Shape[0] != d.Seq.Len() {
			return 0, fmt.Errorf("hdf5: %s: a Sequence dataset of shape %v holds %d elements", path, d.Shape, d.Seq.Len())
		}
		items := d.Seq.items
		if items == nil { // read from a file: write what it holds
			items = make([]*Dataset, d.Seq.Len())
			for i := range items {
				var err error
				if items[i], err = d.Seq.At(i); err != nil {
					return 0, fmt.Errorf("hdf5: %s: %v", path, err)
				}
			}
		}
		first := &Dataset{Type: Float64}
		if len(items) > 0 {
			first = items[0]
		}
		for i, it := range items {
			if it.Type != first.Type || it.Bits != first.Bits || it.Unsigned != first.Unsigned || len(it.Shape) != 1 || it.values() != it.Len() {
				return 0, fmt.Errorf("hdf5: %s: sequence element %d is not a vector of the first element's type", path, i)
			}
		}
		base, err := numberType(first, path)
		if err != nil {
			return 0, err
		}
		dt = append([]byte{0x19, 0x00, 0x00, 0x00, 16, 0, 0, 0}, base...)
		raw = e.sequences(items)
	default:
		return 0, fmt.Errorf("hdf5: %s: unknown type %v", path, d.Type)
	}
	fill := []byte{2, 2, 2, 0}
	lay := []byte{3, 1}
	if len(raw) == 0 {
		lay = binary.LittleEndian.AppendUint64(lay, undef)
	} else {
		lay = binary.LittleEndian.AppendUint64(lay, e.alloc(raw))
	}
	lay = binary.LittleEndian.AppendUint64(lay, uint64(len(raw)))
	return e.header([]msg{{0x01, sp}, {0x03, dt}, {0x05, fill}, {0x08, lay}}), nil
}

// strings writes the strings into a global heap collection and returns
// their variable-length references.
func (e *encoder) strings(ss []string) []byte {
	if len(ss) == 0 {
		return nil
	}
	var objs []byte
	for i, s := range ss {
		objs = binary.LittleEndian.AppendUint16(objs, uint16(i+1))
		objs = append(objs, 0, 0, 0, 0, 0, 0)
		objs = binary.LittleEndian.AppendUint64(objs, uint64(len(s)))
		objs = append(objs, s...)
		for len(objs)%8 != 0 {
			objs = append(objs, 0)
		}
	}
	size := 16 + len(objs) + 16 // header, objects, free-space object
	size = max(size, 4096)
	h := []byte("GCOL")
	h = append(h, 1, 0, 0, 0)
	h = binary.LittleEndian.AppendUint64(h, uint64(size))
	h = append(h, objs...)
	free := size - len(h)
	h = append(h, 0, 0, 0, 0, 0, 0, 0, 0)
	h = binary.LittleEndian.AppendUint64(h, uint64(free))
	h = append(h, make([]byte, size-len(h))...)
	addr := e.alloc(h)
	var refs []byte
	for i, s := range ss {
		refs = binary.LittleEndian.AppendUint32(refs, uint32(len(s)))
		refs = binary.LittleEndian.AppendUint64(refs, addr)
		refs = binary.LittleEndian.AppendUint32(refs, uint32(i+1))
	}
	return refs
}

// numberType returns the datatype message of d's numbers.
func numberType(d *Dataset, path string) ([]byte, error) {
	switch {
	case d.Type == Float32 && (d.Bits == 0 || d.Bits == 32):
		dt := []byte{0x11, 0x20, 0x1f, 0x00, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23}
		return binary.LittleEndian.AppendUint32(dt, 127), nil
	case d.Type == Float32 && d.Bits == 16:
		dt := []byte{0x11, 0x20, 0x0f, 0x00, 2, 0, 0, 0, 0, 0, 16, 0, 10, 5, 0, 10}
		return binary.LittleEndian.AppendUint32(dt, 15), nil
	case d.Type == Float64 && (d.Bits == 0 || d.Bits == 64):
		dt := []byte{0x11, 0x20, 0x3f, 0x00, 8, 0, 0, 0, 0, 0, 64, 0, 52, 11, 0, 52}
		return binary.LittleEndian.AppendUint32(dt, 1023), nil
	case d.Type == Int64:
		bits := d.Bits
		if bits == 0 {
			bits = 64
		}
		if bits != 8 && bits != 16 && bits != 32 && bits != 64 {
			break
		}
		flags := byte(0x08)
		if d.Unsigned {
			flags = 0
		}
		return []byte{0x10, flags, 0, 0, byte(bits / 8), 0, 0, 0, 0, 0, byte(bits), 0}, nil
	}
	return nil, fmt.Errorf("hdf5: %s: %d-bit %v is not supported", path, d.Bits, d.Type)
}

// appendNumbers appends d's values in their stored width.
func appendNumbers(raw []byte, d *Dataset) []byte {
	switch {
	case d.Type == Float32 && d.Bits == 16:
		for _, v := range d.F32 {
			raw = binary.LittleEndian.AppendUint16(raw, floatToHalf(v))
		}
	case d.Type == Float32:
		for _, v := range d.F32 {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	case d.Type == Float64:
		for _, v := range d.F64 {
			raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
		}
	case d.Type == Int64:
		size := max(d.Bits, 8) / 8
		if d.Bits == 0 {
			size = 8
		}
		for _, v := range d.I64 {
			for k := 0; k < size; k++ {
				raw = append(raw, byte(uint64(v)>>(8*k)))
			}
		}
	}
	return raw
}

// sequences writes the elements into global heap collections of at most
// 1000 objects each and returns their variable-length references (an empty
// element refers to no object, as the HDF5 library writes it).
func (e *encoder) sequences(items []*Dataset) []byte {
	var refs []byte
	for start := 0; start < len(items); start += 1000 {
		group := items[start:min(start+1000, len(items))]
		var objs []byte
		for i, it := range group {
			if it.Len() == 0 {
				continue
			}
			data := appendNumbers(nil, it)
			objs = binary.LittleEndian.AppendUint16(objs, uint16(i+1))
			objs = append(objs, 0, 0, 0, 0, 0, 0)
			objs = binary.LittleEndian.AppendUint64(objs, uint64(len(data)))
			objs = append(objs, data...)
			for len(objs)%8 != 0 {
				objs = append(objs, 0)
			}
		}
		addr := e.collection(objs)
		for i, it := range group {
			refs = binary.LittleEndian.AppendUint32(refs, uint32(it.Len()))
			if it.Len() == 0 {
				refs = binary.LittleEndian.AppendUint64(refs, 0)
				refs = binary.LittleEndian.AppendUint32(refs, 0)
				continue
			}
			refs = binary.LittleEndian.AppendUint64(refs, addr)
			refs = binary.LittleEndian.AppendUint32(refs, uint32(i+1))
		}
	}
	return refs
}

// collection writes a global heap collection holding the encoded objects
// and returns its address.
func (e *encoder) collection(objs []byte) uint64 {
	size := 16 + len(objs) + 16 // header, objects, free-space object
	size = max(size, 4096)
	h := []byte("GCOL")
	h = append(h, 1, 0, 0, 0)
	h = binary.LittleEndian.AppendUint64(h, uint64(size))
	h = append(h, objs...)
	free := size - len(h)
	h = append(h, 0, 0, 0, 0, 0, 0, 0, 0)
	h = binary.LittleEndian.AppendUint64(h, uint64(free))
	h = append(h, make([]byte, size-len(h))...)
	return e.alloc(h)
}
