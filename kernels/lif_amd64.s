#include "textflag.h"

// LIF step kernels, 16 floats per iteration, the last one under a mask.
// Comparisons "v > θ" are the sign bit of θ − v (VPMOVD2M), exactly as the
// Go loops compute them, and every multiply and add is rounded separately.
//
// Constant registers: Z20 β, Z21 θ, Z22 p0, Z23 p1, Z24 1.0, Z25 abs mask,
// Z26 0. K1 is the lane mask.

// func lifForwardAVX512(uNew, s, u, in *float32, n int, beta, theta float32, reset int)
TEXT ·lifForwardAVX512(SB), NOSPLIT, $0-56
	MOVQ         uNew+0(FP), DI
	MOVQ         s+8(FP), SI
	MOVQ         u+16(FP), R8
	MOVQ         in+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS beta+40(FP), Z20
	VBROADCASTSS theta+44(FP), Z21
	MOVQ         reset+48(FP), DX
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z24
	VPXORD       Z26, Z26, Z26
	XORQ         AX, AX
	MOVL         $0xffff, BX
	KMOVW        BX, K1
	CMPQ         DX, $1
	JEQ          fzloop
	CMPQ         DX, $3
	JEQ          flloop
	CMPQ         DX, $2
	JEQ          fnloop

	// ResetSubtract: v = β·prev + x − [prev > θ]·θ.
fsloop:
	CMPQ CX, $32
	JLT  fsone
	VMOVUPS  (R8)(AX*1), Z1
	VMOVUPS  64(R8)(AX*1), Z11
	VMULPS   Z1, Z20, Z3
	VMULPS   Z11, Z20, Z13
	VADDPS   (R9)(AX*1), Z3, Z3
	VADDPS   64(R9)(AX*1), Z13, Z13
	VSUBPS   Z1, Z21, Z4
	VSUBPS   Z11, Z21, Z14
	VPMOVD2M Z4, K2
	VPMOVD2M Z14, K4
	VSUBPS   Z21, Z3, K2, Z3
	VSUBPS   Z21, Z13, K4, Z13
	VSUBPS   Z3, Z21, Z4
	VSUBPS   Z13, Z21, Z14
	VPMOVD2M Z4, K3
	VPMOVD2M Z14, K5
	VMOVAPS.Z Z24, K3, Z5
	VMOVAPS.Z Z24, K5, Z15
	VMOVUPS  Z3, (DI)(AX*1)
	VMOVUPS  Z13, 64(DI)(AX*1)
	VMOVUPS  Z5, (SI)(AX*1)
	VMOVUPS  Z15, 64(SI)(AX*1)
	ADDQ     $128, AX
	SUBQ     $32, CX
	JMP      fsloop

fsone:
	TESTQ CX, CX
	JLE   fdone
	CMPQ  CX, $16
	JGE   fsbody
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1

fsbody:
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMOVUPS.Z (R9)(AX*1), K1, Z2
	VMULPS    Z1, Z20, Z3
	VADDPS    Z2, Z3, Z3
	VSUBPS    Z1, Z21, Z4
	VPMOVD2M  Z4, K2
	VSUBPS    Z21, Z3, K2, Z3
	VSUBPS    Z3, Z21, Z4
	VPMOVD2M  Z4, K3
	VMOVAPS.Z Z24, K3, Z5
	VMOVUPS   Z3, K1, (DI)(AX*1)
	VMOVUPS   Z5, K1, (SI)(AX*1)
	ADDQ      $64, AX
	SUBQ      $16, CX
	JMP       fsone

	// ResetZero: v = β·prev·(1 − [prev > θ]) + x.
fzloop:
	TESTQ CX, CX
	JLE   fdone
	CMPQ  CX, $16
	JGE   fzbody
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1

fzbody:
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMOVUPS.Z (R9)(AX*1), K1, Z2
	VMULPS    Z1, Z20, Z3
	VSUBPS    Z1, Z21, Z4
	VPMOVD2M  Z4, K2
	VMULPS    Z26, Z3, K2, Z3
	VADDPS    Z2, Z3, Z3
	VSUBPS    Z3, Z21, Z4
	VPMOVD2M  Z4, K3
	VMOVAPS.Z Z24, K3, Z5
	VMOVUPS   Z3, K1, (DI)(AX*1)
	VMOVUPS   Z5, K1, (SI)(AX*1)
	ADDQ      $64, AX
	SUBQ      $16, CX
	JMP       fzloop

	// ResetZeroLegacy: v = (β·prev + x)·(1 − [prev > θ]).
