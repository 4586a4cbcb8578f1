package kernels

import "golang.org/x/sys/cpu"

// Instruction-set features the assembly paths need, read once at start-up.
// Tests may clear them to exercise the portable Go paths.
var (
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)
