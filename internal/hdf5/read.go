package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"

	"github.com/braingo/braingo/internal/checked"
)

var signature = []byte("\x89HDF\r\n\x1a\n")

// Limits on what Decode accepts, so that a corrupt file cannot make it
// allocate without bound or recurse forever.
const (
	maxDepth    = 64      // nested groups, B-tree levels
	maxMessages = 1 << 16 // header messages per object
	maxRank     = 32
	// maxElements bounds a dataset's element count and byte size.
	maxElements = 1 << 40
)

// expansion bounds the decoded data at expansion times the file's size
// (plus 1 MiB): deflate compresses zeros about 1000-fold, and datasets
// never written read as zeros.
var expansion, floor int64 = 1100, 1 << 20

// formatError is raised inside the decoder and returned by Decode.
type formatError struct{ msg string }

func (e *formatError) Error() string { return e.msg }

func fail(format string, args ...any) {
	panic(&formatError{fmt.Sprintf(format, args...)})
}

// Decode reads a whole HDF5 file and returns its root group. The data it
// decodes is bounded by 1100 times the file's size plus 1 MiB (see
// DecodeLimit), and the structures it walks by the file's size, so that a
// small crafted file cannot make it allocate gigabytes or loop for ever.
func Decode(b []byte) (root *Group, err error) {
	return DecodeLimit(b, 0)
}

// DecodeLimit is Decode with a bound of maxData bytes on the data it
// decodes (decompressed chunks, never-written datasets read as zeros);
// maxData ≤ 0 means Decode's bound. A file whose datasets hold more is an
// error that names the dataset.
func DecodeLimit(b []byte, maxData int64) (root *Group, err error) {
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(*formatError)
			if !ok {
				panic(r)
			}
			root, err = nil, errors.New("hdf5: "+fe.msg)
		}
	}()
	d := &decoder{b: b, visiting: map[uint64]bool{}, maxData: maxData}
	// Every object, B-tree node and symbol is at least 8 bytes of the
	// file, so a tree of them has at most len(b)/8 nodes; more visits mean
	// a structure shared many times over (a DAG that would take exponential
	// time to walk).
	d.visits = int64(len(b))/4 + 1024
	return d.file(), nil
}

type decoder struct {
	b          []byte
	base       uint64
	so, sl     int // sizes of offsets and lengths
	visiting   map[uint64]bool
	budget     int64 // bytes of decoded data still allowed
	gcolCache  map[uint64][][]byte
	depth      int
	chunkCount int
	mu         sync.Mutex // guards gcolCache once Decode has returned
	maxData    int64      // bound on the decoded data (0: expansion·size + floor)
	visits     int64      // objects and B-tree nodes still allowed to be visited
}

// visit counts one object or B-tree node visited.
func (d *decoder) visit(path string) {
	d.visits--
	if d.visits < 0 {
		fail("%s: the file's structure refers to the same objects too many times (more visits than a file of %d bytes can hold)", path, len(d.b))
	}
}

// cursor reads little-endian fields from the file with bounds checks.
type cursor struct {
	d   *decoder
	off uint64
	end uint64 // exclusive bound for this structure
	ctx string
}

func (d *decoder) at(addr uint64, ctx string) *cursor {
	if addr > uint64(len(d.b)) {
		fail("%s at address %d is beyond the end of the file (%d bytes)", ctx, addr, len(d.b))
	}
	return &cursor{d: d, off: addr, end: uint64(len(d.b)), ctx: ctx}
}

func (c *cursor) take(n uint64) []byte {
	if n > c.end-c.off || c.off > c.end {
		fail("%s: truncated (needs %d bytes at %d, has %d)", c.ctx, n, c.off, c.end-c.off)
	}
	p := c.d.b[c.off : c.off+n]
	c.off += n
	return p
}

func (c *cursor) u8() uint8   { return c.take(1)[0] }
func (c *cursor) u16() uint16 { return binary.LittleEndian.Uint16(c.take(2)) }
func (c *cursor) u32() uint32 { return binary.LittleEndian.Uint32(c.take(4)) }
func (c *cursor) u64() uint64 { return binary.LittleEndian.Uint64(c.take(8)) }
func (c *cursor) skip(n uint64) {
	c.take(n)
}