flloop:
	TESTQ CX, CX
	JLE   fdone
	CMPQ  CX, $16
	JGE   flbody
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1

flbody:
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMOVUPS.Z (R9)(AX*1), K1, Z2
	VMULPS    Z1, Z20, Z3
	VADDPS    Z2, Z3, Z3
	VSUBPS    Z1, Z21, Z4
	VPMOVD2M  Z4, K2
	VMULPS    Z26, Z3, K2, Z3
	VSUBPS    Z3, Z21, Z4
	VPMOVD2M  Z4, K3
	VMOVAPS.Z Z24, K3, Z5
	VMOVUPS   Z3, K1, (DI)(AX*1)
	VMOVUPS   Z5, K1, (SI)(AX*1)
	ADDQ      $64, AX
	SUBQ      $16, CX
	JMP       flloop

	// ResetNone: v = β·prev + x.
fnloop:
	TESTQ CX, CX
	JLE   fdone
	CMPQ  CX, $16
	JGE   fnbody
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1

fnbody:
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMOVUPS.Z (R9)(AX*1), K1, Z2
	VMULPS    Z1, Z20, Z3
	VADDPS    Z2, Z3, Z3
	VSUBPS    Z3, Z21, Z4
	VPMOVD2M  Z4, K3
	VMOVAPS.Z Z24, K3, Z5
	VMOVUPS   Z3, K1, (DI)(AX*1)
	VMOVUPS   Z5, K1, (SI)(AX*1)
	ADDQ      $64, AX
	SUBQ      $16, CX
	JMP       fnloop

fdone:
	VZEROUPPER
	RET

// Sections of the backward pass on one 16-lane group at byte offset off
// from AX, under the lane mask K1: g gS, x U − θ, d the result, t and u
// scratch, k a scratch mask.
#define BWD_LOADGS(off, g) VMOVUPS.Z off(R11)(AX*1), K1, g
#define BWD_GIVEN(off, g, d, t) \
	VMOVUPS.Z off(R12)(AX*1), K1, t; \
	VMULPS    t, g, d
#define BWD_LOADX(off, x) \
	VMOVUPS.Z off(R9)(AX*1), K1, x; \
	VSUBPS    Z21, x, x
// gS·max(0, α·(w − |x|)); VMAXPS returns its second source (x side) on NaN.
#define BWD_TRIANGLE(x, g, d, t) \
	VPANDD Z25, x, x; \
	VSUBPS x, Z23, t; \
	VMULPS t, Z22, t; \
	VMAXPS t, Z26, t; \
	VMULPS t, g, d
// gS·h / (1 + (c·x)²)
#define BWD_ATAN(x, g, d, t) \
	VMULPS x, Z22, t; \
	VMULPS t, t, t; \
	VADDPS Z24, t, t; \
	VMULPS Z23, g, d; \
	VDIVPS t, d, d
// gS / (1 + k·|x|)²
#define BWD_FSIG(x, g, d, t) \
	VPANDD Z25, x, x; \
	VMULPS x, Z22, t; \
	VADDPS Z24, t, t; \
	VMULPS t, t, t; \
	VDIVPS t, g, d
#define BWD_ZERO(d) VPXORD d, d, d
#define BWD_ADDGU(off, d, t) \
	VMOVUPS.Z off(R10)(AX*1), K1, t; \
	VADDPS    t, d, d
// d·0 where u > θ (the sign bit of θ − u)
#define BWD_RESETZ(off, d, t, k) \
	VMOVUPS.Z off(R8)(AX*1), K1, t; \
	VSUBPS    t, Z21, t; \
	VPMOVD2M  t, k; \
	VMULPS    Z26, d, k, d
// the mask k of lanes where u > θ (the sign bit of θ − u)
#define BWD_MASKU(off, t, k) \
	VMOVUPS.Z off(R8)(AX*1), K1, t; \
	VSUBPS    t, Z21, t; \
	VPMOVD2M  t, k
