package sysinfo

import (
	"runtime"
	"testing"
)

func TestPeakRSSMB(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before := PeakRSSMB()
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after := PeakRSSMB()
	if before <= 0 || after < before+60 {
		t.Fatalf("peak RSS %v MiB before and %v MiB after touching 64 MiB", before, after)
	}
	runtime.KeepAlive(buf)
}