func (c *cursor) uint(size int) uint64 {
	switch size {
	case 1:
		return uint64(c.u8())
	case 2:
		return uint64(c.u16())
	case 4:
		return uint64(c.u32())
	case 8:
		return c.u64()
	}
	fail("%s: field size %d", c.ctx, size)
	return 0
}

const undef = ^uint64(0)

// addr reads a file address and adds the base address (undefined stays
// undefined).
func (c *cursor) addr() uint64 {
	a := c.uint(c.d.so)
	if a == undef>>(64-8*uint(c.d.so)) {
		return undef
	}
	return a + c.d.base
}

func (c *cursor) length() uint64 { return c.uint(c.d.sl) }

func (d *decoder) file() *Group {
	// The superblock may sit at 0, 512, 1024, 2048, ...
	sb := uint64(0)
	for !bytes.HasPrefix(d.b[min(sb, uint64(len(d.b))):], signature) {
		if sb == 0 {
			sb = 512
		} else {
			sb *= 2
		}
		if sb >= uint64(len(d.b)) {
			fail("not an HDF5 file (no signature)")
		}
	}
	c := d.at(sb, "superblock")
	c.skip(8)
	v := c.u8()
	if v > 1 {
		fail("superblock version %d is not supported (only 0 and 1, h5py's default libver=\"earliest\"; this file was written with a later libver)", v)
	}
	c.skip(3) // free-space, root group, reserved
	if sh := c.u8(); sh != 0 {
		fail("shared header message format version %d is not supported", sh)
	}
	d.so, d.sl = int(c.u8()), int(c.u8())
	for _, s := range []int{d.so, d.sl} {
		if s != 2 && s != 4 && s != 8 {
			fail("superblock: size of offsets/lengths %d is not supported", s)
		}
	}
	c.skip(1)
	c.skip(4) // group leaf / internal node K
	c.skip(4) // consistency flags
	if v == 1 {
		c.skip(4)
	}
	d.base = c.uint(d.so)
	if d.base == 0 {
		d.base = sb
	}
	c.addr() // free space
	c.addr() // end of file
	c.addr() // driver info
	d.budget = expansion*int64(len(d.b)) + floor
	if d.maxData > 0 {
		d.budget = d.maxData
	}
	// Root symbol table entry.
	c.addr() // link name offset
	oh := c.addr()
	return d.group(oh, "/")
}

// message is one header message.
type message struct {
	typ   uint16
	flags uint8
	data  *cursor
}

// header reads the messages of the object header at addr.
func (d *decoder) header(addr uint64, path string) []message {
	c := d.at(addr, "object header of "+path)
	if c.end-c.off >= 4 && string(d.b[c.off:c.off+4]) == "OHDR" {
		fail("%s: version-2 object header is not supported (written with libver later than \"earliest\")", path)
	}
	if v := c.u8(); v != 1 {
		fail("%s: object header version %d is not supported", path, v)
	}
	c.skip(1)
	n := int(c.u16())
	if n > maxMessages {
		fail("%s: %d header messages", path, n)
	}
	c.skip(4) // reference count
	size := uint64(c.u32())
	c.skip(4) // padding to 8
	type block struct{ off, end uint64 }
	blocks := []block{{c.off, c.off + size}}
	var msgs []message
	for bi := 0; bi < len(blocks) && len(msgs) < n; bi++ {
		if bi > 1024 {
			fail("%s: too many continuation blocks", path)
		}
		b := blocks[bi]
		if b.end > uint64(len(d.b)) || b.end < b.off {
			fail("%s: header block [%d, %d) beyond the end of the file", path, b.off, b.end)
		}
		mc := &cursor{d: d, off: b.off, end: b.end, ctx: "header messages of " + path}
		for mc.end-mc.off >= 8 && len(msgs) < n {
			typ, sz, fl := mc.u16(), uint64(mc.u16()), mc.u8()
			mc.skip(3)
			start := mc.off
			mc.skip(sz)
			m := message{typ: typ, flags: fl, data: &cursor{d: d, off: start, end: start + sz, ctx: fmt.Sprintf("%s: message type %#x", path, typ)}}
			if typ == 0x10 { // continuation
				off, ln := m.data.addr(), m.data.length()
				if off == undef || ln > uint64(len(d.b)) {
					fail("%s: bad continuation block", path)
				}
				blocks = append(blocks, block{off, off + ln})
			}
			msgs = append(msgs, m)
		}
	}
	return msgs
}

