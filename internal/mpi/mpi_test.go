package mpi

import (
	"slices"
	"testing"
)

func TestPart(t *testing.T) {
	for _, n := range []int{1, 5, 4000, 1_000_000, 1 << 31} {
		for _, size := range []int{1, 2, 3, 4, 7} {
			if size > n {
				continue
			}
			next := 0
			for r := 0; r < size; r++ {
				lo, hi := Part(n, r, size)
				if lo != next || hi-lo < n/size || hi-lo > n/size+1 {
					t.Fatalf("Part(%d, %d, %d) = [%d, %d)", n, r, size, lo, hi)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("Part(%d, ·, %d) covers [0, %d)", n, size, next)
			}
		}
	}
}

// Outside mpirun every process is a world of one, in either build.
func TestWorldOfOne(t *testing.T) {
	if Size() != 1 || Rank() != 0 {
		t.Skip("running under mpirun")
	}
	counts := make([]int32, 1)
	got := AllgatherInt32([]int32{9}, []int32{1, 2}, counts)
	if !slices.Equal(got, []int32{9, 1, 2}) || counts[0] != 2 {
		t.Fatalf("AllgatherInt32: %v, counts %v", got, counts)
	}
	f := AllgatherFloat32([]float32{9}, []float32{1, 2}, counts)
	if !slices.Equal(f, []float32{9, 1, 2}) || counts[0] != 2 {
		t.Fatalf("AllgatherFloat32: %v, counts %v", f, counts)
	}
	b := []byte{1, 2}
	BcastBytes(b)
	if !slices.Equal(b, []byte{1, 2}) {
		t.Fatalf("BcastBytes: %v", b)
	}
	dst := make([]float32, 2)
	GatherFloat32(dst, []float32{3, 4})
	if !slices.Equal(dst, []float32{3, 4}) || MaxFloat64(2.5) != 2.5 || SumInt64(7) != 7 {
		t.Fatal("gather or reduce of a world of one")
	}
}