// β·d, times 0 in the lanes of k
#define BWD_GUWZ(off, d, t, k) \
	VMULPS  d, Z20, t; \
	VMULPS  Z26, t, k, t; \
	VMOVUPS t, K1, off(DI)(AX*1)
#define BWD_GUACCZ(off, d, t, u, k) \
	VMULPS    d, Z20, t; \
	VMULPS    Z26, t, k, t; \
	VMOVUPS.Z off(DI)(AX*1), K1, u; \
	VADDPS    t, u, t; \
	VMOVUPS   t, K1, off(DI)(AX*1)
#define BWD_GUW(off, d, t) \
	VMULPS  d, Z20, t; \
	VMOVUPS t, K1, off(DI)(AX*1)
#define BWD_GUACC(off, d, t, u) \
	VMULPS    d, Z20, t; \
	VMOVUPS.Z off(DI)(AX*1), K1, u; \
	VADDPS    t, u, t; \
	VMOVUPS   t, K1, off(DI)(AX*1)
#define BWD_GINW(off, d) VMOVUPS d, K1, off(SI)(AX*1)
#define BWD_GINACC(off, d, u) \
	VMOVUPS.Z off(SI)(AX*1), K1, u; \
	VADDPS    d, u, u; \
	VMOVUPS   u, K1, off(SI)(AX*1)

// func lifBackwardAVX512(a *lifBwdArgs)
//
// 32 lanes per iteration (two groups: Z0-Z4 and Z10-Z14), then groups of
// 16 under a mask. Flag bits (lif.go): 1 GS, 2 GU, 4 legacy zero reset
// (mask d), 8 Gu, 16 Gin, 32 write Gu, 64 write Gin, 128 zero reset (mask
// Gu's term). Kinds: 0 given, 1 atan, 2 fast
// sigmoid, 4 triangle (3, sigmoid, never comes here).
TEXT ·lifBackwardAVX512(SB), NOSPLIT, $0-8
	MOVQ         a+0(FP), BX
	MOVQ         0(BX), DI
	MOVQ         8(BX), SI
	MOVQ         16(BX), R8
	MOVQ         24(BX), R9
	MOVQ         32(BX), R10
	MOVQ         40(BX), R11
	MOVQ         48(BX), R12
	MOVQ         56(BX), CX
	MOVQ         64(BX), DX
	MOVQ         72(BX), R13
	VBROADCASTSS 80(BX), Z20
	VBROADCASTSS 84(BX), Z21
	VBROADCASTSS 88(BX), Z22
	VBROADCASTSS 92(BX), Z23
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z24
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z25
	VPXORD       Z26, Z26, Z26
	XORQ         AX, AX
	MOVL         $0xffff, R14
	KMOVW        R14, K1

b2loop:
	CMPQ  CX, $32
	JLT   bloop
	TESTQ $1, DX
	JZ    b2nogs
	BWD_LOADGS(0, Z1)
	BWD_LOADGS(64, Z11)
	TESTQ R13, R13
	JNZ   b2kind
	BWD_GIVEN(0, Z1, Z0, Z3)
	BWD_GIVEN(64, Z11, Z10, Z13)
	JMP   b2gsdone

b2kind:
	BWD_LOADX(0, Z2)
	BWD_LOADX(64, Z12)
	CMPQ R13, $1
	JEQ  b2atan
	CMPQ R13, $2
	JEQ  b2fsig
	BWD_TRIANGLE(Z2, Z1, Z0, Z3)
	BWD_TRIANGLE(Z12, Z11, Z10, Z13)
	JMP  b2gsdone

b2atan:
	BWD_ATAN(Z2, Z1, Z0, Z3)
	BWD_ATAN(Z12, Z11, Z10, Z13)
	JMP b2gsdone

b2fsig:
	BWD_FSIG(Z2, Z1, Z0, Z3)
	BWD_FSIG(Z12, Z11, Z10, Z13)
	JMP b2gsdone

b2nogs:
	BWD_ZERO(Z0)
	BWD_ZERO(Z10)

