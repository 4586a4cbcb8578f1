#include "textflag.h"

// Fused whole-sequence LIF kernels (fusedlif.go): blocks of 16 hidden
// neurons in one register. Comparisons "v > θ" are the sign bit of θ − v
// (VPMOVD2M), as in lif_amd64.s, and every multiply and add is rounded
// separately, so the results equal the Go loops bit for bit. Both kernels
// are unrolled for up to FusedMaxOut = 10 readout outputs, each output
// after the first behind a compare with k (always predicted).
//
// Registers of both: Z30 β, Z31 θ.

// func fusedLIFForwardAVX512(o *float32, bits *int32, xp, w2b, u *float32, nb, steps, k int, beta, theta float32)
//
// Step by step, block by block: the membranes in u, the readout current's
// partial sums per output in Z20-Z29 (one per lane), added under the spike
// mask K3 and reduced at the end of each step.
TEXT ·fusedLIFForwardAVX512(SB), NOSPLIT, $0-72
	MOVQ         o+0(FP), DI
	MOVQ         bits+8(FP), SI
	MOVQ         xp+16(FP), R8
	MOVQ         w2b+24(FP), R9
	MOVQ         u+32(FP), R10
	MOVQ         nb+40(FP), R11
	SHLQ         $6, R11 // the row's bytes
	MOVQ         steps+48(FP), R12
	MOVQ         k+56(FP), R13
	MOVQ         R13, R14
	SHLQ         $6, R14 // a block's rows of w2b
	MOVQ         R12, DX
	SHLQ         $2, DX  // a block's bits
	VBROADCASTSS beta+64(FP), Z30
	VBROADCASTSS theta+68(FP), Z31

fstep:
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	XORQ AX, AX
	MOVQ R9, CX
	MOVQ SI, R15

fblk:
	VMOVUPS  (R10)(AX*1), Z1 // prev
	VSUBPS   Z1, Z31, Z4
	VPMOVD2M Z4, K2          // prev > θ
	VMULPS   Z1, Z30, Z1     // β·prev
	VADDPS   (R8)(AX*1), Z1, Z1
	VSUBPS   Z31, Z1, K2, Z1 // − θ where prev > θ
	VMOVUPS  Z1, (R10)(AX*1)
	VSUBPS   Z1, Z31, Z4
	VPMOVD2M Z4, K3          // u > θ
	KMOVW    K3, BX
	MOVL     BX, (R15)
	VADDPS 0(CX), Z20, K3, Z20
	CMPQ R13, $1
	JLE  fadded
	VADDPS 64(CX), Z21, K3, Z21
	CMPQ R13, $2
	JLE  fadded
	VADDPS 128(CX), Z22, K3, Z22
	CMPQ R13, $3
	JLE  fadded
	VADDPS 192(CX), Z23, K3, Z23
	CMPQ R13, $4
	JLE  fadded
	VADDPS 256(CX), Z24, K3, Z24
	CMPQ R13, $5
	JLE  fadded
	VADDPS 320(CX), Z25, K3, Z25
	CMPQ R13, $6
	JLE  fadded
	VADDPS 384(CX), Z26, K3, Z26
	CMPQ R13, $7
	JLE  fadded
	VADDPS 448(CX), Z27, K3, Z27
	CMPQ R13, $8
	JLE  fadded
	VADDPS 512(CX), Z28, K3, Z28
	CMPQ R13, $9
	JLE  fadded
	VADDPS 576(CX), Z29, K3, Z29

fadded:
	ADDQ $64, AX
	ADDQ R14, CX
	ADDQ DX, R15
	CMPQ AX, R11
	JLT  fblk

	VEXTRACTF32X8 $1, Z20, Y4
	VADDPS        Y4, Y20, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 0(DI)
	CMPQ R13, $1
	JLE  freduced
	VEXTRACTF32X8 $1, Z21, Y4
	VADDPS        Y4, Y21, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 4(DI)
	CMPQ R13, $2
	JLE  freduced
	VEXTRACTF32X8 $1, Z22, Y4
	VADDPS        Y4, Y22, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 8(DI)
	CMPQ R13, $3
	JLE  freduced
	VEXTRACTF32X8 $1, Z23, Y4
	VADDPS        Y4, Y23, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 12(DI)
	CMPQ R13, $4
	JLE  freduced
	VEXTRACTF32X8 $1, Z24, Y4
	VADDPS        Y4, Y24, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 16(DI)
	CMPQ R13, $5
	JLE  freduced
	VEXTRACTF32X8 $1, Z25, Y4
	VADDPS        Y4, Y25, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 20(DI)
	CMPQ R13, $6
	JLE  freduced
	VEXTRACTF32X8 $1, Z26, Y4
	VADDPS        Y4, Y26, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 24(DI)
	CMPQ R13, $7
	JLE  freduced
	VEXTRACTF32X8 $1, Z27, Y4
	VADDPS        Y4, Y27, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 28(DI)
	CMPQ R13, $8
	JLE  freduced
	VEXTRACTF32X8 $1, Z28, Y4
	VADDPS        Y4, Y28, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 32(DI)
	CMPQ R13, $9
	JLE  freduced
	VEXTRACTF32X8 $1, Z29, Y4
	VADDPS        Y4, Y29, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VMOVHLPS      X4, X4, X5
	VADDPS        X5, X4, X4
	VMOVSHDUP     X4, X5
	VADDSS        X5, X4, X4
	VMOVSS        X4, 36(DI)

