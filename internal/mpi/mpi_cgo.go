//go:build mpi

package mpi

/*
#cgo pkg-config: ompi-c
#include <stdlib.h>
#include <stdio.h>
#include <mpi.h>

// MPI_COMM_WORLD, MPI_INT, MPI_FLOAT, ... are macros (pointers to OpenMPI's
// predefined objects), which cgo cannot use: these wrappers name them.
static int bg_init(int *rank, int *size) {
	int provided, rc;
	rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
	if (rc != MPI_SUCCESS) return rc;
	MPI_Comm_rank(MPI_COMM_WORLD, rank);
	return MPI_Comm_size(MPI_COMM_WORLD, size);
}
static int bg_allgather_int(int x, int *out) {
	return MPI_Allgather(&x, 1, MPI_INT, out, 1, MPI_INT, MPI_COMM_WORLD);
}
static int bg_allgatherv_int(const int *send, int n, int *recv, const int *counts, const int *displs) {
	return MPI_Allgatherv(send, n, MPI_INT, recv, counts, displs, MPI_INT, MPI_COMM_WORLD);
}
static int bg_allgatherv_float(const float *send, int n, float *recv, const int *counts, const int *displs) {
	return MPI_Allgatherv(send, n, MPI_FLOAT, recv, counts, displs, MPI_FLOAT, MPI_COMM_WORLD);
}
static int bg_bcast_bytes(void *buf, int n) {
	return MPI_Bcast(buf, n, MPI_BYTE, 0, MPI_COMM_WORLD);
}
static int bg_gather_int(int x, int *out) {
	return MPI_Gather(&x, 1, MPI_INT, out, 1, MPI_INT, 0, MPI_COMM_WORLD);
}
static int bg_gatherv(const void *send, int n, void *recv, const int *counts, const int *displs, int isfloat) {
	MPI_Datatype t = isfloat ? MPI_FLOAT : MPI_INT;
	return MPI_Gatherv(send, n, t, recv, counts, displs, t, 0, MPI_COMM_WORLD);
}
static int bg_bcast(void *buf, int n, int isfloat) {
	return MPI_Bcast(buf, n, isfloat ? MPI_FLOAT : MPI_INT, 0, MPI_COMM_WORLD);
}
static int bg_max_double(double x, double *out) {
	return MPI_Allreduce(&x, out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
}
static int bg_sum_ll(long long x, long long *out) {
	return MPI_Allreduce(&x, out, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
}
static int bg_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static void bg_abort(int code, const char *msg) {
	fprintf(stderr, "%s\n", msg);
	fflush(stderr);
	MPI_Abort(MPI_COMM_WORLD, code);
}
static int bg_finalize(void) { return MPI_Finalize(); }
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"unsafe"
)

const enabled = true

var (
	once sync.Once
	mu   sync.Mutex // MPI_THREAD_SERIALIZED: one call at a time
)

// initOnce initializes MPI when this process was started by mpirun with
// more than one rank; otherwise the process is a world of one and MPI is
// never touched.
func initOnce() {
	once.Do(func() {
		n, err := strconv.Atoi(os.Getenv("OMPI_COMM_WORLD_SIZE"))
		if err != nil || n <= 1 {
			return
		}
		var r, s C.int
		if rc := C.bg_init(&r, &s); rc != 0 {
			fmt.Fprintf(os.Stderr, "braingo: MPI_Init failed (error %d)\n", int(rc))
			os.Exit(1)
		}
		rank, size = int(r), int(s)
	})
}

func check(what string, rc C.int) {
	if rc != 0 {
		abort(1, fmt.Sprintf("braingo: rank %d: %s failed (MPI error %d)", rank, what, int(rc)))
	}
}

func ptrInt32(s []int32) *C.int {
	if len(s) == 0 {
		return nil
	}
	return (*C.int)(unsafe.Pointer(&s[0]))
}

func displs(counts []int32) ([]int32, int) {
	d := make([]int32, len(counts))
	t := 0
	for r, c := range counts {
		d[r] = int32(t)
		t += int(c)
	}
	return d, t
}

func allgatherInt32(dst, local []int32, counts []int32) []int32 {
	mu.Lock()
	defer mu.Unlock()
	check("MPI_Allgather", C.bg_allgather_int(C.int(len(local)), ptrInt32(counts[:size])))
	d, total := displs(counts[:size])
	n0 := len(dst)
	dst = append(dst, make([]int32, total)...)
	check("MPI_Allgatherv", C.bg_allgatherv_int(ptrInt32(local), C.int(len(local)), ptrInt32(dst[n0:]), ptrInt32(counts[:size]), ptrInt32(d)))
	return dst
}

func allgatherFloat32(dst, local []float32, counts []int32) []float32 {
	mu.Lock()
	defer mu.Unlock()
	check("MPI_Allgather", C.bg_allgather_int(C.int(len(local)), ptrInt32(counts[:size])))
	d, total := displs(counts[:size])
	n0 := len(dst)
	dst = append(dst, make([]float32, total)...)
	var lp, dp *C.float
	if len(local) > 0 {
		lp = (*C.float)(unsafe.Pointer(&local[0]))
	}
	if total > 0 {
		dp = (*C.float)(unsafe.Pointer(&dst[n0]))
	}
	check("MPI_Allgatherv", C.bg_allgatherv_float(lp, C.int(len(local)), dp, ptrInt32(counts[:size]), ptrInt32(d)))
	return dst
}

func bcastBytes(buf []byte) {
	mu.Lock()
	defer mu.Unlock()
	check("MPI_Bcast", C.bg_bcast_bytes(unsafe.Pointer(&buf[0]), C.int(len(buf))))
}

func gatherv(dst unsafe.Pointer, local unsafe.Pointer, n int, isFloat C.int) {
	mu.Lock()
	defer mu.Unlock()
	counts := make([]int32, size)
	check("MPI_Gather", C.bg_gather_int(C.int(n), ptrInt32(counts)))
	d, _ := displs(counts)
	check("MPI_Gatherv", C.bg_gatherv(local, C.int(n), dst, ptrInt32(counts), ptrInt32(d), isFloat))
}

func gatherFloat32(dst, local []float32) {
	var dp, lp unsafe.Pointer
	if len(dst) > 0 {
		dp = unsafe.Pointer(&dst[0])
	}
	if len(local) > 0 {
		lp = unsafe.Pointer(&local[0])
	}
	gatherv(dp, lp, len(local), 1)
}

func gatherInt32(dst, local []int32) {
	var dp, lp unsafe.Pointer
	if len(dst) > 0 {
		dp = unsafe.Pointer(&dst[0])
	}
	if len(local) > 0 {
		lp = unsafe.Pointer(&local[0])
	}
	gatherv(dp, lp, len(local), 0)
}

func maxFloat64(x float64) float64 {
	mu.Lock()
	defer mu.Unlock()
	var out C.double
	check("MPI_Allreduce", C.bg_max_double(C.double(x), &out))
	return float64(out)
}

func sumInt64(x int64) int64 {
	mu.Lock()
	defer mu.Unlock()
	var out C.longlong
	check("MPI_Allreduce", C.bg_sum_ll(C.longlong(x), &out))
	return int64(out)
}

func barrier() {
	mu.Lock()
	defer mu.Unlock()
	check("MPI_Barrier", C.bg_barrier())
}

func abort(code int, msg string) {
	cs := C.CString(msg)
	C.bg_abort(C.int(code), cs)
	os.Exit(code) // MPI_Abort does not return
}

func finalize() {
	mu.Lock()
	defer mu.Unlock()
	C.bg_finalize()
}

func bcast(p unsafe.Pointer, n int, isFloat bool) {
	mu.Lock()
	defer mu.Unlock()
	f := C.int(0)
	if isFloat {
		f = 1
	}
	check("MPI_Bcast", C.bg_bcast(p, C.int(n), f))
}
