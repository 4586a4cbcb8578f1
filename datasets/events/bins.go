package events

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Binned is a dataset binned on a BinSpec, kept sparse and compact: for
// each sample its nonzero bins k = step·Channels + channel in increasing
// order, each as a varint of (k − previous k − 1)·2 + (count > 1), followed
// by a varint count when it is above 1 (about one byte per nonzero bin).
// Sample expands one sample into the dense [Steps][Channels] array a
// recurrent SNN takes as input.
type Binned struct {
	Spec     BinSpec
	Channels int
	// Encode, when set, rewrites each sample in place after Sample decodes
	// it, as a [Steps][Channels] array (delta modulation of the binned
	// series, for example). It is not part of the cached file.
	Encode func(x []float32, steps, channels int)
	names  []string
	labels []int32
	offs   []int64 // n+1 byte offsets into data
	data   []byte  // the samples' encoded entries
}

// Len is the number of samples.
func (b *Binned) Len() int { return len(b.labels) }

// Classes are the source dataset's class names.
func (b *Binned) Classes() []string { return b.names }

// Label is sample i's class.
func (b *Binned) Label(i int) int { return int(b.labels[i]) }

// Sample writes sample i into dst as a [Steps][Channels] row-major array
// (allocating when dst is shorter) and returns it.
func (b *Binned) Sample(i int, dst []float32) []float32 {
	checkIndex(i, len(b.labels), "binned")
	n := b.Spec.Steps * b.Channels
	if len(dst) < n {
		dst = make([]float32, n)
	} else {
		dst = dst[:n]
		clear(dst)
	}
	p := b.data[b.offs[i]:b.offs[i+1]]
	k := -1
	for len(p) > 0 {
		var v uint64
		if p[0] < 0x80 {
			v, p = uint64(p[0]), p[1:]
		} else {
			var m int
			if v, m = binary.Uvarint(p); m <= 0 {
				break // corrupt: impossible in a file that passed its checksum
			}
			p = p[m:]
		}
		c := uint64(1)
		if v&1 != 0 {
			var m int
			if c, m = binary.Uvarint(p); m <= 0 {
				break
			}
			p = p[m:]
		}
		if v>>1 >= uint64(n) {
			break
		}
		k += int(v>>1) + 1
		if k >= n {
			break
		}
		dst[k] = float32(c)
	}
	if b.Encode != nil {
		b.Encode(dst, b.Spec.Steps, b.Channels)
	}
	return dst
}

