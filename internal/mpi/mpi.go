// Package mpi is the little of MPI braingo needs to run one job on several
// processes: the rank and size of the world, gathering spike lists and state
// arrays, and aborting the whole job when one process fails.
//
// The default build has no MPI: every process is a world of one (Size 1,
// Rank 0) and the collectives copy their input. Built with the mpi tag
// (make mpi), the functions call OpenMPI through cgo (mpi_cgo.go); a
// process not started by mpirun (no OMPI_COMM_WORLD_SIZE in its
// environment) still runs as a world of one and never initializes MPI, so
// the same binary serves single-process runs and tests.
//
// MPI is process-global, so the world is too: Init is called once, lazily,
// by the first function that needs it. Calls are serialized (MPI is
// initialized with MPI_THREAD_SERIALIZED); collectives must be made by every
// rank in the same order, as MPI requires.
package mpi

import (
	"fmt"
	"unsafe"
)

// Size returns the number of processes of the job (1 without MPI).
func Size() int { initOnce(); return size }

// Rank returns this process's rank in [0, Size()).
func Rank() int { initOnce(); return rank }

// Enabled reports whether this build calls MPI (the mpi build tag).
func Enabled() bool { return enabled }

var size, rank = 1, 0

// Part returns the contiguous block [lo, hi) of n items owned by rank r of
// size ranks: lo = r·n/size, so block sizes differ by at most one.
func Part(n, r, size int) (lo, hi int) {
	if size <= 0 || r < 0 || r >= size {
		panic(fmt.Sprintf("mpi: Part: rank %d of %d", r, size))
	}
	return int(int64(r) * int64(n) / int64(size)), int(int64(r+1) * int64(n) / int64(size))
}

// AllgatherInt32 appends to dst the concatenation, in rank order, of every
// rank's local slice and returns it (MPI_Allgather of the counts, then
// MPI_Allgatherv). counts receives each rank's length (Size() entries).
func AllgatherInt32(dst, local []int32, counts []int32) []int32 {
	initOnce()
	if size == 1 {
		counts[0] = int32(len(local))
		return append(dst, local...)
	}
	return allgatherInt32(dst, local, counts)
}

// AllgatherFloat32 is AllgatherInt32 for float32 values: every rank gets
// every rank's slice, in rank order, appended to dst, bit for bit (the
// values are copied, never combined).
func AllgatherFloat32(dst, local []float32, counts []int32) []float32 {
	initOnce()
	if size == 1 {
		counts[0] = int32(len(local))
		return append(dst, local...)
	}
	return allgatherFloat32(dst, local, counts)
}

// BcastBytes copies rank 0's buf into every rank's buf (the same length on
// every rank).
func BcastBytes(buf []byte) {
	initOnce()
	if size > 1 && len(buf) > 0 {
		bcastBytes(buf)
	}
}

// GatherFloat32 gathers every rank's local slice, in rank order, into dst on
// rank 0 (which must hold the sum of their lengths); dst is unused on the
// other ranks.
func GatherFloat32(dst, local []float32) {
	initOnce()
	if size == 1 {
		copy(dst, local)
		return
	}
	gatherFloat32(dst, local)
}

// GatherInt32 is GatherFloat32 for int32 values.
func GatherInt32(dst, local []int32) {
	initOnce()
	if size == 1 {
		copy(dst, local)
		return
	}
	gatherInt32(dst, local)
}

// BcastFloat32 copies rank 0's buf into every rank's buf (the same length
// on every rank).
func BcastFloat32(buf []float32) {
	initOnce()
	if size > 1 && len(buf) > 0 {
		bcast(unsafePointer(buf), len(buf), true)
	}
}

// BcastInt32 is BcastFloat32 for int32 values.
func BcastInt32(buf []int32) {
	initOnce()
	if size > 1 && len(buf) > 0 {
		bcast(unsafePointer(buf), len(buf), false)
	}
}

// MaxFloat64 returns the largest x over all ranks (every rank gets it).
func MaxFloat64(x float64) float64 {
	initOnce()
	if size == 1 {
		return x
	}
	return maxFloat64(x)
}

// SumInt64 returns the sum of x over all ranks (every rank gets it; integer
// sums do not depend on the order).
func SumInt64(x int64) int64 {
	initOnce()
	if size == 1 {
		return x
	}
	return sumInt64(x)
}

// Barrier waits for every rank.
func Barrier() {
	initOnce()
	if size > 1 {
		barrier()
	}
}

// Abort ends the whole job with exit status code after printing msg, which
// should name the rank and the cause, to standard error (MPI_Abort: the
// other ranks are killed, none hangs in a collective). Without MPI it
// returns and the caller exits as usual.
func Abort(code int, msg string) {
	if size > 1 {
		abort(code, msg)
	}
}

// Finalize shuts MPI down; call it once, at the end of a successful run,
// on every rank.
func Finalize() {
	if size > 1 {
		finalize()
	}
}

// unsafePointer returns the address of the first element of a non-empty
// slice of 4-byte values.
func unsafePointer[T float32 | int32](s []T) unsafe.Pointer { return unsafe.Pointer(&s[0]) }