func (d *decoder) enter(addr uint64, path string) {
	if d.visiting[addr] {
		fail("%s: object at %d contains itself", path, addr)
	}
	d.depth++
	if d.depth > maxDepth {
		fail("%s: groups nested deeper than %d", path, maxDepth)
	}
	d.visiting[addr] = true
}

func (d *decoder) leave(addr uint64) {
	d.depth--
	delete(d.visiting, addr)
}

// object reads the object at addr: a group or a dataset.
func (d *decoder) object(addr uint64, path string) (*Group, *Dataset) {
	d.visit(path)
	d.enter(addr, path)
	defer d.leave(addr)
	msgs := d.header(addr, path)
	for _, m := range msgs {
		switch m.typ {
		case 0x11:
			return d.symbolTable(m.data, path), nil
		case 0x02, 0x06, 0x0a:
			fail("%s: link messages (new-style group, libver later than \"earliest\") are not supported", path)
		}
	}
	for _, m := range msgs {
		if m.typ == 0x08 {
			return nil, d.dataset(msgs, path)
		}
	}
	fail("%s: object is neither a group nor a dataset", path)
	return nil, nil
}

func (d *decoder) group(addr uint64, path string) *Group {
	g, ds := d.object(addr, path)
	if g == nil || ds != nil {
		fail("%s: root is not a group", path)
	}
	return g
}

// symbolTable reads an old-style group from its symbol table message.
func (d *decoder) symbolTable(m *cursor, path string) *Group {
	btree, heap := m.addr(), m.addr()
	names := d.localHeap(heap, path)
	g := NewGroup()
	d.groupNode(btree, names, g, path, 0)
	return g
}

// localHeap returns the data segment of the local heap at addr.
func (d *decoder) localHeap(addr uint64, path string) []byte {
	c := d.at(addr, "local heap of "+path)
	if string(c.take(4)) != "HEAP" {
		fail("%s: bad local heap signature", path)
	}
	if v := c.u8(); v != 0 {
		fail("%s: local heap version %d", path, v)
	}
	c.skip(3)
	size := c.length()
	c.length() // free list
	data := c.addr()
	dc := d.at(data, "local heap data of "+path)
	return dc.take(size)
}

func heapString(heap []byte, off uint64, path string) string {
	if off >= uint64(len(heap)) {
		fail("%s: name offset %d outside the local heap (%d bytes)", path, off, len(heap))
	}
	s := heap[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return string(s[:i])
	}
	fail("%s: unterminated name in the local heap", path)
	return ""
}

// groupNode walks a group B-tree node.
func (d *decoder) groupNode(addr uint64, heap []byte, g *Group, path string, level int) {
	if level > maxDepth {
		fail("%s: group B-tree deeper than %d", path, maxDepth)
	}
	d.visit(path)
	c := d.at(addr, "group B-tree of "+path)
	sig := string(c.take(4))
	if sig == "SNOD" {
		d.symbolNode(c, heap, g, path)
		return
	}
	if sig != "TREE" {
		fail("%s: bad B-tree signature %q", path, sig)
	}
	if t := c.u8(); t != 0 {
		fail("%s: group B-tree has node type %d", path, t)
	}
	lvl := c.u8()
	n := int(c.u16())
	c.addr()
	c.addr()
	for i := 0; i < n; i++ {
		c.length() // key
		child := c.addr()
		if d.visiting[child] {
			fail("%s: B-tree node refers to itself", path)
		}
		d.visiting[child] = true
		if lvl > 0 {
			d.groupNode(child, heap, g, path, level+1)
		} else {
			sc := d.at(child, "symbol table node of "+path)
			if string(sc.take(4)) != "SNOD" {
				fail("%s: bad symbol table node signature", path)
			}
			d.symbolNode(sc, heap, g, path)
		}
		delete(d.visiting, child)
	}
}