// Bin bins every sample of ds on spec (ToBins with sensor s), after
// transform when it is not nil, using up to GOMAXPROCS goroutines; the
// result does not depend on their number. A bin count above 2^24 is an
// error.
func Bin(ds Dataset, s Sensor, spec BinSpec, transform func([]Event) []Event) (*Binned, error) {
	if spec.Steps <= 0 || spec.Duration <= 0 {
		return nil, fmt.Errorf("events: bins need Steps > 0 and Duration > 0 (got %v)", spec)
	}
	if int64(spec.Steps)*int64(s.Channels()) > 1<<32 {
		return nil, fmt.Errorf("events: %d steps × %d channels is too large", spec.Steps, s.Channels())
	}
	n := ds.Len()
	per := make([][]byte, n)
	labels := make([]int32, n)
	var (
		next     int
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dense := make([]float32, spec.Steps*s.Channels())
			for {
				mu.Lock()
				i := next
				next++
				stop := i >= n || firstErr != nil
				mu.Unlock()
				if stop {
					return
				}
				ev, label, err := ds.Sample(i)
				if err == nil && transform != nil {
					ev = transform(ev)
				}
				var enc []byte
				if err == nil {
					dense = ToBins(ev, s, spec, dense)
					enc, err = sparse(dense)
					if err != nil {
						err = fmt.Errorf("sample %d: %v", i, err)
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				per[i], labels[i] = enc, int32(label)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	b := &Binned{Spec: spec, Channels: s.Channels(), names: ds.Classes(), labels: labels, offs: make([]int64, n+1)}
	total := 0
	for i, p := range per {
		total += len(p)
		b.offs[i+1] = int64(total)
	}
	b.data = make([]byte, 0, total)
	for _, p := range per {
		b.data = append(b.data, p...)
	}
	return b, nil
}

// sparse encodes a dense binned sample's nonzero entries.
func sparse(dense []float32) ([]byte, error) {
	var out []byte
	prev := -1
	for k, v := range dense {
		if v == 0 {
			continue
		}
		if v < 0 || v > 1<<24 || v != float32(int(v)) {
			return nil, fmt.Errorf("bin value %v is not a count", v)
		}
		d := uint64(k-prev-1) << 1
		prev = k
		if v == 1 {
			out = binary.AppendUvarint(out, d)
			continue
		}
		out = binary.AppendUvarint(out, d|1)
		out = binary.AppendUvarint(out, uint64(v))
	}
	return out, nil
}

// The cache file (version 1), little-endian:
//
//	magic "BGEVBIN1"
//	key   32 bytes, SHA-256 of the source's key, the sensor and the spec
//	n, steps, duration, binary, channels, classes, data bytes: 7 × uint64
//	class names: classes × (uint32 length, bytes)
//	labels: n × int32; offsets: (n+1) × uint64 (bytes into the data)
//	data: the samples' entries as Binned encodes them
//	CRC-32C of everything before: uint32
const binMagic = "BGEVBIN1"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// cacheKey hashes what the binned values depend on.
func cacheKey(key string, s Sensor, spec BinSpec) [32]byte {
	return sha256.Sum256([]byte(fmt.Sprintf("braingo events bins v1\n%s\nsensor=%v\n%v", key, s, spec)))
}

// FileKey is a cache key for files: each one's absolute path, size and
// modification time, so that a changed or replaced file misses the cache.
func FileKey(paths ...string) (string, error) {
	var buf bytes.Buffer
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&buf, "%s size=%d mtime=%d\n", abs, st.Size(), st.ModTime().UnixNano())
	}
	return buf.String(), nil
}

// EncodeBinned writes b as a version-1 cache file under the given key.
func EncodeBinned(b *Binned, key string) []byte {
	s := Sensor{b.Channels, 1, 1}
	k := cacheKey(key, s, b.Spec)
	out := make([]byte, 0, 128+len(b.data)+12*len(b.labels))
	out = append(out, binMagic...)
	out = append(out, k[:]...)
	bin := uint64(0)
	if b.Spec.Binary {
		bin = 1
	}
	for _, v := range []uint64{uint64(len(b.labels)), uint64(b.Spec.Steps), uint64(b.Spec.Duration), bin, uint64(b.Channels), uint64(len(b.names)), uint64(len(b.data))} {
		out = binary.LittleEndian.AppendUint64(out, v)
	}
	for _, n := range b.names {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(n)))
		out = append(out, n...)
	}
	for _, l := range b.labels {
		out = binary.LittleEndian.AppendUint32(out, uint32(l))
	}
	for _, o := range b.offs {
		out = binary.LittleEndian.AppendUint64(out, uint64(o))
	}
	out = append(out, b.data...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, crcTable))
}

// errStale reports a cache written for another key.
var errStale = errors.New("cache was written for other data or another spec")

// DecodeBinned reads a cache file written by EncodeBinned, whatever its
// key. The entries are not copied.
func DecodeBinned(b []byte) (*Binned, error) {
	return decodeBinned(b, nil, true)
}

// decodeBinned is DecodeBinned; with a non-nil want, a file of another key
// is errStale. The fuzz test turns the checksum off to reach the checks
// behind it.
func decodeBinned(b []byte, want *[32]byte, checksum bool) (*Binned, error) {
	const head = 8 + 32 + 7*8
	if len(b) < head+4 || string(b[:8]) != binMagic {
		if len(b) >= 8 && string(b[:6]) == binMagic[:6] {
			return nil, fmt.Errorf("binned cache version %q is not supported (want %q)", b[6:8], binMagic[6:])
		}
		return nil, fmt.Errorf("not a binned cache file (no %q header)", binMagic)
	}
	if want != nil && !bytes.Equal(b[8:40], want[:]) {
		return nil, errStale
	}
	body := b[:len(b)-4]
	if checksum && crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, fmt.Errorf("binned cache is corrupt or truncated (checksum mismatch)")
	}
	var h [7]uint64
	for i := range h {
		h[i] = binary.LittleEndian.Uint64(b[40+8*i:])
	}
	n, steps, dur, bin, ch, classes, entries := h[0], h[1], h[2], h[3], h[4], h[5], h[6] // entries: data bytes
	size := uint64(len(body))
	if n > size/12 || classes > size/4 || entries > size || steps == 0 || ch == 0 || steps > 1<<32 || ch > 1<<32 || steps*ch > 1<<32 || dur == 0 || dur > 1<<62 || bin > 1 {
		return nil, fmt.Errorf("binned cache header is inconsistent (n %d, steps %d, channels %d, classes %d, entries %d)", n, steps, ch, classes, entries)
	}
	p := body[head:]
	bn := &Binned{Spec: BinSpec{Steps: int(steps), Duration: int64(dur), Binary: bin == 1}, Channels: int(ch)}
	bn.names = make([]string, classes)
	for i := range bn.names {
		if len(p) < 4 {
			return nil, fmt.Errorf("binned cache truncated in the class names")
		}
		l := uint64(binary.LittleEndian.Uint32(p))
		if l > uint64(len(p)-4) {
			return nil, fmt.Errorf("binned cache truncated in the class names")
		}
		bn.names[i] = string(p[4 : 4+l])
		p = p[4+l:]
	}
	if uint64(len(p)) != 4*n+8*(n+1)+entries {
		return nil, fmt.Errorf("binned cache of %d bytes after the names, the header needs %d", len(p), 4*n+8*(n+1)+entries)
	}
	bn.labels = make([]int32, n)
	for i := range bn.labels {
		l := int32(binary.LittleEndian.Uint32(p[4*i:]))
		if l < 0 || uint64(l) >= max(classes, 1) {
			return nil, fmt.Errorf("binned cache: label %d of sample %d outside [0, %d)", l, i, classes)
		}
		bn.labels[i] = l
	}
	p = p[4*n:]
	bn.offs = make([]int64, n+1)
	for i := range bn.offs {
		o := binary.LittleEndian.Uint64(p[8*i:])
		if o > entries || (i > 0 && int64(o) < bn.offs[i-1]) || (i == 0 && o != 0) {
			return nil, fmt.Errorf("binned cache: offset %d of sample %d is out of order", o, i)
		}
		bn.offs[i] = int64(o)
	}
	if uint64(bn.offs[n]) != entries {
		return nil, fmt.Errorf("binned cache: offsets end at %d, not at the %d entries", bn.offs[n], entries)
	}
	// The entries are checked as Sample decodes them (it stops at one
	// outside the grid), not here: loading stays a read and a checksum.
	bn.data = p[8*(n+1):]
	return bn, nil
}

