//go:build !mpi

package mpi

import "unsafe"

const enabled = false

func initOnce() {}

func allgatherInt32(dst, local []int32, counts []int32) []int32 { panic("mpi: no MPI in this build") }
func allgatherFloat32(dst, local []float32, counts []int32) []float32 {
	panic("mpi: no MPI in this build")
}
func bcastBytes(buf []byte)                       { panic("mpi: no MPI in this build") }
func gatherFloat32(dst, local []float32)          { panic("mpi: no MPI in this build") }
func gatherInt32(dst, local []int32)              { panic("mpi: no MPI in this build") }
func maxFloat64(x float64) float64                { panic("mpi: no MPI in this build") }
func sumInt64(x int64) int64                      { panic("mpi: no MPI in this build") }
func barrier()                                    {}
func abort(code int, msg string)                  {}
func finalize()                                   {}
func bcast(p unsafe.Pointer, n int, isFloat bool) { panic("mpi: no MPI in this build") }