freduced:
	ADDQ $64, DI
	ADDQ $4, SI
	DECQ R12
	JNZ  fstep
	VZEROUPPER
	RET

// Offsets in fusedBwdArgs.
#define A_GX 0
#define A_GW2B 8
#define A_SCRATCH 16
#define A_XP 24
#define A_W2B 32
#define A_G 40
#define A_BITS 48
#define A_H 56
#define A_STEPS 64
#define A_K 72
#define A_NB 80
#define A_BETA 88
#define A_THETA 92
#define A_C 96
#define A_HH 100
#define A_ONE 104

// func fusedLIFBackwardAVX512(a *fusedBwdArgs)
//
// First the membranes of every step into scratch (step by step, block by
// block: independent chains), then block by block the reverse scan: Z2 the
// input's gradient, Z3 the carry β·d, Z7 gS, Z10-Z19 the block's readout
// weights (one register per output), Z20-Z29 their gradient (g[t] added
// under the spike mask K3). R8 k, R11 a row of scratch in bytes.
TEXT ·fusedLIFBackwardAVX512(SB), NOSPLIT, $0-8
	MOVQ         a+0(FP), AX
	VBROADCASTSS A_BETA(AX), Z30
	VBROADCASTSS A_THETA(AX), Z31
	MOVQ         A_K(AX), R8
	MOVQ         A_NB(AX), R11
	SHLQ         $6, R11
	MOVQ         A_SCRATCH(AX), R10
	MOVQ         A_XP(AX), R9

	// Step 0 from a zero membrane.
	VPXORD   Z0, Z0, Z0
	VSUBPS   Z0, Z31, Z4
	VPMOVD2M Z4, K2
	XORQ     CX, CX

brec0:
	VMULPS  Z0, Z30, Z1
	VADDPS  (R9)(CX*1), Z1, Z1
	VSUBPS  Z31, Z1, K2, Z1
	VMOVUPS Z1, (R10)(CX*1)
	ADDQ    $64, CX
	CMPQ    CX, R11
	JLT     brec0

	MOVQ A_STEPS(AX), SI
	DECQ SI
	JZ   brecdone
	MOVQ R10, DX // step t − 1

brecrow:
	LEAQ (DX)(R11*1), BX // step t
	XORQ CX, CX

brec:
	VMOVUPS  (DX)(CX*1), Z1
	VSUBPS   Z1, Z31, Z4
	VPMOVD2M Z4, K2
	VMULPS   Z1, Z30, Z1
	VADDPS   (R9)(CX*1), Z1, Z1
	VSUBPS   Z31, Z1, K2, Z1
	VMOVUPS  Z1, (BX)(CX*1)
	ADDQ     $64, CX
	CMPQ     CX, R11
	JLT      brec
	MOVQ     BX, DX
	DECQ     SI
	JNZ      brecrow

brecdone:
	MOVQ A_W2B(AX), R12
	MOVQ A_GW2B(AX), R9
	MOVQ A_G(AX), R13
	MOVQ A_BITS(AX), R14
	XORQ DI, DI // j0

bblk:
	MOVQ A_H(AX), CX
	SUBQ DI, CX
	MOVL $0xffff, DX
	CMPQ CX, $16
	JGE  bmask
	MOVL $1, DX
	SHLL CX, DX
	DECL DX

bmask:
	KMOVW DX, K1
	VMOVUPS 0(R12), Z10
	CMPQ R8, $1
	JLE  bwloaded
	VMOVUPS 64(R12), Z11
	CMPQ R8, $2
	JLE  bwloaded
	VMOVUPS 128(R12), Z12
	CMPQ R8, $3
	JLE  bwloaded
	VMOVUPS 192(R12), Z13
	CMPQ R8, $4
	JLE  bwloaded
	VMOVUPS 256(R12), Z14
	CMPQ R8, $5
	JLE  bwloaded
	VMOVUPS 320(R12), Z15
	CMPQ R8, $6
	JLE  bwloaded
	VMOVUPS 384(R12), Z16
	CMPQ R8, $7
	JLE  bwloaded
	VMOVUPS 448(R12), Z17
	CMPQ R8, $8
	JLE  bwloaded
	VMOVUPS 512(R12), Z18
	CMPQ R8, $9
	JLE  bwloaded
	VMOVUPS 576(R12), Z19

bwloaded:
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	MOVQ      A_GX(AX), CX
	VMOVUPS.Z (CX)(DI*4), K1, Z2
	VPXORD    Z3, Z3, Z3
	MOVQ      A_STEPS(AX), SI
	DECQ      SI
	MOVQ      SI, BX
	IMULQ     R11, BX
	ADDQ      A_SCRATCH(AX), BX
	LEAQ      (BX)(DI*4), BX // U of step t, this block

