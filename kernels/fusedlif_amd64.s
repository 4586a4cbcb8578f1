#include "textflag.h"

// Fused whole-sequence LIF kernels (fusedlif.go): one sample, blocks of 16
// hidden neurons in one register, the membrane carried over the steps in a
// register. Comparisons "v > θ" are the sign bit of θ − v (VPMOVD2M), as in
// lif_amd64.s, and every multiply and add is rounded separately, so the
// results equal the Go loops bit for bit.
//
// Constant registers: Z20 β, Z21 θ, Z22 c, Z23 h (atan), Z24 1.0. K1 is
// the block's lane mask.

// func fusedLIFForwardAVX512(o *float32, bits *int32, x, w2p *float32, h, steps int, beta, theta float32)
TEXT ·fusedLIFForwardAVX512(SB), NOSPLIT, $0-56
	MOVQ         o+0(FP), DI
	MOVQ         bits+8(FP), SI
	MOVQ         x+16(FP), R8
	MOVQ         w2p+24(FP), R9
	MOVQ         h+32(FP), R10
	MOVQ         steps+40(FP), R11
	VBROADCASTSS beta+48(FP), Z20
	VBROADCASTSS theta+52(FP), Z21
	VPXORD       Z26, Z26, Z26

	// o = 0 (steps rows of 16).
	MOVQ R11, CX
	MOVQ DI, AX

fclr:
	VMOVUPS Z26, (AX)
	ADDQ    $64, AX
	DECQ    CX
	JNZ     fclr

	XORQ R12, R12 // j0, the block's first neuron

fblk:
	MOVQ  R10, CX
	SUBQ  R12, CX
	MOVL  $0xffff, BX
	CMPQ  CX, $16
	JGE   fmask
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX

fmask:
	KMOVW     BX, K1
	VMOVUPS.Z (R8)(R12*4), K1, Z0 // x
	VPXORD    Z1, Z1, Z1          // u
	MOVQ      R11, R13            // steps left
	MOVQ      DI, R14             // o's row of step t

fstep:
	VSUBPS   Z1, Z21, Z4     // θ − prev
	VPMOVD2M Z4, K2          // prev > θ
	VMULPS   Z1, Z20, Z1     // β·prev
	VADDPS   Z0, Z1, Z1      // + x
	VSUBPS   Z21, Z1, K2, Z1 // − θ where prev > θ
	VSUBPS   Z1, Z21, Z4
	VPMOVD2M Z4, K3          // u > θ
	KANDW    K1, K3, K3
	KMOVW    K3, BX
	MOVL     BX, (SI)
	ADDQ     $4, SI
	TESTL    BX, BX
	JZ       fnext
	VMOVUPS  (R14), Z5

fspike:
	TZCNTL BX, CX
	ADDQ   R12, CX
	SHLQ   $6, CX
	VADDPS (R9)(CX*1), Z5, Z5 // o[t] += w2p[j]
	BLSRL  BX, BX
	JNZ    fspike
	VMOVUPS Z5, (R14)

fnext:
	ADDQ $64, R14
	DECQ R13
	JNZ  fstep
	ADDQ $16, R12
	CMPQ R12, R10
	JLT  fblk
	VZEROUPPER
	RET

// Offsets in fusedBwdArgs.
#define A_GX 0
#define A_GW2P 8
#define A_SCRATCH 16
#define A_X 24
#define A_W2T 32
#define A_G 40
#define A_BITS 48
#define A_H 56
#define A_STEPS 64
#define A_K 72
#define A_HPB 80
#define A_BETA 88
#define A_THETA 92
#define A_C 96
#define A_HH 100

