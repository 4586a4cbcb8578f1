package gpu

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unsafe"
)

// Info describes one device.
type Info struct {
	Ordinal  int    `json:"ordinal"`
	Name     string `json:"name"`
	Major    int    `json:"cc_major"` // compute capability
	Minor    int    `json:"cc_minor"`
	MemBytes int64  `json:"mem_bytes"`
	Driver   string `json:"driver"` // "cuda 13.0", or "emulator"
}

func (i Info) String() string {
	return fmt.Sprintf("%d: %s (compute %d.%d, %.1f GiB, %s)", i.Ordinal, i.Name, i.Major, i.Minor,
		float64(i.MemBytes)/(1<<30), i.Driver)
}

// driver is what a backend provides: device memory as addresses, copies,
// and launches of the kernels of kernels.h by name. Arguments travel as
// 64-bit cells (see arg). Launches may be asynchronous; sync waits.
type driver interface {
	info() Info
	alloc(bytes int64) (uintptr, error)
	free(p uintptr)
	htod(dst uintptr, src unsafe.Pointer, bytes int64) error
	dtoh(dst unsafe.Pointer, src uintptr, bytes int64) error
	memset32(dst uintptr, v uint32, n int64) error
	launch(fn string, grid, block [3]int, args []uint64) error
	sync() error
	close() error
}

// A backend opens the device of an ordinal or lists the devices.
type backend struct {
	name    string
	open    func(ordinal int) (driver, error)
	devices func() ([]Info, error)
	version func() string // the driver's version, "" when none
}

var backends []backend

// register adds a backend; builds with the cuda or cudaemu tag call it from
// init. Earlier registrations are preferred by Open.
func register(b backend) {
	for _, o := range backends {
		if o.name == b.name {
			panic("gpu: backend " + b.name + " registered twice")
		}
	}
	backends = append(backends, b)
	sort.SliceStable(backends, func(i, j int) bool { return backends[i].name == "cuda" && backends[j].name != "cuda" })
}

// ErrNotBuilt is returned by Open in a build without the cuda (or cudaemu)
// tag.
var ErrNotBuilt = errors.New("this braingo was built without CUDA: build bin/braingo-cuda with make cuda")

// Built reports whether the build has a CUDA backend, and its names.
func Built() (bool, []string) {
	var names []string
	for _, b := range backends {
		names = append(names, b.name)
	}
	return len(backends) > 0, names
}

// Devices lists the devices of the build's backends, with the driver's
// version ("" when no driver could be loaded), or ErrNotBuilt.
func Devices() ([]Info, string, error) {
	if len(backends) == 0 {
		return nil, "", ErrNotBuilt
	}
	var all []Info
	var errs []string
	version := ""
	for _, b := range backends {
		if v := b.version(); v != "" && version == "" {
			version = v
		}
		d, err := b.devices()
		if err != nil {
			errs = append(errs, b.name+": "+err.Error())
			continue
		}
		all = append(all, d...)
	}
	if len(all) == 0 && len(errs) == 1 {
		_, msg, _ := strings.Cut(errs[0], ": ")
		return nil, version, errors.New(msg)
	}
	if len(all) == 0 && len(errs) > 0 {
		return nil, version, errors.New(strings.Join(errs, "; "))
	}
	return all, version, nil
}

// Device is an open device: a driver and the buffers allocated through it.
// A Device is not safe for concurrent use.
type Device struct {
	drv  driver
	live map[uintptr]int64
}

// Open opens device ordinal of the first backend that has one: the real
// driver before the emulator. backendName "" takes any; "cuda" or "emu"
// insists on one.
func Open(ordinal int, backendName string) (*Device, error) {
	if len(backends) == 0 {
		return nil, ErrNotBuilt
	}
	var errs []string
	for _, b := range backends {
		if backendName != "" && b.name != backendName {
			continue
		}
		d, err := b.open(ordinal)
		if err != nil {
			errs = append(errs, b.name+": "+err.Error())
			continue
		}
		return &Device{drv: d, live: map[uintptr]int64{}}, nil
	}
	switch len(errs) {
	case 0:
		return nil, fmt.Errorf("no GPU backend named %q in this build", backendName)
	case 1:
		_, msg, _ := strings.Cut(errs[0], ": ")
		return nil, errors.New(msg)
	}
	return nil, errors.New(strings.Join(errs, "; "))
}

// Info describes the device.
func (d *Device) Info() Info { return d.drv.info() }

// Emulated reports whether d is the CPU emulator.
func (d *Device) Emulated() bool { return d.drv.info().Driver == "emulator" }

// Close frees every live buffer and releases the device.
func (d *Device) Close() error {
	for p := range d.live {
		d.drv.free(p)
	}
	d.live = nil
	return d.drv.close()
}

// Sync waits for the launched kernels to finish and returns the first
// error of any.
func (d *Device) Sync() error { return d.drv.sync() }

// Buf is a device array of 4-byte elements (float32 or int32). A Buf made
// by At is a view: freeing it is a no-op.
type Buf struct {
	ptr  uintptr
	n    int
	view bool
}

// Len is the number of elements.
func (b *Buf) Len() int { return b.n }

// At returns the view of b's elements [off, off+n).
func (b *Buf) At(off, n int) *Buf {
	if off < 0 || n < 0 || off+n > b.n {
		panic(fmt.Sprintf("gpu: Buf.At(%d, %d) of %d elements", off, n, b.n))
	}
	return &Buf{ptr: b.ptr + uintptr(4*off), n: n, view: true}
}

