//go:build cuda

package gpu

import (
	_ "embed"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"gorgonia.org/cu"
)

// The PTX of kernels.h (go generate, generate.go): compute_90 for devices
// of compute capability 9.0 and up, compute_80 for the others; the driver
// compiles it for the device on load.
var (
	//go:embed ptx/kernels_80.ptx
	ptx80 string
	//go:embed ptx/kernels_90.ptx
	ptx90 string
)

func init() {
	register(backend{name: "cuda", open: openCU, devices: cuDevices, version: cuVersion})
}

// cuVersion is the driver's CUDA version (cuDriverGetVersion needs no
// cuInit, so it answers on a machine without a device too).
func cuVersion() string {
	v := cu.Version()
	if v <= 0 {
		return ""
	}
	return fmt.Sprintf("CUDA %d.%d", v/1000, v%1000/10)
}

func cuInfo(ordinal int) (Info, error) {
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		return Info{}, err
	}
	name, err := dev.Name()
	if err != nil {
		return Info{}, err
	}
	mem, err := dev.TotalMem()
	if err != nil {
		return Info{}, err
	}
	major, err := dev.Attribute(cu.ComputeCapabilityMajor)
	if err != nil {
		return Info{}, err
	}
	minor, err := dev.Attribute(cu.ComputeCapabilityMinor)
	if err != nil {
		return Info{}, err
	}
	return Info{Ordinal: ordinal, Name: name, Major: major, Minor: minor, MemBytes: mem, Driver: cuVersion()}, nil
}

func cuDevices() ([]Info, error) {
	if err := cu.Init(); err != nil {
		return nil, fmt.Errorf("no usable CUDA driver or device (cuInit: %v)", err)
	}
	n, err := cu.NumDevices()
	if err != nil {
		return nil, err
	}
	var out []Info
	for i := 0; i < n; i++ {
		in, err := cuInfo(i)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// cuDriver holds a context of its own on one device. CUDA binds a context
// to an OS thread, so every call locks the goroutine to its thread and
// makes the context current first.
type cuDriver struct {
	in  Info
	ctx cu.CUContext
	mod cu.Module
	mu  sync.Mutex
	fns map[string]cu.Function
}

func openCU(ordinal int) (driver, error) {
	devs, err := cuDevices()
	if err != nil {
		return nil, err
	}
	if len(devs) == 0 {
		return nil, fmt.Errorf("no CUDA device")
	}
	if ordinal < 0 || ordinal >= len(devs) {
		return nil, fmt.Errorf("no CUDA device %d (%d present)", ordinal, len(devs))
	}
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		return nil, err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx, err := dev.MakeContext(cu.SchedAuto)
	if err != nil {
		return nil, fmt.Errorf("creating a context on device %d: %v", ordinal, err)
	}
	src := ptx80
	if devs[ordinal].Major >= 9 {
		src = ptx90
	}
	mod, err := cu.LoadData(src)
	if err != nil {
		ctx.Destroy()
		return nil, fmt.Errorf("loading the kernels' PTX on %s (compute %d.%d): %v", devs[ordinal].Name,
			devs[ordinal].Major, devs[ordinal].Minor, err)
	}
	return &cuDriver{in: devs[ordinal], ctx: ctx, mod: mod, fns: map[string]cu.Function{}}, nil
}

// do runs f on a locked thread with d's context current.
func (d *cuDriver) do(f func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cu.SetCurrentContext(d.ctx); err != nil {
		return err
	}
	return f()
}

func (d *cuDriver) info() Info { return d.in }

func (d *cuDriver) alloc(bytes int64) (uintptr, error) {
	var p cu.DevicePtr
	err := d.do(func() (err error) { p, err = cu.MemAlloc(bytes); return })
	return uintptr(p), err
}

func (d *cuDriver) free(p uintptr) { d.do(func() error { return cu.MemFree(cu.DevicePtr(p)) }) }

func (d *cuDriver) htod(dst uintptr, src unsafe.Pointer, bytes int64) error {
	return d.do(func() error { return cu.MemcpyHtoD(cu.DevicePtr(dst), src, bytes) })
}

func (d *cuDriver) dtoh(dst unsafe.Pointer, src uintptr, bytes int64) error {
	return d.do(func() error { return cu.MemcpyDtoH(dst, cu.DevicePtr(src), bytes) })
}

func (d *cuDriver) memset32(dst uintptr, v uint32, n int64) error {
	return d.do(func() error { return cu.MemsetD32(cu.DevicePtr(dst), v, n) })
}

func (d *cuDriver) function(name string) (cu.Function, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f, ok := d.fns[name]; ok {
		return f, nil
	}
	f, err := d.mod.Function(name)
	if err != nil {
		return f, fmt.Errorf("kernel not in the PTX: %v", err)
	}
	d.fns[name] = f
	return f, nil
}

func (d *cuDriver) launch(fn string, grid, block [3]int, a []uint64) error {
	f, err := d.function(fn)
	if err != nil {
		return err
	}
	params := make([]unsafe.Pointer, len(a))
	for i := range a {
		params[i] = unsafe.Pointer(&a[i])
	}
	return d.do(func() error {
		return f.Launch(grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, cu.Stream{}, params)
	})
}

func (d *cuDriver) sync() error { return d.do(cu.Synchronize) }

func (d *cuDriver) close() error {
	return d.do(func() error {
		d.mod.Unload()
		return d.ctx.Destroy()
	})
}