// func fusedLIFBackwardAVX512(a *fusedBwdArgs)
TEXT ·fusedLIFBackwardAVX512(SB), NOSPLIT, $0-8
	MOVQ         a+0(FP), AX
	MOVQ         A_GW2P(AX), R9
	MOVQ         A_SCRATCH(AX), R10
	MOVQ         A_W2T(AX), R12
	MOVQ         A_G(AX), R13
	MOVQ         A_BITS(AX), R14
	VBROADCASTSS A_BETA(AX), Z20
	VBROADCASTSS A_THETA(AX), Z21
	VBROADCASTSS A_C(AX), Z22
	VBROADCASTSS A_HH(AX), Z23
	MOVL         $0x3f800000, DX
	VPBROADCASTD DX, Z24
	XORQ         DI, DI // j0

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
	KMOVW     DX, K1
	MOVQ      A_X(AX), CX
	VMOVUPS.Z (CX)(DI*4), K1, Z0 // x

	// The block's membranes into scratch, as the forward pass computed them.
	VPXORD Z1, Z1, Z1
	XORQ   BX, BX
	MOVQ   A_STEPS(AX), SI

brec:
	VSUBPS   Z1, Z21, Z4
	VPMOVD2M Z4, K2
	VMULPS   Z1, Z20, Z1
	VADDPS   Z0, Z1, Z1
	VSUBPS   Z21, Z1, K2, Z1
	VMOVUPS  Z1, (R10)(BX*1)
	ADDQ     $64, BX
	DECQ     SI
	JNZ      brec

	// The reverse scan: Z2 the input's gradient, Z3 the carry β·d.
	MOVQ      A_GX(AX), CX
	VMOVUPS.Z (CX)(DI*4), K1, Z2
	VPXORD    Z3, Z3, Z3
	MOVQ      A_STEPS(AX), SI
	DECQ      SI

bstep:
	MOVQ         SI, BX
	SHLQ         $6, BX              // t·64: the rows of g and scratch
	LEAQ         (R13)(BX*1), R11    // g[t]
	LEAQ         (R12)(DI*4), CX     // w2t[0][j0]
	MOVQ         A_K(AX), R8
	VBROADCASTSS (R11), Z6
	VMULPS       (CX), Z6, Z7        // gS = g[t][0]·w2t[0]
	DECQ         R8
	JZ           bkdone

bk:
	ADDQ         $4, R11
	ADDQ         A_HPB(AX), CX
	VBROADCASTSS (R11), Z6
	VMULPS       (CX), Z6, Z8
	VADDPS       Z8, Z7, Z7          // gS += g[t][k]·w2t[k]
	DECQ         R8
	JNZ          bk

bkdone:
	VMOVUPS (R10)(BX*1), Z9
	VSUBPS  Z21, Z9, Z9     // U − θ
	VMULPS  Z9, Z22, Z9     // v = c·(U − θ)
	VMULPS  Z9, Z9, Z9      // v·v
	VADDPS  Z24, Z9, Z9     // 1 + v·v
	VMULPS  Z23, Z7, Z7     // gS·h
	VDIVPS  Z9, Z7, Z7      // gS·h / (1 + v·v)
	VADDPS  Z3, Z7, Z7      // d = … + carry
	VMULPS  Z7, Z20, Z3     // carry = β·d
	VADDPS  Z7, Z2, Z2      // acc += d

	// The readout's weight gradient: gw2p[j] += g[t] for each spike at t.
	MOVL  (R14)(SI*4), DX
	TESTL DX, DX
	JZ    bnext
	VMOVUPS (R13)(BX*1), Z5

bspike:
	TZCNTL  DX, CX
	ADDQ    DI, CX
	SHLQ    $6, CX
	VADDPS  (R9)(CX*1), Z5, Z6
	VMOVUPS Z6, (R9)(CX*1)
	BLSRL   DX, DX
	JNZ     bspike

bnext:
	DECQ SI
	JGE  bstep

	MOVQ    A_GX(AX), CX
	VMOVUPS Z2, K1, (CX)(DI*4)
	MOVQ    A_STEPS(AX), CX
	SHLQ    $2, CX
	ADDQ    CX, R14 // the next block's bits
	ADDQ    $16, DI
	CMPQ    DI, A_H(AX)
	JLT     bblk
	VZEROUPPER
	RET