func (d *decoder) symbolNode(c *cursor, heap []byte, g *Group, path string) {
	if v := c.u8(); v != 1 {
		fail("%s: symbol table node version %d", path, v)
	}
	c.skip(1)
	n := int(c.u16())
	for i := 0; i < n; i++ {
		name := heapString(heap, c.length(), path)
		oh := c.addr()
		c.skip(4 + 4 + 16)
		if name == "" {
			fail("%s: member with an empty name", path)
		}
		if _, dup := g.Groups[name]; dup {
			fail("%s: member %q listed twice", path, name)
		}
		if _, dup := g.Datasets[name]; dup {
			fail("%s: member %q listed twice", path, name)
		}
		p := path + "/" + name
		if strings.HasSuffix(path, "/") {
			p = path + name
		}
		sub, ds := d.object(oh, p)
		if sub != nil {
			g.Groups[name] = sub
		} else {
			g.Datasets[name] = ds
		}
	}
}

// dtype is a decoded datatype message.
type dtype struct {
	class  int
	size   int
	signed bool
	vlen   bool   // variable-length string
	seq    *dtype // variable-length sequence of this number type
}

func (d *decoder) datatype(c *cursor, path string) dtype {
	return d.datatypeIn(c, path, false)
}

func (d *decoder) datatypeIn(c *cursor, path string, inner bool) dtype {
	cv := c.u8()
	class, version := int(cv&0x0f), cv>>4
	bits := c.take(3)
	size := int(c.u32())
	if version < 1 || version > 3 {
		fail("%s: datatype version %d", path, version)
	}
	t := dtype{class: class, size: size}
	switch class {
	case 0: // fixed point
		if bits[0]&1 != 0 {
			fail("%s: big-endian integers are not supported", path)
		}
		t.signed = bits[0]&8 != 0
		off, prec := c.u16(), c.u16()
		if off != 0 || int(prec) != 8*size || (size != 1 && size != 2 && size != 4 && size != 8) {
			fail("%s: integer of %d bytes with precision %d at bit %d is not supported", path, size, prec, off)
		}
	case 1: // floating point
		if bits[0]&0x41 != 0 {
			fail("%s: big-endian or VAX floats are not supported", path)
		}
		off, prec := c.u16(), c.u16()
		if off != 0 || int(prec) != 8*size || (size != 2 && size != 4 && size != 8) {
			fail("%s: float of %d bytes (precision %d) is not supported (only IEEE float16, float32 and float64)", path, size, prec)
		}
	case 3: // fixed-length string
		if size < 0 {
			fail("%s: string size", path)
		}
	case 9: // variable length
		if inner {
			fail("%s: variable-length data inside variable-length data is not supported", path)
		}
		switch bits[0] & 0x0f {
		case 1:
			t.vlen = true
		case 0:
			base := d.datatypeIn(c, path, true)
			if base.class != 0 && base.class != 1 {
				fail("%s: variable-length sequences of datatype class %d are not supported (only of numbers)", path, base.class)
			}
			t.seq = &base
		default:
			fail("%s: variable-length type %d is not supported", path, bits[0]&0x0f)
		}
	default:
		name := map[int]string{2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference", 8: "enum", 10: "array"}[class]
		if name == "" {
			name = fmt.Sprint(class)
		}
		fail("%s: datatype class %s is not supported", path, name)
	}
	return t
}

func (d *decoder) dataset(msgs []message, path string) *Dataset {
	var (
		shape    []int
		haveDS   bool
		t        dtype
		haveDT   bool
		layout   *cursor
		filters  []filter
		haveFilt bool
	)
	for _, m := range msgs {
		switch m.typ {
		case 0x01:
			shape, haveDS = d.dataspace(m.data, path), true
		case 0x03:
			t, haveDT = d.datatype(m.data, path), true
		case 0x08:
			layout = m.data
		case 0x0b:
			filters, haveFilt = d.pipeline(m.data, path), true
		case 0x00, 0x04, 0x05, 0x0c, 0x0d, 0x0e, 0x10, 0x12, 0x13, 0x15, 0x16:
			// nil, fill values, attributes, comment, times, continuation, ref count
		default:
			if m.flags&0x08 != 0 {
				fail("%s: header message type %#x is required but not supported", path, m.typ)
			}
		}
	}
	if !haveDS || !haveDT {
		fail("%s: dataset without dataspace or datatype", path)
	}
	_ = haveFilt
	// Checked products: dimensions of 2^24 and 2^40, say, must not wrap
	// to a small number of elements.
	ne, ok := checked.Product(shape, min(maxElements, math.MaxInt))
	if !ok {
		fail("%s: dataset shape %v is too large (more than 2^40 elements)", path, shape)
	}
	n := uint64(ne)
	esize := uint64(t.size)
	if t.vlen || t.seq != nil {
		esize = uint64(4 + d.so + 4)
	}
	nbytes, ok := checked.MulU64(n, esize, maxElements)
	if !ok {
		fail("%s: dataset shape %v of %d-byte elements is too large (more than 2^40 bytes)", path, shape, esize)
	}
	if (t.class == 3 || t.vlen || t.seq != nil) && n > uint64(len(d.b)) {
		fail("%s: %d strings is more than the file could hold", path, n)
	}
	if nbytes > uint64(max(d.budget, 0)) || n > uint64(max(d.budget, 0)) {
		fail("%s: dataset of shape %v (%d bytes) is larger than the file could hold", path, shape, nbytes)
	}
	raw := d.layout(layout, shape, esize, nbytes, filters, path)
	d.budget -= int64(len(raw))
	return d.convert(raw, shape, t, int(n), path)
}

func (d *decoder) dataspace(c *cursor, path string) []int {
	v := c.u8()
	rank := int(c.u8())
	flags := c.u8()
	if rank > maxRank {
		fail("%s: rank %d", path, rank)
	}
	switch v {
	case 1:
		c.skip(5)
	case 2:
		if typ := c.u8(); typ == 2 {
			fail("%s: null dataspace is not supported", path)
		}
	default:
		fail("%s: dataspace version %d", path, v)
	}
	shape := make([]int, rank)
	for i := range shape {
		s := c.length()
		if s > 1<<40 {
			fail("%s: dimension %d", path, s)
		}
		shape[i] = int(s)
	}
	_ = flags
	return shape
}

type filter struct {
	id     uint16
	client []uint32
}

func (d *decoder) pipeline(c *cursor, path string) []filter {
	v := c.u8()
	n := int(c.u8())
	if v == 1 {
		c.skip(6)
	} else if v != 2 {
		fail("%s: filter pipeline version %d", path, v)
	}
	var fs []filter
	for i := 0; i < n; i++ {
		id := c.u16()
		nameLen := uint64(0)
		if v == 1 || id >= 256 {
			nameLen = uint64(c.u16())
		}
		c.u16() // flags
		nv := int(c.u16())
		if v == 1 {
			c.skip((nameLen + 7) &^ 7)
		} else {
			c.skip(nameLen)
		}
		f := filter{id: id}
		for j := 0; j < nv; j++ {
			f.client = append(f.client, c.u32())
		}
		if v == 1 && nv%2 == 1 {
			c.skip(4)
		}
		switch id {
		case 1, 2:
		default:
			name := map[uint16]string{3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset", 32000: "lzf", 32001: "blosc", 32015: "zstd"}[id]
			if name == "" {
				name = fmt.Sprint("filter ", id)
			}
			fail("%s: %s is not supported (only gzip/deflate and shuffle)", path, name)
		}
		fs = append(fs, f)
	}
	return fs
}

// layout returns the raw bytes of a dataset.
func (d *decoder) layout(c *cursor, shape []int, esize, nbytes uint64, filters []filter, path string) []byte {
	v := c.u8()
	switch v {
	case 1, 2:
		rank := int(c.u8())
		class := c.u8()
		c.skip(5)
		if class == 0 { // compact
			c.skip(4 * uint64(rank))
			sz := uint64(c.u32())
			return d.exact(c.take(sz), nbytes, path)
		}
		addr := c.addr()
		dims := make([]uint64, rank)
		for i := range dims {
			dims[i] = uint64(c.u32())
		}
		if class == 1 {
			return d.contiguous(addr, nbytes, path)
		}
		if class == 2 {
			return d.chunked(addr, shape, dims, esize, nbytes, filters, path)
		}
		fail("%s: layout class %d", path, class)
	case 3:
		class := c.u8()
		switch class {
		case 0:
			sz := uint64(c.u16())
			return d.exact(c.take(sz), nbytes, path)
		case 1:
			addr := c.addr()
			c.length()
			return d.contiguous(addr, nbytes, path)
		case 2:
			rank := int(c.u8())
			addr := c.addr()
			dims := make([]uint64, rank)
			for i := range dims {
				dims[i] = uint64(c.u32())
			}
			return d.chunked(addr, shape, dims, esize, nbytes, filters, path)
		}
		fail("%s: layout class %d is not supported", path, class)
	case 4:
		fail("%s: data layout version 4 (libver later than \"earliest\") is not supported", path)
	}
	fail("%s: data layout version %d", path, v)
	return nil
}

func (d *decoder) exact(b []byte, n uint64, path string) []byte {
	if uint64(len(b)) < n {
		fail("%s: compact data of %d bytes, the shape needs %d", path, len(b), n)
	}
	return b[:n]
}

func (d *decoder) contiguous(addr, n uint64, path string) []byte {
	if n == 0 {
		return nil
	}
	if addr == undef {
		// Never written: the fill value, zeros by default.
		return make([]byte, n)
	}
	return d.at(addr, "data of "+path).take(n)
}

// chunked assembles a chunked dataset from its v1 B-tree index.
func (d *decoder) chunked(addr uint64, shape []int, dims []uint64, esize, nbytes uint64, filters []filter, path string) []byte {
	rank := len(shape)
	if len(dims) != rank+1 {
		fail("%s: chunk rank %d for a dataset of rank %d", path, len(dims)-1, rank)
	}
	if dims[rank] != esize {
		fail("%s: chunk element size %d, datatype size %d", path, dims[rank], esize)
	}
	csize := esize
	for i := 0; i < rank; i++ {
		if dims[i] == 0 {
			fail("%s: chunk dimension 0", path)
		}
		var ok bool
		if csize, ok = checked.MulU64(csize, dims[i], 1<<32); !ok {
			fail("%s: chunk dimensions %v are too large", path, dims)
		}
	}
	out := make([]byte, nbytes)
	if addr == undef || nbytes == 0 {
		return out
	}
	d.chunkNode(addr, shape, dims[:rank], esize, csize, filters, out, path, 0)
	return out
}

func (d *decoder) chunkNode(addr uint64, shape []int, cdims []uint64, esize, csize uint64, filters []filter, out []byte, path string, level int) {
	if level > maxDepth {
		fail("%s: chunk B-tree deeper than %d", path, maxDepth)
	}
	d.visit(path)
	if d.visiting[addr] {
		fail("%s: chunk B-tree node refers to itself", path)
	}
	d.visiting[addr] = true
	defer delete(d.visiting, addr)
	c := d.at(addr, "chunk index of "+path)
	if string(c.take(4)) != "TREE" {
		fail("%s: bad chunk B-tree signature", path)
	}
	if t := c.u8(); t != 1 {
		fail("%s: chunk B-tree has node type %d", path, t)
	}
	lvl := c.u8()
	n := int(c.u16())
	c.addr()
	c.addr()
	rank := len(shape)
	for i := 0; i < n; i++ {
		size := uint64(c.u32())
		mask := c.u32()
		offs := make([]uint64, rank)
		for j := range offs {
			offs[j] = c.u64()
		}
		c.u64()
		child := c.addr()
		if lvl > 0 {
			d.chunkNode(child, shape, cdims, esize, csize, filters, out, path, level+1)
			continue
		}
		d.chunkCount++
		if d.chunkCount > 1<<20 {
			fail("%s: too many chunks", path)
		}
		d.budget -= int64(csize)
		if d.budget < 0 {
			fail("%s: chunks hold more data than the file could", path)
		}
		raw := d.at(child, "chunk of "+path).take(size)
		data := d.unfilter(raw, filters, mask, csize, esize, path)
		if uint64(len(data)) < csize {
			fail("%s: chunk holds %d bytes, expected %d", path, len(data), csize)
		}
		scatter(out, data, shape, cdims, offs, esize, path)
	}
}

// scatter copies a chunk at offsets offs into the dataset out.
func scatter(out, chunk []byte, shape []int, cdims, offs []uint64, esize uint64, path string) {
	rank := len(shape)
	if rank == 0 {
		copy(out, chunk[:esize])
		return
	}
	for j := range offs {
		if offs[j] >= uint64(shape[j]) && shape[j] > 0 {
			fail("%s: chunk at offset %v outside the shape %v", path, offs, shape)
		}
		if offs[j]%cdims[j] != 0 {
			fail("%s: chunk offset %v not on the chunk grid", path, offs)
		}
	}
	// Walk the rows (last dimension) of the chunk inside the dataset.
	idx := make([]uint64, rank-1)
	lim := make([]uint64, rank-1)
	for j := range lim {
		lim[j] = min(cdims[j], uint64(shape[j])-offs[j])
	}
	rowLen := cdims[rank-1]
	valid := min(rowLen, uint64(shape[rank-1])-offs[rank-1])
	for {
		// Position in the chunk and in the dataset.
		var ci, di uint64
		inside := true
		for j := 0; j < rank-1; j++ {
			ci = ci*cdims[j] + idx[j]
			p := offs[j] + idx[j]
			if p >= uint64(shape[j]) {
				inside = false
			}
			di = di*uint64(shape[j]) + p
		}
		if inside {
			ci = ci * rowLen
			di = di*uint64(shape[rank-1]) + offs[rank-1]
			copy(out[di*esize:(di+valid)*esize], chunk[ci*esize:(ci+valid)*esize])
		}
		j := rank - 2
		for ; j >= 0; j-- {
			idx[j]++
			if idx[j] < lim[j] {
				break
			}
			idx[j] = 0
		}
		if j < 0 {
			return
		}
	}
}

func (d *decoder) unfilter(raw []byte, filters []filter, mask uint32, csize, esize uint64, path string) []byte {
	data := raw
	for i := len(filters) - 1; i >= 0; i-- {
		if mask&(1<<uint(i)) != 0 {
			continue
		}
		switch filters[i].id {
		case 1:
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				fail("%s: deflate: %v", path, err)
			}
			buf, err := io.ReadAll(io.LimitReader(zr, min(int64(csize), max(d.budget, 0))+1))
			if err != nil {
				fail("%s: deflate: %v", path, err)
			}
			if uint64(len(buf)) > csize {
				fail("%s: chunk inflates beyond its size", path)
			}
			d.budget -= int64(len(buf))
			if d.budget < 0 {
				fail("%s: decompressed data too large", path)
			}
			data = buf
		case 2:
			data = unshuffle(data, int(esize))
		}
	}
	return data
}

func unshuffle(b []byte, size int) []byte {
	if size <= 1 || len(b)%size != 0 {
		return b
	}
	n := len(b) / size
	out := make([]byte, len(b))
	for k := 0; k < size; k++ {
		for i := 0; i < n; i++ {
			out[i*size+k] = b[k*n+i]
		}
	}
	return out
}

// convert turns raw little-endian elements into a Dataset.
func (d *decoder) convert(raw []byte, shape []int, t dtype, n int, path string) *Dataset {
	ds := &Dataset{Shape: shape}
	if t.class == 0 || t.class == 1 {
		ds.Bits, ds.Unsigned = 8*t.size, t.class == 0 && !t.signed
		if ds.Bits == 64 && !ds.Unsigned || t.class == 1 && t.size == 4 {
			ds.Bits = 0 // the default width of the type
		}
	}
	switch {
	case t.seq != nil:
		es := 4 + d.so + 4
		ds.Type = Sequence
		ds.Seq = &Sequences{n: n, elem: *t.seq, refs: raw[:n*es], d: d}
	case t.class == 1 && t.size == 2:
		ds.Type, ds.F32 = Float32, make([]float32, n)
		for i := range ds.F32 {
			ds.F32[i] = halfToFloat(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case t.class == 1 && t.size == 4:
		ds.Type, ds.F32 = Float32, make([]float32, n)
		for i := range ds.F32 {
			ds.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case t.class == 1:
		ds.Type, ds.F64 = Float64, make([]float64, n)
		for i := range ds.F64 {
			ds.F64[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	case t.class == 0:
		ds.Type, ds.I64 = Int64, make([]int64, n)
		for i := range ds.I64 {
			p := raw[i*t.size:]
			var u uint64
			for k := t.size - 1; k >= 0; k-- {
				u = u<<8 | uint64(p[k])
			}
			if t.signed && t.size < 8 && u&(1<<(8*t.size-1)) != 0 {
				u |= ^uint64(0) << (8 * t.size)
			}
			if !t.signed && u > math.MaxInt64 {
				fail("%s: unsigned value %d does not fit in int64", path, u)
			}
			ds.I64[i] = int64(u)
		}
	case t.class == 3:
		ds.Type, ds.Str = String, make([]string, n)
		for i := range ds.Str {
			s := raw[i*t.size : (i+1)*t.size]
			if j := bytes.IndexByte(s, 0); j >= 0 {
				s = s[:j]
			}
			ds.Str[i] = string(bytes.TrimRight(s, " "))
		}
	case t.vlen:
		ds.Type, ds.Str = String, make([]string, n)
		es := 4 + d.so + 4
		for i := range ds.Str {
			c := &cursor{d: d, off: 0, end: uint64(es), ctx: path}
			sub := &decoder{b: raw[i*es : (i+1)*es], so: d.so, sl: d.sl, base: 0}
			c.d = sub
			ln := c.u32()
			addr := c.uint(d.so)
			idx := c.u32()
			if ln == 0 {
				continue
			}
			ds.Str[i] = string(d.global(addr+d.base, idx, uint64(ln), path))
		}
	default:
		fail("%s: unsupported datatype", path)
	}
	return ds
}

// global returns object idx of the global heap collection at addr.
func (d *decoder) global(addr uint64, idx uint32, ln uint64, path string) []byte {
	if d.gcolCache == nil {
		d.gcolCache = map[uint64][][]byte{}
	}
	objs, ok := d.gcolCache[addr]
	if !ok {
		c := d.at(addr, "global heap of "+path)
		if string(c.take(4)) != "GCOL" {
			fail("%s: bad global heap signature", path)
		}
		if v := c.u8(); v != 1 {
			fail("%s: global heap version %d", path, v)
		}
		c.skip(3)
		size := c.length()
		if size < 16 || size > uint64(len(d.b))-addr {
			fail("%s: global heap of %d bytes at %d does not fit in the file", path, size, addr)
		}
		c.end = addr + size
		for c.end-c.off >= 8+uint64(d.sl) {
			i := c.u16()
			c.skip(6)
			sz := c.length()
			if i == 0 {
				break
			}
			if sz > c.end-c.off {
				fail("%s: global heap object %d of %d bytes overruns its collection", path, i, sz)
			}
			for int(i) >= len(objs) {
				objs = append(objs, nil)
				if len(objs) > 1<<16 {
					fail("%s: global heap index %d", path, i)
				}
			}
			objs[i] = c.take(sz)
			c.skip(min((8-sz%8)%8, c.end-c.off))
		}
		d.gcolCache[addr] = objs
	}
	if int(idx) >= len(objs) || objs[idx] == nil {
		fail("%s: global heap has no object %d", path, idx)
	}
	o := objs[idx]
	if ln > uint64(len(o)) {
		fail("%s: string of %d bytes in a heap object of %d", path, ln, len(o))
	}
	return o[:ln]
}
