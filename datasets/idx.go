// Package datasets reads image-classification datasets (IDX files of
// Fashion-MNIST and MNIST), batches them with seeded shuffling and encodes
// images as spike trains or currents for spiking networks.
package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/braingo/braingo/internal/checked"
	"github.com/braingo/braingo/internal/fileio"
)

// MaxIDXBytes bounds the payload an IDX header may declare, so a corrupt
// header cannot make the reader allocate without limit.
const MaxIDXBytes = 1 << 30

// idxLimit is the payload bound in force: MaxIDXBytes, lowered by tests.
var idxLimit = MaxIDXBytes

// MaxIDXFileSize is the largest file ReadIDX reads: a payload of
// MaxIDXBytes and the largest header.
const MaxIDXFileSize = MaxIDXBytes + 4 + 4*255

// IDX is a decoded IDX array (LeCun's MNIST file format): a big-endian
// header with a type code and dimensions, followed by the values.
type IDX struct {
	// Type is the element type code: 0x08 unsigned byte, 0x09 signed byte,
	// 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
	Type byte
	// Dims lists the dimensions, outermost first.
	Dims []int
	// Data holds the values of unsigned-byte arrays (Type 0x08), the type
	// of every MNIST-family file, as stored.
	Data []uint8
	// Values holds the values of other types, converted to float64: at
	// most MaxIDXBytes/8 of them.
	Values []float64
}

var idxSize = map[byte]int{0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}

