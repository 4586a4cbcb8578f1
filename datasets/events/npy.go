package events

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// NPY is a numeric array read from a NumPy .npy file, kept as the file's
// little-endian bytes; At converts one value.
type NPY struct {
	Shape []int
	Descr string // "<f8", "<i2", "|u1", ...
	data  []byte
	size  int
	conv  func([]byte) float64
}

// Len is the number of values.
func (a *NPY) Len() int { return len(a.data) / a.size }

// At returns value i (row-major) as float64.
func (a *NPY) At(i int) float64 { return a.conv(a.data[i*a.size : (i+1)*a.size]) }

var npyConv = map[string]func([]byte) float64{
	"f8": func(p []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(p)) },
	"f4": func(p []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(p))) },
	"i8": func(p []byte) float64 { return float64(int64(binary.LittleEndian.Uint64(p))) },
	"u8": func(p []byte) float64 { return float64(binary.LittleEndian.Uint64(p)) },
	"i4": func(p []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(p))) },
	"u4": func(p []byte) float64 { return float64(binary.LittleEndian.Uint32(p)) },
	"i2": func(p []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(p))) },
	"u2": func(p []byte) float64 { return float64(binary.LittleEndian.Uint16(p)) },
	"i1": func(p []byte) float64 { return float64(int8(p[0])) },
	"u1": func(p []byte) float64 { return float64(p[0]) },
	"b1": func(p []byte) float64 { return float64(p[0]) },
}

var npySizes = map[string]int{"f8": 8, "f4": 4, "i8": 8, "u8": 8, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1, "b1": 1}

// DecodeNPY reads a .npy file (format versions 1 to 3) of little-endian
// integers, booleans or floats in C order. The values are not copied.
func DecodeNPY(b []byte) (*NPY, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("not a .npy file (no \\x93NUMPY magic)")
	}
	var hlen, start int
	switch b[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, fmt.Errorf("truncated .npy header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return nil, fmt.Errorf(".npy format version %d is not supported", b[6])
	}
	if hlen > len(b)-start {
		return nil, fmt.Errorf("truncated .npy header (%d bytes declared, %d present)", hlen, len(b)-start)
	}
	h := string(b[start : start+hlen])
	descr, err := npyField(h, "descr")
	if err != nil {
		return nil, err
	}
	descr = strings.Trim(descr, `'"`)
	if len(descr) != 3 || (descr[0] != '<' && descr[0] != '|') || npySizes[descr[1:]] == 0 || (descr[0] == '|' && npySizes[descr[1:]] != 1) {
		return nil, fmt.Errorf(".npy element type %q is not supported (only little-endian numbers)", descr)
	}
	fo, err := npyField(h, "fortran_order")
	if err != nil {
		return nil, err
	}
	if fo != "False" {
		return nil, fmt.Errorf(".npy array in Fortran order is not supported")
	}
	sh, err := npyField(h, "shape")
	if err != nil {
		return nil, err
	}
	sh = strings.TrimSpace(sh)
	if len(sh) < 2 || sh[0] != '(' || sh[len(sh)-1] != ')' {
		return nil, fmt.Errorf(".npy shape %q is not a tuple", sh)
	}
	a := &NPY{Descr: descr, size: npySizes[descr[1:]], conv: npyConv[descr[1:]]}
	n := int64(1)
	for _, f := range strings.Split(sh[1:len(sh)-1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 || d > 1<<40 {
			return nil, fmt.Errorf(".npy shape %q has a bad dimension %q", sh, f)
		}
		a.Shape = append(a.Shape, d)
		n *= int64(d)
		if n > 1<<40 {
			return nil, fmt.Errorf(".npy shape %q is too large", sh)
		}
	}
	data := b[start+hlen:]
	if need := n * int64(a.size); int64(len(data)) < need {
		return nil, fmt.Errorf("truncated .npy data: shape %v needs %d bytes, %d present", a.Shape, need, len(data))
	} else {
		a.data = data[:need]
	}
	return a, nil
}

// npyField returns the text of key's value in a .npy header dictionary.
func npyField(h, key string) (string, error) {
	i := strings.Index(h, "'"+key+"'")
	if i < 0 {
		return "", fmt.Errorf(".npy header has no %q", key)
	}
	r := strings.TrimSpace(h[i+len(key)+2:])
	if !strings.HasPrefix(r, ":") {
		return "", fmt.Errorf(".npy header: no value for %q", key)
	}
	r = strings.TrimSpace(r[1:])
	if strings.HasPrefix(r, "(") {
		j := strings.IndexByte(r, ')')
		if j < 0 {
			return "", fmt.Errorf(".npy header: unterminated %q", key)
		}
		return r[:j+1], nil
	}
	j := strings.IndexAny(r, ",}")
	if j < 0 {
		return "", fmt.Errorf(".npy header: unterminated %q", key)
	}
	return strings.TrimSpace(r[:j]), nil
}
