//go:build cudaemu

package gpu

// #cgo CXXFLAGS: -std=c++20 -O2
// #cgo LDFLAGS: -lstdc++ -lpthread
// #include <stdint.h>
// #include <stdlib.h>
// #include <string.h>
// static void emu_htod(uintptr_t dst, const void *src, size_t n) { memcpy((void *)dst, src, n); }
// static void emu_dtoh(void *dst, uintptr_t src, size_t n) { memcpy(dst, (const void *)src, n); }
// static void emu_free(uintptr_t p) { free((void *)p); }
// static void emu_memset32(uintptr_t dst, uint32_t v, size_t n) {
//	uint32_t *p = (uint32_t *)dst;
//	for (size_t i = 0; i < n; i++) p[i] = v;
// }
// int emu_launch(const char *name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
//	unsigned bz, const uint64_t *args, int nargs);
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// The emulator: kernels.h compiled as C++ (emu.cc) with device memory in
// the C heap. Launches are synchronous.
type emuDriver struct{}

func init() {
	register(backend{
		name: "emu",
		open: func(ordinal int) (driver, error) {
			if ordinal != 0 {
				return nil, fmt.Errorf("the emulator has one device, not %d", ordinal+1)
			}
			return emuDriver{}, nil
		},
		devices: func() ([]Info, error) { return []Info{emuDriver{}.info()}, nil },
		version: func() string { return "" },
	})
}

func (emuDriver) info() Info {
	return Info{Name: "CPU emulator of kernels.h", Driver: "emulator"}
}

func (emuDriver) alloc(bytes int64) (uintptr, error) {
	p := C.malloc(C.size_t(bytes))
	if p == nil {
		return 0, errors.New("out of memory")
	}
	return uintptr(p), nil
}

func (emuDriver) free(p uintptr) { C.emu_free(C.uintptr_t(p)) }

func (emuDriver) htod(dst uintptr, src unsafe.Pointer, bytes int64) error {
	C.emu_htod(C.uintptr_t(dst), src, C.size_t(bytes))
	return nil
}

func (emuDriver) dtoh(dst unsafe.Pointer, src uintptr, bytes int64) error {
	C.emu_dtoh(dst, C.uintptr_t(src), C.size_t(bytes))
	return nil
}

func (emuDriver) memset32(dst uintptr, v uint32, n int64) error {
	C.emu_memset32(C.uintptr_t(dst), C.uint32_t(v), C.size_t(n))
	return nil
}

// emuMu serializes launches: the emulator's scheduler state is global.
var emuMu sync.Mutex

func (emuDriver) launch(fn string, grid, block [3]int, a []uint64) error {
	emuMu.Lock()
	defer emuMu.Unlock()
	name := C.CString(fn)
	defer C.free(unsafe.Pointer(name))
	cells := C.malloc(C.size_t(8 * max(len(a), 1)))
	defer C.free(cells)
	copy(unsafe.Slice((*uint64)(cells), len(a)), a)
	switch C.emu_launch(name, C.uint(grid[0]), C.uint(grid[1]), C.uint(grid[2]), C.uint(block[0]), C.uint(block[1]),
		C.uint(block[2]), (*C.uint64_t)(cells), C.int(len(a))) {
	case 0:
		return nil
	case 1:
		return errors.New("no such kernel in the emulator's table")
	default:
		return fmt.Errorf("wrong number of arguments (%d)", len(a))
	}
}

func (emuDriver) sync() error  { return nil }
func (emuDriver) close() error { return nil }