b2gsdone:
	TESTQ $2, DX
	JZ    b2nogu
	BWD_ADDGU(0, Z0, Z1)
	BWD_ADDGU(64, Z10, Z11)

b2nogu:
	TESTQ $4, DX
	JZ    b2nozero
	BWD_RESETZ(0, Z0, Z1, K2)
	BWD_RESETZ(64, Z10, Z11, K3)

b2nozero:
	TESTQ $8, DX
	JZ    b2nogu2
	TESTQ $128, DX
	JZ    b2gunomask
	BWD_MASKU(0, Z1, K2)
	BWD_MASKU(64, Z11, K3)
	TESTQ $32, DX
	JZ    b2accuz
	BWD_GUWZ(0, Z0, Z1, K2)
	BWD_GUWZ(64, Z10, Z11, K3)
	JMP   b2nogu2

b2accuz:
	BWD_GUACCZ(0, Z0, Z1, Z2, K2)
	BWD_GUACCZ(64, Z10, Z11, Z12, K3)
	JMP   b2nogu2

b2gunomask:
	TESTQ $32, DX
	JZ    b2accu
	BWD_GUW(0, Z0, Z1)
	BWD_GUW(64, Z10, Z11)
	JMP   b2nogu2

b2accu:
	BWD_GUACC(0, Z0, Z1, Z2)
	BWD_GUACC(64, Z10, Z11, Z12)

b2nogu2:
	TESTQ $16, DX
	JZ    b2next
	TESTQ $64, DX
	JZ    b2accin
	BWD_GINW(0, Z0)
	BWD_GINW(64, Z10)
	JMP   b2next

b2accin:
	BWD_GINACC(0, Z0, Z2)
	BWD_GINACC(64, Z10, Z12)

b2next:
	ADDQ $128, AX
	SUBQ $32, CX
	JMP  b2loop

bloop:
	TESTQ CX, CX
	JLE   bdone
	CMPQ  CX, $16
	JGE   bbody
	MOVL  $1, R14
	SHLL  CX, R14
	DECL  R14
	KMOVW R14, K1

bbody:
	TESTQ $1, DX
	JZ    bnogs
	BWD_LOADGS(0, Z1)
	TESTQ R13, R13
	JNZ   bkind
	BWD_GIVEN(0, Z1, Z0, Z3)
	JMP   bgsdone

bkind:
	BWD_LOADX(0, Z2)
	CMPQ R13, $1
	JEQ  batan
	CMPQ R13, $2
	JEQ  bfsig
	BWD_TRIANGLE(Z2, Z1, Z0, Z3)
	JMP  bgsdone

batan:
	BWD_ATAN(Z2, Z1, Z0, Z3)
	JMP bgsdone

bfsig:
	BWD_FSIG(Z2, Z1, Z0, Z3)
	JMP bgsdone

bnogs:
	BWD_ZERO(Z0)

bgsdone:
	TESTQ $2, DX
	JZ    bnogu
	BWD_ADDGU(0, Z0, Z1)

bnogu:
	TESTQ $4, DX
	JZ    bnozero
	BWD_RESETZ(0, Z0, Z1, K2)

bnozero:
	TESTQ $8, DX
	JZ    bnogu2
	TESTQ $128, DX
	JZ    bgunomask
	BWD_MASKU(0, Z1, K2)
	TESTQ $32, DX
	JZ    baccuz
	BWD_GUWZ(0, Z0, Z1, K2)
	JMP   bnogu2

baccuz:
	BWD_GUACCZ(0, Z0, Z1, Z2, K2)
	JMP   bnogu2

bgunomask:
	TESTQ $32, DX
	JZ    baccu
	BWD_GUW(0, Z0, Z1)
	JMP   bnogu2

baccu:
	BWD_GUACC(0, Z0, Z1, Z2)

bnogu2:
	TESTQ $16, DX
	JZ    bnext
	TESTQ $64, DX
	JZ    baccin
	BWD_GINW(0, Z0)
	JMP   bnext

baccin:
	BWD_GINACC(0, Z0, Z2)

bnext:
	ADDQ $64, AX
	SUBQ $16, CX
	JMP  bloop

bdone:
	VZEROUPPER
	RET