// LoadOrBin returns ds binned on spec, from the cache file at cachePath
// when it holds the bins of the same key (FileKey of the source files,
// plus a description of any transform), sensor and spec; otherwise it
// bins ds with Bin and writes the cache (to a temporary file renamed into
// place, so a crash leaves no partial cache). A corrupt cache is rebuilt.
func LoadOrBin(cachePath, key string, ds Dataset, s Sensor, spec BinSpec, transform func([]Event) []Event) (*Binned, error) {
	key += "\nsensor=" + s.String()
	want := cacheKey(key, Sensor{s.Channels(), 1, 1}, spec)
	if st, err := os.Stat(cachePath); err == nil && st.Mode().IsRegular() {
		b, err := os.ReadFile(cachePath)
		if err == nil {
			if bn, err := decodeBinned(b, &want, true); err == nil {
				return bn, nil
			}
		}
	}
	bn, err := Bin(ds, s, spec, transform)
	if err != nil {
		return nil, err
	}
	out := EncodeBinned(bn, key)
	tmp, err := os.CreateTemp(filepath.Dir(cachePath), filepath.Base(cachePath)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("events: writing the bin cache: %v", err)
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("events: writing the bin cache %s: %v", cachePath, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("events: writing the bin cache %s: %v", cachePath, err)
	}
	if err := os.Rename(tmp.Name(), cachePath); err != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("events: writing the bin cache %s: %v", cachePath, err)
	}
	return bn, nil
}

// ReadBinned reads a cache file without checking its key.
func ReadBinned(path string) (*Binned, error) {
	if _, err := statRegular(path, DefaultMaxBytes); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bn, err := DecodeBinned(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return bn, nil
}

// Fill writes the samples idx as a batch-major [len(idx)][Steps][Channels]
// array into x and their classes into y, as datasets.Images.Fill does for
// images; use it with datasets.Order and datasets.Batches.
func (b *Binned) Fill(x []float32, y []int, idx []int) {
	n := b.Spec.Steps * b.Channels
	if len(x) < len(idx)*n || len(y) < len(idx) {
		panic(fmt.Sprintf("events: Fill of %d samples into %d values and %d labels", len(idx), len(x), len(y)))
	}
	for r, i := range idx {
		b.Sample(i, x[r*n:(r+1)*n])
		y[r] = b.Label(i)
	}
}

// FillTimeMajor writes the samples idx as a time-major
// [Steps][len(idx)][Channels] array into x (the layout of a network that
// steps through time over a batch) and their classes into y. scratch, of
// Steps·Channels values, is reused when long enough.
func (b *Binned) FillTimeMajor(x []float32, y []int, idx []int, scratch []float32) []float32 {
	bs, c := len(idx), b.Channels
	if len(x) < bs*b.Spec.Steps*c || len(y) < bs {
		panic(fmt.Sprintf("events: FillTimeMajor of %d samples into %d values and %d labels", bs, len(x), len(y)))
	}
	for r, i := range idx {
		scratch = b.Sample(i, scratch)
		for t := 0; t < b.Spec.Steps; t++ {
			copy(x[(t*bs+r)*c:(t*bs+r+1)*c], scratch[t*c:(t+1)*c])
		}
		y[r] = b.Label(i)
	}
	return scratch
}
