#include "textflag.h"

// func lifCondAVX512(v, ge, gi *float32, last *int32, blocks int, t int32, p *LIFCond, mask *uint16)
//
// Runs lifCondStepGo's update on blocks×16 neurons, 16 per iteration, with
// the same operations in the same order (no fused multiply-add), and writes
// the spike mask of each block of 16 neurons to mask[block].
TEXT ·lifCondAVX512(SB), NOSPLIT, $0-64
	MOVQ v+0(FP), SI
	MOVQ ge+8(FP), DI
	MOVQ gi+16(FP), R8
	MOVQ last+24(FP), R9
	MOVQ blocks+32(FP), CX
	MOVL t+40(FP), AX
	MOVQ p+48(FP), DX
	MOVQ mask+56(FP), R10

	VPBROADCASTD AX, Z25          // t
	VBROADCASTSS 0(DX), Z16       // C
	VMOVSS       4(DX), X0        // El
	VADDSS       8(DX), X0, X0    // El + I
	VBROADCASTSS X0, Z17          // k0
	VBROADCASTSS 12(DX), Z18      // Ee
	VBROADCASTSS 16(DX), Z19      // Ei
	VBROADCASTSS 20(DX), Z20      // DecE
	VBROADCASTSS 24(DX), Z21      // DecI
	VBROADCASTSS 28(DX), Z22      // Vth
	VBROADCASTSS 32(DX), Z23      // Vr
	VPBROADCASTD 36(DX), Z24      // RefSteps
	MOVL         $0x3f800000, BX
	VPBROADCASTD BX, Z26          // 1.0

	TESTQ CX, CX
	JZ    done

loop:
	VMOVUPS   (SI), Z0            // x
	VMOVUPS   (DI), Z1            // e
	VMOVUPS   (R8), Z2            // h
	VMOVDQU32 (R9), Z3            // last
	VMULPS    Z20, Z1, Z4
	VMOVUPS   Z4, (DI)            // ge = e·DecE
	VMULPS    Z21, Z2, Z5
	VMOVUPS   Z5, (R8)            // gi = h·DecI
	VPSUBD    Z3, Z25, Z6         // t − last
	VPCMPD    $5, Z24, Z6, K1     // K1: t − last >= RefSteps (not refractory)
	VMULPS    Z18, Z1, Z7         // e·Ee
	VADDPS    Z7, Z17, Z7         // k0 + e·Ee
	VMULPS    Z19, Z2, Z8         // h·Ei
	VADDPS    Z8, Z7, Z7          // a
	VADDPS    Z1, Z26, Z9         // 1 + e
	VADDPS    Z2, Z9, Z9          // b
	VMULPS    Z0, Z9, Z9          // b·x
	VSUBPS    Z9, Z7, Z9          // a − b·x
	VMULPS    Z9, Z16, Z9         // C·(a − b·x)
	VADDPS    Z9, Z0, K1, Z0      // x += … where not refractory
	VCMPPS    $0x1e, Z22, Z0, K1, K2 // K2: spike (x > Vth and not refractory)
	VMOVAPS   Z23, K2, Z0         // reset
	VMOVUPS   Z0, (SI)
	VMOVDQU32 Z25, K2, (R9)       // last = t where spiked
	KMOVW     K2, (R10)

	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $2, R10
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