// ReadIDX reads an IDX file, raw or gzip-compressed (detected by content):
// a regular file of at most MaxIDXFileSize bytes (a device or FIFO is
// refused at once). Errors name the file and what is wrong with it.
func ReadIDX(path string) (*IDX, error) {
	f, size, err := fileio.OpenRegular(path, MaxIDXFileSize)
	if err != nil {
		return nil, fmt.Errorf("IDX: %w", err)
	}
	defer f.Close()
	m, err := decodeIDX(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// DecodeIDX decodes an IDX array from r, raw or gzip-compressed.
func DecodeIDX(r io.Reader) (*IDX, error) { return decodeIDX(r, -1) }

// decodeIDX decodes from r; size is the raw byte count when known (-1 if
// not), used to reject truncated files before allocating.
func decodeIDX(r io.Reader, size int64) (*IDX, error) {
	br := bufio.NewReader(r)
	isize, gzSize := int64(-1), int64(-1)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("corrupt gzip stream: %v", err)
		}
		defer zr.Close()
		// A gzip file's trailer holds the size of its data modulo 2³²
		// (of the last member's, if there are several): readUpTo may then
		// allocate the payload at once, the sizes agreeing and the
		// payload within what the file can inflate to.
		if ra, ok := r.(io.ReaderAt); ok && size >= 18 {
			var t [4]byte
			if _, err := ra.ReadAt(t[:], size-4); err == nil {
				isize, gzSize = int64(binary.LittleEndian.Uint32(t[:])), size
			}
		}
		br, size = bufio.NewReader(zr), -1
	}
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fmt.Errorf("not an IDX file: header truncated (%v)", unexpected(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: magic number %02x%02x%02x%02x does not start with two zero bytes", head[0], head[1], head[2], head[3])
	}
	esize, ok := idxSize[head[2]]
	if !ok {
		return nil, fmt.Errorf("IDX: unknown element type 0x%02x", head[2])
	}
	nd := int(head[3])
	if nd == 0 {
		return nil, fmt.Errorf("IDX: zero dimensions")
	}
	dims := make([]int, nd)
	for i := range dims {
		var d [4]byte
		if _, err := io.ReadFull(br, d[:]); err != nil {
			return nil, fmt.Errorf("IDX: dimension %d of %d truncated (%v)", i+1, nd, unexpected(err))
		}
		dims[i] = int(binary.BigEndian.Uint32(d[:]))
	}
	// The payload, and for types other than unsigned bytes the float64
	// values they become, stay within idxLimit bytes.
	per := esize
	if head[2] != 0x08 {
		per = 8
	}
	n, ok := checked.Product(dims, idxLimit/per)
	if !ok {
		return nil, fmt.Errorf("IDX: dimensions %v declare more than %d bytes", dims, idxLimit)
	}
	payload := int64(n) * int64(esize)
	if hdr := int64(4 + 4*nd); size >= 0 && size-hdr != payload {
		return nil, fmt.Errorf("IDX: dimensions %v declare %d bytes of data but the file holds %d", dims, payload, size-hdr)
	}
	// Check the header against the bytes actually there before trusting
	// it: when the size is unknown (a stream, gzip without a trailer that
	// agrees), read in steps so that a header declaring a gigabyte over a
	// few bytes of data allocates a few bytes, not the gigabyte. A gzip
	// file whose trailer agrees with the header is allocated at once, at
	// most maxInflate times the file's size.
	hdr := int64(4 + 4*nd)
	trusted := size >= 0 ||
		isize >= 0 && isize == (hdr+payload)&0xffffffff && payload <= maxInflate*gzSize
	buf, err := readUpTo(br, payload, trusted)
	if err != nil {
		return nil, fmt.Errorf("IDX: %v", err)
	}
	if int64(len(buf)) < payload {
		return nil, fmt.Errorf("IDX: truncated: dimensions %v declare %d bytes of data, only %d present", dims, payload, len(buf))
	}
	if extra, _ := br.Peek(1); len(extra) > 0 {
		return nil, fmt.Errorf("IDX: trailing data after the %d bytes that dimensions %v declare", payload, dims)
	}
	m := &IDX{Type: head[2], Dims: dims}
	if m.Type == 0x08 {
		m.Data = buf
		return m, nil
	}
	m.Values = make([]float64, n)
	for i := range m.Values {
		p := buf[i*esize:]
		switch m.Type {
		case 0x09:
			m.Values[i] = float64(int8(p[0]))
		case 0x0B:
			m.Values[i] = float64(int16(binary.BigEndian.Uint16(p)))
		case 0x0C:
			m.Values[i] = float64(int32(binary.BigEndian.Uint32(p)))
		case 0x0D:
			m.Values[i] = float64(math.Float32frombits(binary.BigEndian.Uint32(p)))
		case 0x0E:
			m.Values[i] = math.Float64frombits(binary.BigEndian.Uint64(p))
		}
	}
	return m, nil
}

// maxInflate bounds the ratio of a deflate stream's output to its input
// (at most 258 bytes from a length-distance code of two bits or more: about
// 1032 to 1).
const maxInflate = 1032

// readUpTo reads n bytes from r, or fewer if r ends first. With trusted
// set (n was checked against the file's size, or a gzip file's trailer
// and size) it allocates n bytes at
// once; otherwise it grows its buffer as data arrives, so that memory
// follows the bytes present, not the count declared.
func readUpTo(r io.Reader, n int64, trusted bool) ([]byte, error) {
	if trusted {
		buf := make([]byte, n)
		got, err := io.ReadFull(r, buf)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		return buf[:got], err
	}
	buf := make([]byte, 0, min(n, 1<<16))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(n-int64(len(buf)), int64(cap(buf)))))
		}
		got, err := r.Read(buf[len(buf):min(int64(cap(buf)), n)])
		buf = buf[:len(buf)+got]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return buf, nil // the caller reports the truncation
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// EncodeIDX writes an unsigned-byte IDX array (raw) to w; tests and tools
// use it to make small files.
func EncodeIDX(w io.Writer, dims []int, data []uint8) error {
	n, ok := checked.Product(dims, math.MaxInt)
	for _, d := range dims {
		ok = ok && uint64(d) <= math.MaxUint32
	}
	if !ok || n != len(data) || len(dims) == 0 || len(dims) > 255 {
		return fmt.Errorf("IDX: %d values do not fill dimensions %v", len(data), dims)
	}
	hdr := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}