// Alloc allocates n 4-byte elements, zeroed.
func (d *Device) Alloc(n int) (*Buf, error) {
	if n < 0 {
		panic("gpu: Alloc: negative size")
	}
	bytes := int64(max(n, 1)) * 4
	p, err := d.drv.alloc(bytes)
	if err != nil {
		return nil, fmt.Errorf("gpu: allocating %d MiB: %w", bytes>>20, err)
	}
	d.live[p] = bytes
	b := &Buf{ptr: p, n: n}
	if err := d.drv.memset32(p, 0, int64(max(n, 1))); err != nil {
		return nil, err
	}
	return b, nil
}

// Free frees b (a no-op for views and nil).
func (d *Device) Free(b *Buf) {
	if b == nil || b.view || b.ptr == 0 {
		return
	}
	if _, ok := d.live[b.ptr]; ok {
		delete(d.live, b.ptr)
		d.drv.free(b.ptr)
	}
	b.ptr, b.n = 0, 0
}

// LiveBytes is the memory held by the buffers not yet freed.
func (d *Device) LiveBytes() int64 {
	var s int64
	for _, v := range d.live {
		s += v
	}
	return s
}

func checkCopy(name string, b *Buf, n int) {
	if n > b.n {
		panic(fmt.Sprintf("gpu: %s: %d elements into a buffer of %d", name, n, b.n))
	}
}

// Upload copies src into b's first len(src) elements.
func (d *Device) Upload(b *Buf, src []float32) error {
	checkCopy("Upload", b, len(src))
	if len(src) == 0 {
		return nil
	}
	return d.drv.htod(b.ptr, unsafe.Pointer(&src[0]), int64(len(src))*4)
}

// UploadInt32 copies src into b's first len(src) elements.
func (d *Device) UploadInt32(b *Buf, src []int32) error {
	checkCopy("UploadInt32", b, len(src))
	if len(src) == 0 {
		return nil
	}
	return d.drv.htod(b.ptr, unsafe.Pointer(&src[0]), int64(len(src))*4)
}

// Download copies b's first len(dst) elements into dst.
func (d *Device) Download(dst []float32, b *Buf) error {
	checkCopy("Download", b, len(dst))
	if len(dst) == 0 {
		return nil
	}
	return d.drv.dtoh(unsafe.Pointer(&dst[0]), b.ptr, int64(len(dst))*4)
}

// DownloadInt32 copies b's first len(dst) elements into dst.
func (d *Device) DownloadInt32(dst []int32, b *Buf) error {
	checkCopy("DownloadInt32", b, len(dst))
	if len(dst) == 0 {
		return nil
	}
	return d.drv.dtoh(unsafe.Pointer(&dst[0]), b.ptr, int64(len(dst))*4)
}

// Fill sets b's elements to v.
func (d *Device) Fill(b *Buf, v float32) error {
	if b.n == 0 {
		return nil
	}
	return d.drv.memset32(b.ptr, math.Float32bits(v), int64(b.n))
}

// FillInt32 sets b's elements to v.
func (d *Device) FillInt32(b *Buf, v int32) error {
	if b.n == 0 {
		return nil
	}
	return d.drv.memset32(b.ptr, uint32(v), int64(b.n))
}

// arg packs kernel arguments into 64-bit cells, each value in its low bytes
// (a little-endian device reads a 4-byte parameter from the first four).
// Pointers are *Buf (nil passes NULL); int, int32, uint32, uint64, float32,
// float64 and bool (as int) are the other kinds.
func args(vs ...any) []uint64 {
	c := make([]uint64, len(vs))
	for i, v := range vs {
		switch x := v.(type) {
		case *Buf:
			if x != nil {
				c[i] = uint64(x.ptr)
			}
		case int:
			if x != int(int32(x)) {
				panic(fmt.Sprintf("gpu: argument %d: %d does not fit an int", i, x))
			}
			c[i] = uint64(uint32(int32(x)))
		case int32:
			c[i] = uint64(uint32(x))
		case uint32:
			c[i] = uint64(x)
		case uint64:
			c[i] = x
		case float32:
			c[i] = uint64(math.Float32bits(x))
		case float64:
			c[i] = math.Float64bits(x)
		case bool:
			if x {
				c[i] = 1
			}
		default:
			panic(fmt.Sprintf("gpu: argument %d: unsupported type %T", i, v))
		}
	}
	return c
}

// launch1 launches fn over n threads in blocks of 256.
func (d *Device) launch1(fn string, n int, a []uint64) error {
	if n <= 0 {
		return nil
	}
	return d.launch(fn, [3]int{(n + 255) / 256, 1, 1}, [3]int{256, 1, 1}, a)
}

func (d *Device) launch(fn string, grid, block [3]int, a []uint64) error {
	for _, g := range grid {
		if g <= 0 {
			return nil
		}
	}
	// CUDA's limits on a grid: 2³¹−1 blocks along x, 65,535 along y and z.
	if grid[0] > math.MaxInt32 || grid[1] > 65535 || grid[2] > 65535 {
		return fmt.Errorf("gpu: %s: grid %v exceeds CUDA's limits (x < 2³¹, y and z ≤ 65,535)", fn, grid)
	}
	if err := d.drv.launch(fn, grid, block, a); err != nil {
		return fmt.Errorf("gpu: %s: %w", fn, err)
	}
	return nil
}
