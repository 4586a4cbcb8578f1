#include "textflag.h"

// func rowSum128AVX512(dst, w *float32, ldw int, idx *int32, nidx int, acc bool)
TEXT ·rowSum128AVX512(SB), NOSPLIT, $0-41
	MOVQ    dst+0(FP), DI
	MOVQ    w+8(FP), SI
	MOVQ    ldw+16(FP), R8
	SHLQ    $2, R8
	MOVQ    idx+24(FP), BX
	MOVQ    nidx+32(FP), CX
	MOVBLZX acc+40(FP), AX
	TESTL   AX, AX
	JEQ     zero128
	VMOVUPS (DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3
	VMOVUPS 256(DI), Z4
	VMOVUPS 320(DI), Z5
	VMOVUPS 384(DI), Z6
	VMOVUPS 448(DI), Z7
	JMP     loop128

zero128:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

loop128:
	MOVLQSX (BX), DX
	IMULQ   R8, DX
	ADDQ    SI, DX
	VADDPS  (DX), Z0, Z0
	VADDPS  64(DX), Z1, Z1
	VADDPS  128(DX), Z2, Z2
	VADDPS  192(DX), Z3, Z3
	VADDPS  256(DX), Z4, Z4
	VADDPS  320(DX), Z5, Z5
	VADDPS  384(DX), Z6, Z6
	VADDPS  448(DX), Z7, Z7
	ADDQ    $4, BX
	DECQ    CX
	JNE     loop128

	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VZEROUPPER
	RET

// func rowSum112AVX512(dst, w *float32, ldw int, idx *int32, nidx int, acc bool, masks *[8]uint16)
TEXT ·rowSum112AVX512(SB), NOSPLIT, $0-56
	MOVQ    dst+0(FP), DI
	MOVQ    w+8(FP), SI
	MOVQ    ldw+16(FP), R8
	SHLQ    $2, R8
	MOVQ    idx+24(FP), BX
	MOVQ    nidx+32(FP), CX
	MOVQ    masks+48(FP), R9
	KMOVW   0(R9), K1
	KMOVW   2(R9), K2
	KMOVW   4(R9), K3
	KMOVW   6(R9), K4
	KMOVW   8(R9), K5
	KMOVW   10(R9), K6
	KMOVW   12(R9), K7
	MOVBLZX acc+40(FP), AX
	TESTL   AX, AX
	JEQ     zero112
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z 64(DI), K2, Z1
	VMOVUPS.Z 128(DI), K3, Z2
	VMOVUPS.Z 192(DI), K4, Z3
	VMOVUPS.Z 256(DI), K5, Z4
	VMOVUPS.Z 320(DI), K6, Z5
	VMOVUPS.Z 384(DI), K7, Z6
	JMP     loop112

zero112:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6

loop112:
	MOVLQSX (BX), DX
	IMULQ   R8, DX
	ADDQ    SI, DX
	VADDPS  (DX), Z0, K1, Z0
	VADDPS  64(DX), Z1, K2, Z1
	VADDPS  128(DX), Z2, K3, Z2
	VADDPS  192(DX), Z3, K4, Z3
	VADDPS  256(DX), Z4, K5, Z4
	VADDPS  320(DX), Z5, K6, Z5
	VADDPS  384(DX), Z6, K7, Z6
	ADDQ    $4, BX
	DECQ    CX
	JNE     loop112

	VMOVUPS Z0, K1, (DI)
	VMOVUPS Z1, K2, 64(DI)
	VMOVUPS Z2, K3, 128(DI)
	VMOVUPS Z3, K4, 192(DI)
	VMOVUPS Z4, K5, 256(DI)
	VMOVUPS Z5, K6, 320(DI)
	VMOVUPS Z6, K7, 384(DI)
	VZEROUPPER
	RET

DATA iota16<>+0(SB)/4, $0
DATA iota16<>+4(SB)/4, $1
DATA iota16<>+8(SB)/4, $2
DATA iota16<>+12(SB)/4, $3
DATA iota16<>+16(SB)/4, $4
DATA iota16<>+20(SB)/4, $5
DATA iota16<>+24(SB)/4, $6
DATA iota16<>+28(SB)/4, $7
DATA iota16<>+32(SB)/4, $8
DATA iota16<>+36(SB)/4, $9
DATA iota16<>+40(SB)/4, $10
DATA iota16<>+44(SB)/4, $11
DATA iota16<>+48(SB)/4, $12
DATA iota16<>+52(SB)/4, $13
DATA iota16<>+56(SB)/4, $14
DATA iota16<>+60(SB)/4, $15
GLOBL iota16<>(SB), RODATA|NOPTR, $64

// func compressNonzeroAVX512(idx *int32, s *float32, n int) int
TEXT ·compressNonzeroAVX512(SB), NOSPLIT, $0-32
	MOVQ         idx+0(FP), DI
	MOVQ         s+8(FP), SI
	MOVQ         n+16(FP), CX
	XORQ         R9, R9
	VMOVDQU32    iota16<>(SB), Z30
	MOVL         $16, AX
	VPBROADCASTD AX, Z29
	VPXORD       Z31, Z31, Z31

cloop:
	CMPQ        CX, $16
	JLT         ctail
	VMOVUPS     (SI), Z0
	VCMPPS      $4, Z31, Z0, K1
	VPCOMPRESSD Z30, K1, Z1
	VMOVDQU32   Z1, (DI)(R9*4)
	KMOVW       K1, AX
	POPCNTL     AX, AX
	ADDQ        AX, R9
	VPADDD      Z29, Z30, Z30
	ADDQ        $64, SI
	SUBQ        $16, CX
	JMP         cloop

ctail:
	TESTQ       CX, CX
	JEQ         cdone
	MOVL        $1, AX
	SHLL        CX, AX
	DECL        AX
	KMOVW       AX, K2
	VMOVUPS.Z   (SI), K2, Z0
	VCMPPS      $4, Z31, Z0, K2, K1
	VPCOMPRESSD Z30, K1, Z1
	VMOVDQU32   Z1, (DI)(R9*4)
	KMOVW       K1, AX
	POPCNTL     AX, AX
	ADDQ        AX, R9

cdone:
	MOVQ R9, ret+24(FP)
	VZEROUPPER
	RET


// func countNonzeroAVX512(s *float32, n int) int
TEXT ·countNonzeroAVX512(SB), NOSPLIT, $0-24
	MOVQ   s+0(FP), SI
	MOVQ   n+8(FP), CX
	XORQ   R9, R9
	VPXORD Z31, Z31, Z31

nloop:
	CMPQ    CX, $32
	JLT     nloop16
	VCMPPS  $4, (SI), Z31, K1
	VCMPPS  $4, 64(SI), Z31, K2
	KMOVW   K1, AX
	KMOVW   K2, DX
	POPCNTL AX, AX
	POPCNTL DX, DX
	ADDQ    AX, R9
	ADDQ    DX, R9
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     nloop

nloop16:
	CMPQ    CX, $16
	JLT     ntail
	VCMPPS  $4, (SI), Z31, K1
	KMOVW   K1, AX
	POPCNTL AX, AX
	ADDQ    AX, R9
	ADDQ    $64, SI
	SUBQ    $16, CX

ntail:
	TESTQ     CX, CX
	JEQ       ndone
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K2
	VMOVUPS.Z (SI), K2, Z0
	VCMPPS    $4, Z31, Z0, K2, K1
	KMOVW     K1, AX
	POPCNTL   AX, AX
	ADDQ      AX, R9

ndone:
	MOVQ R9, ret+16(FP)
	VZEROUPPER
	RET

// func countSpikesAVX512(s *float32, n int) (nnz, other int)
// nnz counts s[j] != 0, other the s[j] that are neither 0 nor 1 (NaN
// counts in both), for j < n.
TEXT ·countSpikesAVX512(SB), NOSPLIT, $0-32
	MOVQ         s+0(FP), SI
	MOVQ         n+8(FP), CX
	XORQ         R9, R9
	XORQ         R10, R10
	VPXORD       Z31, Z31, Z31
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z30

sloop:
	CMPQ    CX, $16
	JLT     stail
	VMOVUPS (SI), Z0
	VCMPPS  $4, Z31, Z0, K1
	VCMPPS  $4, Z30, Z0, K1, K2
	KMOVW   K1, AX
	KMOVW   K2, DX
	POPCNTL AX, AX
	POPCNTL DX, DX
	ADDQ    AX, R9
	ADDQ    DX, R10
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     sloop

stail:
	TESTQ     CX, CX
	JEQ       sdone
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K3
	VMOVUPS.Z (SI), K3, Z0
	VCMPPS    $4, Z31, Z0, K3, K1
	VCMPPS    $4, Z30, Z0, K1, K2
	KMOVW     K1, AX
	KMOVW     K2, DX
	POPCNTL   AX, AX
	POPCNTL   DX, DX
	ADDQ      AX, R9
	ADDQ      DX, R10

sdone:
	MOVQ R9, nnz+16(FP)
	MOVQ R10, other+24(FP)
	VZEROUPPER
	RET