bstep:
	MOVQ SI, DX
	SHLQ $6, DX
	ADDQ R13, DX // g[t]
	VMULPS.BCST (DX), Z10, Z7 // gS = g[t][0]·W[0]
	CMPQ R8, $1
	JLE  bgs
	VMULPS.BCST 4(DX), Z11, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $2
	JLE  bgs
	VMULPS.BCST 8(DX), Z12, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $3
	JLE  bgs
	VMULPS.BCST 12(DX), Z13, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $4
	JLE  bgs
	VMULPS.BCST 16(DX), Z14, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $5
	JLE  bgs
	VMULPS.BCST 20(DX), Z15, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $6
	JLE  bgs
	VMULPS.BCST 24(DX), Z16, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $7
	JLE  bgs
	VMULPS.BCST 28(DX), Z17, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $8
	JLE  bgs
	VMULPS.BCST 32(DX), Z18, Z8
	VADDPS      Z8, Z7, Z7
	CMPQ R8, $9
	JLE  bgs
	VMULPS.BCST 36(DX), Z19, Z8
	VADDPS      Z8, Z7, Z7

bgs:
	VMOVUPS          (BX), Z9
	VSUBPS           Z31, Z9, Z9  // U − θ
	VMULPS.BCST      A_C(AX), Z9, Z9 // v = c·(U − θ)
	VMULPS           Z9, Z9, Z9   // v·v
	VADDPS.BCST      A_ONE(AX), Z9, Z9 // 1 + v·v
	VMULPS.BCST      A_HH(AX), Z7, Z7  // gS·h
	VDIVPS           Z9, Z7, Z7   // gS·h / (1 + v·v)
	VADDPS           Z3, Z7, Z7   // d = … + carry
	VMULPS           Z7, Z30, Z3  // carry = β·d
	VADDPS           Z7, Z2, Z2   // acc += d
	KMOVW            (R14)(SI*4), K3
	VADDPS.BCST 0(DX), Z20, K3, Z20
	CMPQ R8, $1
	JLE  bdw
	VADDPS.BCST 4(DX), Z21, K3, Z21
	CMPQ R8, $2
	JLE  bdw
	VADDPS.BCST 8(DX), Z22, K3, Z22
	CMPQ R8, $3
	JLE  bdw
	VADDPS.BCST 12(DX), Z23, K3, Z23
	CMPQ R8, $4
	JLE  bdw
	VADDPS.BCST 16(DX), Z24, K3, Z24
	CMPQ R8, $5
	JLE  bdw
	VADDPS.BCST 20(DX), Z25, K3, Z25
	CMPQ R8, $6
	JLE  bdw
	VADDPS.BCST 24(DX), Z26, K3, Z26
	CMPQ R8, $7
	JLE  bdw
	VADDPS.BCST 28(DX), Z27, K3, Z27
	CMPQ R8, $8
	JLE  bdw
	VADDPS.BCST 32(DX), Z28, K3, Z28
	CMPQ R8, $9
	JLE  bdw
	VADDPS.BCST 36(DX), Z29, K3, Z29

bdw:
	SUBQ R11, BX
	DECQ SI
	JGE  bstep

	MOVQ    A_GX(AX), CX
	VMOVUPS Z2, K1, (CX)(DI*4)
	VADDPS  0(R9), Z20, Z20
	VMOVUPS Z20, 0(R9)
	CMPQ R8, $1
	JLE  bstored
	VADDPS  64(R9), Z21, Z21
	VMOVUPS Z21, 64(R9)
	CMPQ R8, $2
	JLE  bstored
	VADDPS  128(R9), Z22, Z22
	VMOVUPS Z22, 128(R9)
	CMPQ R8, $3
	JLE  bstored
	VADDPS  192(R9), Z23, Z23
	VMOVUPS Z23, 192(R9)
	CMPQ R8, $4
	JLE  bstored
	VADDPS  256(R9), Z24, Z24
	VMOVUPS Z24, 256(R9)
	CMPQ R8, $5
	JLE  bstored
	VADDPS  320(R9), Z25, Z25
	VMOVUPS Z25, 320(R9)
	CMPQ R8, $6
	JLE  bstored
	VADDPS  384(R9), Z26, Z26
	VMOVUPS Z26, 384(R9)
	CMPQ R8, $7
	JLE  bstored
	VADDPS  448(R9), Z27, Z27
	VMOVUPS Z27, 448(R9)
	CMPQ R8, $8
	JLE  bstored
	VADDPS  512(R9), Z28, Z28
	VMOVUPS Z28, 512(R9)
	CMPQ R8, $9
	JLE  bstored
	VADDPS  576(R9), Z29, Z29
	VMOVUPS Z29, 576(R9)

bstored:
	MOVQ R8, CX
	SHLQ $6, CX
	ADDQ CX, R12
	ADDQ CX, R9
	MOVQ A_STEPS(AX), CX
	SHLQ $2, CX
	ADDQ CX, R14
	ADDQ $16, DI
	CMPQ DI, A_H(AX)
	JLT  bblk
	VZEROUPPER
	RET
